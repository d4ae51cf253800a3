import express, { type Router } from 'express';
import type { z } from 'zod';
import { batchTimes, failsThisInput, partialBatchError, sendBatchAnswer, withNotFoundFirst } from './batch-answer.ts';
import { crmCall, locals, type SandboxContext } from './context.ts';
import { sendError, sendNotFound, sendPropertyValueErrors, type PropertyValueError } from './errors.ts';
import { resolveObjectType, SINGULAR, type ObjectType } from './object-types.ts';
import type { CrmRecord, PortalStore } from './portal-store.ts';
import { presentRecord } from './present.ts';
import { archiveIfLive, createRecord, mergeRecords, resolveAssociations, updateRecord } from './record-writes.ts';
import {
  batchArchiveBody,
  batchCreateBody,
  batchReadBody,
  batchUpdateBody,
  createBody,
  mergeBody,
  getQuery,
  listQuery,
  updateBody,
} from './request-schemas.ts';
import { objectTypeParam, parseInput } from './route-input.ts';
import { filterLimitViolation, filterProblem, runSearch, searchRequestSchema } from './search.ts';

/**
 * CRM v3 objects: list, get, create, update, archive, batch read/create/update/archive and search,
 * for every kept object type. Route names (for faults): `crm.objects.<operation>`.
 */

function findRecord(
  portal: PortalStore,
  type: ObjectType,
  id: string,
  idProperty: string | undefined,
): CrmRecord | undefined {
  if (idProperty === undefined || idProperty === 'hs_object_id') return portal.get(type, id);
  for (const record of portal.table(type).order) {
    if (!record.archived && record.properties[idProperty] === id) return record;
  }
  return undefined;
}

/** A record with what a list or get query asked for: properties, associations and history. */
function presentRequested(
  portal: PortalStore,
  record: CrmRecord,
  query: Pick<z.infer<typeof getQuery>, 'properties' | 'associations' | 'propertiesWithHistory'>,
) {
  return presentRecord(
    portal,
    record,
    query.properties,
    associationTypes(query.associations),
    query.propertiesWithHistory,
  );
}

export function objectsRouter(ctx: SandboxContext): Router {
  const router = express.Router();
  const now = () => ctx.clock.now();

  router.get(
    '/crm/v3/objects/:objectType',
    ...crmCall(ctx, 'crm.objects.list', 'standard', (req, res) => {
      const type = objectTypeParam(req, res);
      const query = type && parseInput(listQuery, req.query, res);
      if (!type || !query) return;
      const { portal, pageCap } = locals(res);
      const size = Math.min(query.limit, pageCap ?? query.limit);
      const table = portal.table(type);
      const results = [];
      let index = query.after === undefined ? 0 : table.indexFrom(Number(query.after));
      for (; index < table.order.length && results.length < size; index++) {
        const record = table.order[index] as CrmRecord;
        if (record.archived !== query.archived) continue;
        results.push(presentRequested(portal, record, query));
      }
      while (index < table.order.length && (table.order[index] as CrmRecord).archived !== query.archived) index++;
      const next = table.order[index];
      res.json(next ? { results, paging: { next: { after: next.id, link: `?after=${next.id}` } } } : { results });
    }),
  );

  router.post(
    '/crm/v3/objects/:objectType/search',
    express.json(),
    ...crmCall(ctx, 'crm.objects.search', 'search', (req, res) => {
      const type = objectTypeParam(req, res);
      const request = type && parseInput(searchRequestSchema, req.body ?? {}, res);
      if (!type || !request) return;
      const { portal, pageCap } = locals(res);
      const defs = portal.propertyMap(type);
      const problem =
        filterLimitViolation(request) ??
        request.filterGroups
          .flatMap((group) => group.filters)
          .map((filter) => filterProblem(filter, defs))
          .find(Boolean);
      if (problem) {
        sendError(res, 400, 'VALIDATION_ERROR', problem);
        return;
      }
      const cap = ctx.searchResultCap;
      if (request.after >= cap) {
        sendError(
          res,
          400,
          'VALIDATION_ERROR',
          `The search endpoints are limited to ${cap} total results for any given query. Paging beyond result ${cap} is not supported.`,
        );
        return;
      }
      const at = now();
      const indexed = portal
        .table(type)
        .order.map((record) => portal.searchView(record, at))
        .filter((view) => view !== undefined);
      const hits = runSearch(type, indexed, request, defs);
      const size = Math.min(request.limit, pageCap ?? request.limit, cap - request.after);
      const page = hits.slice(request.after, request.after + size);
      const nextOffset = request.after + page.length;
      const body = {
        total: hits.length,
        results: page.map((record) => presentRecord(portal, record, request.properties)),
      };
      res.json(
        nextOffset < hits.length && page.length > 0
          ? { ...body, paging: { next: { after: String(nextOffset), link: `?after=${nextOffset}` } } }
          : body,
      );
    }),
  );

  router.post(
    '/crm/v3/objects/:objectType/merge',
    express.json(),
    ...crmCall(ctx, 'crm.objects.merge', 'standard', (req, res) => {
      const type = objectTypeParam(req, res);
      const body = type && parseInput(mergeBody, req.body, res);
      if (!type || !body) return;
      const { portal } = locals(res);
      if (body.primaryObjectId === body.objectIdToMerge) {
        sendError(res, 400, 'VALIDATION_ERROR', 'A record cannot be merged into itself');
        return;
      }
      const primary = portal.live(type, body.primaryObjectId);
      const merged = portal.live(type, body.objectIdToMerge);
      if (!primary || !merged) {
        sendNotFound(res);
        return;
      }
      mergeRecords(ctx, portal, primary, merged);
      res.json(presentRecord(portal, primary, undefined));
    }),
  );

  router.post(
    '/crm/v3/objects/:objectType/batch/read',
    express.json(),
    ...crmCall(ctx, 'crm.objects.batch.read', 'standard', (req, res) => {
      const type = objectTypeParam(req, res);
      const body = type && parseInput(batchReadBody, req.body, res);
      const query = body && parseInput(getQuery.pick({ archived: true }), req.query, res);
      if (!type || !body || !query) return;
      const { portal, failShare } = locals(res);
      const startedAt = now();
      const results = [];
      const missing: string[] = [];
      const errors = [];
      for (const input of body.inputs) {
        const record = findRecord(portal, type, input.id, body.idProperty);
        if (!record || record.archived !== query.archived) {
          missing.push(input.id);
        } else if (failsThisInput(ctx, failShare)) {
          errors.push(partialBatchError('read', { ids: [input.id] }));
        } else {
          results.push(presentRecord(portal, record, body.properties, [], body.propertiesWithHistory));
        }
      }
      const notFound = `Could not get some ${SINGULAR[type].toUpperCase()} objects, they may be deleted or not exist. Check that ids are valid.`;
      sendBatchAnswer(res, batchTimes(ctx, startedAt), results, withNotFoundFirst(errors, notFound, missing));
    }),
  );

  router.post(
    '/crm/v3/objects/:objectType/batch/create',
    express.json(),
    ...crmCall(ctx, 'crm.objects.batch.create', 'standard', (req, res) => {
      const type = objectTypeParam(req, res);
      const body = type && parseInput(batchCreateBody, req.body, res);
      if (!type || !body) return;
      const { portal, failShare } = locals(res);
      const startedAt = now();
      // Check every input first: a batch rejected as a whole applies nothing.
      const checked = [];
      const failures: PropertyValueError[] = [];
      for (const input of body.inputs) {
        const write = portal.checkWrite(type, input.properties, 'create');
        const links = resolveAssociations(portal, type, input.associations);
        if (!links.ok) {
          sendError(res, 400, 'VALIDATION_ERROR', links.message);
          return;
        }
        if (write.ok) checked.push({ values: write.values, links: links.links, traceId: input.objectWriteTraceId });
        else failures.push(...write.failures);
      }
      if (failures.length > 0) {
        sendPropertyValueErrors(res, portal.info.id, failures);
        return;
      }
      const results = [];
      const errors = [];
      for (const [index, input] of checked.entries()) {
        if (failsThisInput(ctx, failShare)) {
          errors.push(partialBatchError('create', { objectWriteTraceId: [input.traceId ?? String(index)] }));
          continue;
        }
        const record = createRecord(ctx, portal, type, input.values, input.links);
        results.push(presentRecord(portal, record, Object.keys(input.values)));
      }
      sendBatchAnswer(res, batchTimes(ctx, startedAt), results, errors, 201);
    }),
  );

  router.post(
    '/crm/v3/objects/:objectType/batch/update',
    express.json(),
    ...crmCall(ctx, 'crm.objects.batch.update', 'standard', (req, res) => {
      const type = objectTypeParam(req, res);
      const body = type && parseInput(batchUpdateBody, req.body, res);
      if (!type || !body) return;
      const { portal, failShare } = locals(res);
      const startedAt = now();
      const ids = body.inputs.map((input) => input.id);
      const duplicate = ids.find((id, index) => ids.indexOf(id) !== index);
      if (duplicate !== undefined) {
        sendError(
          res,
          400,
          'VALIDATION_ERROR',
          `Duplicate IDs found in batch input: [${duplicate}]. IDs must be unique`,
        );
        return;
      }
      const failures: PropertyValueError[] = [];
      const checked = [];
      const missing: string[] = [];
      for (const input of body.inputs) {
        const write = portal.checkWrite(type, input.properties, 'update');
        if (!write.ok) {
          failures.push(...write.failures);
          continue;
        }
        const record = findRecord(portal, type, input.id, input.idProperty);
        if (!record || record.archived) missing.push(input.id);
        else checked.push({ record, values: write.values });
      }
      if (failures.length > 0) {
        sendPropertyValueErrors(res, portal.info.id, failures);
        return;
      }
      const results = [];
      const errors = [];
      for (const { record, values } of checked) {
        if (failsThisInput(ctx, failShare)) {
          errors.push(partialBatchError('update', { ids: [record.id] }));
          continue;
        }
        updateRecord(ctx, portal, record, values);
        results.push(presentRecord(portal, record, Object.keys(values)));
      }
      const notFound = 'Object not found. objectId are usually numeric.';
      sendBatchAnswer(res, batchTimes(ctx, startedAt), results, withNotFoundFirst(errors, notFound, missing));
    }),
  );

  router.post(
    '/crm/v3/objects/:objectType/batch/archive',
    express.json(),
    ...crmCall(ctx, 'crm.objects.batch.archive', 'standard', (req, res) => {
      const type = objectTypeParam(req, res);
      const body = type && parseInput(batchArchiveBody, req.body, res);
      if (!type || !body) return;
      const { portal } = locals(res);
      // HubSpot answers 204 even for ids that do not exist.
      for (const input of body.inputs) archiveIfLive(ctx, portal, portal.get(type, input.id));
      res.status(204).end();
    }),
  );

  router.get(
    '/crm/v3/objects/:objectType/:objectId',
    ...crmCall(ctx, 'crm.objects.get', 'standard', (req, res) => {
      const type = objectTypeParam(req, res);
      const query = type && parseInput(getQuery, req.query, res);
      if (!type || !query) return;
      const { portal } = locals(res);
      const record = findRecord(portal, type, req.params.objectId as string, query.idProperty);
      if (!record || record.archived !== query.archived) {
        sendNotFound(res);
        return;
      }
      res.json(presentRequested(portal, record, query));
    }),
  );

  router.post(
    '/crm/v3/objects/:objectType',
    express.json(),
    ...crmCall(ctx, 'crm.objects.create', 'standard', (req, res) => {
      const type = objectTypeParam(req, res);
      const body = type && parseInput(createBody, req.body, res);
      if (!type || !body) return;
      const { portal } = locals(res);
      const write = portal.checkWrite(type, body.properties, 'create');
      if (!write.ok) {
        sendPropertyValueErrors(res, portal.info.id, write.failures);
        return;
      }
      const links = resolveAssociations(portal, type, body.associations);
      if (!links.ok) {
        sendError(res, 400, 'VALIDATION_ERROR', links.message);
        return;
      }
      const record = createRecord(ctx, portal, type, write.values, links.links);
      res.status(201).json(presentRecord(portal, record, Object.keys(write.values)));
    }),
  );

  router.patch(
    '/crm/v3/objects/:objectType/:objectId',
    express.json(),
    ...crmCall(ctx, 'crm.objects.update', 'standard', (req, res) => {
      const type = objectTypeParam(req, res);
      const body = type && parseInput(updateBody, req.body, res);
      const query = body && parseInput(getQuery.pick({ idProperty: true }), req.query, res);
      if (!type || !body || !query) return;
      const { portal } = locals(res);
      const write = portal.checkWrite(type, body.properties, 'update');
      if (!write.ok) {
        sendPropertyValueErrors(res, portal.info.id, write.failures);
        return;
      }
      const record = findRecord(portal, type, req.params.objectId as string, query.idProperty);
      if (!record || record.archived) {
        sendNotFound(res);
        return;
      }
      updateRecord(ctx, portal, record, write.values);
      res.json(presentRecord(portal, record, Object.keys(write.values)));
    }),
  );

  router.delete(
    '/crm/v3/objects/:objectType/:objectId',
    ...crmCall(ctx, 'crm.objects.archive', 'standard', (req, res) => {
      const type = objectTypeParam(req, res);
      if (!type) return;
      const { portal } = locals(res);
      archiveIfLive(ctx, portal, portal.get(type, req.params.objectId as string));
      res.status(204).end();
    }),
  );

  return router;
}

function associationTypes(names: readonly string[] | undefined): ObjectType[] {
  return (names ?? []).map((name) => resolveObjectType(name)).filter((type) => type !== undefined);
}
