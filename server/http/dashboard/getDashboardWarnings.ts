import type { RequestHandler } from 'express';
import { warningsInboxQuerySchema, type InboxWarning, type WarningsInbox } from '../../contracts/dashboard.ts';
import { evidenceSchema } from '../../core/warnings/finding.ts';
import { AppError } from '../../platform/errors.ts';
import { sendCsv, wantsCsv, type CsvColumn } from './csv.ts';
import { callerOf, type DashboardContext } from './deps.ts';
import { flattenQuery } from './query.ts';
import { sendJson } from './respond.ts';

/** A CSV holds every matching warning, up to this many, rather than one page. */
const CSV_LIMIT = 10_000;

const COLUMNS: CsvColumn<InboxWarning>[] = [
  { header: 'Opened', value: (row) => row.openedAt },
  { header: 'Severity', value: (row) => row.severity },
  { header: 'Rule', value: (row) => row.rule },
  { header: 'Title', value: (row) => row.title },
  { header: 'Account id', value: (row) => row.accountId },
  { header: 'Account', value: (row) => row.accountName },
  { header: 'CSM', value: (row) => row.csmName ?? row.csmId },
  { header: 'Detail', value: (row) => row.detail },
  { header: 'Last seen', value: (row) => row.lastSeenAt },
  { header: 'Warning id', value: (row) => row.id },
];

/**
 * `GET /api/installations/:id/dashboard/warnings?severity&rule&csm&page&pageSize`: the open early
 * warnings, newest first, a page at a time (the CSV holds them all).
 */
export function getDashboardWarnings(ctx: DashboardContext): RequestHandler {
  return async (req, res) => {
    const { key } = await callerOf(req, ctx);
    const parsed = warningsInboxQuerySchema.safeParse(flattenQuery(req.query));
    if (!parsed.success) throw parsed.error;
    const query = parsed.data;
    if (query.table !== undefined && query.table !== 'warnings') {
      throw new AppError(400, 'UNKNOWN_TABLE', `The warnings view exports warnings; not ${query.table}`);
    }
    const csv = wantsCsv(req, query.format);
    const filters = { severity: query.severity, rule: query.rule, csm: query.csm };
    const [inbox, names] = await Promise.all([
      ctx.store.warningsInbox(
        key,
        filters,
        csv ? { limit: CSV_LIMIT, offset: 0 } : { limit: query.pageSize, offset: (query.page - 1) * query.pageSize },
      ),
      ctx.store.ownerNames(key),
    ]);
    const items: InboxWarning[] = inbox.rows.map((row) => {
      const evidence = evidenceSchema.safeParse(row.evidence);
      return {
        id: row.id,
        accountId: row.accountId,
        accountName: row.accountName,
        rule: row.rule,
        severity: row.severity,
        title: row.title,
        detail: evidence.success ? evidence.data.text : null,
        csmId: row.csmId,
        csmName: row.csmId === null ? null : (names.get(row.csmId) ?? null),
        openedAt: row.openedAt.toISOString(),
        lastSeenAt: row.lastSeenAt.toISOString(),
      };
    });
    if (csv) {
      sendCsv(res, 'open-warnings', COLUMNS, items);
      return;
    }
    const body: WarningsInbox = {
      computedAt: new Date(ctx.now()).toISOString(),
      filters: { severity: query.severity ?? null, rule: query.rule ?? null, csm: query.csm ?? null },
      page: query.page,
      pageSize: query.pageSize,
      total: inbox.total,
      items,
      rules: inbox.rules,
    };
    sendJson(res, body);
  };
}
