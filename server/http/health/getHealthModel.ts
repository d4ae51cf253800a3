import type { RequestHandler } from 'express';
import type { HealthModelDetail } from '../../contracts/health.ts';
import { callerOf, type HealthContext } from './deps.ts';
import { detailBody, findEntry, versionParam } from './models.ts';

/** `GET /api/installations/:id/health-models/:version`: the definition, what is wrong with it, its last backtest. */
export function getHealthModel(ctx: HealthContext): RequestHandler {
  return async (req, res) => {
    const { key } = await callerOf(req, ctx);
    const entry = await findEntry(ctx, key.workspaceId, versionParam(req));
    const body: HealthModelDetail = detailBody(entry);
    res.setHeader('Cache-Control', 'no-store');
    res.json(body);
  };
}
