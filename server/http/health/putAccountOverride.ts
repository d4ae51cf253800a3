import type { RequestHandler } from 'express';
import { enqueueScore } from '../../../jobs/queues.ts';
import { setOverrideRequestSchema, type OverrideBody } from '../../contracts/health.ts';
import { overrideSchema } from '../../core/health/override.ts';
import { recordAudit } from '../../platform/db/audit.ts';
import { callerOf, isScored, requireJson, type HealthContext } from './deps.ts';
import { accountParam, overrideBody } from './overrides.ts';

/**
 * `PUT /api/installations/:id/accounts/:accountId/override`: a CSM's own score or band for the account,
 * with a reason and an expiry, set now by the caller; it replaces the one before it. The account is
 * rescored so the values written to the CRM follow.
 */
export function putAccountOverride(ctx: HealthContext): RequestHandler {
  return async (req, res) => {
    requireJson(req);
    const { installation, key, actor } = await callerOf(req, ctx);
    const accountId = accountParam(req);
    const now = ctx.now();
    const request = setOverrideRequestSchema(now).parse(req.body ?? {});
    // The domain's own rules decide what an override is; the request schema only adds "from now on".
    const override = overrideSchema.parse({
      ...request,
      author: actor,
      setAt: new Date(now).toISOString(),
    });
    const stored = await ctx.overrides.set(key, {
      accountExternalId: accountId,
      score: override.score ?? null,
      band: override.band ?? null,
      reason: override.reason,
      author: override.author,
      setAt: new Date(override.setAt),
      expiresAt: new Date(override.expiresAt),
    });
    await recordAudit(ctx.db, {
      ...key,
      actor,
      action: 'health_override.set',
      details: {
        accountId,
        overrideId: stored.id,
        score: stored.score,
        band: stored.band,
        reason: stored.reason,
        expiresAt: stored.expiresAt.toISOString(),
      },
    });
    if (isScored(installation)) {
      await enqueueScore(ctx.queues, { ...key, full: false, reason: 'override' });
    }
    const body: OverrideBody = overrideBody(stored, now);
    res.json(body);
  };
}
