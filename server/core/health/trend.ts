import type { TrendSettings } from './model.ts';
import { DAY_MS, slopePerWeek } from './signals.ts';

/**
 * Trend from level, slope and persistence (domain notes §2.5), not "lower than last time": a short
 * slope counts only when the moves behind it persist or the long slope agrees, so one noisy dip is
 * not a decline.
 */

export type TrendDirection = 'improving' | 'stable' | 'declining';

export interface ScorePoint {
  /** Epoch milliseconds. */
  at: number;
  score: number;
}

export interface Trend {
  direction: TrendDirection;
  /** Least-squares points per week over the short and long windows; null with fewer than two points. */
  shortSlope: number | null;
  longSlope: number | null;
  /** How many consecutive most recent moves went the same way. */
  persistence: { way: 'up' | 'down' | 'flat'; moves: number };
  text: string;
}

const WEEK_MS = 7 * DAY_MS;

function window(history: readonly ScorePoint[], weeks: number, now: number) {
  const start = now - weeks * WEEK_MS;
  return history
    .filter((point) => point.at > start && point.at <= now)
    .map((point) => ({ at: point.at, value: point.score }));
}

export function persistenceOf(history: readonly ScorePoint[], flatWithin: number): Trend['persistence'] {
  let way: 'up' | 'down' | 'flat' = 'flat';
  let moves = 0;
  for (let index = history.length - 1; index > 0; index -= 1) {
    const change = (history[index] as ScorePoint).score - (history[index - 1] as ScorePoint).score;
    const step = Math.abs(change) <= flatWithin ? 'flat' : change > 0 ? 'up' : 'down';
    if (moves === 0) way = step;
    else if (step !== way) break;
    moves += 1;
  }
  return { way, moves };
}

const fmt = (slope: number) => `${slope > 0 ? '+' : '−'}${Math.abs(Math.round(slope * 10) / 10)}`;

/** The trend at `now` from a score history (any order; points after `now` are ignored). */
export function trendOf(history: readonly ScorePoint[], settings: TrendSettings, now: number): Trend {
  const sorted = history.filter((point) => point.at <= now).sort((a, b) => a.at - b.at);
  const shortSlope = slopePerWeek(window(sorted, settings.shortWeeks, now));
  const longSlope = slopePerWeek(window(sorted, settings.longWeeks, now));
  const recent = window(sorted, settings.longWeeks, now).map((point) => ({ at: point.at, score: point.value }));
  const persistence = persistenceOf(recent, settings.flatWithin);
  const threshold = settings.slopeThreshold;

  const moving = (sign: 1 | -1): boolean => {
    if (shortSlope === null || sign * shortSlope < threshold) return false;
    const way = sign === 1 ? 'up' : 'down';
    const persists = persistence.way === way && persistence.moves >= settings.persistence;
    const longAgrees = longSlope !== null && sign * longSlope >= threshold;
    return persists || longAgrees;
  };

  let direction: TrendDirection = 'stable';
  if (moving(-1)) direction = 'declining';
  else if (moving(1)) direction = 'improving';

  let text: string;
  if (shortSlope === null) text = 'Not enough history for a trend';
  else if (direction === 'stable') text = `Stable (${fmt(shortSlope)} points a week over ${settings.shortWeeks} weeks)`;
  else {
    const word = direction === 'declining' ? 'Declining' : 'Improving';
    const run = persistence.moves >= 2 && persistence.way !== 'flat' ? `, ${persistence.moves} scores in a row` : '';
    text = `${word}: ${fmt(shortSlope)} points a week over ${settings.shortWeeks} weeks${run}`;
  }
  return { direction, shortSlope, longSlope, persistence, text };
}
