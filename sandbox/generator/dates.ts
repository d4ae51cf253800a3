/**
 * Calendar arithmetic on whole UTC days. The generator works in day numbers (days since
 * 1970-01-01) so that a year of daily usage for thousands of accounts stays cheap.
 */

const MS_PER_DAY = 86_400_000;

export function parseDay(day: string): number {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (!match) throw new Error(`not a day (YYYY-MM-DD): ${day}`);
  const ms = Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]));
  const dayNumber = ms / MS_PER_DAY;
  if (formatDay(dayNumber) !== day) throw new Error(`not a calendar day: ${day}`);
  return dayNumber;
}

export function formatDay(dayNumber: number): string {
  return new Date(dayNumber * MS_PER_DAY).toISOString().slice(0, 10);
}

/** An instant within a day, `secondOfDay` in [0, 86400). */
export function formatInstant(dayNumber: number, secondOfDay: number): string {
  return new Date(dayNumber * MS_PER_DAY + Math.floor(secondOfDay) * 1000).toISOString();
}

export function instantDay(instant: string): number {
  return Math.floor(Date.parse(instant) / MS_PER_DAY);
}

/** Calendar months later (or earlier when negative), clamped to the month's last day. */
export function addMonths(dayNumber: number, months: number): number {
  const date = new Date(dayNumber * MS_PER_DAY);
  const year = date.getUTCFullYear();
  const month = date.getUTCMonth() + months;
  const lastDay = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  return Date.UTC(year, month, Math.min(date.getUTCDate(), lastDay)) / MS_PER_DAY;
}

/** 0 = Sunday … 6 = Saturday. */
export function weekday(dayNumber: number): number {
  return (dayNumber + 4) % 7;
}

/** Formats each day once: a year of usage for 10,000 accounts repeats the same 365 strings. */
export class DayFormatter {
  private readonly cache = new Map<number, string>();

  format(dayNumber: number): string {
    let text = this.cache.get(dayNumber);
    if (text === undefined) {
      text = formatDay(dayNumber);
      this.cache.set(dayNumber, text);
    }
    return text;
  }
}

/**
 * Public holidays on which B2B usage collapses: fixed dates plus the movable US ones (Memorial Day,
 * Labor Day, Thanksgiving and the Friday after), enough to give the series realistic dips.
 */
export function isHoliday(dayNumber: number): boolean {
  const date = new Date(dayNumber * MS_PER_DAY);
  const month = date.getUTCMonth() + 1;
  const dom = date.getUTCDate();
  const dow = date.getUTCDay();
  if (month === 1 && dom === 1) return true;
  if (month === 7 && dom === 4) return true;
  if (month === 12 && (dom === 24 || dom === 25 || dom === 26 || dom === 31)) return true;
  if (month === 5 && dow === 1 && dom > 24) return true;
  if (month === 9 && dow === 1 && dom <= 7) return true;
  if (month === 11 && dow === 4 && dom >= 22 && dom <= 28) return true;
  if (month === 11 && dow === 5 && dom >= 23 && dom <= 29) return true;
  return false;
}
