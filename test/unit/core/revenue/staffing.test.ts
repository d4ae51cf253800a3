import { describe, expect, it } from 'vitest';
import {
  applyStaffingWhatIf,
  expectedNewPerMonth,
  staffingForecast,
  staffingInputFrom,
  staffingWhatIfSchema,
  type StaffingInput,
} from '../../../../server/core/revenue/staffing.ts';
import { DEFAULT_ANALYTICS_SETTINGS } from '../../../../server/core/revenue/analytics-settings.ts';
import { jsonPath } from '../../../../server/core/json-path.ts';
import { at, deal } from './fixtures.ts';

/**
 * Today (March 2026): 30 high-touch, 100 low-touch and 1,000 tech-touch accounts at loads of 15, 50
 * and 500 → 2 + 2 + 2 = 6 CSMs needed, and 6 on the team. Each month brings 3 / 10 / 100 new
 * accounts; low and tech touch lose 10% a month, high touch nothing.
 */
const base: StaffingInput = {
  asOf: at('2026-03-10T09:00:00Z'),
  months: 6,
  accounts: { high_touch: 30, low_touch: 100, tech_touch: 1_000 },
  capacity: { high_touch: 2, low_touch: 2, tech_touch: 2 },
  newPerMonth: { high_touch: 3, low_touch: 10, tech_touch: 100 },
  churn: { kind: 'rate', monthly: { high_touch: 0, low_touch: 0.1, tech_touch: 0.1 } },
  targetLoad: { high_touch: 15, low_touch: 50, tech_touch: 500 },
  plannedHires: [],
};

describe('staffingForecast', () => {
  it('today: 30/15 + 100/50 + 1000/500 = 6 needed against 6 on the team', () => {
    const { current } = staffingForecast(base);
    expect(current).toMatchObject({
      month: '2026-03',
      totalNeeded: 6,
      totalNeededRounded: 6,
      totalCapacity: 6,
      gap: 0,
    });
    expect(current.short).toBe(false);
  });

  it.each([
    // month, high-touch accounts, total needed (fractional), rounded, capacity, gap
    // Low touch: 100 + 10 − 10% of 100 = 100 every month; tech: 1000 + 100 − 100 = 1000; high grows by 3.
    // April: high 30 + 3 = 33 → 33/15 = 2.2; total 2.2 + 2 + 2 = 6.2 → 7 people against 6: short by 1.
    ['2026-04', 33, 6.2, 7, 6, -1],
    // May: 36/15 = 2.4 → 6.4 → 7.
    ['2026-05', 36, 6.4, 7, 6, -1],
    // August: 45/15 = 3 exactly → 7.0 → 7 (no rounding up on float noise).
    ['2026-08', 45, 7, 7, 6, -1],
    // September: 48/15 = 3.2 → 7.2 → 8.
    ['2026-09', 48, 7.2, 8, 6, -2],
  ])(
    '%s: %d high-touch accounts need %d CSMs (%d rounded) against %d: gap %d',
    (month, high, total, rounded, capacity, gap) => {
      const row = staffingForecast(base).months.find((candidate) => candidate.month === month)!;
      expect(row.accounts).toEqual({ high_touch: high, low_touch: 100, tech_touch: 1_000 });
      expect(row.churnedAccounts).toEqual({ high_touch: 0, low_touch: 10, tech_touch: 100 });
      expect(row).toMatchObject({ totalNeeded: total, totalNeededRounded: rounded, totalCapacity: capacity, gap });
    },
  );

  it('names the first month the team runs short', () => {
    expect(staffingForecast(base).firstShortMonth).toBe('2026-04');
  });

  it('counts planned hires from their month', () => {
    // One high-touch hire in April: capacity 7 covers 7 people needed through August; September needs 8.
    const forecast = staffingForecast({ ...base, plannedHires: [{ month: '2026-04', tier: 'high_touch', count: 1 }] });
    expect(forecast.months.map((row) => row.totalCapacity)).toEqual([7, 7, 7, 7, 7, 7]);
    expect(forecast.months.map((row) => row.gap)).toEqual([0, 0, 0, 0, 0, -1]);
    expect(forecast.firstShortMonth).toBe('2026-09');
    // Per tier, high touch in September: 3 CSMs − 48/15 = 3.2 needed = −0.2.
    expect(forecast.months[5]!.tierGap.high_touch).toBe(-0.2);
  });

  it('takes expected churn from the renewal forecast, and never loses more accounts than there are', () => {
    const forecast = staffingForecast({
      ...base,
      months: 3,
      churn: {
        kind: 'expected',
        perMonth: [
          { high_touch: 1, low_touch: 0, tech_touch: 0 },
          { high_touch: 50, low_touch: 0, tech_touch: 0 },
        ],
      },
    });
    // April: 30 + 3 − 1 = 32. May: 32 + 3 = 35 at most can leave, so 0. June: no forecast row → 0 + 3 = 3.
    expect(forecast.months.map((row) => row.accounts.high_touch)).toEqual([32, 0, 3]);
    expect(forecast.months.map((row) => row.churnedAccounts.high_touch)).toEqual([1, 35, 0]);
    expect(forecast.months[0]!.accounts.low_touch).toBe(110);
  });

  it('keeps a team with room long enough', () => {
    const roomy = staffingForecast({ ...base, capacity: { high_touch: 5, low_touch: 3, tech_touch: 3 } });
    expect(roomy.firstShortMonth).toBeNull();
  });

  it.each([
    [{ months: 0 }, /months must be a whole number from 1 to 24/],
    [{ targetLoad: { high_touch: 0, low_touch: 50, tech_touch: 500 } }, /target load for high_touch must be above 0/],
    [{ plannedHires: [{ month: 'April', tier: 'high_touch' as const, count: 1 }] }, /YYYY-MM/],
  ])('refuses an input it cannot forecast (%j)', (change, message) => {
    expect(() => staffingForecast({ ...base, ...change })).toThrow(message);
  });
});

describe('expectedNewPerMonth', () => {
  it('averages the won new business of the last full months by tier', () => {
    // As of 10 March 2026 with 6 months: September 2025 to February 2026 count. High: 1 deal (1 Sep) → 1/6;
    // low: 28 Feb counts, 1 March (this month) does not → 1/6; tech: 31 Aug is too early → 0.
    const accounts = [
      { tier: 'high_touch' as const, deals: [deal('new_business', 'won', '2025-09-01', 1)] },
      {
        tier: 'low_touch' as const,
        deals: [deal('new_business', 'won', '2026-02-28', 1), deal('renewal', 'won', '2026-01-10', 1)],
      },
      { tier: 'low_touch' as const, deals: [deal('new_business', 'won', '2026-03-01', 1)] },
      {
        tier: 'tech_touch' as const,
        deals: [deal('new_business', 'won', '2025-08-31', 1), deal('new_business', 'lost', '2025-12-01', 1)],
      },
    ];
    expect(expectedNewPerMonth(accounts, at('2026-03-10'), 6)).toEqual({
      high_touch: 1 / 6,
      low_touch: 1 / 6,
      tech_touch: 0,
    });
  });
});

describe('what-if', () => {
  it('replaces only what the form names', () => {
    const whatIf = staffingWhatIfSchema.parse({
      months: 12,
      newPerMonth: { high_touch: 6 },
      targetLoad: { low_touch: 40 },
      monthlyChurnPct: 2,
      plannedHires: [{ month: '2026-05', tier: 'low_touch', count: 2 }],
    });
    const input = applyStaffingWhatIf(base, whatIf);
    expect(input.months).toBe(12);
    expect(input.newPerMonth).toEqual({ high_touch: 6, low_touch: 10, tech_touch: 100 });
    expect(input.targetLoad).toEqual({ high_touch: 15, low_touch: 40, tech_touch: 500 });
    expect(input.churn).toEqual({ kind: 'rate', monthly: { high_touch: 0.02, low_touch: 0.02, tech_touch: 0.02 } });
    expect(staffingForecast(input).months).toHaveLength(12);
    expect(applyStaffingWhatIf(base, {})).toEqual(base);
  });

  it.each([
    [{ months: 30 }, '$.months', 'forecast at most 24 months'],
    [{ months: 2.5 }, '$.months', 'months must be a whole number'],
    [{ targetLoad: { high_touch: 0 } }, '$.targetLoad.high_touch', 'target load for high touch must be above 0'],
    [
      { newPerMonth: { tech_touch: -1 } },
      '$.newPerMonth.tech_touch',
      'new customers per month for tech touch cannot be negative',
    ],
    [
      { newPerMonth: { tech_touch: 'ten' } },
      '$.newPerMonth.tech_touch',
      'new customers per month for tech touch must be a number',
    ],
    [{ monthlyChurnPct: 150 }, '$.monthlyChurnPct', 'the churn rate is a percentage, at most 100'],
    [
      { plannedHires: [{ month: '2026-13', tier: 'low_touch', count: 1 }] },
      '$.plannedHires[0].month',
      'a hire month is written YYYY-MM',
    ],
    [
      { plannedHires: [{ month: '2026-05', tier: 'vip', count: 1 }] },
      '$.plannedHires[0].tier',
      'the tier is high_touch, low_touch or tech_touch',
    ],
    [
      { plannedHires: [{ month: '2026-05', tier: 'low_touch', count: 0 }] },
      '$.plannedHires[0].count',
      'plan at least one hire',
    ],
  ])('%j → %s: %s', (input, path, message) => {
    const result = staffingWhatIfSchema.safeParse(input);
    expect(result.success).toBe(false);
    const issues = result.error!.issues.map((issue) => ({ path: jsonPath(issue.path), message: issue.message }));
    expect(issues).toContainEqual({ path, message });
  });

  it('builds the input from the settings', () => {
    const input = staffingInputFrom(DEFAULT_ANALYTICS_SETTINGS.staffing, {
      asOf: base.asOf,
      accounts: base.accounts,
      capacity: base.capacity,
      newPerMonth: base.newPerMonth,
      churn: base.churn,
    });
    expect(input).toEqual({ ...base, months: 6 });
  });
});
