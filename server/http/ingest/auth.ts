import type { Request } from 'express';
import { INGEST_KEY_PATTERN } from '../../contracts/ingest.ts';
import { authenticateIngestKey, type IngestScope } from '../../platform/db/ingest-store.ts';
import { AppError } from '../../platform/errors.ts';
import type { IngestDeps } from './deps.ts';

/**
 * The installation an ingest request acts for, from `Authorization: Bearer bw_<prefix>_<secret>`.
 * Every key failure answers the same 401, so a caller learns nothing about which keys exist.
 */
export async function ingestScopeOf(req: Request, deps: IngestDeps): Promise<IngestScope & { keyId: string }> {
  const header = req.get('authorization');
  const match = /^\s*bearer\s+(\S+)\s*$/i.exec(header ?? '');
  const parts = match ? INGEST_KEY_PATTERN.exec(match[1]!) : null;
  const scope = parts ? await authenticateIngestKey(deps.db, parts[1]!, parts[2]!) : undefined;
  if (!scope) {
    throw new AppError(
      401,
      'INGEST_KEY_INVALID',
      header === undefined
        ? 'Send the ingest key as Authorization: Bearer bw_<prefix>_<secret>'
        : 'The ingest key is wrong or has been revoked',
    );
  }
  // Kept until the purge after a disconnect, but nothing more is taken in for it.
  if (scope.installationStatus === 'uninstalled') {
    throw new AppError(
      403,
      'INSTALLATION_DISCONNECTED',
      'This installation has been disconnected; connect the CRM again and create a new ingest key',
    );
  }
  return { workspaceId: scope.workspaceId, installationId: scope.installationId, keyId: scope.keyId };
}
