import { z } from 'zod';

/**
 * Days and periods of a brief, all in UTC. A period is a run of whole days, both ends included;
 * its figures count what happened from the start day's midnight to the midnight after the end day.
 */

export const DAY_MS = 86_400_000;

export const isoDaySchema = z.iso.date();

export const periodSchema = z
  .strictObject({ start: isoDaySchema, end: isoDaySchema })
  .refine((period) => period.start <= period.end, { message: 'the period must start on or before its end' });
export type Period = z.infer<typeof periodSchema>;

/** Midnight UTC of a `YYYY-MM-DD` day, epoch ms. */
export const dayStart = (day: string): number => Date.parse(`${day}T00:00:00Z`);
export const isoDay = (at: number): string => new Date(at).toISOString().slice(0, 10);
export const addDays = (day: string, days: number): string => isoDay(dayStart(day) + days * DAY_MS);
/** Whole days from `from` to `to` (negative when `to` is earlier). */
export const daysBetween = (from: string, to: string): number => Math.round((dayStart(to) - dayStart(from)) / DAY_MS);
export const periodDays = (period: Period): number => daysBetween(period.start, period.end) + 1;

/** The default length of a QBR period. */
export const QBR_PERIOD_DAYS = 90;

/**
 * The period a brief for a QBR on `qbrDate` covers: the `days` before the QBR, cut at the day of `at`
 * when the QBR is still ahead (nothing after today can be counted yet).
 */
export function qbrPeriod(qbrDate: string, at: number, days = QBR_PERIOD_DAYS): Period {
  if (!Number.isInteger(days) || days < 1) throw new RangeError(`a period needs at least one day, got ${days}`);
  const dayBefore = addDays(qbrDate, -1);
  const today = isoDay(at);
  const end = dayBefore < today ? dayBefore : today;
  return { start: addDays(end, -(days - 1)), end };
}

/** The equally long period just before `period`: what "before" figures compare with. */
export function periodBefore(period: Period): Period {
  const days = periodDays(period);
  return { start: addDays(period.start, -days), end: addDays(period.start, -1) };
}

/**
 * The first and last `windowDays` of a period, which usage trends compare: 30 days each, or each half
 * of a period shorter than 60 days, so the two never overlap.
 */
export function periodWindows(period: Period): { first: Period; last: Period; days: number } {
  const days = Math.max(1, Math.min(30, Math.floor(periodDays(period) / 2)));
  return {
    first: { start: period.start, end: addDays(period.start, days - 1) },
    last: { start: addDays(period.end, -(days - 1)), end: period.end },
    days,
  };
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

function parts(day: string): { year: string; month: string; date: number } {
  const [year = '', month = '01', date = '1'] = day.split('-');
  return { year, month: MONTHS[Number(month) - 1] ?? month, date: Number(date) };
}

/** "29 Sep 2026". */
export function formatDay(day: string): string {
  const { year, month, date } = parts(day);
  return `${date} ${month} ${year}`;
}

/** "1 Jul–29 Sep 2026", or "15 Dec 2025–14 Mar 2026" across a year, or "3 Jul 2026" for one day. */
export function formatPeriod(period: Period): string {
  if (period.start === period.end) return formatDay(period.start);
  const from = parts(period.start);
  const to = parts(period.end);
  const head = from.year === to.year ? `${from.date} ${from.month}` : formatDay(period.start);
  return `${head}–${formatDay(period.end)}`;
}
