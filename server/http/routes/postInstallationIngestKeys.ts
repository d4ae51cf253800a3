import type { RequestHandler } from 'express';
import { createIngestKeyRequestSchema, type CreatedIngestKey } from '../../contracts/ingest.ts';
import { recordAudit } from '../../platform/db/audit.ts';
import { createIngestKey } from '../../platform/db/ingest-store.ts';
import { AppError } from '../../platform/errors.ts';
import { installationFor } from '../install/access.ts';
import type { InstallContext } from '../install/deps.ts';
import { ingestKeyBody, viewerActor } from '../ingest/keys.ts';

/**
 * `POST /api/installations/:id/ingest-keys`: a new ingest key for the installation; the answer is
 * the only time the whole key is shown. JSON only, so a cross-site form cannot send it.
 */
export function postInstallationIngestKeys(ctx: InstallContext): RequestHandler {
  return async (req, res) => {
    if (!req.is('application/json')) throw new AppError(415, 'JSON_REQUIRED', 'Send the request as application/json');
    const { installation, viewer } = await installationFor(req, ctx, req.params.id);
    const { label } = createIngestKeyRequestSchema.parse(req.body);
    const scope = { workspaceId: installation.workspaceId, installationId: installation.id };
    const { key, secret } = await createIngestKey(ctx.db, scope, label);
    await recordAudit(ctx.db, {
      ...scope,
      actor: viewerActor(viewer),
      action: 'ingest_key.created',
      details: { keyId: key.id, prefix: key.prefix, label },
    });
    const body: CreatedIngestKey = { ...ingestKeyBody(key), key: secret };
    res.setHeader('Cache-Control', 'no-store');
    res.status(201).json(body);
  };
}
