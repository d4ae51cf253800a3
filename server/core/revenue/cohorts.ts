import { arrAt, type DealFact } from '../health/facts.ts';
import { DAY_MS } from '../health/signals.ts';
import type { RetentionDefinitions } from './analytics-settings.ts';
import { quarterIndexOf, quarterKeyOfIndex, quarterStart, type QuarterKey } from './calendar.ts';
import { cohortDefinitionText } from './definitions.ts';
import { dealsAsDefined, type RetentionAccount } from './retention.ts';
import { roundMoney, roundRatio } from './rounding.ts';

/** How a cohort stood at the end of one quarter after it started. */
export interface CohortQuarter {
  /** 0 = the quarter the cohort started in. */
  offset: number;
  quarter: QuarterKey;
  /** The quarter is still running at asOf: read at asOf. */
  partial: boolean;
  /** Customers of the cohort still paying. */
  logos: number;
  /** Fractions (0–1; ARR may exceed 1); 0 for an empty cohort. */
  logoRetention: number;
  /** The cohort's ARR (expansion included). */
  arr: number;
  arrRetention: number;
  /** ARR with each account capped at its starting ARR: what was kept, expansion left out. */
  grossArrRetention: number;
}

export interface Cohort {
  cohort: QuarterKey;
  accounts: number;
  /** ARR on the day each account started, summed. */
  startingArr: number;
  quarters: CohortQuarter[];
}

export interface CohortOptions {
  asOf: number;
  /** Start quarters reported, ending with the one holding asOf (default 8). */
  quarters?: number;
  definitions: RetentionDefinitions;
}

export interface CohortReport {
  asOf: number;
  cohorts: Cohort[];
  definition: string;
}

const isNewBusinessWin = (deal: DealFact) =>
  deal.kind === 'new_business' && deal.stage === 'won' && deal.closeDate !== null;

/** When the customer started: the close of its first won new-business deal (null if none). */
export function customerSince(deals: readonly DealFact[]): number | null {
  let first: number | null = null;
  for (const deal of deals) {
    if (isNewBusinessWin(deal) && (first === null || (deal.closeDate as number) < first)) first = deal.closeDate;
  }
  return first;
}

interface Tally {
  logos: number;
  arr: number;
  grossArr: number;
}

export function cohortRetention(accounts: readonly RetentionAccount[], options: CohortOptions): CohortReport {
  const { asOf, definitions } = options;
  const count = options.quarters ?? 8;
  if (!Number.isInteger(count) || count < 1) throw new Error(`quarters must be a whole number ≥ 1, got ${count}`);
  const lastQuarter = quarterIndexOf(asOf);
  const firstQuarter = lastQuarter - count + 1;
  const quarterEnd = (index: number) => Math.min(quarterStart(index + 1) - 1, asOf);
  const minTenure = definitions.minTenureDays * DAY_MS;

  const cohorts = Array.from({ length: count }, (_, c) => ({
    accounts: 0,
    startingArr: 0,
    tallies: Array.from({ length: count - c }, (): Tally => ({ logos: 0, arr: 0, grossArr: 0 })),
  }));
  for (const account of accounts) {
    const since = customerSince(account.deals);
    if (since === null || since > asOf || asOf - since < minTenure) continue;
    const c = quarterIndexOf(since) - firstQuarter;
    const cohort = cohorts[c];
    if (cohort === undefined) continue;
    const deals = dealsAsDefined(account.deals, definitions);
    // The end of the start day: what the customer signed for, before any later movement.
    const starting = arrAt(deals, since + DAY_MS - 1) ?? 0;
    cohort.accounts += 1;
    cohort.startingArr += starting;
    cohort.tallies.forEach((tally, offset) => {
      const arr = arrAt(deals, quarterEnd(firstQuarter + c + offset)) ?? 0;
      if (arr <= 0) return;
      tally.logos += 1;
      tally.arr += arr;
      tally.grossArr += Math.min(arr, starting);
    });
  }

  const ratio = (part: number, whole: number) => (whole > 0 ? roundRatio(part / whole) : 0);
  return {
    asOf,
    definition: cohortDefinitionText(definitions),
    cohorts: cohorts.map((cohort, c) => ({
      cohort: quarterKeyOfIndex(firstQuarter + c),
      accounts: cohort.accounts,
      startingArr: roundMoney(cohort.startingArr, definitions.currencyDecimals),
      quarters: cohort.tallies.map((tally, offset) => {
        const quarter = firstQuarter + c + offset;
        return {
          offset,
          quarter: quarterKeyOfIndex(quarter),
          partial: quarterEnd(quarter) < quarterStart(quarter + 1) - 1,
          logos: tally.logos,
          logoRetention: ratio(tally.logos, cohort.accounts),
          arr: roundMoney(tally.arr, definitions.currencyDecimals),
          arrRetention: ratio(tally.arr, cohort.startingArr),
          grossArrRetention: ratio(tally.grossArr, cohort.startingArr),
        };
      }),
    })),
  };
}
