/**
 * Health scores replayed on a generated book, on past days, as the score job would have computed
 * them then: at the end of each day every customer's signals from the facts as of that instant, the
 * percentile peers from that day's customers, the shipped model's score and band, and the trend
 * from the scores replayed before. Who is a customer on a day is read from the deals alone, as the
 * backtest job does (a won new-business or renewal deal by then, and no renewal lost by then).
 */
import {
  computeSignals,
  lookbackOf,
  measureSpecs,
  type DealFact,
  type FactsContext,
} from '../server/core/health/facts.ts';
import type { Band, HealthModel } from '../server/core/health/model.ts';
import { compileModel, percentileTables } from '../server/core/health/score.ts';
import { DAY_MS, type SignalValues } from '../server/core/health/signals.ts';
import { trendOf, type ScorePoint, type TrendDirection } from '../server/core/health/trend.ts';
import type { BookFacts } from './book-facts.ts';

export interface ReplayAccount {
  id: string;
  segment: string;
  facts: BookFacts;
}

export interface ReplayPoint {
  /** The instant scored (the end of a day), epoch ms. */
  at: number;
  score: number | null;
  band: Band | null;
  trend: TrendDirection | null;
  /** The trend's long slope, points a week; null without one. */
  trendSlope: number | null;
  /** The model's group scores by key; null for a group without data. */
  groups: Record<string, number | null>;
  signals: SignalValues;
}

/** A customer at `t`, from the deals alone. */
export function customerAt(deals: readonly DealFact[], t: number): boolean {
  let won = false;
  for (const deal of deals) {
    if (deal.closeDate === null || deal.closeDate > t || deal.stage === 'open') continue;
    if (deal.kind === 'renewal' && deal.stage === 'lost') return false;
    if (deal.stage === 'won' && (deal.kind === 'new_business' || deal.kind === 'renewal')) won = true;
  }
  return won;
}

/** The index of the first usage day at or after `from` (usage is ascending). */
function firstUsageFrom(usage: BookFacts['usage'], from: number): number {
  let low = 0;
  let high = usage.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (usage[middle]!.day < from) low = middle + 1;
    else high = middle;
  }
  return low;
}

/** The facts with only the usage of the `days` days up to `at`, as the job's loader reads them. */
function factsWithin(facts: BookFacts, at: number, days: number): BookFacts {
  const from = firstUsageFrom(facts.usage, Math.floor(at / DAY_MS) * DAY_MS - days * DAY_MS);
  const to = firstUsageFrom(facts.usage, at + 1);
  return { ...facts, usage: facts.usage.slice(from, to) };
}

/**
 * Replays `days` (instants, ascending) and returns each account's points, oldest first; an account
 * has a point on the days it was a customer. `onDay` reports progress.
 */
export function replayScores(
  accounts: readonly ReplayAccount[],
  days: readonly number[],
  model: HealthModel,
  context: FactsContext,
  onDay?: (done: number) => void,
): Map<string, ReplayPoint[]> {
  const scorer = compileModel(model);
  const specs = measureSpecs(model);
  const usageDays = lookbackOf(specs).usage;
  const trendMs = model.trend.longWeeks * 7 * DAY_MS;
  const points = new Map<string, ReplayPoint[]>(accounts.map((account) => [account.id, []]));
  const history = new Map<string, ScorePoint[]>(accounts.map((account) => [account.id, []]));
  days.forEach((at, index) => {
    if (index > 0 && at <= days[index - 1]!) throw new RangeError('replay days must be ascending');
    const rows = accounts
      .filter((account) => customerAt(account.facts.deals, at))
      .map((account) => ({
        account,
        segment: account.segment,
        signals: computeSignals(factsWithin(account.facts, at, usageDays), specs, at, context),
      }));
    const peers = percentileTables(model, rows);
    for (const row of rows) {
      const score = scorer.score({ segment: row.segment, signals: row.signals, peers });
      const scores = history.get(row.account.id)!;
      const earlier = scores.filter((point) => point.at > at - trendMs);
      const trend = score.score === null ? null : trendOf([...earlier, { at, score: score.score }], model.trend, at);
      if (score.score !== null) {
        earlier.push({ at, score: score.score });
        history.set(row.account.id, earlier);
      }
      points.get(row.account.id)!.push({
        at,
        score: score.score,
        band: score.band,
        trend: trend?.direction ?? null,
        trendSlope: trend?.longSlope ?? null,
        groups: Object.fromEntries(score.groups.map((group) => [group.key, group.score])),
        signals: row.signals,
      });
    }
    onDay?.(index + 1);
  });
  return points;
}
