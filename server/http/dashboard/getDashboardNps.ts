import type { RequestHandler } from 'express';
import type { Nps, NpsMix, TouchTier } from '../../contracts/dashboard.ts';
import { TOUCH_TIERS } from '../../contracts/dashboard.ts';
import { sendCsv, wantsCsv, type CsvColumn } from './csv.ts';
import { definitionsOf } from './definitions.ts';
import { callerOf, type DashboardContext } from './deps.ts';
import { npsReportPayload, parseStored } from './payloads.ts';
import { figureQuery } from './query.ts';
import { pendingCsv, pendingFigure, sendJson } from './respond.ts';
import { settingsInForce } from './settings.ts';

type Ready = Extract<Nps, { status: 'ready' }>;

const mixOf = (summary: NpsMix): NpsMix => ({
  responses: summary.responses,
  promoters: summary.promoters,
  passives: summary.passives,
  detractors: summary.detractors,
  score: summary.score,
});

const mixColumns = <Row extends NpsMix>(...first: CsvColumn<Row>[]): CsvColumn<Row>[] => [
  ...first,
  { header: 'Responses', value: (row) => row.responses },
  { header: 'Promoters', value: (row) => row.promoters },
  { header: 'Passives', value: (row) => row.passives },
  { header: 'Detractors', value: (row) => row.detractors },
  { header: 'NPS', value: (row) => row.score },
];

const THEME_COLUMNS: CsvColumn<Ready['themes'][number]>[] = [
  { header: 'Theme', value: (row) => row.label },
  { header: 'Mentions', value: (row) => row.mentions },
  { header: 'From promoters', value: (row) => row.promoterMentions },
  { header: 'From passives', value: (row) => row.passiveMentions },
  { header: 'From detractors', value: (row) => row.detractorMentions },
  { header: 'NPS of those answers', value: (row) => row.score },
  { header: 'Examples', value: (row) => row.examples.join(' | ') },
];

const isTier = (key: string | null): key is TouchTier => TOUCH_TIERS.includes(key as TouchTier);

/**
 * `GET /api/installations/:id/dashboard/nps`: the score and its mix, the trend by survey wave, by
 * segment, CSM and tier, and what the verbatims talk about. Its own tables are the slices, so the
 * view takes no filters.
 */
export function getDashboardNps(ctx: DashboardContext): RequestHandler {
  return async (req, res) => {
    const { key } = await callerOf(req, ctx);
    const query = figureQuery(req, 'nps');
    const snapshot = await ctx.store.snapshot(key, 'nps', [[]]);
    if (!snapshot) {
      if (wantsCsv(req, query.format)) throw pendingCsv('NPS figures');
      sendJson(res, pendingFigure('NPS figures'));
      return;
    }
    const report = parseStored(req, 'NPS report', npsReportPayload, snapshot.parts[0]);
    const [settings, names] = await Promise.all([settingsInForce(req, ctx, key), ctx.store.ownerNames(key)]);
    const wave = settings.settings.nps.wave;
    const body: Ready = {
      status: 'ready',
      computedAt: snapshot.computedAt.toISOString(),
      filters: { segment: null, tier: null, csm: null },
      wave,
      overall: mixOf(report.overall),
      trend: (wave === 'month' ? report.byMonth : report.byQuarter).map((period) => ({
        period: period.period,
        ...mixOf(period),
      })),
      bySegment: report.bySegment.map((group) => ({ segment: group.key, ...mixOf(group) })),
      byCsm: report.byCsm.map((group) => ({
        csmId: group.key,
        name: group.key === null ? null : (names.get(group.key) ?? null),
        ...mixOf(group),
      })),
      byTier: report.byTouch.map((group) => ({ tier: isTier(group.key) ? group.key : null, ...mixOf(group) })),
      themes: report.themes.map((theme) => ({
        theme: theme.theme,
        label: theme.label,
        mentions: theme.mentions,
        promoterMentions: theme.promoterMentions,
        passiveMentions: theme.passiveMentions,
        detractorMentions: theme.detractorMentions,
        score: theme.nps,
        examples: theme.examples,
      })),
      answersRead: report.answersRead,
      duplicatesDropped: report.duplicatesDropped,
      definitions: definitionsOf(report.definitions),
    };
    if (!wantsCsv(req, query.format)) {
      sendJson(res, body);
      return;
    }
    switch (query.table) {
      case 'segments':
        sendCsv(
          res,
          'nps-by-segment',
          mixColumns<Ready['bySegment'][number]>({ header: 'Segment', value: (row) => row.segment }),
          body.bySegment,
        );
        return;
      case 'csms':
        sendCsv(
          res,
          'nps-by-csm',
          mixColumns<Ready['byCsm'][number]>(
            { header: 'CSM id', value: (row) => row.csmId },
            { header: 'CSM', value: (row) => row.name ?? (row.csmId === null ? 'Unassigned' : '') },
          ),
          body.byCsm,
        );
        return;
      case 'tiers':
        sendCsv(
          res,
          'nps-by-tier',
          mixColumns<Ready['byTier'][number]>({ header: 'Tier', value: (row) => row.tier }),
          body.byTier,
        );
        return;
      case 'themes':
        sendCsv(res, 'nps-themes', THEME_COLUMNS, body.themes);
        return;
      default:
        sendCsv(
          res,
          'nps-trend',
          mixColumns<Ready['trend'][number]>({ header: 'Period', value: (row) => row.period }),
          body.trend,
        );
    }
  };
}
