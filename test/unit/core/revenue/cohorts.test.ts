import { describe, expect, it } from 'vitest';
import { cohortRetention, customerSince } from '../../../../server/core/revenue/cohorts.ts';
import { account, at, deal, definitions } from './fixtures.ts';

/**
 * As of 20 March 2026, three start quarters (2025-Q3 … 2026-Q1):
 *   P: started 10 Jul 2025 at 100k, +20k expansion on 1 Nov 2025.       (2025-Q3)
 *   Q: started 1 Aug 2025 at 50k, renewal lost 15 Dec 2025.             (2025-Q3)
 *   R: started 5 Oct 2025 at 40k.                                        (2025-Q4)
 *   S: started 1 Feb 2026 at 10k.                                        (2026-Q1)
 *   T: started 1 Apr 2025: before the first reported quarter, left out.
 */
const book = [
  account('P', [deal('new_business', 'won', '2025-07-10', 100_000), deal('expansion', 'won', '2025-11-01', 20_000)]),
  account('Q', [deal('new_business', 'won', '2025-08-01', 50_000), deal('renewal', 'lost', '2025-12-15')]),
  account('R', [deal('new_business', 'won', '2025-10-05', 40_000)]),
  account('S', [deal('new_business', 'won', '2026-02-01', 10_000)]),
  account('T', [deal('new_business', 'won', '2025-04-01', 5_000)]),
  account('never', [deal('new_business', 'lost', '2025-09-01', 5_000)]),
];
const asOf = at('2026-03-20');

describe('cohortRetention', () => {
  const report = cohortRetention(book, { asOf, quarters: 3, definitions: definitions() });

  it('groups customers by the quarter they started', () => {
    expect(report.cohorts.map((cohort) => [cohort.cohort, cohort.accounts, cohort.startingArr])).toEqual([
      ['2025-Q3', 2, 150_000],
      ['2025-Q4', 1, 40_000],
      ['2026-Q1', 1, 10_000],
    ]);
  });

  it.each([
    // offset, logos, logo retention, ARR, ARR retention, gross ARR retention
    // End of Q3: P 100k + Q 50k, both paying → 1, 1, 1.
    [0, 2, 1, 150_000, 1, 1],
    // End of Q4: P 120k, Q lost → logos 1/2; ARR 120/150 = 0.8; gross min(120, 100)/150 = 0.6667.
    [1, 1, 0.5, 120_000, 0.8, 0.6667],
    // 2026-Q1 so far: unchanged.
    [2, 1, 0.5, 120_000, 0.8, 0.6667],
  ])('the 2025-Q3 cohort at +%d quarters', (offset, logos, logoRetention, arr, arrRetention, grossArrRetention) => {
    expect(report.cohorts[0]!.quarters[offset]).toMatchObject({
      logos,
      logoRetention,
      arr,
      arrRetention,
      grossArrRetention,
    });
  });

  it('marks the running quarter and stops at it', () => {
    expect(report.cohorts.map((cohort) => cohort.quarters.map((quarter) => quarter.partial))).toEqual([
      [false, false, true],
      [false, true],
      [true],
    ]);
  });

  it('leaves out customers younger than the minimum tenure', () => {
    // S has been a customer 47 days on 20 March: with a 60-day minimum its cohort is empty.
    const tenured = cohortRetention(book, { asOf, quarters: 3, definitions: definitions({ minTenureDays: 60 }) });
    expect(tenured.cohorts[2]).toMatchObject({ accounts: 0, startingArr: 0 });
    expect(tenured.cohorts[2]!.quarters[0]!.logoRetention).toBe(0);
    expect(tenured.definition).toMatch(/60 days/);
  });

  it('finds when a customer started', () => {
    expect(customerSince(book[0]!.deals)).toBe(at('2025-07-10'));
    expect(customerSince(book[5]!.deals)).toBeNull();
  });
});
