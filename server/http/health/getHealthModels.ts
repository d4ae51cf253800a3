import type { RequestHandler } from 'express';
import type { HealthModelList } from '../../contracts/health.ts';
import { SHIPPED_MODEL_VERSION } from '../../platform/db/health-model-store.ts';
import { callerOf, type HealthContext } from './deps.ts';
import { shippedEntry, versionBody, type ModelEntry } from './models.ts';

/** `GET /api/installations/:id/health-models`: the workspace's versions, oldest first, and the one scoring now. */
export function getHealthModels(ctx: HealthContext): RequestHandler {
  return async (req, res) => {
    const { key } = await callerOf(req, ctx);
    const stored = await ctx.models.list(key.workspaceId);
    const published = stored.find((model) => model.status === 'published') ?? null;
    const entries: ModelEntry[] = stored.map((model) => ({ shipped: false, model }));
    if (!stored.some((model) => model.version === SHIPPED_MODEL_VERSION)) entries.unshift(shippedEntry(published));
    const body: HealthModelList = {
      inUse: published?.version ?? SHIPPED_MODEL_VERSION,
      versions: entries.map(versionBody),
    };
    res.setHeader('Cache-Control', 'no-store');
    res.json(body);
  };
}
