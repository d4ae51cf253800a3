/**
 * Numbers, money and dates in words. Every function takes the locale and time zone explicitly, so a
 * card renders the same text in a test, on the server and in either CRM's browser.
 */

export interface FormatOptions {
  /** BCP 47 locale, e.g. `en-GB`. */
  locale: string;
  /** IANA time zone for instants, e.g. `UTC` or `Europe/London`. */
  timeZone: string;
  /** ISO 4217 currency of revenue figures. */
  currency: string;
  /** The moment "2 hours ago" is measured from. */
  now: Date;
}

export const DEFAULT_FORMAT: Omit<FormatOptions, 'now'> = { locale: 'en-GB', timeZone: 'UTC', currency: 'USD' };

const MINUS = '\u2212';

/** Intl writes a hyphen-minus for negatives; typography wants a real minus sign. */
const withMinus = (text: string) => text.replace(/^-/, MINUS).replace(/(\s)-/, `$1${MINUS}`);

export function formatScore(score: number | null, { locale }: Pick<FormatOptions, 'locale'>): string {
  if (score === null) return '—';
  return new Intl.NumberFormat(locale, { maximumFractionDigits: 0 }).format(score);
}

/** `−8.2 pts`, `+3.0 pts`, `0.0 pts`: a signed effect on the score in points. */
export function formatPoints(points: number, { locale }: Pick<FormatOptions, 'locale'>): string {
  const number = new Intl.NumberFormat(locale, {
    minimumFractionDigits: 1,
    maximumFractionDigits: 1,
    signDisplay: 'exceptZero',
  }).format(points);
  return `${withMinus(number)} pts`;
}

/** 0–1 → `82%`. */
export function formatShare(share: number, { locale }: Pick<FormatOptions, 'locale'>): string {
  return new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 0 }).format(share);
}

export function formatMoney(amount: number, { locale, currency }: Pick<FormatOptions, 'locale' | 'currency'>): string {
  const text = new Intl.NumberFormat(locale, {
    style: 'currency',
    currency,
    currencyDisplay: 'narrowSymbol',
    maximumFractionDigits: 0,
  }).format(amount);
  return withMinus(text);
}

/** A calendar day (YYYY-MM-DD) is not an instant: it is written as is, whatever the time zone. */
export function formatDay(day: string, { locale }: Pick<FormatOptions, 'locale'>): string {
  return new Intl.DateTimeFormat(locale, { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' }).format(
    new Date(`${day}T00:00:00Z`),
  );
}

/** A short day for chart axes: `12 Jan`. */
export function formatShortDay(day: string, { locale }: Pick<FormatOptions, 'locale'>): string {
  return new Intl.DateTimeFormat(locale, { day: 'numeric', month: 'short', timeZone: 'UTC' }).format(
    new Date(`${day}T00:00:00Z`),
  );
}

/** An instant's date in the reader's time zone; the year only when it is not this year's. */
export function formatInstantDay(
  iso: string,
  { locale, timeZone, now }: Pick<FormatOptions, 'locale' | 'timeZone' | 'now'>,
): string {
  const at = new Date(iso);
  const year = (date: Date) => new Intl.DateTimeFormat('en', { year: 'numeric', timeZone }).format(date);
  const sameYear = year(at) === year(now);
  return new Intl.DateTimeFormat(locale, {
    day: 'numeric',
    month: 'short',
    ...(sameYear ? {} : { year: 'numeric' }),
    timeZone,
  }).format(at);
}

const UNITS: readonly [Intl.RelativeTimeFormatUnit, number][] = [
  ['day', 86_400_000],
  ['hour', 3_600_000],
  ['minute', 60_000],
];

/** `3 hours ago`, `yesterday`, `just now`. */
export function formatAgo(iso: string, { locale, now }: Pick<FormatOptions, 'locale' | 'now'>): string {
  const elapsed = now.getTime() - new Date(iso).getTime();
  if (elapsed < 60_000) return 'just now';
  const format = new Intl.RelativeTimeFormat(locale, { numeric: 'auto' });
  for (const [unit, ms] of UNITS) {
    if (elapsed >= ms) return format.format(-Math.floor(elapsed / ms), unit);
  }
  return 'just now';
}
