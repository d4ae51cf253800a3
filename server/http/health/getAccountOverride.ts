import type { RequestHandler } from 'express';
import type { AccountOverride } from '../../contracts/health.ts';
import { accountNotFound } from '../../platform/db/override-store.ts';
import { callerOf, type HealthContext } from './deps.ts';
import { accountParam, overrideBody } from './overrides.ts';

/** `GET /api/installations/:id/accounts/:accountId/override`: the override not cleared (active or expired) and the history. */
export function getAccountOverride(ctx: HealthContext): RequestHandler {
  return async (req, res) => {
    const { key } = await callerOf(req, ctx);
    const accountId = accountParam(req);
    if (!(await ctx.overrides.hasAccount(key, accountId))) throw accountNotFound();
    const [latest, history] = await Promise.all([
      ctx.overrides.latestFor(key, [accountId]),
      ctx.overrides.history(key, accountId),
    ]);
    const now = ctx.now();
    const current = latest.get(accountId);
    const body: AccountOverride = {
      current: current ? overrideBody(current, now) : null,
      history: history.map((override) => overrideBody(override, now)),
    };
    res.setHeader('Cache-Control', 'no-store');
    res.json(body);
  };
}
