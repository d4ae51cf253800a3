import { bandOf } from '../../../../server/core/health/model.ts';
import { DAY_MS } from '../../../../server/core/health/signals.ts';
import type { HistoryPoint, WarningInput, WarningUsageDay } from '../../../../server/core/warnings/input.ts';
import {
  parseWarningRules,
  type WarningRules,
  type WarningRulesInput,
} from '../../../../server/core/warnings/rules-config.ts';

/** Noon on a Tuesday: whole days before it are complete, today's is not. */
export const AT = Date.UTC(2026, 5, 30, 12);
export const TODAY = Date.UTC(2026, 5, 30);

export const daysAgo = (days: number) => AT - days * DAY_MS;
export const isoDaysAgo = (days: number) => new Date(TODAY - days * DAY_MS).toISOString().slice(0, 10);

export function inputWith(overrides: Partial<WarningInput> = {}): WarningInput {
  return {
    at: AT,
    account: { id: 'acc-1', name: 'Acme', segment: 'mid_market', status: 'active' },
    health: { score: 75, band: 'green', trend: 'stable' },
    history: [],
    usage: [],
    tickets: [],
    contacts: [],
    engagedLater: false,
    nps: [],
    sentiment: [],
    renewal: null,
    override: null,
    stage: null,
    plans: [],
    ...overrides,
  };
}

export function rulesWith(overrides: WarningRulesInput): WarningRules {
  return parseWarningRules(overrides);
}

/** One point a day for the last `days` days (today included): the score `scoreOf(daysAgo)`. */
export function dailyHistory(days: number, scoreOf: (daysAgo: number) => number): HistoryPoint[] {
  const points: HistoryPoint[] = [];
  for (let ago = days - 1; ago >= 0; ago -= 1) {
    const score = scoreOf(ago);
    points.push({ day: isoDaysAgo(ago), score, band: bandOf(score, { yellowFrom: 40, greenFrom: 70 }) });
  }
  return points;
}

/** Weekly scores, oldest first, the last one this week; each held every day of its week. */
export function weeklyHistory(scores: readonly number[]): HistoryPoint[] {
  return dailyHistory(scores.length * 7, (ago) => scores[scores.length - 1 - Math.floor(ago / 7)] as number);
}

/** Complete usage days from yesterday back `days` days: `usersOf(daysAgo)` active users each. */
export function usageDays(
  days: number,
  usersOf: (daysAgo: number) => number,
  licences: number | null = 100,
): WarningUsageDay[] {
  const usage: WarningUsageDay[] = [];
  for (let ago = days; ago >= 1; ago -= 1)
    usage.push({ day: TODAY - ago * DAY_MS, activeUsers: usersOf(ago), licences });
  return usage;
}
