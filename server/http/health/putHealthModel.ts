import type { RequestHandler } from 'express';
import { updateHealthModelRequestSchema, type HealthModelDetail } from '../../contracts/health.ts';
import { SHIPPED_MODEL_VERSION } from '../../platform/db/health-model-store.ts';
import { callerOf, requireJson, type HealthContext } from './deps.ts';
import { detailBody, shippedReadOnly, versionParam } from './models.ts';

/**
 * `PUT /api/installations/:id/health-models/:version`: replaces a draft's definition. A draft is work
 * in progress, so it is saved even with problems; the answer lists them, each at its JSONPath.
 */
export function putHealthModel(ctx: HealthContext): RequestHandler {
  return async (req, res) => {
    requireJson(req);
    const { key } = await callerOf(req, ctx);
    const version = versionParam(req);
    const { definition } = updateHealthModelRequestSchema.parse(req.body ?? {});
    if (version === SHIPPED_MODEL_VERSION && !(await ctx.models.get(key.workspaceId, version))) throw shippedReadOnly();
    const model = await ctx.models.updateDraft(key.workspaceId, version, definition);
    const body: HealthModelDetail = detailBody({ shipped: false, model });
    res.json(body);
  };
}
