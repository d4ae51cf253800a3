import type { RequestHandler } from 'express';
import { recordAudit } from '../../platform/db/audit.ts';
import { SHIPPED_MODEL_VERSION } from '../../platform/db/health-model-store.ts';
import { callerOf, type HealthContext } from './deps.ts';
import { shippedReadOnly, versionParam } from './models.ts';

/** `DELETE /api/installations/:id/health-models/:version`: discards a draft; published and retired versions stay (409). */
export function deleteHealthModel(ctx: HealthContext): RequestHandler {
  return async (req, res) => {
    const { key, actor } = await callerOf(req, ctx);
    const version = versionParam(req);
    if (version === SHIPPED_MODEL_VERSION && !(await ctx.models.get(key.workspaceId, version))) throw shippedReadOnly();
    await ctx.models.discardDraft(key.workspaceId, version);
    await recordAudit(ctx.db, { ...key, actor, action: 'health_model.draft_discarded', details: { version } });
    res.status(204).end();
  };
}
