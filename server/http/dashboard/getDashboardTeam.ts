import type { RequestHandler } from 'express';
import type { Team } from '../../contracts/dashboard.ts';
import { csmPortfolios, passes, tierSlices, tieredBook } from './book.ts';
import { sendCsv, wantsCsv, type CsvColumn } from './csv.ts';
import { definitionsOf, touchDefinition } from './definitions.ts';
import { answerKey, bookOf, callerOf, type DashboardContext } from './deps.ts';
import { CSM_COLUMNS } from './getDashboardPortfolio.ts';
import { parseStored, staffingForecastPayload } from './payloads.ts';
import { figureQuery } from './query.ts';
import { pendingCsv, pendingFigure, sendJson, sendJsonText } from './respond.ts';
import { settingsInForce } from './settings.ts';
import { staffingBody, staffingRows, type StaffingCsvRow } from './staffing.ts';

type Ready = Extract<Team, { status: 'ready' }>;

const STAFFING_COLUMNS: CsvColumn<StaffingCsvRow>[] = [
  { header: 'Month', value: (row) => row.month },
  { header: 'Today', value: (row) => row.current },
  { header: 'High-touch accounts', value: (row) => row.forecast.accounts.high_touch },
  { header: 'Low-touch accounts', value: (row) => row.forecast.accounts.low_touch },
  { header: 'Tech-touch accounts', value: (row) => row.forecast.accounts.tech_touch },
  { header: 'CSMs needed', value: (row) => row.forecast.totalNeeded },
  { header: 'CSMs needed (whole people)', value: (row) => row.forecast.totalNeededRounded },
  { header: 'Capacity', value: (row) => row.forecast.totalCapacity },
  { header: 'Gap', value: (row) => row.forecast.gap },
  { header: 'Short', value: (row) => row.forecast.short },
];

const TIER_COLUMNS: CsvColumn<Ready['tiers'][number]>[] = [
  { header: 'Tier', value: (row) => row.tier },
  { header: 'Accounts', value: (row) => row.accounts },
  { header: 'ARR', value: (row) => row.arr },
  { header: 'Average score', value: (row) => row.averageScore },
  { header: 'Red', value: (row) => row.health.red.accounts },
  { header: 'Yellow', value: (row) => row.health.yellow.accounts },
  { header: 'Green', value: (row) => row.health.green.accounts },
  { header: 'Unscored', value: (row) => row.health.unscored.accounts },
];

/**
 * `GET /api/installations/:id/dashboard/team?segment&tier&csm`: CSM books and tiers (live, filtered)
 * and the staffing forecast of the whole team with the settings it was sized with.
 */
export function getDashboardTeam(ctx: DashboardContext): RequestHandler {
  return async (req, res) => {
    const { key } = await callerOf(req, ctx);
    const query = figureQuery(req, 'team');
    const snapshot = await ctx.store.snapshot(key, 'staffing', [[]]);
    if (!snapshot) {
      if (wantsCsv(req, query.format)) throw pendingCsv('team figures');
      sendJson(res, pendingFigure('team figures'));
      return;
    }
    const forecast = parseStored(req, 'staffing forecast', staffingForecastPayload, snapshot.parts[0]);
    const [settings, { book, names, readAt }] = await Promise.all([settingsInForce(req, ctx, key), bookOf(ctx, key)]);
    const decimals = settings.settings.retention.currencyDecimals;
    const build = (): Ready => {
      const accounts = tieredBook(book, settings.settings).filter((account) => passes(account, query.filters));
      const staffing = staffingBody(forecast);
      return {
        status: 'ready',
        computedAt: snapshot.computedAt.toISOString(),
        filters: query.filters,
        portfolios: csmPortfolios(accounts, names, readAt, decimals),
        tiers: tierSlices(accounts, decimals),
        staffing,
        settings: settings.settings.staffing,
        definitions: [touchDefinition(settings.settings), ...definitionsOf(forecast.definitions)],
      };
    };
    if (!wantsCsv(req, query.format)) {
      const version = `${settings.version}|${readAt}|${snapshot.computedAt.toISOString()}`;
      sendJsonText(
        res,
        await ctx.answers.get(answerKey('team', key, query.filters), version, () =>
          Promise.resolve(JSON.stringify(build())),
        ),
      );
      return;
    }
    const body = build();
    const { staffing } = body;
    if (query.table === 'tiers') sendCsv(res, 'team-tiers', TIER_COLUMNS, body.tiers);
    else if (query.table === 'staffing') sendCsv(res, 'staffing-forecast', STAFFING_COLUMNS, staffingRows(staffing));
    else sendCsv(res, 'team-portfolios', CSM_COLUMNS, body.portfolios);
  };
}
