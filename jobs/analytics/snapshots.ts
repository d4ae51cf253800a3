import type { DealFact } from '../../server/core/health/facts.ts';
import type { AnalyticsSettings, PerTier, TouchTier } from '../../server/core/revenue/analytics-settings.ts';
import { TOUCH_TIERS } from '../../server/core/revenue/analytics-settings.ts';
import { addMonths, monthIndexOf } from '../../server/core/revenue/calendar.ts';
import { cohortRetention, type CohortReport } from '../../server/core/revenue/cohorts.ts';
import { touchModelText } from '../../server/core/revenue/definitions.ts';
import type { RenewalForecast } from '../../server/core/revenue/forecast/forecast.ts';
import { npsReport, type NpsResponse } from '../../server/core/revenue/nps.ts';
import {
  capacityByTier,
  portfolioReport,
  type PortfolioAccount,
  type PortfolioReport,
} from '../../server/core/revenue/portfolios.ts';
import {
  arrTimeline,
  retentionFromTimeline,
  type RetentionAccount,
  type RetentionReport,
} from '../../server/core/revenue/retention.ts';
import {
  expectedNewPerMonth,
  staffingForecast,
  staffingInputFrom,
  type StaffingForecast,
} from '../../server/core/revenue/staffing.ts';
import { touchTierOf } from '../../server/core/revenue/touch-model.ts';
import type {
  AccountWithDeals,
  NpsResponseRow,
  PortfolioAccountRow,
} from '../../server/platform/db/analytics-store.ts';

/**
 * The dashboard's figures other than the forecast, from the core functions with the installation's
 * settings: what each snapshot kind's payload holds. Every account is put in its touch tier once, by
 * today's ARR, segment and licences, and every figure slices by the same tiers.
 */

/** Months of retention reported, and of NPS answers read. */
export const RETENTION_MONTHS = 12;
export const NPS_MONTHS = 24;

const dayStart = (day: string) => Date.parse(`${day}T00:00:00Z`);
const zeroTiers = (): PerTier<number> => ({ high_touch: 0, low_touch: 0, tech_touch: 0 });

export const tierOf = (
  settings: AnalyticsSettings,
  facts: { arr: number | null; segment: string | null; licences: number | null },
): TouchTier => touchTierOf({ arr: facts.arr, segment: facts.segment, licences: facts.licences }, settings.touch);

const dealFactOf = (deal: AccountWithDeals['deals'][number]): DealFact => ({
  kind: deal.kind,
  stage: deal.stage,
  amount: deal.amount,
  closeDate: deal.closeDate === null ? null : dayStart(deal.closeDate),
  createdAt: deal.createdAt === null ? null : Date.parse(deal.createdAt),
});

/** Retention of the whole book, by segment and by tier (one ARR timeline for all), and cohorts. */
export interface RetentionPayload {
  overall: RetentionReport;
  bySegment: { segment: string | null; report: RetentionReport }[];
  byTouch: { tier: TouchTier; report: RetentionReport }[];
  cohorts: CohortReport;
}

export function retentionAccountsOf(
  accounts: readonly AccountWithDeals[],
  settings: AnalyticsSettings,
): RetentionAccount[] {
  return accounts.map((account) => ({
    id: account.accountExternalId,
    segment: account.segment,
    touch: tierOf(settings, account),
    csm: account.csmExternalId,
    deals: account.deals.map(dealFactOf),
  }));
}

export function retentionPayload(
  accounts: readonly RetentionAccount[],
  settings: AnalyticsSettings,
  asOf: number,
): RetentionPayload {
  const definitions = settings.retention;
  const timeline = arrTimeline(accounts, { asOf, months: RETENTION_MONTHS, definitions });
  const segments = [...new Set(accounts.map((account) => account.segment))].sort((a, b) =>
    (a ?? '\uffff').localeCompare(b ?? '\uffff'),
  );
  return {
    overall: retentionFromTimeline(timeline),
    bySegment: segments.map((segment) => ({
      segment,
      report: retentionFromTimeline(timeline, (account) => account.segment === segment),
    })),
    byTouch: TOUCH_TIERS.map((tier) => ({
      tier,
      report: retentionFromTimeline(timeline, (account) => account.touch === tier),
    })),
    cohorts: cohortRetention(accounts, { asOf, definitions }),
  };
}

export function npsPayload(
  rows: readonly NpsResponseRow[],
  settings: AnalyticsSettings,
  window: { from: number; to: number },
) {
  const responses: NpsResponse[] = rows.map((row) => ({
    accountId: row.accountExternalId,
    contactId: row.contactExternalId,
    segment: row.segment,
    touch: tierOf(settings, row),
    csm: row.csmExternalId,
    score: row.score,
    verbatim: row.verbatim,
    respondedAt: row.respondedAt.getTime(),
  }));
  return npsReport(responses, { from: window.from, to: window.to, settings: settings.nps });
}

/** The NPS answers read: the `NPS_MONTHS` calendar months ending with asOf's. */
export function npsWindow(asOf: number): { from: number; to: number } {
  return { from: addMonths(asOf, -(NPS_MONTHS - 1)), to: asOf };
}

export interface PortfolioPayload {
  report: PortfolioReport;
  /** CSM id → name, for the rows' labels. */
  csmNames: Record<string, string>;
  /** Accounts per tier, and the rules that put them there in words. */
  tiers: PerTier<number>;
  touchModel: string;
}

export function portfolioAccountsOf(
  rows: readonly PortfolioAccountRow[],
  settings: AnalyticsSettings,
): PortfolioAccount[] {
  return rows.map((row) => ({
    id: row.accountExternalId,
    csm: row.csmExternalId,
    arr: row.arr,
    band: row.health.band,
    tier: tierOf(settings, row),
    renewalDate: row.renewalDate === null ? null : dayStart(row.renewalDate),
    revenueAtRisk: row.health.revenueAtRisk,
  }));
}

export function portfolioPayload(
  rows: readonly PortfolioAccountRow[],
  accounts: readonly PortfolioAccount[],
  settings: AnalyticsSettings,
  asOf: number,
): PortfolioPayload {
  const csmNames: Record<string, string> = {};
  for (const row of rows)
    if (row.csmExternalId !== null && row.csmName !== null) csmNames[row.csmExternalId] = row.csmName;
  const tiers = zeroTiers();
  for (const account of accounts) tiers[account.tier] += 1;
  return {
    report: portfolioReport(accounts, { asOf, currencyDecimals: settings.retention.currencyDecimals }),
    csmNames,
    tiers,
    touchModel: touchModelText(settings.touch),
  };
}

/**
 * Expected churned accounts per tier for each month after asOf's: the renewal forecast's 1 − p of
 * the renewals falling in that month (the forecast's first month is asOf's own, which the staffing
 * forecast counts as today). Months past the forecast's last get the mean of the months it covers,
 * so a longer staffing horizon does not read as churn stopping.
 */
export function expectedChurnPerMonth(
  forecast: RenewalForecast,
  tierById: ReadonlyMap<string, TouchTier>,
  months: number,
): PerTier<number>[] {
  const first = monthIndexOf(forecast.asOf) + 1;
  const perMonth = Array.from({ length: months }, zeroTiers);
  for (const renewal of forecast.renewals) {
    const index = monthIndexOf(dayStart(renewal.renewalDay)) - first;
    const tier = tierById.get(renewal.accountId);
    if (index < 0 || index >= months || tier === undefined) continue;
    perMonth[index]![tier] += 1 - renewal.probability;
  }
  const covered = Math.min(months, monthIndexOf(dayStart(forecast.to)) - first + 1);
  if (covered > 0 && covered < months) {
    const mean = zeroTiers();
    for (let index = 0; index < covered; index += 1)
      for (const tier of TOUCH_TIERS) mean[tier] += perMonth[index]![tier] / covered;
    for (let index = covered; index < months; index += 1) perMonth[index] = { ...mean };
  }
  return perMonth;
}

export function staffingPayload(options: {
  settings: AnalyticsSettings;
  asOf: number;
  customers: readonly PortfolioAccount[];
  portfolios: PortfolioReport;
  retentionAccounts: readonly RetentionAccount[];
  forecast: RenewalForecast | null;
}): StaffingForecast {
  const { settings, asOf } = options;
  const accounts = zeroTiers();
  for (const account of options.customers) accounts[account.tier] += 1;
  const tierById = new Map(options.customers.map((account) => [account.id, account.tier]));
  const months = settings.staffing.horizonMonths;
  const newPerMonth = expectedNewPerMonth(
    options.retentionAccounts.map((account) => ({
      tier: account.touch ?? settings.touch.defaultTier,
      deals: account.deals,
    })),
    asOf,
    settings.staffing.newCustomerLookbackMonths,
  );
  const churn = options.forecast
    ? { kind: 'expected' as const, perMonth: expectedChurnPerMonth(options.forecast, tierById, months) }
    : { kind: 'rate' as const, monthly: zeroTiers() };
  return staffingForecast(
    staffingInputFrom(settings.staffing, {
      asOf,
      accounts,
      capacity: capacityByTier(options.portfolios.portfolios),
      newPerMonth,
      churn,
    }),
  );
}
