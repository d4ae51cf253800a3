import type { LifecycleStage } from '../plans/stages.ts';
import type { Band } from './model.ts';
import type { TrendDirection } from './trend.ts';

/**
 * The eight values written to the CRM record (manifest.json `fields`), from one scoring of an account.
 * They are rounded the way the CRM fields hold them, so a change too small to show costs no write;
 * `last_scored_at` moves only when another written value changed, otherwise every rescore would
 * rewrite every record and a steady book would never be free.
 */

export type WrittenValues = Record<string, number | string | null>;

export interface WrittenInput {
  /** The score and band shown: the CSM override while it applies, the computed one otherwise. */
  score: number | null;
  band: Band | null;
  trend: TrendDirection | null;
  drivers: string;
  /** 0–1, null without a score. */
  renewalProbability: number | null;
  revenueAtRisk: number | null;
  /** The lifecycle stage the account is in; null when none was derived. */
  stage: LifecycleStage | null;
  scoredAt: Date;
}

/** The CRM text field's limit (manifest.json `health_drivers.maxLength`). */
export const DRIVERS_MAX_LENGTH = 1000;

export function truncateText(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

export function writtenValues(input: WrittenInput, previous: WrittenValues | null): WrittenValues {
  const values: WrittenValues = {
    health_score: input.score === null ? null : Math.round(input.score),
    health_band: input.band,
    health_trend: input.trend,
    health_drivers: input.drivers === '' ? null : truncateText(input.drivers, DRIVERS_MAX_LENGTH),
    renewal_probability: input.renewalProbability === null ? null : Math.round(input.renewalProbability * 100),
    revenue_at_risk: input.revenueAtRisk,
    lifecycle_stage: input.stage,
    last_scored_at: input.scoredAt.toISOString(),
  };
  if (previous && previous.last_scored_at !== undefined && sameExceptTime(values, previous)) {
    values.last_scored_at = previous.last_scored_at;
  }
  return values;
}

function sameExceptTime(a: WrittenValues, b: WrittenValues): boolean {
  for (const key of Object.keys(a)) {
    if (key === 'last_scored_at') continue;
    if ((a[key] ?? null) !== (b[key] ?? null)) return false;
  }
  return true;
}
