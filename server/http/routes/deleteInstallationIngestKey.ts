import type { RequestHandler } from 'express';
import { z } from 'zod';
import type { IngestKeyBody } from '../../contracts/ingest.ts';
import { recordAudit } from '../../platform/db/audit.ts';
import { revokeIngestKey } from '../../platform/db/ingest-store.ts';
import { AppError } from '../../platform/errors.ts';
import { installationFor } from '../install/access.ts';
import type { InstallContext } from '../install/deps.ts';
import { ingestKeyBody, viewerActor } from '../ingest/keys.ts';

const keyId = z.uuid();

/**
 * `DELETE /api/installations/:id/ingest-keys/:keyId`: revokes the key at once (the next request with
 * it gets 401). The row stays, so the list shows when it was revoked; revoking twice is harmless.
 */
export function deleteInstallationIngestKey(ctx: InstallContext): RequestHandler {
  return async (req, res) => {
    const { installation, viewer } = await installationFor(req, ctx, req.params.id);
    const scope = { workspaceId: installation.workspaceId, installationId: installation.id };
    const id = keyId.safeParse(req.params.keyId);
    const key = id.success ? await revokeIngestKey(ctx.db, scope, id.data) : undefined;
    if (!key) throw new AppError(404, 'INGEST_KEY_NOT_FOUND', 'No such ingest key on this installation');
    await recordAudit(ctx.db, {
      ...scope,
      actor: viewerActor(viewer),
      action: 'ingest_key.revoked',
      details: { keyId: key.id, prefix: key.prefix, label: key.label },
    });
    const body: IngestKeyBody = ingestKeyBody(key);
    res.json(body);
  };
}
