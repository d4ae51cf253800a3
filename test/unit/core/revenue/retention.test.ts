import { describe, expect, it } from 'vitest';
import {
  addCalendarMonths,
  arrTimeline,
  dealsAsDefined,
  retentionFromTimeline,
  retentionOver,
  retentionReport,
  type RetentionFigures,
} from '../../../../server/core/revenue/retention.ts';
import { account, at, deal, definitions } from './fixtures.ts';

/**
 * A five-customer book, reported for January–March 2026 as of 20 March (March still running).
 *   A: new 100k (Jan 2025), expansion +20k on 14 Feb 2026.
 *   B: new 50k on 1 Mar 2025, renewal closed lost on 20 Feb 2026.
 *   C: new 40k (Jun 2024), renewed 40k (Jun 2025), renewed early at 30k on 15 Jan 2026 (contraction 10k).
 *   D: new 10k on 5 Feb 2026.
 *   E: new 25k (Dec 2024), renewal lost on 1 Dec 2025.
 */
const book = [
  account('A', [deal('new_business', 'won', '2025-01-10', 100_000), deal('expansion', 'won', '2026-02-14', 20_000)]),
  account('B', [deal('new_business', 'won', '2025-03-01', 50_000), deal('renewal', 'lost', '2026-02-20')]),
  account('C', [
    deal('new_business', 'won', '2024-06-01', 40_000),
    deal('renewal', 'won', '2025-06-01', 40_000),
    deal('renewal', 'won', '2026-01-15', 30_000),
  ]),
  account('D', [deal('new_business', 'won', '2026-02-05', 10_000)]),
  account('E', [deal('new_business', 'won', '2024-12-01', 25_000), deal('renewal', 'lost', '2025-12-01')]),
];
const asOf = at('2026-03-20T12:00:00Z');

type Expected = Pick<
  RetentionFigures,
  | 'openingAccounts'
  | 'openingArr'
  | 'closingArr'
  | 'expansionArr'
  | 'contractionArr'
  | 'churnedAccounts'
  | 'churnedArr'
  | 'newAccounts'
  | 'newArr'
  | 'nrr'
  | 'grr'
  | 'logoChurnRate'
  | 'revenueChurnRate'
>;

const pick = (figures: RetentionFigures): Expected => {
  const { from: _from, to: _to, ...rest } = figures;
  return rest;
};

describe('retention by calendar month (churn counted at the lost renewal)', () => {
  const report = retentionReport(book, { asOf, months: 3, definitions: definitions() });

  it.each<[string, boolean, Expected]>([
    [
      // Opening (31 Dec): A 100k + B 50k + C 40k = 190k (E left on 1 Dec). Closing: 100 + 50 + 30 = 180k.
      // NRR 180/190 = 0.9474; GRR (190 − 10 contraction)/190 = 0.9474; revenue churn 10/190 = 0.0526.
      '2026-01',
      false,
      {
        openingAccounts: 3,
        openingArr: 190_000,
        closingArr: 180_000,
        expansionArr: 0,
        contractionArr: 10_000,
        churnedAccounts: 0,
        churnedArr: 0,
        newAccounts: 0,
        newArr: 0,
        nrr: 0.9474,
        grr: 0.9474,
        logoChurnRate: 0,
        revenueChurnRate: 0.0526,
      },
    ],
    [
      // Opening (31 Jan): A 100k + B 50k + C 30k = 180k. Closing: A 120k + B 0 + C 30k = 150k; D is new (10k).
      // NRR 150/180 = 0.8333; GRR (180 − 50)/180 = 0.7222; logo churn 1/3; revenue churn 50/180 = 0.2778.
      '2026-02',
      false,
      {
        openingAccounts: 3,
        openingArr: 180_000,
        closingArr: 150_000,
        expansionArr: 20_000,
        contractionArr: 0,
        churnedAccounts: 1,
        churnedArr: 50_000,
        newAccounts: 1,
        newArr: 10_000,
        nrr: 0.8333,
        grr: 0.7222,
        logoChurnRate: 0.3333,
        revenueChurnRate: 0.2778,
      },
    ],
    [
      // Opening (28 Feb): A 120k + C 30k + D 10k = 160k; nothing moves by 20 March: NRR = GRR = 1.
      '2026-03',
      true,
      {
        openingAccounts: 3,
        openingArr: 160_000,
        closingArr: 160_000,
        expansionArr: 0,
        contractionArr: 0,
        churnedAccounts: 0,
        churnedArr: 0,
        newAccounts: 0,
        newArr: 0,
        nrr: 1,
        grr: 1,
        logoChurnRate: 0,
        revenueChurnRate: 0,
      },
    ],
  ])('%s (partial: %s)', (month, partial, expected) => {
    const row = report.months.find((candidate) => candidate.month === month);
    expect(row?.partial).toBe(partial);
    expect(pick(row!.monthly)).toEqual(expected);
  });

  it('runs the running month to asOf and starts each month on its first day', () => {
    const march = report.months[2]!;
    expect(march.monthly.from).toBe(at('2026-03-01'));
    expect(march.monthly.to).toBe(asOf);
    expect(report.months[0]!.monthly.to).toBe(at('2026-02-01') - 1);
  });

  it('trailing 12 months to February 2026', () => {
    // Window March 2025 – February 2026. Opening (28 Feb 2025): A 100k + C 40k + E 25k = 165k (B starts 1 March).
    // Closing: A 120k + C 30k + E 0 = 150k; expansion 20k, contraction 10k, E churned 25k; D new (B came and went).
    // NRR 150/165 = 0.9091; GRR (165 − 25 − 10)/165 = 0.7879; logo churn 1/3; revenue churn 35/165 = 0.2121.
    const february = report.months[1]!;
    expect(february.trailing12.from).toBe(at('2025-03-01'));
    expect(pick(february.trailing12)).toEqual({
      openingAccounts: 3,
      openingArr: 165_000,
      closingArr: 150_000,
      expansionArr: 20_000,
      contractionArr: 10_000,
      churnedAccounts: 1,
      churnedArr: 25_000,
      newAccounts: 1,
      newArr: 10_000,
      nrr: 0.9091,
      grr: 0.7879,
      logoChurnRate: 0.3333,
      revenueChurnRate: 0.2121,
    });
  });

  it('reports the latest trailing year as the headline', () => {
    // Window April 2025 – 20 March 2026: opening A 100k + B 50k + C 40k + E 25k = 215k;
    // closing A 120k + C 30k + D is new → 150k: NRR 150/215 = 0.6977.
    expect(report.trailing12.nrr).toBe(0.6977);
    expect(report.trailing12.churnedAccounts).toBe(2);
    expect(report.definitions.nrr).toMatch(/^NRR = ARR at the end of the period/);
  });
});

describe('retention definitions change the figures', () => {
  it.each<[string, Parameters<typeof definitions>[0], string, Partial<Expected>]>([
    [
      // Contraction left out of GRR: February trailing GRR = (165 − 25)/165 = 0.8485; revenue churn 25/165 = 0.1515.
      'contraction not in GRR',
      { contractionInGrr: false },
      'trailing:2026-02',
      { grr: 0.8485, revenueChurnRate: 0.1515, nrr: 0.9091 },
    ],
    [
      // B's contract (from 1 Mar 2025, 12 months) ends 1 Mar 2026, so February keeps B:
      // closing A 120k + B 50k + C 30k = 200k against 180k → NRR 1.1111, GRR 1.
      'churn at contract end (February)',
      { churnCountsIn: 'contract_end' },
      'monthly:2026-02',
      { nrr: 1.1111, grr: 1, churnedAccounts: 0 },
    ],
    [
      // ...and March loses it: opening A 120k + B 50k + C 30k + D 10k = 210k, closing 160k → NRR 0.7619, logo churn 1/4.
      'churn at contract end (March)',
      { churnCountsIn: 'contract_end' },
      'monthly:2026-03',
      { nrr: 0.7619, grr: 0.7619, churnedAccounts: 1, logoChurnRate: 0.25, churnedArr: 50_000 },
    ],
  ])('%s', (_name, overrides, where, expected) => {
    const report = retentionReport(book, { asOf, months: 3, definitions: definitions(overrides) });
    const [kind, month] = where.split(':') as ['monthly' | 'trailing', string];
    const row = report.months.find((candidate) => candidate.month === month)!;
    expect(kind === 'monthly' ? row.monthly : row.trailing12).toMatchObject(expected);
  });

  it('rounds ARR to the configured decimals', () => {
    const cents = [account('X', [deal('new_business', 'won', '2025-01-01', 1_000.456)])];
    const figures = retentionOver(cents, at('2026-01-01'), at('2026-01-31'), definitions({ currencyDecimals: 2 }));
    expect(figures.openingArr).toBe(1_000.46);
    expect(retentionOver(cents, at('2026-01-01'), at('2026-01-31'), definitions()).openingArr).toBe(1_000);
  });
});

describe('slices', () => {
  it('a subset of the timeline equals the report of the subset', () => {
    const tagged = book.map((entry, index) => ({ ...entry, csm: index % 2 === 0 ? 'csm-a' : 'csm-b' }));
    const timeline = arrTimeline(tagged, { asOf, months: 3, definitions: definitions() });
    const sliced = retentionFromTimeline(timeline, (entry) => entry.csm === 'csm-a');
    const direct = retentionReport(
      tagged.filter((entry) => entry.csm === 'csm-a'),
      { asOf, months: 3, definitions: definitions() },
    );
    expect(sliced).toEqual(direct);
  });

  it('an empty book has no rates, not zero rates', () => {
    const report = retentionReport([], { asOf, months: 1, definitions: definitions() });
    expect(report.trailing12).toMatchObject({ openingAccounts: 0, nrr: null, grr: null, logoChurnRate: null });
  });

  it('agrees with retentionOver on the same period', () => {
    const report = retentionReport(book, { asOf, months: 3, definitions: definitions() });
    const february = report.months[1]!;
    expect(retentionOver(book, february.monthly.from, february.monthly.to, definitions())).toEqual(february.monthly);
  });
});

describe('calendar helpers', () => {
  it.each([
    ['2025-01-31', 1, '2025-02-28'],
    ['2024-01-31', 1, '2024-02-29'],
    ['2025-03-01', 12, '2026-03-01'],
    ['2025-11-15', 3, '2026-02-15'],
  ])('%s + %d months = %s', (from, months, to) => {
    expect(addCalendarMonths(at(from), months)).toBe(at(to));
  });

  it('leaves deals alone when churn counts at the lost renewal', () => {
    const deals = book[1]!.deals;
    expect(dealsAsDefined(deals, definitions())).toBe(deals);
    expect(dealsAsDefined(deals, definitions({ churnCountsIn: 'contract_end' }))[1]?.closeDate).toBe(at('2026-03-01'));
  });
});
