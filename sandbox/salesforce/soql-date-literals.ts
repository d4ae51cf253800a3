/**
 * SOQL date literals (TODAY, LAST_N_DAYS:n, THIS_QUARTER, …) as half-open UTC ranges
 * [start, end) in epoch milliseconds. The stand-in's orgs run in UTC with weeks starting on Sunday
 * (the en_US locale); their fiscal year is the calendar year (Salesforce's default), so the
 * FISCAL literals equal the calendar ones.
 */

export interface DateRange {
  start: number;
  end: number;
}

const DAY = 86_400_000;

function startOfDay(ms: number): number {
  return Math.floor(ms / DAY) * DAY;
}

function addMonths(ms: number, months: number): number {
  const date = new Date(ms);
  return Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + months, 1);
}

function startOfMonth(ms: number): number {
  const date = new Date(ms);
  return Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), 1);
}

function startOfWeek(ms: number): number {
  const day = startOfDay(ms);
  return day - new Date(day).getUTCDay() * DAY;
}

function startOfQuarter(ms: number): number {
  const date = new Date(ms);
  return Date.UTC(date.getUTCFullYear(), Math.floor(date.getUTCMonth() / 3) * 3, 1);
}

function startOfYear(ms: number): number {
  return Date.UTC(new Date(ms).getUTCFullYear(), 0, 1);
}

function days(start: number, count: number): DateRange {
  return { start, end: start + count * DAY };
}

/** The range a literal names at `now`, or undefined when the literal is unknown. */
export function dateLiteralRange(literal: string, now: number): DateRange | undefined {
  const today = startOfDay(now);
  const [name, rawN] = literal.toUpperCase().replace('_FISCAL_', '_').split(':') as [string, string | undefined];
  const n = rawN === undefined ? undefined : Number(rawN);
  if (rawN !== undefined && (!Number.isInteger(n) || (n as number) < 0)) return undefined;

  const week = startOfWeek(now);
  const month = startOfMonth(now);
  const quarter = startOfQuarter(now);
  const year = startOfYear(now);
  const fixed: Record<string, () => DateRange> = {
    YESTERDAY: () => days(today - DAY, 1),
    TODAY: () => days(today, 1),
    TOMORROW: () => days(today + DAY, 1),
    LAST_WEEK: () => days(week - 7 * DAY, 7),
    THIS_WEEK: () => days(week, 7),
    NEXT_WEEK: () => days(week + 7 * DAY, 7),
    LAST_MONTH: () => ({ start: addMonths(month, -1), end: month }),
    THIS_MONTH: () => ({ start: month, end: addMonths(month, 1) }),
    NEXT_MONTH: () => ({ start: addMonths(month, 1), end: addMonths(month, 2) }),
    LAST_90_DAYS: () => ({ start: today - 90 * DAY, end: today + DAY }),
    NEXT_90_DAYS: () => days(today + DAY, 90),
    LAST_QUARTER: () => ({ start: addMonths(quarter, -3), end: quarter }),
    THIS_QUARTER: () => ({ start: quarter, end: addMonths(quarter, 3) }),
    NEXT_QUARTER: () => ({ start: addMonths(quarter, 3), end: addMonths(quarter, 6) }),
    LAST_YEAR: () => ({ start: addMonths(year, -12), end: year }),
    THIS_YEAR: () => ({ start: year, end: addMonths(year, 12) }),
    NEXT_YEAR: () => ({ start: addMonths(year, 12), end: addMonths(year, 24) }),
  };
  if (n === undefined) return fixed[name]?.();

  const withN: Record<string, (count: number) => DateRange> = {
    // "Starts with the current day and continues for the past n days": today counts.
    LAST_N_DAYS: (count) => ({ start: today - count * DAY, end: today + DAY }),
    NEXT_N_DAYS: (count) => days(today + DAY, count),
    N_DAYS_AGO: (count) => days(today - count * DAY, 1),
    N_DAYS_FROM_NOW: (count) => days(today + count * DAY, 1),
    LAST_N_WEEKS: (count) => ({ start: week - count * 7 * DAY, end: week }),
    NEXT_N_WEEKS: (count) => days(week + 7 * DAY, count * 7),
    N_WEEKS_AGO: (count) => days(week - count * 7 * DAY, 7),
    LAST_N_MONTHS: (count) => ({ start: addMonths(month, -count), end: month }),
    NEXT_N_MONTHS: (count) => ({ start: addMonths(month, 1), end: addMonths(month, 1 + count) }),
    N_MONTHS_AGO: (count) => ({ start: addMonths(month, -count), end: addMonths(month, 1 - count) }),
    LAST_N_QUARTERS: (count) => ({ start: addMonths(quarter, -3 * count), end: quarter }),
    N_QUARTERS_AGO: (count) => ({ start: addMonths(quarter, -3 * count), end: addMonths(quarter, 3 - 3 * count) }),
    N_YEARS_AGO: (count) => ({ start: addMonths(year, -12 * count), end: addMonths(year, 12 - 12 * count) }),
    NEXT_N_QUARTERS: (count) => ({ start: addMonths(quarter, 3), end: addMonths(quarter, 3 + 3 * count) }),
    LAST_N_YEARS: (count) => ({ start: addMonths(year, -12 * count), end: year }),
    NEXT_N_YEARS: (count) => ({ start: addMonths(year, 12), end: addMonths(year, 12 + 12 * count) }),
  };
  const build = withN[name];
  return build ? build(n) : undefined;
}
