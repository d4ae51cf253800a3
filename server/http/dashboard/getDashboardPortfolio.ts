import type { RequestHandler } from 'express';
import type { CsmPortfolio, Portfolio } from '../../contracts/dashboard.ts';
import {
  bandSlices,
  csmPortfolios,
  filterOptions,
  passes,
  scoreDistribution,
  segmentSlices,
  tierSlices,
  tieredBook,
  totalsOf,
} from './book.ts';
import { sendCsv, wantsCsv, type CsvColumn } from './csv.ts';
import { answerKey, bookOf, callerOf, type DashboardContext } from './deps.ts';
import { figureQuery } from './query.ts';
import { pendingCsv, pendingFigure, sendJson, sendJsonText } from './respond.ts';
import { settingsInForce } from './settings.ts';
import { touchDefinition } from './definitions.ts';

type Ready = Extract<Portfolio, { status: 'ready' }>;

export const CSM_COLUMNS: CsvColumn<CsmPortfolio>[] = [
  { header: 'CSM id', value: (row) => row.csmId ?? '' },
  { header: 'CSM', value: (row) => row.name ?? (row.csmId === null ? 'Unassigned' : '') },
  { header: 'Accounts', value: (row) => row.accounts },
  { header: 'ARR', value: (row) => row.arr },
  { header: 'Average score', value: (row) => row.averageScore },
  { header: 'Red accounts', value: (row) => row.health.red.accounts },
  { header: 'Yellow accounts', value: (row) => row.health.yellow.accounts },
  { header: 'Green accounts', value: (row) => row.health.green.accounts },
  { header: 'Unscored accounts', value: (row) => row.health.unscored.accounts },
  { header: 'Red ARR', value: (row) => row.health.red.arr },
  { header: 'Renewals due (90 days)', value: (row) => row.renewalsDue.accounts },
  { header: 'ARR due (90 days)', value: (row) => row.renewalsDue.arr },
  { header: 'Revenue at risk', value: (row) => row.revenueAtRisk },
  { header: 'High touch', value: (row) => row.tiers.high_touch },
  { header: 'Low touch', value: (row) => row.tiers.low_touch },
  { header: 'Tech touch', value: (row) => row.tiers.tech_touch },
  { header: 'Main tier', value: (row) => row.mainTier },
];

type Slice = Ready['byTier'][number] | Ready['bySegment'][number];
const sliceColumns = <Row extends Slice>(first: CsvColumn<Row>): CsvColumn<Row>[] => [
  first,
  { header: 'Accounts', value: (row) => row.accounts },
  { header: 'ARR', value: (row) => row.arr },
  { header: 'Average score', value: (row) => row.averageScore },
  { header: 'Red', value: (row) => row.health.red.accounts },
  { header: 'Yellow', value: (row) => row.health.yellow.accounts },
  { header: 'Green', value: (row) => row.health.green.accounts },
  { header: 'Unscored', value: (row) => row.health.unscored.accounts },
];

function sendTable(res: Parameters<RequestHandler>[1], table: string, body: Ready): void {
  switch (table) {
    case 'bands':
      sendCsv(
        res,
        'portfolio-bands',
        [
          { header: 'Band', value: (row: Ready['bands'][number]) => row.band },
          { header: 'Accounts', value: (row) => row.accounts },
          { header: 'ARR', value: (row) => row.arr },
        ],
        body.bands,
      );
      return;
    case 'scores':
      sendCsv(
        res,
        'portfolio-scores',
        [
          { header: 'From', value: (row: Ready['scoreDistribution'][number]) => row.from },
          { header: 'To', value: (row) => row.to },
          { header: 'Accounts', value: (row) => row.accounts },
          { header: 'ARR', value: (row) => row.arr },
        ],
        body.scoreDistribution,
      );
      return;
    case 'tiers':
      sendCsv(
        res,
        'portfolio-tiers',
        sliceColumns<Ready['byTier'][number]>({ header: 'Tier', value: (row) => row.tier }),
        body.byTier,
      );
      return;
    case 'segments':
      sendCsv(
        res,
        'portfolio-segments',
        sliceColumns<Ready['bySegment'][number]>({ header: 'Segment', value: (row) => row.segment ?? '' }),
        body.bySegment,
      );
      return;
    default:
      sendCsv(res, 'portfolio-csms', CSM_COLUMNS, body.csms);
  }
}

/**
 * `GET /api/installations/:id/dashboard/portfolio?segment&tier&csm`: the book of current customers
 * by band, score, touch tier, segment and CSM, read live (at most BOOK_TTL_MS old; the tiers by
 * today's rules), `computedAt` being when it was read.
 */
export function getDashboardPortfolio(ctx: DashboardContext): RequestHandler {
  return async (req, res) => {
    const { key } = await callerOf(req, ctx);
    const query = figureQuery(req, 'portfolio');
    const ran = await ctx.store.snapshot(key, 'portfolio', []);
    if (!ran) {
      if (wantsCsv(req, query.format)) throw pendingCsv('portfolio figures');
      sendJson(res, pendingFigure('portfolio figures'));
      return;
    }
    const [settings, { book, names, readAt }] = await Promise.all([settingsInForce(req, ctx, key), bookOf(ctx, key)]);
    const decimals = settings.settings.retention.currencyDecimals;
    const build = (): Ready => {
      const all = tieredBook(book, settings.settings);
      const accounts = all.filter((account) => passes(account, query.filters));
      return {
        status: 'ready',
        computedAt: new Date(readAt).toISOString(),
        filters: query.filters,
        totals: totalsOf(accounts, decimals),
        bands: bandSlices(accounts, decimals),
        scoreDistribution: scoreDistribution(accounts, decimals),
        byTier: tierSlices(accounts, decimals),
        bySegment: segmentSlices(accounts, decimals),
        csms: csmPortfolios(accounts, names, readAt, decimals),
        options: filterOptions(all, names),
        definitions: [touchDefinition(settings.settings)],
      };
    };
    if (wantsCsv(req, query.format)) {
      sendTable(res, query.table, build());
      return;
    }
    const version = `${settings.version}|${readAt}`;
    sendJsonText(
      res,
      await ctx.answers.get(answerKey('portfolio', key, query.filters), version, () =>
        Promise.resolve(JSON.stringify(build())),
      ),
    );
  };
}
