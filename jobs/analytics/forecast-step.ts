import type { Opportunity } from '../../server/core/qbr/brief.ts';
import { topOpportunities } from '../../server/core/qbr/opportunities.ts';
import { qbrPeriod } from '../../server/core/qbr/period.ts';
import { featureInputOf } from '../../server/core/revenue/forecast/features.ts';
import {
  DEFAULT_FORECAST_MONTHS,
  forecastRenewals,
  type ForecastRenewal,
  type RenewalForecast,
  type UpcomingRenewal,
} from '../../server/core/revenue/forecast/forecast.ts';
import type { RenewalModel } from '../../server/core/revenue/forecast/model.ts';
import {
  upcomingRenewals,
  type RenewalForecastRow,
  type UpcomingRenewalRow,
} from '../../server/platform/db/analytics-store.ts';
import type { Database } from '../../server/platform/db/database.ts';
import { qbrInputsForAccounts } from '../../server/platform/db/qbr-store.ts';
import type { InstallationKey } from '../../server/platform/db/sync-store.ts';

/**
 * The renewal forecast of the coming months from every customer's current health (the score job's
 * latest), with the learned model or the prior; the least likely fifth gets the three opportunities a
 * QBR brief would lead with, so a CSM has something to act on beside the risk.
 */

/** Bottom-fifth accounts whose briefs' inputs are read together; a cancelled run stops between them. */
const OPPORTUNITY_CHUNK = 500;

const isoDay = (at: number) => new Date(at).toISOString().slice(0, 10);
const dayStart = (day: string) => Date.parse(`${day}T00:00:00Z`);

/** [today, the first day after the last month forecast): the renewals the forecast can hold. */
export function forecastWindow(asOf: number, months = DEFAULT_FORECAST_MONTHS): { from: string; to: string } {
  const date = new Date(asOf);
  return {
    from: isoDay(asOf),
    to: isoDay(Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + months, 1)),
  };
}

/** The forecast input of one stored account: what the score job scored it with. */
export function upcomingRenewalOf(row: UpcomingRenewalRow, asOf: number): UpcomingRenewal {
  const renewalDate = dayStart(row.renewalDate);
  return {
    accountId: row.accountExternalId,
    name: row.name ?? row.accountExternalId,
    segment: row.segment,
    csm: row.csmName ?? row.csmExternalId,
    arr: row.arr,
    renewalDate,
    input: featureInputOf({
      score: row.health.score,
      band: row.health.band,
      trend: row.health.trend,
      arr: row.arr,
      segment: row.segment,
      renewalDate,
      at: asOf,
      signals: row.health.signals,
    }),
    healthDrivers: row.health.drivers,
  };
}

/** Least likely first, as the bottom fifth is chosen (ties: the larger ARR, then the id). */
export function rankOrder(renewals: readonly ForecastRenewal[]): ForecastRenewal[] {
  return [...renewals].sort(
    (a, b) => a.probability - b.probability || (b.arr ?? 0) - (a.arr ?? 0) || a.accountId.localeCompare(b.accountId),
  );
}

export interface ForecastStep {
  forecast: RenewalForecast;
  rows: RenewalForecastRow[];
  /** Account id → its touch-free facts the other figures reuse. */
  upcoming: UpcomingRenewalRow[];
}

export async function forecastStep(
  db: Database,
  key: InstallationKey,
  options: {
    asOf: number;
    model: RenewalModel | null;
    /**
     * Opportunities already worked out for an account earlier today (the last run's bottom fifth):
     * kept rather than read again, so the runs that follow every score run stay quick; the daily
     * run passes none and works them all out afresh.
     */
    known?: ReadonlyMap<string, unknown>;
    signal?: AbortSignal | undefined;
  },
): Promise<ForecastStep> {
  const upcoming = await upcomingRenewals(db, key, forecastWindow(options.asOf));
  const forecast = forecastRenewals({
    renewals: upcoming.map((row) => upcomingRenewalOf(row, options.asOf)),
    model: options.model,
    asOf: options.asOf,
    months: DEFAULT_FORECAST_MONTHS,
  });
  const bottom = new Set(forecast.bottom20);
  // The brief's period as if the QBR were today: the last 90 days.
  const period = qbrPeriod(isoDay(options.asOf), options.asOf);
  const known = options.known ?? new Map<string, unknown>();
  const missing = forecast.bottom20.filter((accountId) => !known.has(accountId));
  const opportunities = new Map<string, unknown>(
    forecast.bottom20.flatMap((accountId) => (known.has(accountId) ? [[accountId, known.get(accountId)]] : [])),
  );
  for (let start = 0; start < missing.length; start += OPPORTUNITY_CHUNK) {
    options.signal?.throwIfAborted();
    const chunk = missing.slice(start, start + OPPORTUNITY_CHUNK);
    const inputs = await qbrInputsForAccounts(db, key, chunk, period);
    for (const accountId of chunk) {
      const found = inputs.get(accountId);
      const top: Opportunity[] = found ? topOpportunities(found) : [];
      opportunities.set(accountId, top);
    }
  }
  const rows = rankOrder(forecast.renewals).map((renewal, index): RenewalForecastRow => ({
    accountExternalId: renewal.accountId,
    renewalDate: renewal.renewalDay,
    arr: renewal.arr,
    probability: renewal.probability,
    expectedArr: renewal.expectedRenewedArr,
    revenueAtRisk: renewal.revenueAtRisk,
    basis: renewal.basis,
    contributions: renewal.contributions,
    healthDrivers: renewal.healthDrivers,
    opportunities: opportunities.get(renewal.accountId) ?? [],
    bottom20: bottom.has(renewal.accountId),
    rank: index + 1,
  }));
  return { forecast, rows, upcoming };
}
