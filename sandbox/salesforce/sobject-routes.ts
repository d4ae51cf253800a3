import express, { type Router } from 'express';
import { z } from 'zod';
import { apiGuard, contextOf, handle, type ApiContext } from './api-guard.ts';
import { describeGlobal, describeObject } from './describe.ts';
import { RecordError, SalesforceApiError, notFound } from './errors.ts';
import type { ObjectDef } from './object-schema.ts';
import { objectFor, prepareCreate, prepareDelete, prepareUpdate, prepareUpsert } from './record-operations.ts';
import type { SandboxState } from './sandbox-state.ts';
import { formatDateTime, parseInstant } from './sf-dates.ts';

/**
 * sObject resources: global and per-object describe, get/create/update/delete by id, and the
 * replication resources updated/ and deleted/ (reference §1.3).
 */

const MINUTE = 60_000;
const UPDATED_WINDOW_MS = 30 * 86_400_000;
const MAX_REPLICATION_IDS = 600_000;

const replicationQuery = z.object({ start: z.string().min(1), end: z.string().min(1) });
const recordBody = z.record(z.string(), z.unknown());
const fieldsQuery = z.object({ fields: z.string().optional() });

function sobjectOf(context: ApiContext, type: string): ObjectDef {
  const object = context.org.object(type);
  if (!object) throw notFound();
  return object;
}

function asApiError(error: unknown): unknown {
  return error instanceof RecordError ? error.toApiError() : error;
}

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
  return { start: Math.floor(start / MINUTE) * MINUTE, end: Math.floor(end / MINUTE) * MINUTE };
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
      const context = contextOf(req);
      const object = sobjectOf(context, req.params.type as string);
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
      const context = contextOf(req);
      res.json(describeObject(context.org, sobjectOf(context, req.params.type as string), context.apiVersion));
    }),
  );

  router.get(
    '/sobjects/:type/updated',
    apiGuard(state, 'sobjects.updated'),
    handle((req, res) => {
      const context = contextOf(req);
      const object = sobjectOf(context, req.params.type as string);
      const { start, end } = replicationWindow(req.query);
      const now = state.clock.now();
      if (start < now - UPDATED_WINDOW_MS) {
        throw new SalesforceApiError(400, 'INVALID_REPLICATION_DATE', 'start date cannot be more than 30 days ago');
      }
      const covered = Math.min(end, Math.floor(now / MINUTE) * MINUTE);
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
      const context = contextOf(req);
      const object = sobjectOf(context, req.params.type as string);
      const { start, end } = replicationWindow(req.query);
      const now = state.clock.now();
      const earliest = Math.floor((now - state.deletedRetentionMs) / MINUTE) * MINUTE;
      context.org.purgeDeletions(object.name, earliest);
      if (start < earliest) {
        throw new SalesforceApiError(
          400,
          'INVALID_REPLICATION_DATE',
          `startDate before the earliest date available: ${formatDateTime(earliest)}`,
        );
      }
      const covered = Math.min(end, Math.floor(now / MINUTE) * MINUTE);
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
      const context = contextOf(req);
      const object = sobjectOf(context, req.params.type as string);
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
            if (!field)
              throw new SalesforceApiError(
                400,
                'INVALID_FIELD',
                `No such column '${name}' on sobject of type ${object.name}`,
              );
            return field;
          })
        : visible;
      const body: Record<string, unknown> = {
        attributes: {
          type: object.name,
          url: `/services/data/v${context.apiVersion}/sobjects/${object.name}/${String(found.record.Id)}`,
        },
      };
      for (const field of chosen) body[field.name] = found.record[field.name] ?? null;
      res.json(body);
    }),
  );

  router.post(
    '/sobjects/:type',
    express.json(),
    apiGuard(state, 'sobjects.create'),
    handle((req, res) => {
      const context = contextOf(req);
      const object = sobjectOf(context, req.params.type as string);
      const body = recordBody.safeParse(req.body);
      if (!body.success)
        throw new SalesforceApiError(400, 'JSON_PARSER_ERROR', 'The request body must be a JSON object');
      try {
        const id = prepareCreate(context.org, object, body.data, context.userId).apply();
        res.status(201).json({ id, success: true, errors: [] });
      } catch (error) {
        throw asApiError(error);
      }
    }),
  );

  router.patch(
    '/sobjects/:type/:id',
    express.json(),
    apiGuard(state, 'sobjects.update'),
    handle((req, res) => {
      const context = contextOf(req);
      const object = sobjectOf(context, req.params.type as string);
      const body = recordBody.safeParse(req.body);
      if (!body.success)
        throw new SalesforceApiError(400, 'JSON_PARSER_ERROR', 'The request body must be a JSON object');
      try {
        prepareUpdate(context.org, object, req.params.id as string, body.data, context.userId).apply();
      } catch (error) {
        if (error instanceof RecordError && error.statusCode === 'INVALID_CROSS_REFERENCE_KEY') throw notFound();
        throw asApiError(error);
      }
      res.status(204).end();
    }),
  );

  router.patch(
    '/sobjects/:type/:field/:value',
    express.json(),
    apiGuard(state, 'sobjects.upsert'),
    handle((req, res) => {
      const context = contextOf(req);
      const object = sobjectOf(context, req.params.type as string);
      const body = recordBody.safeParse(req.body);
      if (!body.success)
        throw new SalesforceApiError(400, 'JSON_PARSER_ERROR', 'The request body must be a JSON object');
      try {
        const write = prepareUpsert(
          context.org,
          object,
          req.params.field as string,
          req.params.value as string,
          body.data,
          context.userId,
        );
        const id = write.apply();
        // From API 46.0 an update through upsert answers 200 with a body; a creation answers 201.
        res.status(write.created ? 201 : 200).json({ id, success: true, errors: [], created: write.created ?? false });
      } catch (error) {
        if (error instanceof RecordError && error.statusCode === 'NOT_FOUND') throw notFound();
        throw asApiError(error);
      }
    }),
  );

  router.delete(
    '/sobjects/:type/:id',
    apiGuard(state, 'sobjects.delete'),
    handle((req, res) => {
      const context = contextOf(req);
      const object = objectOrNotFound(context, req.params.type as string);
      const id = req.params.id as string;
      if (!id.startsWith(object.keyPrefix)) throw notFound();
      try {
        prepareDelete(context.org, id, context.userId).apply();
      } catch (error) {
        if (error instanceof RecordError && error.statusCode === 'INVALID_CROSS_REFERENCE_KEY') throw notFound();
        throw asApiError(error);
      }
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

function objectOrNotFound(context: ApiContext, type: string): ObjectDef {
  try {
    return objectFor(context.org, type);
  } catch {
    throw notFound();
  }
}
