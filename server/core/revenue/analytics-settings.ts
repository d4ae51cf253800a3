import { z } from 'zod';
import { jsonPath } from '../json-path.ts';

/**
 * An installation's analytics settings: how retention is defined, how accounts fall into touch tiers,
 * how NPS answers are grouped into waves, and the loads the staffing forecast sizes the team by. Every
 * field has a default, so a stored set names only what it changes, and finance and CS can agree on one
 * definition per installation instead of arguing over two spreadsheets.
 */

export const TOUCH_TIERS = ['high_touch', 'low_touch', 'tech_touch'] as const;
export type TouchTier = (typeof TOUCH_TIERS)[number];

/** One number per tier, each required (an object literal the form and the API can both fill in). */
export type PerTier<T> = Record<TouchTier, T>;

export const retentionDefinitionsSchema = z.strictObject({
  /**
   * Which month a lost renewal counts in: the month the renewal was closed lost in the CRM, or the
   * month the contract it failed to renew ran out (the last won term's close plus `termMonths`).
   * Finance usually books churn at contract end; CS often sees it at the lost renewal.
   */
  churnCountsIn: z.enum(['renewal_close', 'contract_end']).default('renewal_close'),
  /** Contract length used to find the contract end of the last won new-business or renewal deal. */
  termMonths: z.int().min(1, 'a term is at least one month').max(60).default(12),
  /** Whether a customer who stays but pays less lowers GRR (it always lowers NRR). Expansion always counts in NRR. */
  contractionInGrr: z.boolean().default(true),
  /** An account enters its start quarter's cohort once it has been a customer this many days. */
  minTenureDays: z.int().min(0).max(730).default(0),
  /** Decimal places ARR figures are rounded to (0 = whole currency units). */
  currencyDecimals: z.int().min(0).max(2).default(0),
});
export type RetentionDefinitions = z.infer<typeof retentionDefinitionsSchema>;

export const touchRuleSchema = z
  .strictObject({
    tier: z.enum(TOUCH_TIERS),
    /** ARR at least this much (the account's current ARR). */
    arrAtLeast: z.number().min(0).optional(),
    /** Segment is one of these (compared without case). */
    segmentIn: z.array(z.string().trim().min(1)).min(1, 'list at least one segment or leave segmentIn out').optional(),
    /** Licences at least this many. */
    licencesAtLeast: z.number().min(0).optional(),
  })
  .refine(
    (rule) => rule.arrAtLeast !== undefined || rule.segmentIn !== undefined || rule.licencesAtLeast !== undefined,
    {
      message:
        'a rule needs at least one condition (arrAtLeast, segmentIn or licencesAtLeast); use defaultTier for the rest',
    },
  );
export type TouchRule = z.infer<typeof touchRuleSchema>;

export const DEFAULT_TOUCH_RULES: TouchRule[] = [
  { tier: 'high_touch', arrAtLeast: 100_000 },
  { tier: 'high_touch', segmentIn: ['enterprise'] },
  { tier: 'low_touch', arrAtLeast: 20_000 },
];

export const touchModelSchema = z.strictObject({
  /** Tried in order; the first rule whose conditions all hold decides. */
  rules: z.array(touchRuleSchema).max(50).default(DEFAULT_TOUCH_RULES),
  defaultTier: z.enum(TOUCH_TIERS).default('tech_touch'),
});
export type TouchModel = z.infer<typeof touchModelSchema>;

export const npsSettingsSchema = z.strictObject({
  /**
   * A survey wave: a contact's answers within one wave count once (the latest), so a reminder that
   * makes someone answer twice does not weigh them double. Relationship NPS usually runs quarterly.
   */
  wave: z.enum(['month', 'quarter']).default('quarter'),
});
export type NpsSettings = z.infer<typeof npsSettingsSchema>;

const load = (fallback: number) => z.number().positive('a target load must be above 0').max(100_000).default(fallback);

export const staffingTargetsSchema = z.strictObject({
  /**
   * Accounts one CSM carries at the target load, per tier. Tech-touch accounts are served by a pool,
   * so its load is accounts per pooled CSM (scaled programmes run 500 or more).
   */
  targetLoad: z
    .strictObject({ high_touch: load(15), low_touch: load(50), tech_touch: load(500) })
    .default({ high_touch: 15, low_touch: 50, tech_touch: 500 }),
  /** Months the forecast looks ahead when nobody asks otherwise. */
  horizonMonths: z.int().min(1).max(24).default(6),
  /** Full months of won new business the expected monthly intake is averaged over. */
  newCustomerLookbackMonths: z.int().min(1).max(24).default(6),
});
export type StaffingTargets = z.infer<typeof staffingTargetsSchema>;

export const analyticsSettingsSchema = z.strictObject({
  retention: retentionDefinitionsSchema.default(() => retentionDefinitionsSchema.parse({})),
  touch: touchModelSchema.default(() => touchModelSchema.parse({})),
  nps: npsSettingsSchema.default(() => npsSettingsSchema.parse({})),
  staffing: staffingTargetsSchema.default(() => staffingTargetsSchema.parse({})),
});
export type AnalyticsSettings = z.infer<typeof analyticsSettingsSchema>;
export type AnalyticsSettingsInput = z.input<typeof analyticsSettingsSchema>;

export interface SettingsProblem {
  /** JSONPath of the offending field, e.g. `$.touch.rules[1].arrAtLeast`. */
  path: string;
  message: string;
}

export type SettingsResult = { ok: true; settings: AnalyticsSettings } | { ok: false; problems: SettingsProblem[] };

/** Every problem in a stored or submitted settings object, each with its path; none parses into settings. */
export function validateAnalyticsSettings(input: unknown): SettingsResult {
  const parsed = analyticsSettingsSchema.safeParse(input ?? {});
  if (parsed.success) return { ok: true, settings: parsed.data };
  return {
    ok: false,
    problems: parsed.error.issues.map((issue) => ({ path: jsonPath(issue.path), message: issue.message })),
  };
}

/** Parses settings or throws with every problem listed; for settings that ship with the product. */
export function parseAnalyticsSettings(input: unknown): AnalyticsSettings {
  const result = validateAnalyticsSettings(input);
  if (!result.ok) {
    throw new Error(
      `invalid analytics settings: ${result.problems.map((problem) => `${problem.path}: ${problem.message}`).join('; ')}`,
    );
  }
  return result.settings;
}

/** The settings an installation has until it saves its own. */
export const DEFAULT_ANALYTICS_SETTINGS: AnalyticsSettings = parseAnalyticsSettings({});
