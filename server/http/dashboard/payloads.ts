import type { Request } from 'express';
import { z } from 'zod';
import { AppError } from '../../platform/errors.ts';

/**
 * The analytics job's snapshot payloads as the dashboard reads them (the core functions' outputs,
 * JSON-safe). Extra fields are ignored so a newer job does not break an older server; a payload
 * missing what a view needs is corrupt: logged with its kind and answered 500 with a code that says so.
 */

const ratio = z.number().nullable();
const perTier = z.object({ high_touch: z.number(), low_touch: z.number(), tech_touch: z.number() });

export const retentionFiguresPayload = z.object({
  from: z.number(),
  to: z.number(),
  openingAccounts: z.number(),
  openingArr: z.number(),
  closingArr: z.number(),
  expansionArr: z.number(),
  contractionArr: z.number(),
  churnedAccounts: z.number(),
  churnedArr: z.number(),
  newAccounts: z.number(),
  newArr: z.number(),
  nrr: ratio,
  grr: ratio,
  logoChurnRate: ratio,
  revenueChurnRate: ratio,
});
export type RetentionFiguresPayload = z.infer<typeof retentionFiguresPayload>;

export const retentionReportPayload = z.object({
  asOf: z.number(),
  months: z.array(
    z.object({
      month: z.string(),
      partial: z.boolean(),
      monthly: retentionFiguresPayload,
      trailing12: retentionFiguresPayload,
    }),
  ),
  trailing12: retentionFiguresPayload,
  definitions: z.record(z.string(), z.string()),
});
export type RetentionReportPayload = z.infer<typeof retentionReportPayload>;

export const cohortReportPayload = z.object({
  asOf: z.number(),
  cohorts: z.array(
    z.object({
      cohort: z.string(),
      accounts: z.number(),
      startingArr: z.number(),
      quarters: z.array(
        z.object({
          offset: z.number(),
          quarter: z.string(),
          partial: z.boolean(),
          logos: z.number(),
          logoRetention: ratio,
          arr: z.number(),
          arrRetention: ratio,
          grossArrRetention: ratio,
        }),
      ),
    }),
  ),
  definition: z.string(),
});
export type CohortReportPayload = z.infer<typeof cohortReportPayload>;

const npsSummaryPayload = z.object({
  responses: z.number(),
  promoters: z.number(),
  passives: z.number(),
  detractors: z.number(),
  score: z.number().nullable(),
});
const npsGroupPayload = npsSummaryPayload.extend({ key: z.string().nullable() });

export const npsReportPayload = z.object({
  overall: npsSummaryPayload,
  byMonth: z.array(npsSummaryPayload.extend({ period: z.string() })),
  byQuarter: z.array(npsSummaryPayload.extend({ period: z.string() })),
  bySegment: z.array(npsGroupPayload),
  byCsm: z.array(npsGroupPayload),
  byTouch: z.array(npsGroupPayload),
  themes: z.array(
    z.object({
      theme: z.string(),
      label: z.string(),
      mentions: z.number(),
      promoterMentions: z.number(),
      passiveMentions: z.number(),
      detractorMentions: z.number(),
      nps: z.number().nullable(),
      examples: z.array(z.string()),
    }),
  ),
  answersRead: z.number(),
  duplicatesDropped: z.number(),
  definitions: z.record(z.string(), z.string()),
});
export type NpsReportPayload = z.infer<typeof npsReportPayload>;

const staffingMonthPayload = z.object({
  month: z.string(),
  accounts: perTier,
  newAccounts: perTier,
  churnedAccounts: perTier,
  needed: perTier,
  neededRounded: perTier,
  totalNeeded: z.number(),
  totalNeededRounded: z.number(),
  capacity: perTier,
  totalCapacity: z.number(),
  gap: z.number(),
  tierGap: perTier,
  short: z.boolean(),
});

export const staffingInputPayload = z.object({
  asOf: z.number(),
  months: z.number(),
  accounts: perTier,
  capacity: perTier,
  newPerMonth: perTier,
  churn: z.discriminatedUnion('kind', [
    z.object({ kind: z.literal('rate'), monthly: perTier }),
    z.object({ kind: z.literal('expected'), perMonth: z.array(perTier) }),
  ]),
  targetLoad: perTier,
  plannedHires: z.array(
    z.object({ month: z.string(), tier: z.enum(['high_touch', 'low_touch', 'tech_touch']), count: z.number() }),
  ),
});

export const staffingForecastPayload = z.object({
  current: staffingMonthPayload,
  months: z.array(staffingMonthPayload),
  firstShortMonth: z.string().nullable(),
  assumptions: staffingInputPayload,
  definitions: z.record(z.string(), z.string()),
});
export type StaffingForecastPayload = z.infer<typeof staffingForecastPayload>;

/** The parts of the forecast snapshot the renewals view reads (its renewals come from the forecast rows). */
export const forecastSummaryPayload = z.object({
  basis: z.enum(['learned', 'prior']),
  explanation: z.string(),
});

export const renewalModelPayload = z.object({
  basis: z.enum(['learned', 'prior']),
  reason: z.string().nullable(),
  horizonDays: z.number(),
  trainedAt: z.number(),
  trainedOn: z.object({
    renewals: z.number(),
    examples: z.number(),
    won: z.number(),
    lost: z.number(),
    accounts: z.number(),
    firstDecision: z.string().nullable(),
    lastDecision: z.string().nullable(),
  }),
  brier: z.object({ inSample: ratio, crossValidated: ratio, prior: ratio }),
  calibration: z.array(
    z.object({
      from: z.number(),
      to: z.number(),
      count: z.number(),
      meanPredicted: z.number().nullable(),
      observed: z.number().nullable(),
    }),
  ),
  explanation: z.string(),
});
export type RenewalModelPayload = z.infer<typeof renewalModelPayload>;

export const contributionsPayload = z.array(z.object({ label: z.string(), effect: z.number(), text: z.string() }));
export const opportunitiesPayload = z.array(z.object({ title: z.string(), detail: z.string().nullable().optional() }));

/** Parses a stored payload, or logs it as corrupt and answers 500 ANALYTICS_DATA_CORRUPT. */
export function parseStored<T>(req: Request, what: string, schema: z.ZodType<T>, value: unknown): T {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  req.log.error(
    {
      what,
      issues: parsed.error.issues.slice(0, 5).map((issue) => ({ path: issue.path.join('.'), message: issue.message })),
    },
    'stored analytics data does not have the shape the dashboard reads',
  );
  throw new AppError(
    500,
    'ANALYTICS_DATA_CORRUPT',
    `The stored ${what} cannot be read; the next analytics run replaces it`,
  );
}
