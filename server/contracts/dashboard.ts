import { z } from 'zod';

/**
 * The dashboard API: who is signed in, and the revenue and team analytics of one installation
 * (portfolio, renewal forecast, retention, NPS, team and staffing, the warnings inbox, success plans,
 * the analytics settings). Figures come from the analytics job's snapshots: until it has run for an installation,
 * a figure route answers 200 with `status: 'pending'` rather than an error. Ratios are fractions
 * (1.05 = 105 %); ARR is in the CRM's currency units; a ratio with nothing to divide by is null.
 * Every table also answers as CSV for `?format=csv` (or `Accept: text/csv`), `table` choosing which.
 */

const isoTime = z.iso.datetime({ offset: true });
const isoDay = z.iso.date();
/** A calendar month, `YYYY-MM`. */
const monthKey = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/);
/** A calendar quarter, `YYYY-Qn`. */
const quarterKey = z.string().regex(/^\d{4}-Q[1-4]$/);
const count = z.int().nonnegative();
const money = z.number();
const ratio = z.number().nullable();
const probability = z.number().min(0).max(1);

export const TOUCH_TIERS = ['high_touch', 'low_touch', 'tech_touch'] as const;
export type TouchTier = (typeof TOUCH_TIERS)[number];
export const HEALTH_BANDS = ['red', 'yellow', 'green'] as const;
/** A band, or `unscored` for accounts the health model could not score yet. */
export const BAND_BUCKETS = [...HEALTH_BANDS, 'unscored'] as const;
export const WARNING_SEVERITIES = ['high', 'medium', 'low'] as const;
export const PROVIDERS = ['hubspot', 'salesforce'] as const;

/** One number per touch tier. */
const perTier = <T extends z.ZodType>(value: T) =>
  z.strictObject({ high_touch: value, low_touch: value, tech_touch: value });

/* ------------------------------------------------------------------ who is signed in */

export const meInstallationSchema = z.strictObject({
  id: z.uuid(),
  provider: z.enum(PROVIDERS),
  /** HubSpot portal id or Salesforce org id. */
  externalId: z.string(),
  displayName: z.string(),
  status: z.enum(['active', 'needs_reauth', 'uninstalled']),
  /** The installation the session was opened for. */
  current: z.boolean(),
});
export type MeInstallation = z.infer<typeof meInstallationSchema>;

/** `GET /api/me`: where the web app starts; 401 SESSION_REQUIRED when the browser is not signed in. */
export const meSchema = z.strictObject({
  workspace: z.strictObject({ id: z.uuid(), name: z.string() }),
  /** The CRM user who signed in; null for a session opened by installing (the CRM named no user then). */
  user: z
    .strictObject({
      provider: z.enum(PROVIDERS),
      /** Portal or org the user signed in through. */
      externalId: z.string(),
      userId: z.string(),
      name: z.string().nullable(),
      email: z.string().nullable(),
    })
    .nullable(),
  /** The installation the session is bound to (the dashboard opens on it). */
  installationId: z.uuid(),
  installations: z.array(meInstallationSchema),
  sessionExpiresAt: isoTime,
});
export type Me = z.infer<typeof meSchema>;

/* ------------------------------------------------------------------ query and envelope */

/** Query of the figure routes: filters where they make sense, and the CSV switch. */
export const dashboardQuerySchema = z.strictObject({
  segment: z.string().trim().min(1).max(200).optional(),
  tier: z.enum(TOUCH_TIERS).optional(),
  /** A CSM's CRM owner id; `none` for accounts without a CSM. */
  csm: z.string().trim().min(1).max(200).optional(),
  format: z.enum(['json', 'csv']).optional(),
  /** Which of the route's tables the CSV holds (see DASHBOARD_CSV_TABLES); the first by default. */
  table: z.string().max(40).optional(),
});
export type DashboardQuery = z.infer<typeof dashboardQuerySchema>;

/** A page of a long table: 1-based, at most 200 rows. */
const pageFields = {
  page: z.coerce.number().int().min(1).max(10_000).default(1),
  pageSize: z.coerce.number().int().min(1).max(200).default(50),
};

/** `…/dashboard/renewals` also pages its bottom-20 % table (the CSV holds every row). */
export const renewalsQuerySchema = dashboardQuerySchema.extend(pageFields);

/** The filters an answer was computed with (null = all). */
export const appliedFiltersSchema = z.strictObject({
  segment: z.string().nullable(),
  tier: z.enum(TOUCH_TIERS).nullable(),
  csm: z.string().nullable(),
});
export type AppliedFilters = z.infer<typeof appliedFiltersSchema>;

/** The analytics job has not computed this figure for the installation yet. */
export const pendingFigureSchema = z.strictObject({
  status: z.literal('pending'),
  computedAt: z.null(),
  message: z.string(),
});
export type PendingFigure = z.infer<typeof pendingFigureSchema>;

/** A figure answer: pending, or ready with when it was computed and the filters it reflects. */
function figure<Shape extends z.ZodRawShape>(shape: Shape) {
  const ready = z.strictObject({
    status: z.literal('ready'),
    computedAt: isoTime,
    filters: appliedFiltersSchema,
    ...shape,
  });
  return z.discriminatedUnion('status', [pendingFigureSchema, ready]);
}

/** A definition written next to its figure. */
export const definitionSchema = z.strictObject({ key: z.string(), name: z.string(), text: z.string() });
export type Definition = z.infer<typeof definitionSchema>;

/* ------------------------------------------------------------------ portfolio */

const countAndArr = z.strictObject({ accounts: count, arr: money });

/** Accounts and their ARR per health band. */
export const healthMixSchema = z.strictObject({
  red: countAndArr,
  yellow: countAndArr,
  green: countAndArr,
  unscored: countAndArr,
});
export type HealthMix = z.infer<typeof healthMixSchema>;

export const bandSliceSchema = z.strictObject({ band: z.enum(BAND_BUCKETS), accounts: count, arr: money });

/** Scores in ten-point buckets: `from` inclusive, `to` exclusive (100 falls in the last). */
export const scoreBucketSchema = z.strictObject({ from: z.number(), to: z.number(), accounts: count, arr: money });

export const tierSliceSchema = z.strictObject({
  tier: z.enum(TOUCH_TIERS),
  accounts: count,
  arr: money,
  averageScore: z.number().nullable(),
  health: healthMixSchema,
});

export const segmentSliceSchema = z.strictObject({
  /** null: accounts without a segment. */
  segment: z.string().nullable(),
  accounts: count,
  arr: money,
  averageScore: z.number().nullable(),
  health: healthMixSchema,
});

/** One CSM's book: what they carry, how healthy it is, what renews soon and what is at risk. */
export const csmPortfolioSchema = z.strictObject({
  /** CRM owner id; null for the row of accounts nobody is assigned to. */
  csmId: z.string().nullable(),
  name: z.string().nullable(),
  accounts: count,
  arr: money,
  averageScore: z.number().nullable(),
  health: healthMixSchema,
  /** Renewals in the next 90 days. */
  renewalsDue: countAndArr,
  /** Σ ARR × (1 − renewal probability) of the forecast renewals. */
  revenueAtRisk: money,
  tiers: perTier(count),
  /** The tier most of the accounts are in; null for an empty book. */
  mainTier: z.enum(TOUCH_TIERS).nullable(),
});
export type CsmPortfolio = z.infer<typeof csmPortfolioSchema>;

/** `GET …/dashboard/portfolio`. */
export const portfolioSchema = figure({
  totals: z.strictObject({
    accounts: count,
    arr: money,
    scored: count,
    averageScore: z.number().nullable(),
    revenueAtRisk: money,
  }),
  bands: z.array(bandSliceSchema),
  scoreDistribution: z.array(scoreBucketSchema),
  byTier: z.array(tierSliceSchema),
  bySegment: z.array(segmentSliceSchema),
  /** Largest book first; the unassigned row last. */
  csms: z.array(csmPortfolioSchema),
  /** Every segment and CSM of the installation, for the filter menus (unfiltered). */
  options: z.strictObject({
    segments: z.array(z.string()),
    csms: z.array(z.strictObject({ csmId: z.string(), name: z.string().nullable() })),
  }),
  /** How accounts fall into touch tiers, in words. */
  definitions: z.array(definitionSchema),
});
export type Portfolio = z.infer<typeof portfolioSchema>;

/* ------------------------------------------------------------------ renewals */

export const renewalMonthSchema = z.strictObject({
  month: monthKey,
  renewals: count,
  /** ARR coming up for renewal. */
  arrUp: money,
  /** Σ ARR × probability. */
  expectedArr: money,
  /** Σ ARR × (1 − probability). */
  revenueAtRisk: money,
  /** Renewals in the bottom 20 %, and their ARR. */
  atRiskRenewals: count,
  atRiskArr: money,
});
export type RenewalMonth = z.infer<typeof renewalMonthSchema>;

export const calibrationRowSchema = z.strictObject({
  from: z.number(),
  to: z.number(),
  count: count,
  meanPredicted: z.number().nullable(),
  observed: z.number().nullable(),
});

export const renewalModelSummarySchema = z.strictObject({
  basis: z.enum(['learned', 'prior']),
  /** One sentence a CS leader can read. */
  explanation: z.string(),
  /** Why the documented prior is used (thin history); null for a learned model. */
  reason: z.string().nullable(),
  trainedAt: isoTime,
  horizonDays: z.int().positive(),
  trainedOn: z.strictObject({
    renewals: count,
    examples: count,
    won: count,
    lost: count,
    accounts: count,
    firstDecision: z.string().nullable(),
    lastDecision: z.string().nullable(),
  }),
  brier: z.strictObject({ inSample: ratio, crossValidated: ratio, prior: ratio }),
  calibration: z.array(calibrationRowSchema),
});
export type RenewalModelSummary = z.infer<typeof renewalModelSummarySchema>;

export const forecastDriverSchema = z.strictObject({
  label: z.string(),
  /** Percentage points this moved the probability from the prior. */
  effect: z.number(),
  text: z.string(),
});

export const renewalOpportunitySchema = z.strictObject({
  title: z.string(),
  detail: z.string().nullable(),
});

/** One renewal among the least likely to happen. */
export const atRiskRenewalSchema = z.strictObject({
  /** 1 = least likely. */
  rank: z.int().positive(),
  accountId: z.string(),
  accountName: z.string().nullable(),
  csmId: z.string().nullable(),
  csmName: z.string().nullable(),
  renewalDate: isoDay,
  arr: money,
  probability,
  revenueAtRisk: money,
  /** What moved the forecast, largest first. */
  drivers: z.array(forecastDriverSchema),
  /** What the health score says, in words. */
  healthDrivers: z.string().nullable(),
  /** At most three. */
  opportunities: z.array(renewalOpportunitySchema).max(3),
});
export type AtRiskRenewal = z.infer<typeof atRiskRenewalSchema>;

/** `GET …/dashboard/renewals`: the next six months. */
export const renewalsSchema = figure({
  months: z.array(renewalMonthSchema),
  totals: z.strictObject({
    renewals: count,
    arrUp: money,
    expectedArr: money,
    revenueAtRisk: money,
    atRiskRenewals: count,
    atRiskArr: money,
  }),
  model: renewalModelSummarySchema.nullable(),
  /** One page of the least likely fifth, least likely first; `totals.atRiskRenewals` counts them all. */
  bottom20: z.array(atRiskRenewalSchema),
  bottom20Page: z.strictObject({ page: count, pageSize: count }),
  definitions: z.array(definitionSchema),
});
export type Renewals = z.infer<typeof renewalsSchema>;

/* ------------------------------------------------------------------ retention */

/** One period's ARR movements and the rates made from them. */
export const retentionFiguresSchema = z.strictObject({
  from: isoDay,
  to: isoDay,
  openingAccounts: count,
  openingArr: money,
  closingArr: money,
  expansionArr: money,
  contractionArr: money,
  churnedAccounts: count,
  churnedArr: money,
  newAccounts: count,
  newArr: money,
  nrr: ratio,
  grr: ratio,
  logoChurnRate: ratio,
  revenueChurnRate: ratio,
});
export type RetentionFiguresBody = z.infer<typeof retentionFiguresSchema>;

export const retentionMonthSchema = z.strictObject({
  month: monthKey,
  /** Still running: its figures run to the computation, not to the month's end. */
  partial: z.boolean(),
  monthly: retentionFiguresSchema,
  trailing12: retentionFiguresSchema,
});

export const cohortQuarterSchema = z.strictObject({
  /** Quarters since the cohort's start (0 = its start quarter). */
  offset: count,
  quarter: quarterKey,
  partial: z.boolean(),
  logos: count,
  logoRetention: ratio,
  arr: money,
  arrRetention: ratio,
  grossArrRetention: ratio,
});

export const cohortSchema = z.strictObject({
  cohort: quarterKey,
  accounts: count,
  startingArr: money,
  quarters: z.array(cohortQuarterSchema),
});

/** `GET …/dashboard/retention`. */
export const retentionSchema = figure({
  months: z.array(retentionMonthSchema),
  trailing12: retentionFiguresSchema,
  cohorts: z.array(cohortSchema),
  /** NRR, GRR, logo churn, revenue churn … and cohorts, each as the installation defines it. */
  definitions: z.array(definitionSchema),
});
export type Retention = z.infer<typeof retentionSchema>;

/* ------------------------------------------------------------------ NPS */

export const npsMixSchema = z.strictObject({
  responses: count,
  promoters: count,
  passives: count,
  detractors: count,
  /** −100…100; null without responses. */
  score: z.number().nullable(),
});
export type NpsMix = z.infer<typeof npsMixSchema>;

export const npsThemeSchema = z.strictObject({
  theme: z.string(),
  label: z.string(),
  mentions: count,
  promoterMentions: count,
  passiveMentions: count,
  detractorMentions: count,
  /** NPS of the answers that mention it. */
  score: z.number().nullable(),
  examples: z.array(z.string()),
});

/** `GET …/dashboard/nps`. */
export const npsSchema = figure({
  wave: z.enum(['month', 'quarter']),
  overall: npsMixSchema,
  trend: z.array(npsMixSchema.extend({ period: z.string() })),
  bySegment: z.array(npsMixSchema.extend({ segment: z.string().nullable() })),
  byCsm: z.array(npsMixSchema.extend({ csmId: z.string().nullable(), name: z.string().nullable() })),
  byTier: z.array(npsMixSchema.extend({ tier: z.enum(TOUCH_TIERS).nullable() })),
  themes: z.array(npsThemeSchema),
  answersRead: count,
  duplicatesDropped: count,
  definitions: z.array(definitionSchema),
});
export type Nps = z.infer<typeof npsSchema>;

/* ------------------------------------------------------------------ team and staffing */

/** The loads and horizon a staffing forecast was sized with (part of the analytics settings). */
export const staffingSettingsSchema = z.strictObject({
  targetLoad: perTier(z.number().positive()),
  horizonMonths: z.int().min(1).max(24),
  newCustomerLookbackMonths: z.int().min(1).max(24),
});
export type StaffingSettings = z.infer<typeof staffingSettingsSchema>;

const fractional = perTier(z.number());

/** One month of the staffing forecast; account and CSM counts are expected values (fractional). */
export const staffingMonthSchema = z.strictObject({
  month: monthKey,
  /** Accounts at the end of the month. */
  accounts: fractional,
  newAccounts: fractional,
  churnedAccounts: fractional,
  /** Accounts ÷ target load. */
  needed: fractional,
  neededRounded: fractional,
  totalNeeded: z.number(),
  /** ⌈totalNeeded⌉: the people the month needs. */
  totalNeededRounded: z.number(),
  capacity: fractional,
  totalCapacity: z.number(),
  /** totalCapacity − totalNeededRounded; negative = short of people. */
  gap: z.number(),
  tierGap: fractional,
  short: z.boolean(),
});
export type StaffingMonth = z.infer<typeof staffingMonthSchema>;

/** What the forecast assumed, shown beside it and prefilled in the what-if form. */
export const staffingAssumptionsSchema = z.strictObject({
  months: z.int().min(1).max(24),
  accounts: fractional,
  capacity: fractional,
  newPerMonth: fractional,
  targetLoad: fractional,
  /** Monthly logo churn rate per tier (0–1), or expected churned accounts per forecast month. */
  churn: z.discriminatedUnion('kind', [
    z.strictObject({ kind: z.literal('rate'), monthly: fractional }),
    z.strictObject({ kind: z.literal('expected'), perMonth: z.array(fractional) }),
  ]),
  plannedHires: z.array(z.strictObject({ month: monthKey, tier: z.enum(TOUCH_TIERS), count: z.int() })),
});

export const staffingForecastSchema = z.strictObject({
  /** Today (the current month). */
  current: staffingMonthSchema,
  months: z.array(staffingMonthSchema),
  /** The first forecast month the team is short, or null. */
  firstShortMonth: monthKey.nullable(),
  assumptions: staffingAssumptionsSchema,
  definitions: z.array(definitionSchema),
});
export type StaffingForecast = z.infer<typeof staffingForecastSchema>;

/** `GET …/dashboard/team`: CSM books, tiers, and the staffing forecast with the settings used. */
export const teamSchema = figure({
  portfolios: z.array(csmPortfolioSchema),
  tiers: z.array(tierSliceSchema),
  staffing: staffingForecastSchema,
  settings: staffingSettingsSchema,
  definitions: z.array(definitionSchema),
});
export type Team = z.infer<typeof teamSchema>;

const tierNumbers = z
  .strictObject({
    high_touch: z.number().min(0).max(100_000),
    low_touch: z.number().min(0).max(100_000),
    tech_touch: z.number().min(0).max(100_000),
  })
  .partial();

/**
 * `POST …/dashboard/team/staffing`: the what-if form; what it leaves out keeps the forecast's own
 * value. Invalid input answers 422 with each problem's JSONPath in `error.issues`.
 */
export const staffingWhatIfSchema = z.strictObject({
  months: z.int().min(1).max(24).optional(),
  newPerMonth: tierNumbers.optional(),
  targetLoad: tierNumbers.optional(),
  /** Monthly logo churn in percent (0–100), every tier. */
  monthlyChurnPct: z.number().min(0).max(100).optional(),
  plannedHires: z
    .array(z.strictObject({ month: monthKey, tier: z.enum(TOUCH_TIERS), count: z.int().min(1).max(1_000) }))
    .max(100)
    .optional(),
});
export type StaffingWhatIf = z.infer<typeof staffingWhatIfSchema>;

export const staffingWhatIfAnswerSchema = z.strictObject({
  computedAt: isoTime,
  staffing: staffingForecastSchema,
});
export type StaffingWhatIfAnswer = z.infer<typeof staffingWhatIfAnswerSchema>;

/* ------------------------------------------------------------------ warnings inbox */

export const warningsInboxQuerySchema = z.strictObject({
  severity: z.enum(WARNING_SEVERITIES).optional(),
  rule: z.string().trim().min(1).max(100).optional(),
  csm: z.string().trim().min(1).max(200).optional(),
  ...pageFields,
  format: z.enum(['json', 'csv']).optional(),
  table: z.string().max(40).optional(),
});
export type WarningsInboxQuery = z.input<typeof warningsInboxQuerySchema>;

export const inboxWarningSchema = z.strictObject({
  id: z.uuid(),
  accountId: z.string(),
  accountName: z.string().nullable(),
  rule: z.string(),
  severity: z.enum(WARNING_SEVERITIES),
  title: z.string(),
  /** What fired, in words. */
  detail: z.string().nullable(),
  csmId: z.string().nullable(),
  csmName: z.string().nullable(),
  openedAt: isoTime,
  lastSeenAt: isoTime,
});
export type InboxWarning = z.infer<typeof inboxWarningSchema>;

/** `GET …/dashboard/warnings`: open warnings, newest first. */
export const warningsInboxSchema = z.strictObject({
  computedAt: isoTime,
  filters: z.strictObject({
    severity: z.enum(WARNING_SEVERITIES).nullable(),
    rule: z.string().nullable(),
    csm: z.string().nullable(),
  }),
  page: z.int().min(1),
  pageSize: z.int().min(1),
  /** Open warnings matching the filters, on every page. */
  total: count,
  items: z.array(inboxWarningSchema),
  /** Rules that have open warnings, for the filter menu. */
  rules: z.array(z.string()),
});
export type WarningsInbox = z.infer<typeof warningsInboxSchema>;

/* ------------------------------------------------------------------ analytics settings */

export const touchRuleBodySchema = z.strictObject({
  tier: z.enum(TOUCH_TIERS),
  arrAtLeast: z.number().min(0).optional(),
  segmentIn: z.array(z.string()).optional(),
  licencesAtLeast: z.number().min(0).optional(),
});

/** The settings in force, every field filled in (the server validates with the core schema). */
export const analyticsSettingsBodySchema = z.strictObject({
  retention: z.strictObject({
    churnCountsIn: z.enum(['renewal_close', 'contract_end']),
    termMonths: z.int(),
    contractionInGrr: z.boolean(),
    minTenureDays: z.int(),
    currencyDecimals: z.int(),
  }),
  touch: z.strictObject({ rules: z.array(touchRuleBodySchema), defaultTier: z.enum(TOUCH_TIERS) }),
  nps: z.strictObject({ wave: z.enum(['month', 'quarter']) }),
  staffing: staffingSettingsSchema,
});
export type AnalyticsSettingsBody = z.infer<typeof analyticsSettingsBodySchema>;

/**
 * `GET …/dashboard/settings`, and the answer of `PUT` (whose body is the settings, any field left out
 * taking its default; invalid input answers 422 with `error.issues[].path` as JSONPath).
 */
export const analyticsSettingsAnswerSchema = z.strictObject({
  /** 0 while the installation uses the defaults. */
  version: count,
  source: z.enum(['saved', 'defaults']),
  settings: analyticsSettingsBodySchema,
  updatedAt: isoTime.nullable(),
  updatedBy: z.string().nullable(),
});
export type AnalyticsSettingsAnswer = z.infer<typeof analyticsSettingsAnswerSchema>;

/* ------------------------------------------------------------------ success plans */

/** Lifecycle stages, in journey order (the core's LIFECYCLE_STAGES). */
export const PLAN_STAGES = ['onboarding', 'adoption', 'value', 'renewal', 'at_risk', 'churned'] as const;
export type PlanStage = (typeof PLAN_STAGES)[number];
/** An objective's status as read from the signals (the core's OBJECTIVE_STATUSES). */
export const OBJECTIVE_STATUSES = ['on_track', 'behind', 'achieved', 'missed', 'no_data'] as const;
export type ObjectiveStatusName = (typeof OBJECTIVE_STATUSES)[number];

/** `…/dashboard/plans` pages its table of plans behind (the CSV holds every row). */
export const plansQuerySchema = dashboardQuerySchema.extend(pageFields);

/** Accounts in one lifecycle stage now (their current stay), and their ARR. */
export const stageSliceSchema = z.strictObject({
  stage: z.enum(PLAN_STAGES),
  label: z.string(),
  accounts: count,
  arr: money,
});
export type StageSlice = z.infer<typeof stageSliceSchema>;

const plansBehindFigures = {
  /** Active plans. */
  plans: count,
  /** Active plans with at least one objective behind or missed. */
  plansBehind: count,
  /** plansBehind ÷ plans; null without plans. */
  share: ratio,
};

export const plansByCsmSchema = z.strictObject({
  /** CRM owner id; null for the accounts nobody is assigned to. */
  csmId: z.string().nullable(),
  name: z.string().nullable(),
  ...plansBehindFigures,
});
export type PlansByCsm = z.infer<typeof plansByCsmSchema>;

export const plansBySegmentSchema = z.strictObject({
  /** null: accounts without a segment. */
  segment: z.string().nullable(),
  ...plansBehindFigures,
});
export type PlansBySegment = z.infer<typeof plansBySegmentSchema>;

/** An objective short of its line (behind) or past its due date short of its target (missed). */
export const lateObjectiveSchema = z.strictObject({
  key: z.string(),
  title: z.string(),
  status: z.enum(['behind', 'missed']),
  comparator: z.enum(['gte', 'lte']),
  target: z.number(),
  /** The latest reading; null when the signal has no data. */
  value: z.number().nullable(),
  /** Where the straight line from the start value to the target stands now. */
  expected: z.number().nullable(),
  dueAt: isoTime,
  /** In the metric's unit: `42%`, `2.5 features`, `6 out of 10`; `no data` without a reading. */
  valueText: z.string(),
  /** `≥ 60%`. */
  targetText: z.string(),
  expectedText: z.string().nullable(),
});
export type LateObjective = z.infer<typeof lateObjectiveSchema>;

/** One active plan with an objective behind or missed. */
export const planBehindSchema = z.strictObject({
  planId: z.uuid(),
  planName: z.string(),
  accountId: z.string(),
  accountName: z.string().nullable(),
  csmId: z.string().nullable(),
  csmName: z.string().nullable(),
  segment: z.string().nullable(),
  arr: money.nullable(),
  /** The account's stage now (the plan's own stage when the account has no current stay). */
  stage: z.enum(PLAN_STAGES),
  stageLabel: z.string(),
  /** Whole days in that stage; null when the account has no current stay. */
  daysInStage: count.nullable(),
  objectives: z.array(lateObjectiveSchema),
  /** The earliest milestone not reached yet; `overdue` once its due date has passed. */
  nextMilestone: z
    .strictObject({ key: z.string(), title: z.string(), dueAt: isoTime, overdue: z.boolean() })
    .nullable(),
});
export type PlanBehind = z.infer<typeof planBehindSchema>;

/** `GET …/dashboard/plans`: lifecycle stages and success plans across the book. */
export const plansSchema = figure({
  summary: z.strictObject({
    activePlans: count,
    plansBehind: count,
    /** Objectives of the active plans by status. */
    objectives: z.strictObject({
      on_track: count,
      behind: count,
      achieved: count,
      missed: count,
      no_data: count,
      total: count,
    }),
    /** Current customers with a lifecycle stage, and those the score run has not staged yet. */
    stagedAccounts: count,
    unstagedAccounts: count,
  }),
  /** Every stage in journey order, empty ones included. */
  stages: z.array(stageSliceSchema),
  /** Most plans behind first; the unassigned row last. */
  byCsm: z.array(plansByCsmSchema),
  /** Most plans behind first; accounts without a segment last. */
  bySegment: z.array(plansBySegmentSchema),
  /** One page of the plans behind, largest ARR first; `summary.plansBehind` counts them all. */
  plansBehind: z.array(planBehindSchema),
  plansBehindPage: z.strictObject({ page: count, pageSize: count }),
  definitions: z.array(definitionSchema),
});
export type Plans = z.infer<typeof plansSchema>;

/* ------------------------------------------------------------------ CSV */

/** Each route's tables for `?format=csv&table=…`; the first is the default. */
export const DASHBOARD_CSV_TABLES = {
  portfolio: ['csms', 'bands', 'scores', 'tiers', 'segments'],
  renewals: ['bottom20', 'months', 'calibration'],
  retention: ['months', 'cohorts'],
  nps: ['trend', 'segments', 'csms', 'tiers', 'themes'],
  team: ['portfolios', 'tiers', 'staffing'],
  warnings: ['warnings'],
  plans: ['behind', 'csms', 'segments', 'stages'],
} as const;
export type DashboardView = keyof typeof DASHBOARD_CSV_TABLES;

/** The dashboard route of a view, for links and the API client. */
export function dashboardPath(installationId: string, view: DashboardView | 'settings' | 'team/staffing'): string {
  return `/api/installations/${encodeURIComponent(installationId)}/dashboard/${view}`;
}

/** Where a table's CSV downloads, with the view's filters. */
export function dashboardCsvUrl(
  installationId: string,
  view: DashboardView,
  table: string,
  filters: Record<string, string | number | undefined> = {},
): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(filters)) if (value !== undefined) params.set(key, String(value));
  params.set('format', 'csv');
  params.set('table', table);
  return `${dashboardPath(installationId, view)}?${params.toString()}`;
}
