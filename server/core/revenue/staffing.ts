import { z } from 'zod';
import type { DealFact } from '../health/facts.ts';
import { TOUCH_TIERS, type PerTier, type StaffingTargets, type TouchTier } from './analytics-settings.ts';
import { monthIndexOf, monthKeyOfIndex, monthStart, parseMonthKey, type MonthKey } from './calendar.ts';

/** How expected churn enters the forecast. */
export type ChurnAssumption =
  /** A monthly logo churn rate per tier (0–1), applied to the accounts at the start of each month. */
  | { kind: 'rate'; monthly: PerTier<number> }
  /** Expected churned accounts per tier for each forecast month (index 0 = the first month), e.g. from the renewal forecast; missing months count 0. */
  | { kind: 'expected'; perMonth: readonly PerTier<number>[] };

export interface PlannedHire {
  /** The month the hire starts carrying accounts. */
  month: MonthKey;
  tier: TouchTier;
  count: number;
}

export interface StaffingInput {
  asOf: number;
  /** Forecast months after the month holding asOf (1–24). */
  months: number;
  /** Active accounts per tier today. */
  accounts: PerTier<number>;
  /** CSMs per tier today (by the tier they mostly carry). */
  capacity: PerTier<number>;
  /** Expected new customers per tier per month. */
  newPerMonth: PerTier<number>;
  churn: ChurnAssumption;
  targetLoad: PerTier<number>;
  plannedHires: readonly PlannedHire[];
}

export interface StaffingMonth {
  month: MonthKey;
  /** Accounts at the end of the month (fractional: expected values). */
  accounts: PerTier<number>;
  newAccounts: PerTier<number>;
  churnedAccounts: PerTier<number>;
  /** Accounts ÷ target load. */
  needed: PerTier<number>;
  neededRounded: PerTier<number>;
  totalNeeded: number;
  /** ⌈totalNeeded⌉: the people the month needs. */
  totalNeededRounded: number;
  capacity: PerTier<number>;
  totalCapacity: number;
  /** totalCapacity − totalNeededRounded; negative = short of people. */
  gap: number;
  /** Per tier, capacity − needed (fractional). */
  tierGap: PerTier<number>;
  short: boolean;
}

export interface StaffingForecast {
  /** Today (month of asOf) first, then one row per forecast month. */
  current: StaffingMonth;
  months: StaffingMonth[];
  /** The first forecast month the team is short, or null. */
  firstShortMonth: MonthKey | null;
  /** The inputs the forecast used, to show beside it. */
  assumptions: StaffingInput;
  definitions: Record<'needed' | 'capacity' | 'gap' | 'new' | 'churn', string>;
}

const perTier = (valueOf: (tier: TouchTier) => number): PerTier<number> => ({
  high_touch: valueOf('high_touch'),
  low_touch: valueOf('low_touch'),
  tech_touch: valueOf('tech_touch'),
});
const sum = (values: PerTier<number>) => values.high_touch + values.low_touch + values.tech_touch;
const round2 = (value: number) => Math.round(value * 100) / 100;
/** ⌈x⌉ that forgives float noise: 3.0000000000000004 people are 3. */
const ceilPeople = (value: number) => Math.ceil(value - 1e-9);

function checkInput(input: StaffingInput): void {
  if (!Number.isInteger(input.months) || input.months < 1 || input.months > 24)
    throw new Error(`months must be a whole number from 1 to 24, got ${input.months}`);
  for (const tier of TOUCH_TIERS) {
    if (!(input.targetLoad[tier] > 0)) throw new Error(`the target load for ${tier} must be above 0`);
  }
  for (const hire of input.plannedHires) {
    if (parseMonthKey(hire.month) === null) throw new Error(`a hire month is written YYYY-MM, got "${hire.month}"`);
  }
}

function row(
  input: StaffingInput,
  month: number,
  accounts: PerTier<number>,
  newAccounts: PerTier<number>,
  churnedAccounts: PerTier<number>,
): StaffingMonth {
  const capacity = perTier((tier) => input.capacity[tier]);
  for (const hire of input.plannedHires) {
    if ((parseMonthKey(hire.month) as number) <= month) capacity[hire.tier] += hire.count;
  }
  const needed = perTier((tier) => accounts[tier] / input.targetLoad[tier]);
  const totalNeeded = sum(needed);
  const totalNeededRounded = ceilPeople(totalNeeded);
  const totalCapacity = sum(capacity);
  return {
    month: monthKeyOfIndex(month),
    accounts: perTier((tier) => round2(accounts[tier])),
    newAccounts: perTier((tier) => round2(newAccounts[tier])),
    churnedAccounts: perTier((tier) => round2(churnedAccounts[tier])),
    needed: perTier((tier) => round2(needed[tier])),
    neededRounded: perTier((tier) => ceilPeople(needed[tier])),
    totalNeeded: round2(totalNeeded),
    totalNeededRounded,
    capacity,
    totalCapacity,
    gap: totalCapacity - totalNeededRounded,
    tierGap: perTier((tier) => round2(capacity[tier] - needed[tier])),
    short: totalCapacity < totalNeededRounded,
  };
}

/**
 * Month by month: accounts = last month's + expected new − expected churned (never below 0), CSMs
 * needed = accounts ÷ target load per tier, against today's CSMs plus the hires planned by then.
 * Accounts stay fractional (they are expected values) until the people are rounded up.
 */
export function staffingForecast(input: StaffingInput): StaffingForecast {
  checkInput(input);
  const start = monthIndexOf(input.asOf);
  const zero = perTier(() => 0);
  const current = row(input, start, input.accounts, zero, zero);
  let accounts = perTier((tier) => input.accounts[tier]);
  const months: StaffingMonth[] = [];
  for (let m = 1; m <= input.months; m += 1) {
    const previous = accounts;
    const added = perTier((tier) => input.newPerMonth[tier]);
    const churn = input.churn;
    const expected = perTier((tier) =>
      churn.kind === 'rate' ? previous[tier] * churn.monthly[tier] : (churn.perMonth[m - 1]?.[tier] ?? 0),
    );
    const churned = perTier((tier) => Math.min(expected[tier], previous[tier] + added[tier]));
    accounts = perTier((tier) => previous[tier] + added[tier] - churned[tier]);
    months.push(row(input, start + m, accounts, added, churned));
  }
  const firstShort = [current, ...months].find((month) => month.short);
  return {
    current,
    months,
    firstShortMonth: firstShort?.month ?? null,
    assumptions: input,
    definitions: {
      needed:
        'CSMs needed = accounts in the tier ÷ its target load, summed over tiers and rounded up to whole people; ' +
        'tech touch counts accounts per pooled CSM.',
      capacity:
        "Capacity = today's CSMs, each counted in the tier most of their accounts are in, plus planned hires from their month.",
      gap: 'Gap = capacity − CSMs needed (rounded up); below 0 the team is short. The first short month may be this one.',
      new: 'Expected new customers per tier per month: won new-business deals of the last full months ÷ their number, unless set.',
      churn:
        input.churn.kind === 'rate'
          ? 'Expected churn = the monthly logo churn rate × the accounts at the start of each month.'
          : 'Expected churn = the accounts the renewal forecast expects to lose in each month.',
    },
  };
}

/** An account's tier and deals, for the expected intake. */
export interface IntakeAccount {
  tier: TouchTier;
  deals: readonly DealFact[];
}

/**
 * New customers per tier per month: won new-business deals closed in the `lookbackMonths` full
 * months before the month holding asOf, ÷ lookbackMonths.
 */
export function expectedNewPerMonth(
  accounts: readonly IntakeAccount[],
  asOf: number,
  lookbackMonths: number,
): PerTier<number> {
  if (!Number.isInteger(lookbackMonths) || lookbackMonths < 1)
    throw new Error(`lookbackMonths must be a whole number ≥ 1, got ${lookbackMonths}`);
  const thisMonth = monthIndexOf(asOf);
  const from = monthStart(thisMonth - lookbackMonths);
  const to = monthStart(thisMonth);
  const won = perTier(() => 0);
  for (const account of accounts) {
    for (const deal of account.deals) {
      if (deal.kind !== 'new_business' || deal.stage !== 'won' || deal.closeDate === null) continue;
      if (deal.closeDate >= from && deal.closeDate < to) won[account.tier] += 1;
    }
  }
  return perTier((tier) => won[tier] / lookbackMonths);
}

const TIER_WORDS: PerTier<string> = { high_touch: 'high touch', low_touch: 'low touch', tech_touch: 'tech touch' };

/** Optional numbers per tier; each message names the field and the tier, as the form shows it beside the box. */
function tierNumbers(what: string, least: { min: number; inclusive: boolean }, max: number) {
  const field = (tier: TouchTier) => {
    const name = `${what} for ${TIER_WORDS[tier]}`;
    const number = z.number(`${name} must be a number`).max(max, `${name} is at most ${max}`);
    return (
      least.inclusive
        ? number.min(least.min, `${name} cannot be negative`)
        : number.gt(least.min, `${name} must be above ${least.min}`)
    ).optional();
  };
  return z.strictObject({
    high_touch: field('high_touch'),
    low_touch: field('low_touch'),
    tech_touch: field('tech_touch'),
  });
}

/** The what-if form: every field optional; what it leaves out keeps the forecast's own value. */
export const staffingWhatIfSchema = z.strictObject({
  months: z
    .int('months must be a whole number')
    .min(1, 'forecast at least 1 month')
    .max(24, 'forecast at most 24 months')
    .optional(),
  newPerMonth: tierNumbers('new customers per month', { min: 0, inclusive: true }, 100_000).optional(),
  targetLoad: tierNumbers('target load', { min: 0, inclusive: false }, 100_000).optional(),
  /** Monthly logo churn rate in percent (0–100), every tier; replaces the forecast's expected churn. */
  monthlyChurnPct: z
    .number('the churn rate must be a number')
    .min(0, 'the churn rate cannot be negative')
    .max(100, 'the churn rate is a percentage, at most 100')
    .optional(),
  plannedHires: z
    .array(
      z.strictObject({
        month: z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'a hire month is written YYYY-MM'),
        tier: z.enum(TOUCH_TIERS, 'the tier is high_touch, low_touch or tech_touch'),
        count: z.int('hires are whole people').min(1, 'plan at least one hire').max(1_000),
      }),
    )
    .max(100)
    .optional(),
});
export type StaffingWhatIf = z.infer<typeof staffingWhatIfSchema>;

/** The forecast input with the what-if's values in place of the ones it names. */
export function applyStaffingWhatIf(input: StaffingInput, whatIf: StaffingWhatIf): StaffingInput {
  const merge = (base: PerTier<number>, change: { [tier in TouchTier]?: number | undefined } | undefined) =>
    perTier((tier) => change?.[tier] ?? base[tier]);
  const churnPct = whatIf.monthlyChurnPct;
  return {
    ...input,
    months: whatIf.months ?? input.months,
    newPerMonth: merge(input.newPerMonth, whatIf.newPerMonth),
    targetLoad: merge(input.targetLoad, whatIf.targetLoad),
    churn: churnPct === undefined ? input.churn : { kind: 'rate', monthly: perTier(() => churnPct / 100) },
    plannedHires: whatIf.plannedHires ?? input.plannedHires,
  };
}

/** The forecast input from the installation's settings and today's book. */
export function staffingInputFrom(
  targets: StaffingTargets,
  book: {
    asOf: number;
    accounts: PerTier<number>;
    capacity: PerTier<number>;
    newPerMonth: PerTier<number>;
    churn: ChurnAssumption;
  },
): StaffingInput {
  return {
    asOf: book.asOf,
    months: targets.horizonMonths,
    accounts: book.accounts,
    capacity: book.capacity,
    newPerMonth: book.newPerMonth,
    churn: book.churn,
    targetLoad: targets.targetLoad,
    plannedHires: [],
  };
}
