import type { RequestHandler } from 'express';
import { enqueueScore } from '../../../jobs/queues.ts';
import type { OverrideBody } from '../../contracts/health.ts';
import { recordAudit } from '../../platform/db/audit.ts';
import { AppError } from '../../platform/errors.ts';
import { callerOf, isScored, type HealthContext } from './deps.ts';
import { accountParam, overrideBody } from './overrides.ts';

/**
 * `DELETE /api/installations/:id/accounts/:accountId/override`: clears the account's override (the
 * row stays, as history) and rescores the account so the computed health is written back again.
 */
export function deleteAccountOverride(ctx: HealthContext): RequestHandler {
  return async (req, res) => {
    const { installation, key, actor } = await callerOf(req, ctx);
    const accountId = accountParam(req);
    const now = ctx.now();
    const cleared = await ctx.overrides.clear(key, accountId, actor, new Date(now));
    if (!cleared) throw new AppError(404, 'OVERRIDE_NOT_FOUND', 'This account has no override to clear');
    await recordAudit(ctx.db, {
      ...key,
      actor,
      action: 'health_override.cleared',
      details: { accountId, overrideId: cleared.id },
    });
    if (isScored(installation)) {
      await enqueueScore(ctx.queues, { ...key, full: false, reason: 'override' });
    }
    const body: OverrideBody = overrideBody(cleared, now);
    res.json(body);
  };
}
