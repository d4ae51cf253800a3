import { z } from 'zod';

/** `GET /healthz`: the process is alive and serving HTTP. */
export const livenessSchema = z.strictObject({
  status: z.literal('ok'),
  uptimeSeconds: z.number().nonnegative(),
  version: z.string(),
});
export type Liveness = z.infer<typeof livenessSchema>;

export const dependencyCheckSchema = z.strictObject({
  status: z.enum(['up', 'down']),
  latencyMs: z.number().nonnegative(),
  /** What was checked, without credentials, e.g. "pglite" or "postgres 127.0.0.1:5432/app". */
  target: z.string(),
  error: z.string().optional(),
});

/** `GET /readyz`: every dependency named, with its state; 200 when all are up, 503 otherwise. */
export const readinessSchema = z.strictObject({
  status: z.enum(['ready', 'not_ready']),
  checks: z.record(z.string(), dependencyCheckSchema),
});
export type Readiness = z.infer<typeof readinessSchema>;

/** Every HTTP error answers this shape. */
export const errorBodySchema = z.strictObject({
  error: z.strictObject({
    code: z.string(),
    message: z.string(),
    requestId: z.string().optional(),
    issues: z.array(z.strictObject({ path: z.string(), message: z.string() })).optional(),
  }),
});
export type ErrorBody = z.infer<typeof errorBodySchema>;

/*
 * Account health: the model admin API (versions of the workspace's health model, their validation and
 * backtests, publishing) and CSM overrides. Requests refuse unknown fields.
 */

const instant = z.iso.datetime({ offset: true });
const modelVersion = z.int().min(1);

/** One thing wrong with a model, at its JSONPath (`$.groups[1].measures[0].signal`). */
export const modelProblemSchema = z.strictObject({ path: z.string(), message: z.string() });
export const modelValidationSchema = z.strictObject({ ok: z.boolean(), problems: z.array(modelProblemSchema) });
export type ModelValidation = z.infer<typeof modelValidationSchema>;

/** A model definition as sent: any JSON object (a draft may be invalid; validation says where). */
const definitionSchema = z.record(z.string(), z.json());

const rate = z.number().min(0).max(1);

/** What the backtest job reports: how well a version separates renewals from churn. */
export const backtestReportSchema = z.object({
  asOf: z.string(),
  horizonDays: z.number(),
  accounts: z.number(),
  scored: z.number(),
  churned: z.number(),
  auc: rate.nullable(),
  bottom20: z.object({
    accounts: z.number(),
    churnedArrShare: rate.nullable(),
    churnRate: rate.nullable(),
    baseChurnRate: rate.nullable(),
  }),
  calibration: z.array(
    z.object({
      from: z.number(),
      to: z.number(),
      accounts: z.number(),
      churned: z.number(),
      observedRenewal: rate.nullable(),
      predictedRenewal: rate.nullable(),
    }),
  ),
  bySegment: z.record(z.string(), z.object({ accounts: z.number(), churned: z.number(), auc: rate.nullable() })),
});
export type BacktestReportBody = z.infer<typeof backtestReportSchema>;

export const backtestSummarySchema = z.strictObject({
  asOf: z.string(),
  horizonDays: z.number(),
  accounts: z.number(),
  churned: z.number(),
  auc: rate.nullable(),
  /** The share of churned ARR the lowest-scored 20 % held. */
  bottom20ChurnedArrShare: rate.nullable(),
});

export const MODEL_VERSION_STATUSES = ['draft', 'published', 'retired'] as const;

/** One version in the list; the shipped model is version 1 (`shipped`, never stored, read-only). */
export const healthModelVersionSchema = z.strictObject({
  version: modelVersion,
  status: z.enum(MODEL_VERSION_STATUSES),
  shipped: z.boolean(),
  name: z.string().nullable(),
  createdBy: z.string(),
  createdAt: instant.nullable(),
  updatedAt: instant.nullable(),
  publishedBy: z.string().nullable(),
  publishedAt: instant.nullable(),
  backtest: backtestSummarySchema.nullable(),
});
export type HealthModelVersion = z.infer<typeof healthModelVersionSchema>;

/** `GET /api/installations/:id/health-models`: every version, oldest first, and the one scoring now. */
export const healthModelListSchema = z.strictObject({
  inUse: modelVersion,
  versions: z.array(healthModelVersionSchema),
});
export type HealthModelList = z.infer<typeof healthModelListSchema>;

/** One version in full: its definition, what is wrong with it, and its last backtest report. */
export const healthModelDetailSchema = healthModelVersionSchema.extend({
  definition: z.unknown(),
  validation: modelValidationSchema,
  backtestReport: backtestReportSchema.nullable(),
});
export type HealthModelDetail = z.infer<typeof healthModelDetailSchema>;

/** `POST …/health-models`: a draft from a definition, a copy of version `from`, or (neither) of the model in use. */
export const createHealthModelRequestSchema = z
  .strictObject({ definition: definitionSchema.optional(), from: modelVersion.optional() })
  .refine((body) => body.definition === undefined || body.from === undefined, {
    message: 'send a definition or a version to copy from, not both',
    path: ['from'],
  });
export type CreateHealthModelRequest = z.infer<typeof createHealthModelRequestSchema>;

/** `PUT …/health-models/:version`: the draft's new definition, saved even when it has problems. */
export const updateHealthModelRequestSchema = z.strictObject({ definition: definitionSchema });

export const BACKTEST_HORIZON_DAYS = { min: 30, max: 730, default: 182 } as const;

/** `POST …/health-models/:version/backtest`: score as of `asOf` and compare with the `horizonDays` after it. */
export const backtestRequestSchema = z.strictObject({
  asOf: z.iso.date({ error: 'not a calendar date (YYYY-MM-DD)' }).optional(),
  horizonDays: z.int().min(BACKTEST_HORIZON_DAYS.min).max(BACKTEST_HORIZON_DAYS.max).optional(),
});
export const backtestQueuedSchema = z.strictObject({ jobId: z.string() });

/** `POST …/health-models/:version/publish`: the version now in use, the one it replaced, the rescores asked for. */
export const publishedHealthModelSchema = z.strictObject({
  model: healthModelDetailSchema,
  previousVersion: modelVersion,
  /** The workspace's active installations whose accounts are being rescored with it. */
  rescoring: z.array(z.uuid()),
});
export type PublishedHealthModel = z.infer<typeof publishedHealthModelSchema>;

export const OVERRIDE_BANDS = ['red', 'yellow', 'green'] as const;
export const OVERRIDE_MAX_DAYS = 365;
const DAY_MS = 86_400_000;

const setOverrideShape = z
  .strictObject({
    score: z.number().min(0).max(100).optional(),
    band: z.enum(OVERRIDE_BANDS).optional(),
    reason: z.string().trim().min(3, 'say why in a few words').max(2000),
    expiresAt: instant,
  })
  .refine((body) => (body.score === undefined) !== (body.band === undefined), {
    message: 'give either a score or a band',
    path: ['score'],
  });

/**
 * `PUT /api/installations/:id/accounts/:accountId/override`, judged at `now` (epoch ms): exactly one
 * of score and band, a reason, an expiry in the future and at most a year ahead.
 */
export function setOverrideRequestSchema(now: number) {
  return setOverrideShape.superRefine((body, ctx) => {
    const expires = Date.parse(body.expiresAt);
    if (expires <= now) ctx.addIssue({ code: 'custom', path: ['expiresAt'], message: 'must be in the future' });
    else if (expires > now + OVERRIDE_MAX_DAYS * DAY_MS) {
      ctx.addIssue({ code: 'custom', path: ['expiresAt'], message: `must be at most ${OVERRIDE_MAX_DAYS} days ahead` });
    }
  });
}
export type SetOverrideRequest = z.infer<typeof setOverrideShape>;

export const overrideBodySchema = z.strictObject({
  id: z.uuid(),
  accountId: z.string(),
  score: z.number().nullable(),
  band: z.enum(OVERRIDE_BANDS).nullable(),
  reason: z.string(),
  author: z.string(),
  setAt: instant,
  expiresAt: instant,
  clearedAt: instant.nullable(),
  clearedBy: z.string().nullable(),
  /** Applies now: not cleared, set and not yet expired. */
  active: z.boolean(),
});
export type OverrideBody = z.infer<typeof overrideBodySchema>;

/** `GET …/override`: the override not cleared (active or expired), and every override, newest first. */
export const accountOverrideSchema = z.strictObject({
  current: overrideBodySchema.nullable(),
  history: z.array(overrideBodySchema),
});
export type AccountOverride = z.infer<typeof accountOverrideSchema>;
