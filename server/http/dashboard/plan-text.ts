import type { Request } from 'express';
import type { Metric } from '../../core/plans/plan-model.ts';
import { metricSchema } from '../../core/plans/plan-model.ts';
import { jsonPath } from '../../core/json-path.ts';
import { AppError } from '../../platform/errors.ts';

/** A stored objective's metric, checked; one that does not parse is logged and answered 500 naming where. */
export function storedMetric(req: Request, where: { planId: string; key: string }, stored: unknown): Metric {
  const parsed = metricSchema.safeParse(stored);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues
    .slice(0, 5)
    .map((issue) => ({ path: jsonPath(issue.path), message: issue.message }));
  req.log.error({ ...where, issues }, 'a stored objective metric does not have the shape the dashboard reads');
  const first = issues[0];
  throw new AppError(
    500,
    'PLAN_DATA_CORRUPT',
    `The metric of objective "${where.key}" of plan ${where.planId} cannot be read${
      first ? ` (${first.path}: ${first.message})` : ''
    }`,
  );
}
