import { describe, expect, it } from 'vitest';
import { dateLiteralRange } from '../../../sandbox/salesforce/soql-date-literals.ts';

// Wednesday 2026-05-13 15:30 UTC.
const NOW = Date.parse('2026-05-13T15:30:00Z');
const day = (iso: string) => Date.parse(`${iso}T00:00:00Z`);

describe('SOQL date literal ranges [start, end)', () => {
  it.each([
    ['YESTERDAY', '2026-05-12', '2026-05-13'],
    ['TODAY', '2026-05-13', '2026-05-14'],
    ['TOMORROW', '2026-05-14', '2026-05-15'],
    ['LAST_WEEK', '2026-05-03', '2026-05-10'],
    ['THIS_WEEK', '2026-05-10', '2026-05-17'],
    ['NEXT_WEEK', '2026-05-17', '2026-05-24'],
    ['LAST_MONTH', '2026-04-01', '2026-05-01'],
    ['THIS_MONTH', '2026-05-01', '2026-06-01'],
    ['NEXT_MONTH', '2026-06-01', '2026-07-01'],
    ['LAST_90_DAYS', '2026-02-12', '2026-05-14'],
    ['NEXT_90_DAYS', '2026-05-14', '2026-08-12'],
    ['LAST_QUARTER', '2026-01-01', '2026-04-01'],
    ['THIS_QUARTER', '2026-04-01', '2026-07-01'],
    ['NEXT_QUARTER', '2026-07-01', '2026-10-01'],
    ['LAST_YEAR', '2025-01-01', '2026-01-01'],
    ['THIS_YEAR', '2026-01-01', '2027-01-01'],
    ['NEXT_YEAR', '2027-01-01', '2028-01-01'],
    ['LAST_N_DAYS:7', '2026-05-06', '2026-05-14'],
    ['NEXT_N_DAYS:3', '2026-05-14', '2026-05-17'],
    ['N_DAYS_AGO:2', '2026-05-11', '2026-05-12'],
    ['LAST_N_WEEKS:2', '2026-04-26', '2026-05-10'],
    ['NEXT_N_WEEKS:1', '2026-05-17', '2026-05-24'],
    ['LAST_N_MONTHS:2', '2026-03-01', '2026-05-01'],
    ['NEXT_N_MONTHS:2', '2026-06-01', '2026-08-01'],
    ['N_MONTHS_AGO:12', '2025-05-01', '2025-06-01'],
    ['LAST_N_QUARTERS:2', '2025-10-01', '2026-04-01'],
    ['NEXT_N_YEARS:1', '2027-01-01', '2028-01-01'],
    ['last_n_days:1', '2026-05-12', '2026-05-14'],
    ['N_QUARTERS_AGO:1', '2026-01-01', '2026-04-01'],
    ['N_YEARS_AGO:2', '2024-01-01', '2025-01-01'],
    ['THIS_FISCAL_QUARTER', '2026-04-01', '2026-07-01'],
    ['LAST_N_FISCAL_YEARS:1', '2025-01-01', '2026-01-01'],
  ])('%s is %s to %s', (literal, start, end) => {
    expect(dateLiteralRange(literal, NOW)).toEqual({ start: day(start), end: day(end) });
  });

  it.each(['LAST_FORTNIGHT', 'LAST_N_DAYS:x', 'LAST_N_DAYS:-1', 'NEXT_WEEKS:2'])('%s is unknown', (literal) => {
    expect(dateLiteralRange(literal, NOW)).toBeUndefined();
  });
});
