import type { RequestHandler } from 'express';
import { z } from 'zod';
import type { Retention, RetentionFiguresBody } from '../../contracts/dashboard.ts';
import { sendCsv, wantsCsv, type CsvColumn } from './csv.ts';
import { definition, definitionsOf } from './definitions.ts';
import { callerOf, type DashboardContext } from './deps.ts';
import { cohortReportPayload, parseStored, retentionReportPayload, type RetentionFiguresPayload } from './payloads.ts';
import { figureQuery } from './query.ts';
import { isoDay, pendingCsv, pendingFigure, sendJson } from './respond.ts';

type Ready = Extract<Retention, { status: 'ready' }>;
type MonthRow = Ready['months'][number];
type CohortRow = Ready['cohorts'][number];

const figuresOf = (figures: RetentionFiguresPayload): RetentionFiguresBody => ({
  ...figures,
  from: isoDay(figures.from),
  to: isoDay(figures.to),
});

const MONTH_COLUMNS: CsvColumn<MonthRow>[] = [
  { header: 'Month', value: (row) => row.month },
  { header: 'Partial', value: (row) => row.partial },
  { header: 'Opening accounts', value: (row) => row.monthly.openingAccounts },
  { header: 'Opening ARR', value: (row) => row.monthly.openingArr },
  { header: 'Expansion ARR', value: (row) => row.monthly.expansionArr },
  { header: 'Contraction ARR', value: (row) => row.monthly.contractionArr },
  { header: 'Churned accounts', value: (row) => row.monthly.churnedAccounts },
  { header: 'Churned ARR', value: (row) => row.monthly.churnedArr },
  { header: 'New accounts', value: (row) => row.monthly.newAccounts },
  { header: 'New ARR', value: (row) => row.monthly.newArr },
  { header: 'NRR', value: (row) => row.monthly.nrr },
  { header: 'GRR', value: (row) => row.monthly.grr },
  { header: 'Logo churn rate', value: (row) => row.monthly.logoChurnRate },
  { header: 'Revenue churn rate', value: (row) => row.monthly.revenueChurnRate },
  { header: 'Trailing 12 months NRR', value: (row) => row.trailing12.nrr },
  { header: 'Trailing 12 months GRR', value: (row) => row.trailing12.grr },
  { header: 'Trailing 12 months logo churn rate', value: (row) => row.trailing12.logoChurnRate },
  { header: 'Trailing 12 months revenue churn rate', value: (row) => row.trailing12.revenueChurnRate },
];

/** One line per cohort and quarter since its start: the shape a pivot table wants. */
interface CohortCell {
  cohort: string;
  accounts: number;
  startingArr: number;
  quarter: CohortRow['quarters'][number];
}
const COHORT_COLUMNS: CsvColumn<CohortCell>[] = [
  { header: 'Cohort', value: (row) => row.cohort },
  { header: 'Accounts', value: (row) => row.accounts },
  { header: 'Starting ARR', value: (row) => row.startingArr },
  { header: 'Quarters since start', value: (row) => row.quarter.offset },
  { header: 'Quarter', value: (row) => row.quarter.quarter },
  { header: 'Partial', value: (row) => row.quarter.partial },
  { header: 'Logos', value: (row) => row.quarter.logos },
  { header: 'Logo retention', value: (row) => row.quarter.logoRetention },
  { header: 'ARR', value: (row) => row.quarter.arr },
  { header: 'ARR retention', value: (row) => row.quarter.arrRetention },
  { header: 'Gross ARR retention', value: (row) => row.quarter.grossArrRetention },
];

const slices = z.array(
  z.object({ segment: z.string().nullable().optional(), tier: z.string().optional(), report: z.unknown() }),
);

/**
 * `GET /api/installations/:id/dashboard/retention?segment|tier`: NRR, GRR, logo and revenue churn by
 * month and over the trailing twelve months, and quarterly cohorts, each with its definition. The job
 * slices by segment and by tier (one at a time; a segment wins over a tier); CSMs are not sliced.
 */
export function getDashboardRetention(ctx: DashboardContext): RequestHandler {
  return async (req, res) => {
    const { key } = await callerOf(req, ctx);
    const query = figureQuery(req, 'retention');
    const { segment, tier } = query.filters;
    const slicePath = segment !== null ? ['bySegment'] : tier !== null ? ['byTouch'] : ['overall'];
    const snapshot = await ctx.store.snapshot(key, 'retention', [slicePath, ['cohorts']]);
    if (!snapshot) {
      if (wantsCsv(req, query.format)) throw pendingCsv('retention figures');
      sendJson(res, pendingFigure('retention figures'));
      return;
    }
    const [sliceValue, cohortValue] = snapshot.parts;
    let reportValue: unknown = sliceValue;
    if (segment !== null || tier !== null) {
      const entries = parseStored(req, 'retention slices', slices, sliceValue);
      const wanted = segment?.trim().toLowerCase();
      const entry = entries.find((item) =>
        wanted !== undefined ? (item.segment ?? '').trim().toLowerCase() === wanted : item.tier === tier,
      );
      reportValue = entry?.report ?? null;
    }
    const cohorts = parseStored(req, 'cohort retention', cohortReportPayload, cohortValue);
    const filters = { segment, tier: segment === null ? tier : null, csm: null };
    let body: Ready;
    if (reportValue === null) {
      // A segment or tier nobody is in: nothing to report, which is an answer, not an error.
      body = {
        status: 'ready',
        computedAt: snapshot.computedAt.toISOString(),
        filters,
        months: [],
        trailing12: emptyFigures(snapshot.computedAt.getTime()),
        cohorts: [],
        definitions: [definition('cohorts', cohorts.definition)],
      };
    } else {
      const report = parseStored(req, 'retention report', retentionReportPayload, reportValue);
      body = {
        status: 'ready',
        computedAt: snapshot.computedAt.toISOString(),
        filters,
        months: report.months.map((month) => ({
          month: month.month,
          partial: month.partial,
          monthly: figuresOf(month.monthly),
          trailing12: figuresOf(month.trailing12),
        })),
        trailing12: figuresOf(report.trailing12),
        // Cohorts are of the whole book: the job does not slice them.
        cohorts: segment === null && tier === null ? cohorts.cohorts : [],
        definitions: [...definitionsOf(report.definitions), definition('cohorts', cohorts.definition)],
      };
    }
    if (!wantsCsv(req, query.format)) {
      sendJson(res, body);
      return;
    }
    if (query.table === 'cohorts') {
      const cells = body.cohorts.flatMap((cohort) =>
        cohort.quarters.map((quarter) => ({
          cohort: cohort.cohort,
          accounts: cohort.accounts,
          startingArr: cohort.startingArr,
          quarter,
        })),
      );
      sendCsv(res, 'retention-cohorts', COHORT_COLUMNS, cells);
    } else {
      sendCsv(res, 'retention-by-month', MONTH_COLUMNS, body.months);
    }
  };
}

function emptyFigures(at: number): RetentionFiguresBody {
  return {
    from: isoDay(at),
    to: isoDay(at),
    openingAccounts: 0,
    openingArr: 0,
    closingArr: 0,
    expansionArr: 0,
    contractionArr: 0,
    churnedAccounts: 0,
    churnedArr: 0,
    newAccounts: 0,
    newArr: 0,
    nrr: null,
    grr: null,
    logoChurnRate: null,
    revenueChurnRate: null,
  };
}
