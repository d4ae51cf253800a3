import express, { type Request, type Response, type Router } from 'express';
import { z } from 'zod';
import { ASSOCIATION_TYPES, defaultAssociationType, type AssociationTypeDef } from './associations.ts';
import { crmCall, locals, type SandboxContext } from './context.ts';
import { sendError, sendInvalidInput } from './errors.ts';
import { OBJECT_TYPE_IDS, resolveObjectType, type ObjectType } from './object-types.ts';
import type { CrmRecord, PortalStore } from './portal-store.ts';
import { BATCH_LIMIT, associationSpec } from './request-schemas.ts';

/**
 * Associations v4: list one record's associations, create labelled or default ones, remove them, and
 * the batch read/create/default/archive forms. Route names: `crm.associations.<operation>`.
 */

const PAGE_LIMIT = 500;
const id = z.union([z.string().min(1), z.number()]).transform(String);

const listQuery = z.object({
  limit: z.coerce.number().int().min(1).max(PAGE_LIMIT).default(PAGE_LIMIT),
  after: z.string().regex(/^\d+$/).optional(),
});
const batchRead = z.object({ inputs: z.array(z.object({ id, after: z.string().optional() })).max(1000) });
const batchCreate = z.object({
  inputs: z
    .array(z.object({ from: z.object({ id }), to: z.object({ id }), types: z.array(associationSpec).min(1) }))
    .max(BATCH_LIMIT),
});
const batchDefault = z.object({
  inputs: z.array(z.object({ from: z.object({ id }), to: z.object({ id }) })).max(BATCH_LIMIT),
});
const batchArchive = z.object({
  inputs: z.array(z.object({ from: z.object({ id }), to: z.array(z.object({ id })) })).max(BATCH_LIMIT),
});

function typePair(req: Request, res: Response, fromKey: string, toKey: string): [ObjectType, ObjectType] | undefined {
  const from = resolveObjectType(req.params[fromKey] as string | undefined);
  const to = resolveObjectType(req.params[toKey] as string | undefined);
  if (!from || !to || !defaultAssociationType(from, to)) {
    sendError(
      res,
      400,
      'VALIDATION_ERROR',
      `No association is defined between ${String(req.params[fromKey])} and ${String(req.params[toKey])}`,
    );
    return undefined;
  }
  return [from, to];
}

/** Unlabeled types carry no `label` key (the v4 file types it as an optional string). */
function typeLabel(def: AssociationTypeDef) {
  return def.label === null
    ? { category: 'HUBSPOT_DEFINED', typeId: def.id }
    : { category: 'HUBSPOT_DEFINED', typeId: def.id, label: def.label };
}

function associatedObjects(portal: PortalStore, record: CrmRecord, toType: ObjectType) {
  return portal
    .associations(record, toType)
    .map(({ id: toObjectId, types }) => ({ toObjectId, associationTypes: types.map(typeLabel) }));
}

function objectNotFound(fromType: ObjectType, toType: ObjectType, ids: string[]) {
  return {
    status: 'error',
    category: 'OBJECT_NOT_FOUND',
    message: `Could not find ${fromType} objects with ids ${ids.join(', ')}`,
    context: {
      fromObjectId: ids,
      fromObjectType: [OBJECT_TYPE_IDS[fromType]],
      toObjectType: [OBJECT_TYPE_IDS[toType]],
    },
    errors: [],
    links: {},
  };
}

export function associationsRouter(ctx: SandboxContext): Router {
  const router = express.Router();
  const times = (startedAt: number) => ({
    startedAt: new Date(startedAt).toISOString(),
    completedAt: new Date(ctx.clock.now()).toISOString(),
  });

  router.get(
    '/crm/v4/objects/:objectType/:objectId/associations/:toObjectType',
    ...crmCall(ctx, 'crm.associations.list', 'standard', (req, res) => {
      const pair = typePair(req, res, 'objectType', 'toObjectType');
      if (!pair) return;
      const query = listQuery.safeParse(req.query);
      if (!query.success) {
        sendInvalidInput(res, query.error.issues);
        return;
      }
      const { portal } = locals(res);
      const record = portal.live(pair[0], req.params.objectId as string);
      if (!record) {
        sendError(res, 404, 'OBJECT_NOT_FOUND', 'Resource not found');
        return;
      }
      const all = associatedObjects(portal, record, pair[1]);
      const start = query.data.after === undefined ? 0 : Number(query.data.after);
      const results = all.slice(start, start + query.data.limit);
      const next = start + results.length;
      res.json(
        next < all.length
          ? { results, paging: { next: { after: String(next), link: `?after=${next}` } } }
          : { results },
      );
    }),
  );

  router.put(
    '/crm/v4/objects/:fromObjectType/:fromObjectId/associations/default/:toObjectType/:toObjectId',
    ...crmCall(ctx, 'crm.associations.createDefault', 'standard', (req, res) => {
      const pair = typePair(req, res, 'fromObjectType', 'toObjectType');
      if (!pair) return;
      const { portal } = locals(res);
      const from = portal.live(pair[0], req.params.fromObjectId as string);
      const to = portal.live(pair[1], req.params.toObjectId as string);
      if (!from || !to) {
        sendError(res, 404, 'OBJECT_NOT_FOUND', 'Resource not found');
        return;
      }
      const startedAt = ctx.clock.now();
      const def = defaultAssociationType(pair[0], pair[1]) as AssociationTypeDef;
      portal.associate(from, to, def);
      res.json({
        status: 'COMPLETE',
        results: [
          {
            from: { id: from.id },
            to: { id: to.id },
            associationSpec: { associationCategory: 'HUBSPOT_DEFINED', associationTypeId: def.id },
          },
        ],
        ...times(startedAt),
      });
    }),
  );

  router.put(
    '/crm/v4/objects/:objectType/:objectId/associations/:toObjectType/:toObjectId',
    express.json(),
    ...crmCall(ctx, 'crm.associations.create', 'standard', (req, res) => {
      const pair = typePair(req, res, 'objectType', 'toObjectType');
      if (!pair) return;
      const specs = z.array(associationSpec).min(1).safeParse(req.body);
      if (!specs.success) {
        sendInvalidInput(res, specs.error.issues);
        return;
      }
      const { portal } = locals(res);
      const from = portal.live(pair[0], req.params.objectId as string);
      const to = portal.live(pair[1], req.params.toObjectId as string);
      if (!from || !to) {
        sendError(res, 404, 'OBJECT_NOT_FOUND', 'Resource not found');
        return;
      }
      const defs = specs.data.map((spec) => ASSOCIATION_TYPES.get(spec.associationTypeId));
      const bad = defs.findIndex((def) => !def || def.from !== pair[0] || def.to !== pair[1]);
      if (bad >= 0) {
        sendError(
          res,
          400,
          'VALIDATION_ERROR',
          `${specs.data[bad]?.associationTypeId} is not a valid association type between ${pair[0]} and ${pair[1]}`,
        );
        return;
      }
      for (const def of defs) portal.associate(from, to, def as AssociationTypeDef);
      res.status(201).json({
        fromObjectTypeId: OBJECT_TYPE_IDS[pair[0]],
        fromObjectId: from.id,
        toObjectTypeId: OBJECT_TYPE_IDS[pair[1]],
        toObjectId: to.id,
        labels: defs.map((def) => def?.label).filter((label): label is string => typeof label === 'string'),
      });
    }),
  );

  router.delete(
    '/crm/v4/objects/:objectType/:objectId/associations/:toObjectType/:toObjectId',
    ...crmCall(ctx, 'crm.associations.archive', 'standard', (req, res) => {
      const pair = typePair(req, res, 'objectType', 'toObjectType');
      if (!pair) return;
      const { portal } = locals(res);
      const from = portal.get(pair[0], req.params.objectId as string);
      const to = portal.get(pair[1], req.params.toObjectId as string);
      if (from && to) portal.dissociate(from, to);
      res.status(204).end();
    }),
  );

  router.post(
    '/crm/v4/associations/:fromObjectType/:toObjectType/batch/read',
    express.json(),
    ...crmCall(ctx, 'crm.associations.batch.read', 'standard', (req, res) => {
      const pair = typePair(req, res, 'fromObjectType', 'toObjectType');
      if (!pair) return;
      const body = batchRead.safeParse(req.body);
      if (!body.success) {
        sendInvalidInput(res, body.error.issues);
        return;
      }
      const { portal } = locals(res);
      const startedAt = ctx.clock.now();
      const results = [];
      const missing: string[] = [];
      for (const input of body.data.inputs) {
        const record = portal.live(pair[0], input.id);
        if (!record) missing.push(input.id);
        else results.push({ from: { id: record.id }, to: associatedObjects(portal, record, pair[1]) });
      }
      const answer = { status: 'COMPLETE', results, ...times(startedAt) };
      if (missing.length > 0)
        res.status(207).json({ ...answer, numErrors: 1, errors: [objectNotFound(pair[0], pair[1], missing)] });
      else res.json(answer);
    }),
  );

  router.post(
    '/crm/v4/associations/:fromObjectType/:toObjectType/batch/create',
    express.json(),
    ...crmCall(ctx, 'crm.associations.batch.create', 'standard', (req, res) => {
      const pair = typePair(req, res, 'fromObjectType', 'toObjectType');
      if (!pair) return;
      const body = batchCreate.safeParse(req.body);
      if (!body.success) {
        sendInvalidInput(res, body.error.issues);
        return;
      }
      const { portal } = locals(res);
      const startedAt = ctx.clock.now();
      for (const input of body.data.inputs) {
        const bad = input.types.find((spec) => {
          const def = ASSOCIATION_TYPES.get(spec.associationTypeId);
          return !def || def.from !== pair[0] || def.to !== pair[1];
        });
        if (bad) {
          sendError(
            res,
            400,
            'VALIDATION_ERROR',
            `${bad.associationTypeId} is not a valid association type between ${pair[0]} and ${pair[1]}`,
          );
          return;
        }
      }
      const results = [];
      const missing: string[] = [];
      for (const input of body.data.inputs) {
        const from = portal.live(pair[0], input.from.id);
        const to = portal.live(pair[1], input.to.id);
        if (!from || !to) {
          missing.push(input.from.id);
          continue;
        }
        const defs = input.types.map((spec) => ASSOCIATION_TYPES.get(spec.associationTypeId) as AssociationTypeDef);
        for (const def of defs) portal.associate(from, to, def);
        results.push({
          fromObjectTypeId: OBJECT_TYPE_IDS[pair[0]],
          fromObjectId: from.id,
          toObjectTypeId: OBJECT_TYPE_IDS[pair[1]],
          toObjectId: to.id,
          labels: defs.map((def) => def.label).filter((label): label is string => label !== null),
        });
      }
      const answer = { status: 'COMPLETE', results, ...times(startedAt) };
      if (missing.length > 0)
        res.status(207).json({ ...answer, numErrors: 1, errors: [objectNotFound(pair[0], pair[1], missing)] });
      else res.status(201).json(answer);
    }),
  );

  router.post(
    '/crm/v4/associations/:fromObjectType/:toObjectType/batch/associate/default',
    express.json(),
    ...crmCall(ctx, 'crm.associations.batch.createDefault', 'standard', (req, res) => {
      const pair = typePair(req, res, 'fromObjectType', 'toObjectType');
      if (!pair) return;
      const body = batchDefault.safeParse(req.body);
      if (!body.success) {
        sendInvalidInput(res, body.error.issues);
        return;
      }
      const { portal } = locals(res);
      const startedAt = ctx.clock.now();
      const def = defaultAssociationType(pair[0], pair[1]) as AssociationTypeDef;
      const results = [];
      for (const input of body.data.inputs) {
        const from = portal.live(pair[0], input.from.id);
        const to = portal.live(pair[1], input.to.id);
        if (!from || !to) continue;
        portal.associate(from, to, def);
        results.push({
          from: { id: from.id },
          to: { id: to.id },
          associationSpec: { associationCategory: 'HUBSPOT_DEFINED', associationTypeId: def.id },
        });
      }
      res.json({ status: 'COMPLETE', results, ...times(startedAt) });
    }),
  );

  router.post(
    '/crm/v4/associations/:fromObjectType/:toObjectType/batch/archive',
    express.json(),
    ...crmCall(ctx, 'crm.associations.batch.archive', 'standard', (req, res) => {
      const pair = typePair(req, res, 'fromObjectType', 'toObjectType');
      if (!pair) return;
      const body = batchArchive.safeParse(req.body);
      if (!body.success) {
        sendInvalidInput(res, body.error.issues);
        return;
      }
      const { portal } = locals(res);
      for (const input of body.data.inputs) {
        const from = portal.get(pair[0], input.from.id);
        for (const target of input.to) {
          const to = portal.get(pair[1], target.id);
          if (from && to) portal.dissociate(from, to);
        }
      }
      res.status(204).end();
    }),
  );

  return router;
}
