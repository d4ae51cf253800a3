import type { Request } from 'express';
import {
  DASHBOARD_CSV_TABLES,
  dashboardQuerySchema,
  renewalsQuerySchema,
  type AppliedFilters,
  type DashboardView,
} from '../../contracts/dashboard.ts';
import { AppError } from '../../platform/errors.ts';

/** The query of a figure route, checked: unknown parameters and bad values answer 400 naming their paths. */

export interface FigureQuery {
  filters: AppliedFilters;
  format: 'json' | 'csv' | undefined;
  table: string;
  /** The page of the view's long table (renewals and plans); page 1 of 50 elsewhere. */
  page: { page: number; pageSize: number };
}

/** Query values arrive as a string, or an array when repeated; the last one counts. */
function flatten(query: Request['query']): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(query)) out[key] = Array.isArray(value) ? value.at(-1) : value;
  return out;
}

const FIRST_PAGE = { page: 1, pageSize: 50 };

export function figureQuery(req: Request, view: DashboardView): FigureQuery {
  // Only renewals and plans page a table; elsewhere `page` is an unknown parameter and answers 400.
  const parsed =
    view === 'renewals' || view === 'plans'
      ? renewalsQuerySchema.safeParse(flatten(req.query))
      : dashboardQuerySchema.transform((q) => ({ ...q, ...FIRST_PAGE })).safeParse(flatten(req.query));
  if (!parsed.success) throw parsed.error;
  const tables: readonly string[] = DASHBOARD_CSV_TABLES[view];
  const table = parsed.data.table ?? tables[0]!;
  if (!tables.includes(table)) {
    throw new AppError(400, 'UNKNOWN_TABLE', `The ${view} view exports ${tables.join(', ')}; not ${table}`);
  }
  return {
    filters: {
      segment: parsed.data.segment ?? null,
      tier: parsed.data.tier ?? null,
      csm: parsed.data.csm ?? null,
    },
    format: parsed.data.format,
    table,
    page: { page: parsed.data.page, pageSize: parsed.data.pageSize },
  };
}

export { flatten as flattenQuery };
