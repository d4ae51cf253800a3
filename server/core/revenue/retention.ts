import { arrAt, type DealFact } from '../health/facts.ts';
import { DAY_MS } from '../health/signals.ts';
import type { RetentionDefinitions, TouchTier } from './analytics-settings.ts';
import { monthIndexOf, monthKeyOfIndex, monthStart, type MonthKey } from './calendar.ts';
import { retentionDefinitionTexts } from './definitions.ts';
import { roundMoney, roundRatio } from './rounding.ts';

/** One customer as retention sees it: who holds it, how it is tiered, and its deals. */
export interface RetentionAccount {
  id: string;
  segment: string | null;
  touch: TouchTier | null;
  csm: string | null;
  deals: readonly DealFact[];
}

/**
 * The ARR movements of one period and the rates made from them. Ratios are fractions (1.05 = 105%),
 * null when nobody was a customer at the start; ARR is rounded to the definitions' currency decimals.
 */
export interface RetentionFigures {
  /** First instant of the period and its last (inclusive), epoch ms. */
  from: number;
  to: number;
  openingAccounts: number;
  openingArr: number;
  /** ARR at the end of the period of the customers active at its start (new customers excluded). */
  closingArr: number;
  expansionArr: number;
  contractionArr: number;
  churnedAccounts: number;
  churnedArr: number;
  /** Customers who were not paying at the start and are at the end; shown, never in a ratio. */
  newAccounts: number;
  newArr: number;
  nrr: number | null;
  grr: number | null;
  logoChurnRate: number | null;
  revenueChurnRate: number | null;
}

export interface RetentionMonth {
  month: MonthKey;
  /** The month is still running at asOf: its figures run to asOf, not to the month's end. */
  partial: boolean;
  monthly: RetentionFigures;
  /** The twelve months ending with this one. */
  trailing12: RetentionFigures;
}

export interface RetentionOptions {
  asOf: number;
  /** Calendar months reported, ending with the month holding asOf (default 12). */
  months?: number;
  definitions: RetentionDefinitions;
}

/**
 * Every account's ARR at each month boundary the report reads, computed once so that slices by
 * segment, touch tier or CSM only add up numbers again.
 */
export interface ArrTimeline {
  asOf: number;
  definitions: RetentionDefinitions;
  /** Month index (see calendar.ts) of the first month reported. */
  firstMonth: number;
  months: number;
  accounts: readonly RetentionAccount[];
  /**
   * ARR of account i at boundary b, at `i * boundaries + b`; boundary 0 is the end of the month 12
   * months before the first reported one, boundary b the end of the month after it (or asOf). NaN = no ARR yet.
   */
  arr: Float64Array;
  boundaries: number;
}

export interface RetentionReport {
  asOf: number;
  months: RetentionMonth[];
  /** The last twelve months ending at asOf (the latest month's trailing figure). */
  trailing12: RetentionFigures;
  /** The definition text written next to each figure. */
  definitions: Record<RetentionMetric, string>;
}

export const RETENTION_METRICS = [
  'nrr',
  'grr',
  'logo_churn_rate',
  'revenue_churn_rate',
  'expansion',
  'contraction',
  'new_business',
  'arr',
  'trailing_12',
] as const;
export type RetentionMetric = (typeof RETENTION_METRICS)[number];

const TRAILING = 12;

/** The last instant of a month, or asOf while the month is still running. */
const endOfMonth = (index: number, asOf: number) => Math.min(monthStart(index + 1) - 1, asOf);

export function arrTimeline(accounts: readonly RetentionAccount[], options: RetentionOptions): ArrTimeline {
  const months = options.months ?? 12;
  if (!Number.isInteger(months) || months < 1) throw new Error(`months must be a whole number ≥ 1, got ${months}`);
  const firstMonth = monthIndexOf(options.asOf) - months + 1;
  const boundaries = months + TRAILING;
  const instants: number[] = [];
  for (let b = 0; b < boundaries; b += 1) instants.push(endOfMonth(firstMonth - TRAILING + b, options.asOf));
  const arr = new Float64Array(accounts.length * boundaries);
  accounts.forEach((account, i) => {
    const deals = dealsAsDefined(account.deals, options.definitions);
    for (let b = 0; b < boundaries; b += 1) arr[i * boundaries + b] = arrAt(deals, instants[b] as number) ?? Number.NaN;
  });
  return { asOf: options.asOf, definitions: options.definitions, firstMonth, months, accounts, arr, boundaries };
}

/** Running sums of one period's movements; rates are made once the accounts are all in. */
class Movements {
  openingAccounts = 0;
  openingArr = 0;
  closingArr = 0;
  expansionArr = 0;
  contractionArr = 0;
  churnedAccounts = 0;
  churnedArr = 0;
  newAccounts = 0;
  newArr = 0;

  /** One account's ARR at the start (just before the period) and at its end; NaN = never paid yet. */
  add(opening: number, closing: number): void {
    const end = closing > 0 ? closing : 0;
    if (!(opening > 0)) {
      if (end > 0) {
        this.newAccounts += 1;
        this.newArr += end;
      }
      return;
    }
    this.openingAccounts += 1;
    this.openingArr += opening;
    this.closingArr += end;
    if (end === 0) {
      this.churnedAccounts += 1;
      this.churnedArr += opening;
    } else if (end > opening) this.expansionArr += end - opening;
    else this.contractionArr += opening - end;
  }

  figures(from: number, to: number, definitions: RetentionDefinitions): RetentionFigures {
    const decimals = definitions.currencyDecimals;
    const lostForGrr = this.churnedArr + (definitions.contractionInGrr ? this.contractionArr : 0);
    const ratio = (part: number, whole: number) => (whole > 0 ? roundRatio(part / whole) : null);
    return {
      from,
      to,
      openingAccounts: this.openingAccounts,
      openingArr: roundMoney(this.openingArr, decimals),
      closingArr: roundMoney(this.closingArr, decimals),
      expansionArr: roundMoney(this.expansionArr, decimals),
      contractionArr: roundMoney(this.contractionArr, decimals),
      churnedAccounts: this.churnedAccounts,
      churnedArr: roundMoney(this.churnedArr, decimals),
      newAccounts: this.newAccounts,
      newArr: roundMoney(this.newArr, decimals),
      nrr: ratio(this.closingArr, this.openingArr),
      grr: ratio(this.openingArr - lostForGrr, this.openingArr),
      logoChurnRate: ratio(this.churnedAccounts, this.openingAccounts),
      revenueChurnRate: ratio(lostForGrr, this.openingArr),
    };
  }
}

/** Retention of the timeline's accounts, or of those `include` keeps (a segment, a tier, a CSM). */
export function retentionFromTimeline(
  timeline: ArrTimeline,
  include?: (account: RetentionAccount) => boolean,
): RetentionReport {
  const { months, boundaries, arr, asOf, definitions, firstMonth } = timeline;
  const monthly = Array.from({ length: months }, () => new Movements());
  const trailing = Array.from({ length: months }, () => new Movements());
  timeline.accounts.forEach((account, i) => {
    if (include && !include(account)) return;
    const row = i * boundaries;
    for (let m = 0; m < months; m += 1) {
      // Month m ends at boundary m + 12; it opens at the boundary before, its trailing year 12 before.
      const closing = arr[row + m + TRAILING] as number;
      monthly[m]?.add(arr[row + m + TRAILING - 1] as number, closing);
      trailing[m]?.add(arr[row + m] as number, closing);
    }
  });
  const rows: RetentionMonth[] = [];
  for (let m = 0; m < months; m += 1) {
    const month = firstMonth + m;
    const to = endOfMonth(month, asOf);
    rows.push({
      month: monthKeyOfIndex(month),
      partial: to < monthStart(month + 1) - 1,
      monthly: (monthly[m] as Movements).figures(monthStart(month), to, definitions),
      trailing12: (trailing[m] as Movements).figures(monthStart(month - TRAILING + 1), to, definitions),
    });
  }
  return {
    asOf,
    months: rows,
    trailing12: (rows[rows.length - 1] as RetentionMonth).trailing12,
    definitions: retentionDefinitionTexts(definitions),
  };
}

export function retentionReport(accounts: readonly RetentionAccount[], options: RetentionOptions): RetentionReport {
  return retentionFromTimeline(arrTimeline(accounts, options));
}

/** Retention over any period [from, to]: ARR just before `from` against ARR at `to`. */
export function retentionOver(
  accounts: readonly RetentionAccount[],
  from: number,
  to: number,
  definitions: RetentionDefinitions,
): RetentionFigures {
  const movements = new Movements();
  for (const account of accounts) {
    const deals = dealsAsDefined(account.deals, definitions);
    movements.add(arrAt(deals, from - 1) ?? Number.NaN, arrAt(deals, to) ?? Number.NaN);
  }
  return movements.figures(from, to, definitions);
}

/** The same day and time `months` calendar months later, held to the month's last day (31 Jan + 1 = 28/29 Feb). */
export function addCalendarMonths(t: number, months: number): number {
  const index = monthIndexOf(t) + months;
  const dayOfMonth = new Date(t).getUTCDate();
  const daysInMonth = new Date(monthStart(index + 1) - 1).getUTCDate();
  const sinceMidnight = t - Math.floor(t / DAY_MS) * DAY_MS;
  return monthStart(index) + (Math.min(dayOfMonth, daysInMonth) - 1) * DAY_MS + sinceMidnight;
}

const isTerm = (deal: DealFact) =>
  deal.stage === 'won' && (deal.kind === 'new_business' || deal.kind === 'renewal') && deal.closeDate !== null;

/**
 * The deals as the definitions read them. When churn counts at contract end, a lost renewal is moved
 * to the end of the term it failed to renew (the latest won term closed by then, plus `termMonths`),
 * so `arrAt` books the loss in that month; otherwise the deals are returned as they are.
 */
export function dealsAsDefined(deals: readonly DealFact[], definitions: RetentionDefinitions): readonly DealFact[] {
  if (definitions.churnCountsIn === 'renewal_close') return deals;
  if (!deals.some((deal) => deal.kind === 'renewal' && deal.stage === 'lost' && deal.closeDate !== null)) return deals;
  return deals.map((deal) => {
    if (deal.kind !== 'renewal' || deal.stage !== 'lost' || deal.closeDate === null) return deal;
    const lostAt = deal.closeDate;
    let termStart: number | null = null;
    for (const other of deals) {
      const at = other.closeDate as number;
      if (isTerm(other) && at <= lostAt && (termStart === null || at > termStart)) termStart = at;
    }
    return termStart === null ? deal : { ...deal, closeDate: addCalendarMonths(termStart, definitions.termMonths) };
  });
}
