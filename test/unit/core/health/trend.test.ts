import { describe, expect, it } from 'vitest';
import { DEFAULT_MODEL } from '../../../../server/core/health/model.ts';
import { DAY_MS } from '../../../../server/core/health/signals.ts';
import { trendOf, type ScorePoint } from '../../../../server/core/health/trend.ts';

const NOW = Date.UTC(2026, 5, 30);
const SETTINGS = DEFAULT_MODEL.trend; // 4 and 12 weeks, 1 point a week, 3 moves in a row

/** Weekly scores, oldest first, the last one at NOW. */
const weekly = (scores: number[]): ScorePoint[] =>
  scores.map((score, index) => ({ at: NOW - (scores.length - 1 - index) * 7 * DAY_MS, score }));

describe('trendOf', () => {
  it.each<[string, number[], 'improving' | 'stable' | 'declining']>([
    ['a steady decline', [80, 78, 76, 74, 72, 70, 68, 66, 64, 62, 60, 58], 'declining'],
    ['a steady rise', [50, 52, 54, 56, 58, 60, 62, 64, 66, 68, 70, 72], 'improving'],
    ['a flat line', [70, 70, 70, 70, 70, 70, 70, 70, 70, 70, 70, 70], 'stable'],
    ['one noisy dip at the end', [70, 71, 70, 69, 70, 71, 70, 70, 69, 70, 71, 56], 'stable'],
    ['one noisy spike at the end', [60, 59, 60, 61, 60, 59, 60, 60, 61, 60, 59, 75], 'stable'],
    ['noise without direction', [70, 64, 71, 65, 72, 66, 70, 64, 71, 65, 70, 66], 'stable'],
    // A fall over the last month that persists, after a flat quarter.
    ['a recent fall that persists', [75, 75, 75, 75, 75, 75, 75, 75, 72, 68, 64, 60], 'declining'],
    // The long slope agrees, so a short run interrupted by one up-tick still counts.
    ['a long decline with one up-tick at the end', [90, 87, 84, 81, 78, 75, 72, 69, 66, 62, 58, 59], 'declining'],
  ])('%s is %s', (_what, scores, direction) => {
    expect(trendOf(weekly(scores), SETTINGS, NOW).direction).toBe(direction);
  });

  it('reports slopes in points per week and the run of moves', () => {
    const trend = trendOf(weekly([80, 78, 76, 74, 72, 70, 68, 66, 64, 62, 60, 58]), SETTINGS, NOW);
    expect(trend.shortSlope).toBeCloseTo(-2, 10);
    expect(trend.longSlope).toBeCloseTo(-2, 10);
    expect(trend.persistence).toEqual({ way: 'down', moves: 11 });
    expect(trend.text).toBe('Declining: −2 points a week over 4 weeks, 11 scores in a row');
  });

  it('uses daily points as well as weekly ones, in any order, ignoring points after now', () => {
    const daily = Array.from({ length: 60 }, (_, day) => ({ at: NOW - day * DAY_MS, score: 60 + day * 0.5 }));
    const trend = trendOf([...daily, { at: NOW + DAY_MS, score: 100 }], SETTINGS, NOW);
    expect(trend.direction).toBe('declining');
    expect(trend.shortSlope).toBeCloseTo(-3.5, 10);
  });

  it('says so when there is not enough history', () => {
    const trend = trendOf(weekly([70]), SETTINGS, NOW);
    expect(trend).toMatchObject({ direction: 'stable', shortSlope: null, longSlope: null });
    expect(trend.text).toBe('Not enough history for a trend');
  });
});
