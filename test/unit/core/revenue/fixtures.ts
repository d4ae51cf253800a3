import type { DealFact } from '../../../../server/core/health/facts.ts';
import { parseAnalyticsSettings, type RetentionDefinitions } from '../../../../server/core/revenue/index.ts';
import type { RetentionAccount } from '../../../../server/core/revenue/retention.ts';

/** Midnight UTC of a `YYYY-MM-DD` day, or the instant of a full ISO timestamp. */
export const at = (day: string): number => Date.parse(day.length === 10 ? `${day}T00:00:00Z` : day);

export function deal(
  kind: DealFact['kind'],
  stage: DealFact['stage'],
  closeDay: string,
  amount: number | null = null,
): DealFact {
  return { kind, stage, amount, closeDate: at(closeDay), createdAt: null };
}

export function account(id: string, deals: DealFact[], extra: Partial<RetentionAccount> = {}): RetentionAccount {
  return { id, segment: 'mid_market', touch: 'low_touch', csm: 'csm-1', deals, ...extra };
}

export function definitions(overrides: Partial<RetentionDefinitions> = {}): RetentionDefinitions {
  return { ...parseAnalyticsSettings({}).retention, ...overrides };
}
