import express, { type Request, type Response, type Router } from 'express';
import type { z } from 'zod';
import { ASSOCIATION_TYPES } from './associations.ts';
import { crmCall, locals, type SandboxContext } from './context.ts';
import { propertyValuesBody, sendError, sendInvalidInput, type PropertyValueError } from './errors.ts';
import { resolveObjectType, type ObjectType } from './object-types.ts';
import type { CrmRecord, PortalStore } from './portal-store.ts';
import { presentRecord } from './present.ts';
import {
  batchArchiveBody,
  batchCreateBody,
  batchReadBody,
  batchUpdateBody,
  createBody,
  getQuery,
  listQuery,
  updateBody,
} from './request-schemas.ts';
import { SEARCH_LIMITS, filterLimitViolation, filterProblem, runSearch, searchRequestSchema } from './search.ts';

/**
 * CRM v3 objects: list, get, create, update, archive, batch read/create/update/archive and search,
 * for every kept object type. Route names (for faults): `crm.objects.<operation>`.
 */

function parse<S extends z.ZodType>(schema: S, value: unknown, res: Response): z.infer<S> | undefined {
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    sendInvalidInput(res, parsed.error.issues);
    return undefined;
  }
  return parsed.data;
}

function objectType(req: Request, res: Response): ObjectType | undefined {
  const type = resolveObjectType(req.params.objectType as string | undefined);
  if (!type)
    sendError(res, 400, 'VALIDATION_ERROR', `Unable to infer object type from: ${String(req.params.objectType)}`);
  return type;
}

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

function notFound(res: Response): void {
  sendError(res, 404, 'OBJECT_NOT_FOUND', 'Resource not found');
}

function batchTimes(ctx: SandboxContext, startedAt: number) {
  return { startedAt: new Date(startedAt).toISOString(), completedAt: new Date(ctx.clock.now()).toISOString() };
}

/** A per-input error of a 207 (`StandardError`). */
function itemError(category: string, message: string, context: Record<string, string[]>) {
  return { status: 'error', category, message, context, errors: [], links: {} };
}

/** The association inputs of a create, resolved; failures are reported like property failures. */
function resolveAssociations(
  portal: PortalStore,
  type: ObjectType,
  inputs: z.infer<typeof createBody>['associations'],
): { ok: true; links: { to: CrmRecord; typeId: number }[] } | { ok: false; message: string } {
  const links: { to: CrmRecord; typeId: number }[] = [];
  for (const input of inputs) {
    for (const spec of input.types) {
      const def = ASSOCIATION_TYPES.get(spec.associationTypeId);
      if (!def || def.from !== type) {
        return { ok: false, message: `${spec.associationTypeId} is not a valid association type id from ${type}` };
      }
      const to = portal.live(def.to, input.to.id);
      if (!to) return { ok: false, message: `No ${def.to} with id ${input.to.id} exists to associate with` };
      links.push({ to, typeId: def.id });
    }
  }
  return { ok: true, links };
}

export function objectsRouter(ctx: SandboxContext): Router {
  const router = express.Router();
  const now = () => ctx.clock.now();

  router.get(
    '/crm/v3/objects/:objectType',
    ...crmCall(ctx, 'crm.objects.list', 'standard', (req, res) => {
      const type = objectType(req, res);
      const query = type && parse(listQuery, req.query, res);
      if (!type || !query) return;
      const { portal, pageCap } = locals(res);
      const size = Math.min(query.limit, pageCap ?? query.limit);
      const table = portal.table(type);
      const results = [];
      let index = query.after === undefined ? 0 : table.indexFrom(Number(query.after));
      for (; index < table.order.length && results.length < size; index++) {
        const record = table.order[index] as CrmRecord;
        if (record.archived !== query.archived) continue;
        results.push(
          presentRecord(
            portal,
            record,
            query.properties,
            associationTypes(query.associations),
            query.propertiesWithHistory,
          ),
        );
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
      const type = objectType(req, res);
      const request = type && parse(searchRequestSchema, req.body ?? {}, res);
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
      if (request.after >= SEARCH_LIMITS.results) {
        sendError(
          res,
          400,
          'VALIDATION_ERROR',
          `The search endpoints are limited to ${SEARCH_LIMITS.results} total results for any given query. Paging beyond result ${SEARCH_LIMITS.results} is not supported.`,
        );
        return;
      }
      const at = now();
      const indexed = portal
        .table(type)
        .order.map((record) => portal.searchView(record, at))
        .filter((view) => view !== undefined);
      const hits = runSearch(type, indexed, request, defs);
      const size = Math.min(request.limit, pageCap ?? request.limit, SEARCH_LIMITS.results - request.after);
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
    '/crm/v3/objects/:objectType/batch/read',
    express.json(),
    ...crmCall(ctx, 'crm.objects.batch.read', 'standard', (req, res) => {
      const type = objectType(req, res);
      const body = type && parse(batchReadBody, req.body, res);
      const query = type && parse(getQuery.pick({ archived: true }), req.query, res);
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
        } else if (failShare !== undefined && ctx.faults.rollPerRecord(failShare)) {
          errors.push(itemError('INTERNAL_ERROR', 'Failed to read this object; try again.', { ids: [input.id] }));
        } else {
          results.push(presentRecord(portal, record, body.properties, [], body.propertiesWithHistory));
        }
      }
      if (missing.length > 0) {
        errors.unshift(
          itemError(
            'OBJECT_NOT_FOUND',
            `Could not get some ${type.toUpperCase().replace(/S$/, '')} objects, they may be deleted or not exist. Check that ids are valid.`,
            { ids: missing },
          ),
        );
      }
      const answer = { status: 'COMPLETE', results, ...batchTimes(ctx, startedAt) };
      if (errors.length > 0) res.status(207).json({ ...answer, numErrors: errors.length, errors });
      else res.json(answer);
    }),
  );

  router.post(
    '/crm/v3/objects/:objectType/batch/create',
    express.json(),
    ...crmCall(ctx, 'crm.objects.batch.create', 'standard', (req, res) => {
      const type = objectType(req, res);
      const body = type && parse(batchCreateBody, req.body, res);
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
        res.status(400).json(propertyValuesBody(portal.info.id, failures));
        return;
      }
      const results = [];
      const errors = [];
      for (const [index, input] of checked.entries()) {
        if (failShare !== undefined && ctx.faults.rollPerRecord(failShare)) {
          errors.push(
            itemError('INTERNAL_ERROR', 'Failed to create this object; try again.', {
              objectWriteTraceId: [input.traceId ?? String(index)],
            }),
          );
          continue;
        }
        const record = portal.create(type, input.values, now());
        for (const link of input.links) portal.associate(record, link.to, ASSOCIATION_TYPES.get(link.typeId)!);
        ctx.webhooks?.created(portal.info.id, record);
        results.push(presentRecord(portal, record, Object.keys(input.values)));
      }
      const answer = { status: 'COMPLETE', results, ...batchTimes(ctx, startedAt) };
      if (errors.length > 0) res.status(207).json({ ...answer, numErrors: errors.length, errors });
      else res.status(201).json(answer);
    }),
  );

  router.post(
    '/crm/v3/objects/:objectType/batch/update',
    express.json(),
    ...crmCall(ctx, 'crm.objects.batch.update', 'standard', (req, res) => {
      const type = objectType(req, res);
      const body = type && parse(batchUpdateBody, req.body, res);
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
        res.status(400).json(propertyValuesBody(portal.info.id, failures));
        return;
      }
      const results = [];
      const errors = [];
      for (const { record, values } of checked) {
        if (failShare !== undefined && ctx.faults.rollPerRecord(failShare)) {
          errors.push(itemError('INTERNAL_ERROR', 'Failed to update this object; try again.', { ids: [record.id] }));
          continue;
        }
        portal.update(record, values, now());
        ctx.webhooks?.changed(portal.info.id, record, values);
        results.push(presentRecord(portal, record, Object.keys(values)));
      }
      if (missing.length > 0) {
        errors.unshift(
          itemError('OBJECT_NOT_FOUND', 'Object not found. objectId are usually numeric.', { ids: missing }),
        );
      }
      const answer = { status: 'COMPLETE', results, ...batchTimes(ctx, startedAt) };
      if (errors.length > 0) res.status(207).json({ ...answer, numErrors: errors.length, errors });
      else res.json(answer);
    }),
  );

  router.post(
    '/crm/v3/objects/:objectType/batch/archive',
    express.json(),
    ...crmCall(ctx, 'crm.objects.batch.archive', 'standard', (req, res) => {
      const type = objectType(req, res);
      const body = type && parse(batchArchiveBody, req.body, res);
      if (!type || !body) return;
      const { portal } = locals(res);
      // HubSpot answers 204 even for ids that do not exist.
      for (const input of body.inputs) {
        const record = portal.get(type, input.id);
        if (record && !record.archived) {
          portal.archive(record, now());
          ctx.webhooks?.deleted(portal.info.id, record);
        }
      }
      res.status(204).end();
    }),
  );

  router.get(
    '/crm/v3/objects/:objectType/:objectId',
    ...crmCall(ctx, 'crm.objects.get', 'standard', (req, res) => {
      const type = objectType(req, res);
      const query = type && parse(getQuery, req.query, res);
      if (!type || !query) return;
      const { portal } = locals(res);
      const record = findRecord(portal, type, req.params.objectId as string, query.idProperty);
      if (!record || record.archived !== query.archived) {
        notFound(res);
        return;
      }
      res.json(
        presentRecord(
          portal,
          record,
          query.properties,
          associationTypes(query.associations),
          query.propertiesWithHistory,
        ),
      );
    }),
  );

  router.post(
    '/crm/v3/objects/:objectType',
    express.json(),
    ...crmCall(ctx, 'crm.objects.create', 'standard', (req, res) => {
      const type = objectType(req, res);
      const body = type && parse(createBody, req.body, res);
      if (!type || !body) return;
      const { portal } = locals(res);
      const write = portal.checkWrite(type, body.properties, 'create');
      if (!write.ok) {
        res.status(400).json(propertyValuesBody(portal.info.id, write.failures));
        return;
      }
      const links = resolveAssociations(portal, type, body.associations);
      if (!links.ok) {
        sendError(res, 400, 'VALIDATION_ERROR', links.message);
        return;
      }
      const record = portal.create(type, write.values, now());
      for (const link of links.links) portal.associate(record, link.to, ASSOCIATION_TYPES.get(link.typeId)!);
      ctx.webhooks?.created(portal.info.id, record);
      res.status(201).json(presentRecord(portal, record, Object.keys(write.values)));
    }),
  );

  router.patch(
    '/crm/v3/objects/:objectType/:objectId',
    express.json(),
    ...crmCall(ctx, 'crm.objects.update', 'standard', (req, res) => {
      const type = objectType(req, res);
      const body = type && parse(updateBody, req.body, res);
      const query = type && parse(getQuery.pick({ idProperty: true }), req.query, res);
      if (!type || !body || !query) return;
      const { portal } = locals(res);
      const write = portal.checkWrite(type, body.properties, 'update');
      if (!write.ok) {
        res.status(400).json(propertyValuesBody(portal.info.id, write.failures));
        return;
      }
      const record = findRecord(portal, type, req.params.objectId as string, query.idProperty);
      if (!record || record.archived) {
        notFound(res);
        return;
      }
      portal.update(record, write.values, now());
      ctx.webhooks?.changed(portal.info.id, record, write.values);
      res.json(presentRecord(portal, record, Object.keys(write.values)));
    }),
  );

  router.delete(
    '/crm/v3/objects/:objectType/:objectId',
    ...crmCall(ctx, 'crm.objects.archive', 'standard', (req, res) => {
      const type = objectType(req, res);
      if (!type) return;
      const { portal } = locals(res);
      const record = portal.get(type, req.params.objectId as string);
      if (record && !record.archived) {
        portal.archive(record, now());
        ctx.webhooks?.deleted(portal.info.id, record);
      }
      res.status(204).end();
    }),
  );

  return router;
}

function associationTypes(names: readonly string[] | undefined): ObjectType[] {
  return (names ?? []).map((name) => resolveObjectType(name)).filter((type) => type !== undefined);
}
