import type { RequestHandler } from 'express';
import { enqueueBacktest } from '../../../jobs/queues.ts';
import { BACKTEST_HORIZON_DAYS, backtestRequestSchema } from '../../contracts/health.ts';
import { DAY_MS } from '../../core/health/signals.ts';
import { callerOf, requireJson, type HealthContext } from './deps.ts';
import { definitionOf, findEntry, sendModelInvalid, validationOf, versionParam } from './models.ts';

/** The outcomes of a backtest are only known once its whole horizon has passed. */
function backtestRequestAt(now: number) {
  return backtestRequestSchema.superRefine((body, ctx) => {
    if (body.asOf === undefined) return;
    const horizonDays = body.horizonDays ?? BACKTEST_HORIZON_DAYS.default;
    if (Date.parse(`${body.asOf}T00:00:00Z`) + horizonDays * DAY_MS > now) {
      ctx.addIssue({
        code: 'custom',
        path: ['asOf'],
        message: `must be at least ${horizonDays} days (horizonDays) before today, so the renewals after it are decided`,
      });
    }
  });
}

/**
 * `POST /api/installations/:id/health-models/:version/backtest`: queues a backtest and answers 202 with
 * its job id. A stored version keeps the report, where GET shows it; the shipped model (version 1) is
 * not stored, so its report, the baseline drafts are compared with, is the job's result only.
 */
export function postHealthModelBacktest(ctx: HealthContext): RequestHandler {
  return async (req, res) => {
    requireJson(req);
    const { key, actor } = await callerOf(req, ctx);
    const version = versionParam(req);
    const request = backtestRequestAt(ctx.now()).parse(req.body ?? {});
    const entry = await findEntry(ctx, key.workspaceId, version);
    const validation = validationOf(definitionOf(entry));
    if (!validation.ok) {
      sendModelInvalid(req, res, version, validation.problems);
      return;
    }
    const { jobId } = await enqueueBacktest(ctx.queues, {
      workspaceId: key.workspaceId,
      version,
      ...(request.asOf === undefined ? {} : { asOf: request.asOf }),
      ...(request.horizonDays === undefined ? {} : { horizonDays: request.horizonDays }),
      requestedBy: actor,
    });
    res.status(202).json({ jobId });
  };
}
