/**
 * Calendar months and quarters in UTC, the periods every retention and NPS figure is reported by.
 * A month is named `YYYY-MM`, a quarter `YYYY-Qn`; boundaries are epoch ms at 00:00 UTC.
 */

export type MonthKey = string;
export type QuarterKey = string;

const MONTH_KEY = /^(\d{4})-(0[1-9]|1[0-2])$/;

/** Months since 0000-01 of an instant: a single number that steps by one per month. */
export function monthIndexOf(t: number): number {
  const date = new Date(t);
  return date.getUTCFullYear() * 12 + date.getUTCMonth();
}

export function monthStart(index: number): number {
  return Date.UTC(Math.floor(index / 12), index % 12, 1);
}

export function monthKeyOfIndex(index: number): MonthKey {
  return `${String(Math.floor(index / 12)).padStart(4, '0')}-${String((index % 12) + 1).padStart(2, '0')}`;
}

export const monthKeyOf = (t: number): MonthKey => monthKeyOfIndex(monthIndexOf(t));

/** The month index of a `YYYY-MM` key, or null when it is not one. */
export function parseMonthKey(key: string): number | null {
  const match = MONTH_KEY.exec(key);
  if (!match) return null;
  return Number(match[1]) * 12 + Number(match[2]) - 1;
}

/** Quarters since year 0 of an instant. */
export const quarterIndexOf = (t: number): number => Math.floor(monthIndexOf(t) / 3);

export const quarterStart = (index: number): number => monthStart(index * 3);

export function quarterKeyOfIndex(index: number): QuarterKey {
  return `${String(Math.floor(index / 4)).padStart(4, '0')}-Q${(index % 4) + 1}`;
}

export const quarterKeyOf = (t: number): QuarterKey => quarterKeyOfIndex(quarterIndexOf(t));

/** The start of the month `months` after the one holding t (negative goes back). */
export const addMonths = (t: number, months: number): number => monthStart(monthIndexOf(t) + months);
