import express, { type Request, type Router } from 'express';
import { z } from 'zod';
import { apiGuard, contextOf, handle } from './api-guard.ts';
import { describeGlobal, describeObject } from './describe.ts';
import { SalesforceApiError, notFound } from './errors.ts';
import { prepareCreate, prepareDelete, prepareUpdate, prepareUpsert } from './record-operations.ts';
import { noSuchColumn, recordBodyOf, recordView, runRecordWrite, sobjectOf } from './rest-records.ts';
import type { SandboxState } from './sandbox-state.ts';
import { formatDateTime, parseInstant } from './sf-dates.ts';

/**
 * sObject resources: global and per-object describe, get/create/update/delete by id, and the
 * replication resources updated/ and deleted/ (reference §1.3).
 */

const MINUTE = 60_000;
const UPDATED_WINDOW_MS = 30 * 86_400_000;
const MAX_REPLICATION_IDS = 600_000;

const toMinute = (ms: number) => Math.floor(ms / MINUTE) * MINUTE;

const replicationQuery = z.object({ start: z.string().min(1), end: z.string().min(1) });
const fieldsQuery = z.object({ fields: z.string().optional() });

/** start/end read as Salesforce reads them: UTC, seconds dropped, end after start. */
function replicationWindow(query: unknown): { start: number; end: number } {
  const parsed = replicationQuery.safeParse(query);
  if (!parsed.success) {
    throw new SalesforceApiError(400, 'MISSING_ARGUMENT', 'start and end must both be specified');
  }
  const start = parseInstant(parsed.data.start);
  const end = parseInstant(parsed.data.end);
  if (Number.isNaN(start) || Number.isNaN(end)) {
    throw new SalesforceApiError(400, 'INVALID_REPLICATION_DATE', 'start and end must be ISO 8601 dateTimes');
  }
  if (end <= start) {
    throw new SalesforceApiError(400, 'INVALID_REPLICATION_DATE', 'startDate must chronologically precede endDate');
  }
  return { start: toMinute(start), end: toMinute(end) };
}

/** Where every per-object route starts: the caller, and the object the URL names. */
function objectRequest(req: Request) {
  const context = contextOf(req);
  return { context, object: sobjectOf(context, req.params.type as string) };
}

/** What updated/ and deleted/ both start from: the object, the window, and the last whole minute it covers. */
function replicationRequest(state: SandboxState, req: Request) {
  const { context, object } = objectRequest(req);
  const { start, end } = replicationWindow(req.query);
  const now = state.clock.now();
  return { context, object, start, now, covered: Math.min(end, toMinute(now)) };
}

/** What every single-record write starts from: the caller, the object the URL names, the JSON body. */
function writeRequest(req: Request) {
  return { ...objectRequest(req), body: recordBodyOf(req.body) };
}

export function sobjectRouter(state: SandboxState): Router {
  const router = express.Router({ mergeParams: true });

  router.get(
    '/sobjects',
    apiGuard(state, 'sobjects.global'),
    handle((req, res) => {
      const context = contextOf(req);
      res.json(describeGlobal(context.org, context.apiVersion));
    }),
  );

  router.get(
    '/',
    apiGuard(state, 'resources'),
    handle((req, res) => {
      const base = `/services/data/v${contextOf(req).apiVersion}`;
      const names = ['sobjects', 'query', 'queryAll', 'limits', 'composite', 'tooling'];
      res.json(Object.fromEntries(names.map((name) => [name, `${base}/${name}`])));
    }),
  );

  router.get(
    '/sobjects/:type',
    apiGuard(state, 'sobjects.describe'),
    handle((req, res) => {
      const { context, object } = objectRequest(req);
      const {
        fields: _fields,
        childRelationships: _children,
        recordTypeInfos: _types,
        ...objectDescribe
      } = describeObject(context.org, object, context.apiVersion);
      res.json({ objectDescribe, recentItems: [] });
    }),
  );

  router.get(
    '/sobjects/:type/describe',
    apiGuard(state, 'sobjects.describe'),
    handle((req, res) => {
      const { context, object } = objectRequest(req);
      res.json(describeObject(context.org, object, context.apiVersion));
    }),
  );

  router.get(
    '/sobjects/:type/updated',
    apiGuard(state, 'sobjects.updated'),
    handle((req, res) => {
      const { context, object, start, now, covered } = replicationRequest(state, req);
      if (start < now - UPDATED_WINDOW_MS) {
        throw new SalesforceApiError(400, 'INVALID_REPLICATION_DATE', 'start date cannot be more than 30 days ago');
      }
      const ids: string[] = [];
      for (const record of context.org.table(object.name).values()) {
        if (record.IsDeleted === true) continue;
        const stamp = parseInstant(String(record.SystemModstamp));
        if (stamp >= start && stamp < covered) ids.push(record.Id as string);
      }
      if (ids.length > MAX_REPLICATION_IDS) {
        throw new SalesforceApiError(
          400,
          'EXCEEDED_ID_LIMIT',
          'record limit reached. cannot return more than 600000 ids',
        );
      }
      res.json({ ids, latestDateCovered: formatDateTime(covered) });
    }),
  );

  router.get(
    '/sobjects/:type/deleted',
    apiGuard(state, 'sobjects.deleted'),
    handle((req, res) => {
      const { context, object, start, now, covered } = replicationRequest(state, req);
      const earliest = toMinute(now - state.deletedRetentionMs);
      context.org.purgeDeletions(object.name, earliest);
      if (start < earliest) {
        throw new SalesforceApiError(
          400,
          'INVALID_REPLICATION_DATE',
          `startDate before the earliest date available: ${formatDateTime(earliest)}`,
        );
      }
      const deletedRecords = context.org
        .deletions(object.name)
        .filter((entry) => entry.deletedAt >= start && entry.deletedAt < covered)
        .map((entry) => ({ id: entry.id, deletedDate: formatDateTime(entry.deletedAt) }));
      res.json({
        deletedRecords,
        earliestDateAvailable: formatDateTime(earliest),
        latestDateCovered: formatDateTime(covered),
      });
    }),
  );

  router.get(
    '/sobjects/:type/:id',
    apiGuard(state, 'sobjects.get'),
    handle((req, res) => {
      const { context, object } = objectRequest(req);
      const found = context.org.find(req.params.id as string);
      if (!found || found.type !== object.name) throw notFound();
      if (found.record.IsDeleted === true) throw new SalesforceApiError(404, 'ENTITY_IS_DELETED', 'entity is deleted');
      const wanted = fieldsQuery
        .parse(req.query)
        .fields?.split(',')
        .map((name) => name.trim());
      const visible = [...object.fields.values()].filter((field) => context.org.canAccess(object, field));
      const chosen = wanted
        ? wanted.map((name) => {
            const field = visible.find((candidate) => candidate.name.toLowerCase() === name.toLowerCase());
            if (!field) throw noSuchColumn(name, object);
            return field;
          })
        : visible;
      res.json(recordView(context.apiVersion, object, found.record, chosen));
    }),
  );

  router.post(
    '/sobjects/:type',
    express.json(),
    apiGuard(state, 'sobjects.create'),
    handle((req, res) => {
      const { context, object, body } = writeRequest(req);
      const id = runRecordWrite(() => prepareCreate(context.org, object, body, context.userId).apply());
      res.status(201).json({ id, success: true, errors: [] });
    }),
  );

  router.patch(
    '/sobjects/:type/:id',
    express.json(),
    apiGuard(state, 'sobjects.update'),
    handle((req, res) => {
      const { context, object, body } = writeRequest(req);
      runRecordWrite(
        () => prepareUpdate(context.org, object, req.params.id as string, body, context.userId).apply(),
        'INVALID_CROSS_REFERENCE_KEY',
      );
      res.status(204).end();
    }),
  );

  router.patch(
    '/sobjects/:type/:field/:value',
    express.json(),
    apiGuard(state, 'sobjects.upsert'),
    handle((req, res) => {
      const { context, object, body } = writeRequest(req);
      const { write, id } = runRecordWrite(() => {
        const prepared = prepareUpsert(
          context.org,
          object,
          req.params.field as string,
          req.params.value as string,
          body,
          context.userId,
        );
        return { write: prepared, id: prepared.apply() };
      }, 'NOT_FOUND');
      // From API 46.0 an update through upsert answers 200 with a body; a creation answers 201.
      res.status(write.created ? 201 : 200).json({ id, success: true, errors: [], created: write.created ?? false });
    }),
  );

  router.delete(
    '/sobjects/:type/:id',
    apiGuard(state, 'sobjects.delete'),
    handle((req, res) => {
      const { context, object } = objectRequest(req);
      const id = req.params.id as string;
      if (!id.startsWith(object.keyPrefix)) throw notFound();
      runRecordWrite(() => prepareDelete(context.org, id, context.userId).apply(), 'INVALID_CROSS_REFERENCE_KEY');
      res.status(204).end();
    }),
  );

  router.get(
    '/limits',
    apiGuard(state, 'limits'),
    handle((req, res) => {
      const context = contextOf(req);
      const max = state.allowance.limit;
      const remaining = Math.max(0, max - state.allowance.count(context.org.id));
      const same = (value: number) => ({ Max: value, Remaining: value });
      res.json({
        DailyApiRequests: { Max: max, Remaining: remaining },
        DailyBulkApiBatches: same(15000),
        DailyBulkV2QueryJobs: same(10000),
        DailyBulkV2QueryFileStorageMB: same(976562),
        ConcurrentAsyncGetReportInstances: same(200),
        DataStorageMB: same(1024),
        FileStorageMB: same(1024),
      });
    }),
  );

  return router;
}
