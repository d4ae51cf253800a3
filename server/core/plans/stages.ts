import { z } from 'zod';
import type { AccountFacts } from '../health/facts.ts';
import { DAY_MS } from '../health/signals.ts';
import { jsonPath } from '../json-path.ts';
import { BANDS, type Band } from '../health/model.ts';

/**
 * Lifecycle stages: where an account is in its journey with the product, derived from contract
 * dates, usage, deals and health by rules the admin can change. Stages are judged in priority
 * order (churned, at risk, renewal, onboarding, adoption, value), so an onboarding account whose
 * health turns red is "at risk", and one renewing in 60 days is "renewal" whatever its usage.
 */

export const LIFECYCLE_STAGES = ['onboarding', 'adoption', 'value', 'renewal', 'at_risk', 'churned'] as const;
export type LifecycleStage = (typeof LIFECYCLE_STAGES)[number];

export const STAGE_LABELS: Readonly<Record<LifecycleStage, string>> = {
  onboarding: 'Onboarding',
  adoption: 'Adoption',
  value: 'Value',
  renewal: 'Renewal',
  at_risk: 'At risk',
  churned: 'Churned',
};

const ratio = z.number().min(0).max(1);
const days = (max: number) => z.int().min(1).max(max);

/** An installation's stage rules; every field has a default, so a stored set may name only what it changes. */
export const stageRulesSchema = z.strictObject({
  /** An account is onboarding for at most this many days after its contract starts. */
  onboardingDays: days(730).default(90),
  /** …and leaves onboarding early once this share of its licences is active over the usage window. */
  onboardingExitActiveRatio: ratio.default(0.5),
  /** Adoption becomes value once this share of licences is active over the usage window. */
  valueActiveRatio: ratio.default(0.6),
  /** The days of daily usage the active-user share is averaged over. */
  usageWindowDays: days(180).default(28),
  /** Renewal: the next renewal (open renewal deal or renewal date) is at most this many days away. */
  renewalWindowDays: days(365).default(90),
  /** At risk: the health band shown (override included) is one of these. */
  atRiskBands: z.array(z.enum(BANDS)).max(3).default(['red']),
});
export type StageRules = z.infer<typeof stageRulesSchema>;
export const DEFAULT_STAGE_RULES: StageRules = stageRulesSchema.parse({});

/** What the stage rules read about an account at one instant (built by `stageInputOf`, plus the band). */
export interface StageInput {
  at: number;
  status: AccountFacts['status'];
  /** Start of the contract: the first won new-business deal's close, else the account's creation; null when unknown. */
  contractStart: number | null;
  /** The next renewal after `at` (open renewal deal's close, else the account's renewal date). */
  renewalOn: number | null;
  /** Mean daily active users ÷ licences over the usage window; null without usage or licences. */
  activeRatio: number | null;
  /** The band shown (override included); null when not scored. */
  band: Band | null;
}

export interface StageDecision {
  stage: LifecycleStage;
  /** Why, in words the card can show: "Renewal in 42 days", "Onboarding: day 12 of 90". */
  reason: string;
}

export interface StageRulesProblem {
  /** JSONPath into the rules, e.g. `$.onboardingDays`. */
  path: string;
  message: string;
}

export type StageRulesResult = { ok: true; rules: StageRules } | { ok: false; problems: StageRulesProblem[] };

/** Every problem in a stored or submitted rule set, each with its path; none parses into `StageRules`. */
export function validateStageRules(input: unknown): StageRulesResult {
  const parsed = stageRulesSchema.safeParse(input ?? {});
  if (!parsed.success) {
    return {
      ok: false,
      problems: parsed.error.issues.map((issue) => ({ path: jsonPath(issue.path), message: issue.message })),
    };
  }
  return { ok: true, rules: parsed.data };
}

const dayEnd = (day: number) => day + DAY_MS - 1;

/** The first won new-business deal closed by `at`, else the account's creation; null when neither is known yet. */
function contractStartAt(facts: AccountFacts, at: number): number | null {
  let start = Infinity;
  for (const deal of facts.deals) {
    if (deal.kind !== 'new_business' || deal.stage !== 'won' || deal.closeDate === null) continue;
    if (deal.closeDate <= at && deal.closeDate < start) start = deal.closeDate;
  }
  if (start !== Infinity) return start;
  return facts.createdAt !== null && facts.createdAt <= at ? facts.createdAt : null;
}

/**
 * The next renewal after `at`: a renewal deal still open then (its close after `at`) first, else the
 * account's renewal date, as the warnings read it. A deal closing after `at` was open at `at` whatever
 * its stage now, so a replay of the past sees the renewal the CSM saw.
 */
function renewalAfter(facts: AccountFacts, at: number): number | null {
  let next = Infinity;
  for (const deal of facts.deals) {
    if (deal.kind === 'renewal' && deal.closeDate !== null && deal.closeDate > at)
      next = Math.min(next, deal.closeDate);
  }
  if (next !== Infinity) return next;
  return facts.renewalDate !== null && facts.renewalDate > at ? facts.renewalDate : null;
}

/**
 * Mean daily active users ÷ licences over the usage days ending in (at − window, at]; null when fewer
 * than half the window's days have a value, so a gap in the feed is not read as low usage.
 */
function activeRatioAt(facts: AccountFacts, at: number, windowDays: number): number | null {
  const start = at - windowDays * DAY_MS;
  let sum = 0;
  let count = 0;
  for (const day of facts.usage) {
    const end = dayEnd(day.day);
    if (end <= start || end > at) continue;
    const licences = day.licences ?? facts.licences;
    if (licences === null || licences <= 0) continue;
    sum += day.activeUsers / licences;
    count += 1;
  }
  return count === 0 || count * 2 < windowDays ? null : sum / count;
}

/** What the stage rules read about an account at `at`; nothing dated after `at` is seen. */
export function stageInputOf(facts: AccountFacts, rules: StageRules, at: number, band: Band | null): StageInput {
  return {
    at,
    status: facts.status,
    contractStart: contractStartAt(facts, at),
    renewalOn: renewalAfter(facts, at),
    activeRatio: activeRatioAt(facts, at, rules.usageWindowDays),
    band,
  };
}

/**
 * A mean of daily shares drifts in the last bits (28 days of 0.6 do not average to exactly 0.6), so a
 * share within this of a line is on it.
 */
const RATIO_TOLERANCE = 1e-9;
const atLeast = (ratio: number, line: number) => ratio >= line - RATIO_TOLERANCE;

const percent = (ratio: number) => Math.round(ratio * 100);
const plural = (count: number, word: string) => `${count} ${word}${count === 1 ? '' : 's'}`;

/** The stage an account is in, judged in priority order, with the reason in words. */
export function deriveStage(rules: StageRules, input: StageInput): StageDecision {
  const { at, activeRatio } = input;
  if (input.status === 'churned') return { stage: 'churned', reason: 'Churned in the CRM' };
  if (input.band !== null && rules.atRiskBands.includes(input.band)) {
    return { stage: 'at_risk', reason: `Health band ${input.band}` };
  }
  if (input.renewalOn !== null && input.renewalOn - at <= rules.renewalWindowDays * DAY_MS) {
    return { stage: 'renewal', reason: `Renewal in ${plural(Math.ceil((input.renewalOn - at) / DAY_MS), 'day')}` };
  }
  const exitedOnboarding = activeRatio !== null && atLeast(activeRatio, rules.onboardingExitActiveRatio);
  if (input.contractStart !== null && at - input.contractStart < rules.onboardingDays * DAY_MS && !exitedOnboarding) {
    const day = Math.floor((at - input.contractStart) / DAY_MS) + 1;
    return { stage: 'onboarding', reason: `Onboarding: day ${day} of ${rules.onboardingDays}` };
  }
  if (activeRatio === null) {
    return { stage: 'adoption', reason: `No usage in the last ${plural(rules.usageWindowDays, 'day')}` };
  }
  const line = percent(rules.valueActiveRatio);
  if (!atLeast(activeRatio, rules.valueActiveRatio)) {
    // 59.6% shows as 59%, not as the 60% it has not reached.
    const shown = Math.min(percent(activeRatio), line - 1);
    return { stage: 'adoption', reason: `Active users ${shown}% of licences (value from ${line}%)` };
  }
  return { stage: 'value', reason: `Active users ${percent(activeRatio)}% of licences` };
}

/** Whole days since `enteredAt` at `at` (0 on the day of entry). */
export function daysInStage(enteredAt: number, at: number): number {
  return Math.max(0, Math.floor((at - enteredAt) / DAY_MS));
}
