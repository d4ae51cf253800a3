import { describe, expect, it } from 'vitest';
import type { RenewalFeatureInput } from '../../../../../server/core/revenue/forecast/features.ts';
import {
  bottomShare,
  forecastMonths,
  forecastRenewals,
  type ForecastRenewal,
  type UpcomingRenewal,
} from '../../../../../server/core/revenue/forecast/forecast.ts';
import { learnedModel } from './fixtures.ts';

/**
 * Probabilities that come out exact: a score of 15 is the prior's coin toss (log-odds 0), and a
 * declining trend worth −ln 3 takes it to σ(−ln 3) = 1/4; a score of 100 is clamped at 0.99.
 */
const model = learnedModel({ baseline: 0, trend_declining: -Math.log(3) });

const asOf = Date.UTC(2026, 0, 15, 23, 59, 59, 999);

function renewal(
  accountId: string,
  day: string,
  arr: number | null,
  score: number,
  trend: RenewalFeatureInput['trend'] = 'stable',
): UpcomingRenewal {
  return {
    accountId,
    name: `Account ${accountId}`,
    segment: 'smb',
    csm: 'csm-1',
    arr,
    renewalDate: Date.parse(`${day}T00:00:00Z`),
    input: { score, band: 'yellow', trend, arr, segment: 'smb', daysToRenewal: 30, licenceUse: null },
    healthDrivers: 'Active users 20% of licences',
  };
}

const book: UpcomingRenewal[] = [
  renewal('A', '2026-01-20', 100_000, 15), // p 0.5:  at risk 50 000, renewed 50 000
  renewal('B', '2026-01-31', 40_000, 15, 'declining'), // p 0.25: at risk 30 000, renewed 10 000
  renewal('C', '2026-02-10', 10_000, 100), // p 0.99: at risk 100, renewed 9 900
  renewal('D', '2026-03-01', null, 15), // p 0.5, ARR unknown: 0 and 0
  renewal('E', '2026-06-30', 20_000, 15, 'declining'), // p 0.25: at risk 15 000, renewed 5 000
  renewal('F', '2026-07-01', 90_000, 15), // after June: outside the six months
  renewal('G', '2025-12-31', 90_000, 15), // before January: outside
];

describe('forecastRenewals', () => {
  const forecast = forecastRenewals({ renewals: book, model, asOf });

  it('gives each renewal its probability, expected renewed ARR and ARR at risk', () => {
    expect(
      forecast.renewals.map((row) => [
        row.accountId,
        row.month,
        row.probability,
        row.expectedRenewedArr,
        row.revenueAtRisk,
      ]),
    ).toEqual([
      ['A', '2026-01', 0.5, 50_000, 50_000],
      ['B', '2026-01', 0.25, 10_000, 30_000],
      ['C', '2026-02', 0.99, 9_900, 100],
      ['D', '2026-03', 0.5, 0, 0],
      ['E', '2026-06', 0.25, 5_000, 15_000],
    ]);
    expect(forecast.renewals[1]).toMatchObject({
      renewalDay: '2026-01-31',
      prior: 0.5,
      basis: 'learned',
      healthDrivers: 'Active users 20% of licences',
      csm: 'csm-1',
    });
    expect(forecast.renewals[1]?.contributions.map((c) => c.text)).toEqual(['Declining trend: −25 pts']);
    expect(forecast.outsideWindow).toBe(2);
  });

  it('sums by calendar month from the as-of month, empty months included', () => {
    expect(forecast.months).toEqual([
      // January: A + B → ARR 140 000, renewed 50 000 + 10 000 = 60 000, at risk 50 000 + 30 000 = 80 000
      { month: '2026-01', renewals: 2, arr: 140_000, expectedRenewedArr: 60_000, revenueAtRisk: 80_000 },
      { month: '2026-02', renewals: 1, arr: 10_000, expectedRenewedArr: 9_900, revenueAtRisk: 100 },
      { month: '2026-03', renewals: 1, arr: 0, expectedRenewedArr: 0, revenueAtRisk: 0 },
      { month: '2026-04', renewals: 0, arr: 0, expectedRenewedArr: 0, revenueAtRisk: 0 },
      { month: '2026-05', renewals: 0, arr: 0, expectedRenewedArr: 0, revenueAtRisk: 0 },
      { month: '2026-06', renewals: 1, arr: 20_000, expectedRenewedArr: 5_000, revenueAtRisk: 15_000 },
    ]);
    expect(forecast.from).toBe('2026-01-01');
    expect(forecast.to).toBe('2026-06-30');
  });

  it('totals the months', () => {
    // ARR 140 000 + 10 000 + 20 000 = 170 000; renewed 60 000 + 9 900 + 5 000 = 74 900; at risk 95 100
    // mean probability (0.5 + 0.25 + 0.99 + 0.5 + 0.25) ÷ 5 = 0.498; ARR-weighted 74 900 ÷ 170 000
    expect(forecast.totals).toMatchObject({
      renewals: 5,
      arr: 170_000,
      expectedRenewedArr: 74_900,
      revenueAtRisk: 95_100,
    });
    expect(forecast.totals.meanProbability).toBeCloseTo(0.498, 10);
    expect(forecast.totals.arrWeightedProbability).toBeCloseTo(74_900 / 170_000, 10);
  });

  it('lists the least likely fifth: ceil(20 % of 5) = 1, the tie at 0.25 going to the larger ARR', () => {
    expect(forecast.bottom20).toEqual(['B']);
  });

  it('rounds the risk as the prior’s revenueAtRisk does and keeps renewed + at risk = ARR', () => {
    // 999 × (1 − 0.5) = 499.5 → 500 at risk, 499 renewed
    const odd = forecastRenewals({ renewals: [renewal('X', '2026-02-01', 999, 15)], model, asOf });
    expect(odd.renewals[0]).toMatchObject({ revenueAtRisk: 500, expectedRenewedArr: 499 });
  });

  it('falls back to the prior without a model and says so', () => {
    const prior = forecastRenewals({ renewals: book, model: null, asOf, months: 1 });
    expect(prior.basis).toBe('prior');
    expect(prior.explanation).toMatch(/documented prior/);
    // only January with one month: B is a coin toss under the prior
    expect(prior.renewals.map((row) => [row.accountId, row.probability])).toEqual([
      ['A', 0.5],
      ['B', 0.5],
    ]);
    expect(prior.outsideWindow).toBe(5);
  });

  it('answers an empty book with zeros', () => {
    const empty = forecastRenewals({ renewals: [], model, asOf });
    expect(empty.totals).toEqual({
      renewals: 0,
      arr: 0,
      expectedRenewedArr: 0,
      revenueAtRisk: 0,
      meanProbability: null,
      arrWeightedProbability: null,
    });
    expect(empty.bottom20).toEqual([]);
  });

  it('refuses a month count that is not a whole number of at least 1', () => {
    expect(() => forecastRenewals({ renewals: book, model, asOf, months: 0 })).toThrow(/months/);
  });
});

describe('forecastMonths', () => {
  it('crosses the year end', () => {
    expect(forecastMonths(Date.UTC(2025, 10, 30), 3)).toEqual(['2025-11', '2025-12', '2026-01']);
  });
});

describe('bottomShare', () => {
  const row = (accountId: string, probability: number, arr: number | null): ForecastRenewal => ({
    accountId,
    name: accountId,
    segment: null,
    csm: null,
    arr,
    renewalDay: '2026-01-01',
    month: '2026-01',
    probability,
    prior: probability,
    basis: 'prior',
    expectedRenewedArr: 0,
    revenueAtRisk: 0,
    contributions: [],
    healthDrivers: null,
  });
  const many = (n: number) =>
    Array.from({ length: n }, (_, i) => row(`r${String(i).padStart(2, '0')}`, 0.5 + i / 100, 1_000));

  it.each([
    { n: 0, expected: 0 },
    { n: 1, expected: 1 }, // ceil(0.2) = 1
    { n: 5, expected: 1 },
    { n: 10, expected: 2 },
    { n: 11, expected: 3 }, // ceil(2.2) = 3
    { n: 20, expected: 4 },
  ])('of $n renewals lists $expected', ({ n, expected }) => {
    expect(bottomShare(many(n))).toHaveLength(expected);
  });

  it('orders by probability, then larger ARR, then id', () => {
    const rows = [row('a', 0.6, 10), row('b', 0.3, 10), row('c', 0.3, 500), row('d', 0.3, 10), row('e', 0.9, null)];
    expect(bottomShare(rows, 0.8)).toEqual(['c', 'b', 'd', 'a']);
  });
});
