/**
 * The renewal forecast a CS leader reads: for every renewal in the coming calendar months, the
 * probability it renews, the ARR expected to renew and the ARR at risk; the same summed by month and
 * overall; and the fifth of renewals least likely to renew, each with the reasons.
 */
import type { RenewalFeatureInput } from './features.ts';
import type { RenewalBasis, RenewalModel } from './model.ts';
import { renewalOutlook, type ForecastContribution } from './predict.ts';

export const DEFAULT_FORECAST_MONTHS = 6;
/** The share of renewals the "least likely to renew" list holds. */
export const BOTTOM_SHARE = 0.2;

export interface UpcomingRenewal {
  accountId: string;
  name: string;
  segment: string | null;
  /** The CSM who owns the account (name or id, as the caller shows it). */
  csm: string | null;
  arr: number | null;
  /** Start of the renewal day, epoch ms. */
  renewalDate: number;
  input: RenewalFeatureInput;
  /** The health score's drivers in words ("Active users 35% of licences; …"), shown beside the forecast's own. */
  healthDrivers: string | null;
}

export interface ForecastRenewal {
  accountId: string;
  name: string;
  segment: string | null;
  csm: string | null;
  arr: number | null;
  /** ISO day of the renewal and its month (`YYYY-MM`). */
  renewalDay: string;
  month: string;
  probability: number;
  prior: number;
  basis: RenewalBasis;
  /** Whole currency units; with an unknown ARR both are 0. They add up to the ARR. */
  expectedRenewedArr: number;
  revenueAtRisk: number;
  contributions: ForecastContribution[];
  healthDrivers: string | null;
}

export interface ForecastMonth {
  month: string;
  renewals: number;
  arr: number;
  expectedRenewedArr: number;
  revenueAtRisk: number;
}

export interface ForecastTotals {
  renewals: number;
  arr: number;
  expectedRenewedArr: number;
  revenueAtRisk: number;
  /** Mean probability, and the ARR-weighted one (expected renewed ÷ ARR); null without renewals or ARR. */
  meanProbability: number | null;
  arrWeightedProbability: number | null;
}

export interface RenewalForecast {
  asOf: number;
  /** First day of the first month and last day of the last month (ISO days). */
  from: string;
  to: string;
  basis: RenewalBasis;
  /** The model's own sentence, or the prior's. */
  explanation: string;
  /** By renewal day, then account id. */
  renewals: ForecastRenewal[];
  months: ForecastMonth[];
  totals: ForecastTotals;
  /** Account ids of the least likely renewals, least likely first (ties: larger ARR first). */
  bottom20: string[];
  /** Renewals given that fall outside the months forecast (past or later). */
  outsideWindow: number;
}

export interface ForecastRequest {
  renewals: readonly UpcomingRenewal[];
  model: RenewalModel | null;
  asOf: number;
  /** Calendar months from asOf's month. */
  months?: number;
}

const PRIOR_EXPLANATION =
  'Renewal probabilities follow the documented prior curve of the health score until enough renewals have been decided to learn from.';

const isoDay = (at: number) => new Date(at).toISOString().slice(0, 10);
const monthKey = (at: number) => new Date(at).toISOString().slice(0, 7);
const monthStart = (year: number, month: number) => Date.UTC(year, month, 1);

/** The month keys forecast: asOf's month and the ones after it. */
export function forecastMonths(asOf: number, months: number): string[] {
  const date = new Date(asOf);
  return Array.from({ length: months }, (_, index) =>
    monthKey(monthStart(date.getUTCFullYear(), date.getUTCMonth() + index)),
  );
}

/** The ceil(20 %) least likely to renew, least likely first; ties go to the larger ARR, then the id. */
export function bottomShare(renewals: readonly ForecastRenewal[], share = BOTTOM_SHARE): string[] {
  const count = Math.ceil(renewals.length * share - 1e-9);
  return [...renewals]
    .sort(
      (a, b) => a.probability - b.probability || (b.arr ?? 0) - (a.arr ?? 0) || a.accountId.localeCompare(b.accountId),
    )
    .slice(0, count)
    .map((renewal) => renewal.accountId);
}

export function forecastRenewals(request: ForecastRequest): RenewalForecast {
  const months = request.months ?? DEFAULT_FORECAST_MONTHS;
  if (!Number.isInteger(months) || months < 1) throw new RangeError('months must be a whole number ≥ 1');
  const asOfDate = new Date(request.asOf);
  const start = monthStart(asOfDate.getUTCFullYear(), asOfDate.getUTCMonth());
  const end = monthStart(asOfDate.getUTCFullYear(), asOfDate.getUTCMonth() + months);
  const byMonth = new Map<string, ForecastMonth>(
    forecastMonths(request.asOf, months).map((month) => [
      month,
      { month, renewals: 0, arr: 0, expectedRenewedArr: 0, revenueAtRisk: 0 },
    ]),
  );
  const rows: ForecastRenewal[] = [];
  let outsideWindow = 0;
  for (const renewal of request.renewals) {
    if (renewal.renewalDate < start || renewal.renewalDate >= end) {
      outsideWindow += 1;
      continue;
    }
    const outlook = renewalOutlook(request.model, renewal.input);
    const arr = renewal.arr !== null && Number.isFinite(renewal.arr) ? Math.max(0, renewal.arr) : null;
    // As `revenueAtRisk` rounds; the expected renewal is the rest, so the two add up to the ARR.
    const revenueAtRisk = arr === null ? 0 : Math.round(arr * (1 - outlook.probability));
    const expectedRenewedArr = arr === null ? 0 : arr - revenueAtRisk;
    const month = monthKey(renewal.renewalDate);
    rows.push({
      accountId: renewal.accountId,
      name: renewal.name,
      segment: renewal.segment,
      csm: renewal.csm,
      arr: renewal.arr,
      renewalDay: isoDay(renewal.renewalDate),
      month,
      probability: outlook.probability,
      prior: outlook.prior,
      basis: outlook.basis,
      expectedRenewedArr,
      revenueAtRisk,
      contributions: outlook.contributions,
      healthDrivers: renewal.healthDrivers,
    });
    const bucket = byMonth.get(month)!;
    bucket.renewals += 1;
    bucket.arr += arr ?? 0;
    bucket.expectedRenewedArr += expectedRenewedArr;
    bucket.revenueAtRisk += revenueAtRisk;
  }
  rows.sort((a, b) => a.renewalDay.localeCompare(b.renewalDay) || a.accountId.localeCompare(b.accountId));
  const monthRows = [...byMonth.values()];
  const totals: ForecastTotals = {
    renewals: rows.length,
    arr: sum(monthRows, (month) => month.arr),
    expectedRenewedArr: sum(monthRows, (month) => month.expectedRenewedArr),
    revenueAtRisk: sum(monthRows, (month) => month.revenueAtRisk),
    meanProbability: rows.length === 0 ? null : sum(rows, (row) => row.probability) / rows.length,
    arrWeightedProbability: null,
  };
  if (totals.arr > 0) totals.arrWeightedProbability = totals.expectedRenewedArr / totals.arr;
  const basis: RenewalBasis = request.model?.basis ?? 'prior';
  return {
    asOf: request.asOf,
    from: isoDay(start),
    to: isoDay(end - 1),
    basis,
    explanation: request.model?.explanation ?? PRIOR_EXPLANATION,
    renewals: rows,
    months: monthRows,
    totals,
    bottom20: bottomShare(rows),
    outsideWindow,
  };
}

function sum<T>(items: readonly T[], value: (item: T) => number): number {
  let total = 0;
  for (const item of items) total += value(item);
  return total;
}
