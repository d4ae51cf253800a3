import express, { type Request, type Router } from 'express';
import { z } from 'zod';
import { apiGuard, contextOf, handle, type ApiContext } from './api-guard.ts';
import { SalesforceApiError } from './errors.ts';
import type { SandboxState } from './sandbox-state.ts';
import { runSoql } from './soql-query.ts';

/**
 * query, queryAll and queryMore (reference §1.2). Rows are kept in a server-side cursor named by
 * a `01g…-N` locator, N the offset of the next batch; batches default to 2,000 and follow
 * `Sforce-Query-Options: batchSize=` (200–2,000, clamped as Salesforce does not promise the size).
 */

const DEFAULT_BATCH = 2000;
const queryParams = z.object({ q: z.string().min(1) });

function requestedBatchSize(req: Request, fallback: number): number {
  const header = req.get('sforce-query-options');
  const match = header ? /batchSize\s*=\s*(\d+)/i.exec(header) : null;
  if (!match) return fallback;
  return Math.min(2000, Math.max(200, Number(match[1])));
}

function page(context: ApiContext, locator: string, offset: number, batchSize: number) {
  const cursor = context.org.cursors.get(locator);
  if (!cursor) throw new SalesforceApiError(400, 'INVALID_QUERY_LOCATOR', 'invalid query locator');
  const size = Math.min(batchSize, context.shortPage ?? Infinity);
  const records = cursor.rows.slice(offset, offset + size);
  const next = offset + records.length;
  const done = next >= cursor.rows.length;
  if (done) context.org.cursors.close(locator);
  return {
    totalSize: cursor.rows.length,
    done,
    ...(done ? {} : { nextRecordsUrl: `/services/data/v${context.apiVersion}/query/${locator}-${next}` }),
    records,
  };
}

export function queryRouter(state: SandboxState): Router {
  const router = express.Router({ mergeParams: true });

  for (const [path, includeDeleted] of [
    ['/query', false],
    ['/queryAll', true],
  ] as const) {
    router.get(
      path,
      apiGuard(state, 'query'),
      handle((req, res) => {
        const context = contextOf(req);
        const parsed = queryParams.safeParse(req.query);
        if (!parsed.success) {
          throw new SalesforceApiError(400, 'MALFORMED_QUERY', 'A query string has to be specified');
        }
        const result = runSoql(context.org, parsed.data.q, {
          includeDeleted,
          now: state.clock.now(),
          apiVersion: context.apiVersion,
        });
        const locator = context.org.newLocator();
        const batchSize = requestedBatchSize(req, DEFAULT_BATCH);
        if (result.records.length === 0) {
          res.json({ totalSize: result.totalSize, done: true, records: [] });
          return;
        }
        context.org.cursors.add(locator, context.userId, { type: result.type, rows: result.records, batchSize });
        res.json(page(context, locator, 0, batchSize));
      }),
    );
  }

  for (const path of ['/query/:locator', '/queryAll/:locator']) {
    router.get(
      path,
      apiGuard(state, 'query.more'),
      handle((req, res) => {
        const context = contextOf(req);
        const match = /^(01g\w{15})-(\d+)$/.exec(String(req.params.locator));
        const cursor = match ? context.org.cursors.get(match[1] as string) : undefined;
        if (!match || !cursor) throw new SalesforceApiError(400, 'INVALID_QUERY_LOCATOR', 'invalid query locator');
        res.json(page(context, match[1] as string, Number(match[2]), requestedBatchSize(req, cursor.batchSize)));
      }),
    );
  }
  return router;
}
