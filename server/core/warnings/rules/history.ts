import type { Band } from '../../health/model.ts';
import type { HistoryPoint } from '../input.ts';

/** Reading the daily score history as of past instants. */

export const BAND_RANK: Record<Band, number> = { red: 0, yellow: 1, green: 2 };

const startOf = (day: string) => Date.parse(`${day}T00:00:00.000Z`);
const dayOf = (t: number) => new Date(t).toISOString().slice(0, 10);

/**
 * The latest point of a day at or before `t` (history ascending); undefined when none. Days are
 * compared as `YYYY-MM-DD` text and found by halving: the rules ask this many times a run.
 */
export function pointAt(history: readonly HistoryPoint[], t: number): HistoryPoint | undefined {
  if (!Number.isFinite(t)) return t > 0 ? history.at(-1) : undefined;
  const day = dayOf(t);
  let low = 0;
  let high = history.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if ((history[middle] as HistoryPoint).day <= day) low = middle + 1;
    else high = middle;
  }
  return low === 0 ? undefined : history[low - 1];
}

/** The band as of `t`; null when no point is that old or the point had no band. */
export function bandAt(history: readonly HistoryPoint[], t: number): Band | null {
  return pointAt(history, t)?.band ?? null;
}

/**
 * The score as of `t`, from a point no older than `maxAgeMs` before it: a weekly sample should not
 * reach back into the previous week when a day is missing.
 */
export function scoreAt(history: readonly HistoryPoint[], t: number, maxAgeMs: number): number | null {
  const point = pointAt(history, t);
  if (point === undefined || point.score === null || t - startOf(point.day) >= maxAgeMs) return null;
  return point.score;
}
