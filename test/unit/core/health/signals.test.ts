import { describe, expect, it } from 'vitest';
import { DAY_MS, aggregate, formatValue, type Aggregation } from '../../../../server/core/health/signals.ts';

const NOW = Date.UTC(2026, 5, 30);
const daysAgo = (days: number, value: number) => ({ at: NOW - days * DAY_MS, value });

// Six weekly readings, oldest first; the 40-days-ago one falls outside a 28-day window.
const SERIES = [daysAgo(40, 100), daysAgo(21, 4), daysAgo(14, 6), daysAgo(7, 2), daysAgo(0, 8)];

describe('aggregate over a 28-day window', () => {
  it.each<[Aggregation, number | null]>([
    ['latest', 8],
    ['mean', 5],
    ['sum', 20],
    ['min', 2],
    ['max', 8],
    ['count', 4],
    // Least squares over (−3, 4) (−2, 6) (−1, 2) (0, 8) weeks: slope 0.8 per week.
    ['slope', 0.8],
  ])('%s', (aggregation, expected) => {
    const value = aggregate(SERIES, 28, aggregation, NOW);
    if (expected === null) expect(value).toBeNull();
    else expect(value).toBeCloseTo(expected, 10);
  });

  it.each<[Aggregation, number | null]>([
    ['latest', null],
    ['mean', null],
    ['min', null],
    ['max', null],
    ['slope', null],
    ['count', 0],
    ['sum', 0],
  ])('an empty window: %s is %s (nothing happened counts as 0, an unknown level as null)', (aggregation, expected) => {
    expect(aggregate([daysAgo(60, 5)], 28, aggregation, NOW)).toBe(expected);
  });

  it('excludes the window start, includes now and ignores points after now', () => {
    const series = [daysAgo(28, 1), daysAgo(0, 2), { at: NOW + 1, value: 99 }];
    expect(aggregate(series, 28, 'sum', NOW)).toBe(2);
    expect(aggregate(series, 28, 'latest', NOW)).toBe(2);
  });

  it('takes the latest by date, not by position in the series', () => {
    expect(aggregate([daysAgo(1, 7), daysAgo(5, 3)], 28, 'latest', NOW)).toBe(7);
  });

  it('needs two distinct instants for a slope', () => {
    expect(aggregate([daysAgo(1, 7), daysAgo(1, 3)], 28, 'slope', NOW)).toBeNull();
  });
});

describe('formatValue', () => {
  it.each([
    ['usage.active_user_ratio', 0.423, '42% of licences'],
    ['engagement.days_since_last', 12.4, '12 days ago'],
    ['voice.nps', 8.14, '8.1 out of 10'],
    ['commercial.arr_change_pct', 5, '+5%'],
    ['commercial.arr_change_pct', -12.34, '-12.3%'],
    ['sentiment.csm', -1, 'negative'],
    ['relationship.champion_present', true, 'yes'],
  ] as const)('%s %s reads "%s"', (signal, value, text) => {
    expect(formatValue(signal, value)).toBe(text);
  });
});
