import { describe, expect, it } from 'vitest';
import { capacityByTier, portfolioReport, type PortfolioAccount } from '../../../../server/core/revenue/portfolios.ts';
import { at } from './fixtures.ts';

const asOf = at('2026-03-01');
const book: PortfolioAccount[] = [
  {
    id: '1',
    csm: 'x',
    arr: 100_000,
    band: 'green',
    tier: 'high_touch',
    renewalDate: at('2026-03-31'),
    revenueAtRisk: 10_000,
  },
  {
    id: '2',
    csm: 'x',
    arr: 20_000,
    band: 'red',
    tier: 'low_touch',
    renewalDate: at('2026-06-09'),
    revenueAtRisk: 8_000.4,
  },
  { id: '3', csm: 'y', arr: null, band: null, tier: 'tech_touch', renewalDate: null, revenueAtRisk: null },
  {
    id: '4',
    csm: null,
    arr: 5_000,
    band: 'yellow',
    tier: 'tech_touch',
    renewalDate: at('2026-05-30'),
    revenueAtRisk: 500,
  },
];

describe('portfolioReport', () => {
  const report = portfolioReport(book, { asOf });

  it('one row per CSM by ARR, unassigned last', () => {
    expect(report.portfolios.map((portfolio) => portfolio.csm)).toEqual(['x', 'y', null]);
  });

  it('sums a CSM’s accounts, health mix, renewals due and revenue at risk', () => {
    // x: 100k + 20k = 120k; renewals in 90 days (to 30 May): only 31 March (9 June is day 100); risk 10,000 + 8,000.4 → 18,000.
    expect(report.portfolios[0]).toEqual({
      csm: 'x',
      accounts: 2,
      arr: 120_000,
      health: {
        green: { accounts: 1, arr: 100_000 },
        yellow: { accounts: 0, arr: 0 },
        red: { accounts: 1, arr: 20_000 },
        unscored: { accounts: 0, arr: 0 },
      },
      renewalsDue: { accounts: 1, arr: 100_000 },
      revenueAtRisk: 18_000,
      tiers: { high_touch: 1, low_touch: 1, tech_touch: 0 },
      mainTier: 'high_touch',
    });
  });

  it('totals the book, and a renewal on the 90th day is due', () => {
    // 30 May 2026 is 90 days after 1 March.
    expect(report.total).toMatchObject({
      accounts: 4,
      arr: 125_000,
      renewalsDue: { accounts: 2, arr: 105_000 },
      revenueAtRisk: 18_500,
      health: { unscored: { accounts: 1, arr: 0 }, yellow: { accounts: 1, arr: 5_000 } },
    });
  });

  it('counts capacity by the tier each CSM mostly carries (ties go to the higher touch)', () => {
    expect(capacityByTier(report.portfolios)).toEqual({ high_touch: 1, low_touch: 0, tech_touch: 1 });
  });

  it('widens the renewal window on request', () => {
    expect(portfolioReport(book, { asOf, renewalWindowDays: 120 }).total.renewalsDue.accounts).toBe(3);
  });

  it('an empty book is one empty total', () => {
    expect(portfolioReport([], { asOf })).toMatchObject({ portfolios: [], total: { accounts: 0, mainTier: null } });
  });
});
