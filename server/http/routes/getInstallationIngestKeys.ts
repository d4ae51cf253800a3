import type { RequestHandler } from 'express';
import type { IngestKeyList } from '../../contracts/ingest.ts';
import { listIngestKeys } from '../../platform/db/ingest-store.ts';
import { installationFor } from '../install/access.ts';
import type { InstallContext } from '../install/deps.ts';
import { ingestKeyBody } from '../ingest/keys.ts';

/** `GET /api/installations/:id/ingest-keys`: the installation's keys, newest first, never their secrets. */
export function getInstallationIngestKeys(ctx: InstallContext): RequestHandler {
  return async (req, res) => {
    const { installation } = await installationFor(req, ctx, req.params.id);
    const keys = await listIngestKeys(ctx.db, {
      workspaceId: installation.workspaceId,
      installationId: installation.id,
    });
    const body: IngestKeyList = { keys: keys.map(ingestKeyBody) };
    res.setHeader('Cache-Control', 'no-store');
    res.json(body);
  };
}
