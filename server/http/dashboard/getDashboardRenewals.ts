import type { Request, RequestHandler } from 'express';
import { z } from 'zod';
import type { AtRiskRenewal, RenewalModelSummary, RenewalMonth, Renewals } from '../../contracts/dashboard.ts';
import { touchTierOf } from '../../core/revenue/touch-model.ts';
import type { ForecastRow } from '../../platform/db/dashboard-store.ts';
import { passes } from './book.ts';
import { sendCsv, wantsCsv, type CsvColumn } from './csv.ts';
import { renewalDefinitions } from './definitions.ts';
import { answerKey, callerOf, type DashboardContext } from './deps.ts';
import {
  contributionsPayload,
  forecastSummaryPayload,
  opportunitiesPayload,
  parseStored,
  renewalModelPayload,
} from './payloads.ts';
import { figureQuery } from './query.ts';
import { isoDay, pendingCsv, pendingFigure, sendJson, sendJsonText } from './respond.ts';
import { settingsInForce } from './settings.ts';

type Ready = Extract<Renewals, { status: 'ready' }>;

const MAX_DRIVERS = 5;
const MAX_OPPORTUNITIES = 3;

export const BOTTOM20_COLUMNS: CsvColumn<AtRiskRenewal>[] = [
  { header: 'Rank', value: (row) => row.rank },
  { header: 'Account id', value: (row) => row.accountId },
  { header: 'Account', value: (row) => row.accountName },
  { header: 'CSM', value: (row) => row.csmName ?? row.csmId },
  { header: 'Renewal date', value: (row) => row.renewalDate },
  { header: 'ARR', value: (row) => row.arr },
  { header: 'Probability', value: (row) => row.probability },
  { header: 'Revenue at risk', value: (row) => row.revenueAtRisk },
  { header: 'Drivers', value: (row) => row.drivers.map((driver) => driver.text).join('; ') },
  { header: 'Health drivers', value: (row) => row.healthDrivers },
  { header: 'Opportunities', value: (row) => row.opportunities.map((item) => item.title).join('; ') },
];

const MONTH_COLUMNS: CsvColumn<RenewalMonth>[] = [
  { header: 'Month', value: (row) => row.month },
  { header: 'Renewals', value: (row) => row.renewals },
  { header: 'ARR up for renewal', value: (row) => row.arrUp },
  { header: 'Expected renewed ARR', value: (row) => row.expectedArr },
  { header: 'Revenue at risk', value: (row) => row.revenueAtRisk },
  { header: 'At-risk renewals', value: (row) => row.atRiskRenewals },
  { header: 'At-risk ARR', value: (row) => row.atRiskArr },
];

type CalibrationRow = NonNullable<Ready['model']>['calibration'][number];
const CALIBRATION_COLUMNS: CsvColumn<CalibrationRow>[] = [
  { header: 'From', value: (row) => row.from },
  { header: 'To', value: (row) => row.to },
  { header: 'Renewals', value: (row) => row.count },
  { header: 'Mean predicted', value: (row) => row.meanPredicted },
  { header: 'Observed', value: (row) => row.observed },
];

const emptyMonth = (month: string): RenewalMonth => ({
  month,
  renewals: 0,
  arrUp: 0,
  expectedArr: 0,
  revenueAtRisk: 0,
  atRiskRenewals: 0,
  atRiskArr: 0,
});

const money = (value: number) => Math.round(value * 100) / 100;

function addTo(month: RenewalMonth, row: ForecastRow): void {
  const arr = row.arr ?? 0;
  month.renewals += 1;
  month.arrUp += arr;
  month.expectedArr += row.expectedArr;
  month.revenueAtRisk += row.revenueAtRisk;
  if (row.bottom20) {
    month.atRiskRenewals += 1;
    month.atRiskArr += arr;
  }
}

const rounded = (month: RenewalMonth): RenewalMonth => ({
  ...month,
  arrUp: money(month.arrUp),
  expectedArr: money(month.expectedArr),
  revenueAtRisk: money(month.revenueAtRisk),
  atRiskArr: money(month.atRiskArr),
});

function modelSummary(req: Request, stored: { model: unknown } | null): RenewalModelSummary | null {
  if (!stored) return null;
  const model = parseStored(req, 'renewal model', renewalModelPayload, stored.model);
  return {
    basis: model.basis,
    explanation: model.explanation,
    reason: model.reason,
    trainedAt: new Date(model.trainedAt).toISOString(),
    horizonDays: model.horizonDays,
    trainedOn: {
      renewals: model.trainedOn.renewals,
      examples: model.trainedOn.examples,
      won: model.trainedOn.won,
      lost: model.trainedOn.lost,
      accounts: model.trainedOn.accounts,
      firstDecision: model.trainedOn.firstDecision,
      lastDecision: model.trainedOn.lastDecision,
    },
    brier: model.brier,
    calibration: model.calibration.map((bucket) => ({
      from: bucket.from,
      to: bucket.to,
      count: bucket.count,
      meanPredicted: bucket.meanPredicted,
      observed: bucket.observed,
    })),
  };
}

function atRisk(req: Request, row: ForecastRow, names: ReadonlyMap<string, string | null>): AtRiskRenewal {
  const drivers = parseStored(req, 'forecast drivers', contributionsPayload, row.contributions ?? []);
  const opportunities = parseStored(req, 'forecast opportunities', opportunitiesPayload, row.opportunities ?? []);
  return {
    rank: row.rank,
    accountId: row.accountId,
    accountName: row.name,
    csmId: row.csmId,
    csmName: row.csmId === null ? null : (names.get(row.csmId) ?? null),
    renewalDate: row.renewalDate,
    arr: row.arr ?? 0,
    probability: row.probability,
    revenueAtRisk: row.revenueAtRisk,
    drivers: drivers
      .slice(0, MAX_DRIVERS)
      .map((driver) => ({ label: driver.label, effect: driver.effect, text: driver.text })),
    healthDrivers: row.healthDrivers,
    opportunities: opportunities
      .slice(0, MAX_OPPORTUNITIES)
      .map((item) => ({ title: item.title, detail: item.detail ?? null })),
  };
}

/**
 * `GET /api/installations/:id/dashboard/renewals?segment&tier&csm&page&pageSize`: the next six months
 * of renewals by month, the model that forecast them, and a page of the least likely fifth with
 * drivers and opportunities.
 */
export function getDashboardRenewals(ctx: DashboardContext): RequestHandler {
  return async (req, res) => {
    const { key } = await callerOf(req, ctx);
    const query = figureQuery(req, 'renewals');
    const snapshot = await ctx.store.snapshot(key, 'forecast', [['basis'], ['explanation'], ['months']]);
    if (!snapshot) {
      if (wantsCsv(req, query.format)) throw pendingCsv('renewal forecast');
      sendJson(res, pendingFigure('renewal forecast'));
      return;
    }
    const [basis, explanation, monthList] = snapshot.parts;
    const summary = parseStored(req, 'renewal forecast', forecastSummaryPayload, { basis, explanation });
    const months = parseStored(req, 'renewal forecast months', z.array(z.object({ month: z.string() })), monthList);
    const settings = await settingsInForce(req, ctx, key);
    /** CSV: every bottom-20 row; JSON: the page asked for. */
    const build = async (paged: boolean): Promise<Ready> => {
      const [rows, names, stored] = await Promise.all([
        ctx.forecasts.get(key.installationId, snapshot.computedAt.toISOString(), () => ctx.store.forecastRows(key)),
        ctx.store.ownerNames(key),
        ctx.store.latestModel(key),
      ]);
      const byMonth = new Map(months.map(({ month }) => [month, emptyMonth(month)]));
      const totals = emptyMonth('total');
      const bottom: AtRiskRenewal[] = [];
      const { page, pageSize } = query.page;
      const first = paged ? (page - 1) * pageSize : 0;
      const end = paged ? first + pageSize : Number.POSITIVE_INFINITY;
      for (const row of rows) {
        const tier = touchTierOf(
          { arr: row.accountArr, segment: row.segment, licences: row.licences },
          settings.settings.touch,
        );
        if (!passes({ segment: row.segment, csmId: row.csmId, tier }, query.filters)) continue;
        const month = byMonth.get(row.renewalDate.slice(0, 7));
        if (month) addTo(month, row);
        addTo(totals, row);
        // Rows come least likely first, so a page is a run of the bottom fifth's rows in order.
        if (row.bottom20 && totals.atRiskRenewals > first && totals.atRiskRenewals <= end)
          bottom.push(atRisk(req, row, names));
      }
      const { month: _total, ...totalFigures } = rounded(totals);
      void _total;
      return {
        status: 'ready',
        computedAt: snapshot.computedAt.toISOString(),
        filters: query.filters,
        months: [...byMonth.values()].map(rounded),
        totals: totalFigures,
        model: modelSummary(req, stored),
        bottom20: bottom,
        bottom20Page: query.page,
        definitions: renewalDefinitions(summary.explanation),
      };
    };
    if (!wantsCsv(req, query.format)) {
      const version = `${settings.version}|${snapshot.computedAt.toISOString()}`;
      sendJsonText(
        res,
        await ctx.answers.get(answerKey('renewals', key, { ...query.filters, ...query.page }), version, () =>
          build(true).then((body) => JSON.stringify(body)),
        ),
      );
      return;
    }
    const body = await build(false);
    if (query.table === 'months') sendCsv(res, 'renewals-by-month', MONTH_COLUMNS, body.months);
    else if (query.table === 'calibration')
      sendCsv(res, 'renewal-model-calibration', CALIBRATION_COLUMNS, body.model?.calibration ?? []);
    else
      sendCsv(res, `renewals-least-likely-${isoDay(snapshot.computedAt.getTime())}`, BOTTOM20_COLUMNS, body.bottom20);
  };
}
