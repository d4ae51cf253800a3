import { DEFAULT_FORMAT, formatDay, formatMoney, formatShare } from '@bellwether/card-view';

/**
 * How the dashboard writes its numbers. The Chromium tests format the API's values with these same
 * functions, so "the screen equals the API" is checked character for character.
 */

export const LOCALE = DEFAULT_FORMAT.locale;

export const money = (amount: number | null | undefined, currency: string = DEFAULT_FORMAT.currency): string =>
  amount === null || amount === undefined ? '—' : formatMoney(amount, { locale: LOCALE, currency });

/** Large ARR on tiles and axes: `$1.2M`, `$830K`. */
export const compactMoney = (amount: number, currency: string = DEFAULT_FORMAT.currency): string =>
  new Intl.NumberFormat(LOCALE, {
    style: 'currency',
    currency,
    currencyDisplay: 'narrowSymbol',
    notation: 'compact',
    maximumFractionDigits: 1,
  })
    .format(amount)
    .replace(/^-/, '\u2212');

export const count = (value: number | null | undefined): string =>
  value === null || value === undefined
    ? '—'
    : new Intl.NumberFormat(LOCALE, { maximumFractionDigits: 0 }).format(value);

/** 0–1 → `82%`. */
export const share = (value: number | null | undefined): string =>
  value === null || value === undefined ? '—' : formatShare(value, { locale: LOCALE });

/** 0–1 → `82.4%`: retention rates move by tenths, so they keep one decimal. */
export const rate = (value: number | null | undefined): string =>
  value === null || value === undefined
    ? '—'
    : new Intl.NumberFormat(LOCALE, { style: 'percent', minimumFractionDigits: 1, maximumFractionDigits: 1 }).format(
        value,
      );

/** An NPS (−100…100), signed so a negative score is unmistakable. */
export const nps = (value: number | null | undefined): string =>
  value === null || value === undefined
    ? '—'
    : new Intl.NumberFormat(LOCALE, { maximumFractionDigits: 0, signDisplay: 'exceptZero' })
        .format(value)
        .replace(/^-/, '\u2212');

export const decimal = (value: number | null | undefined, digits = 1): string =>
  value === null || value === undefined
    ? '—'
    : new Intl.NumberFormat(LOCALE, { minimumFractionDigits: digits, maximumFractionDigits: digits }).format(value);

export const day = (value: string | null | undefined): string =>
  value ? formatDay(value.slice(0, 10), { locale: LOCALE }) : '—';

/** `2026-07` → `Jul 2026`. */
export const month = (value: string): string =>
  new Intl.DateTimeFormat(LOCALE, { month: 'short', year: 'numeric', timeZone: 'UTC' }).format(
    new Date(`${value.slice(0, 7)}-01T00:00:00Z`),
  );

export const instant = (value: string | null | undefined): string =>
  value
    ? new Intl.DateTimeFormat(LOCALE, {
        day: 'numeric',
        month: 'short',
        year: 'numeric',
        hour: '2-digit',
        minute: '2-digit',
        timeZone: 'UTC',
        timeZoneName: 'short',
      }).format(new Date(value))
    : '—';
