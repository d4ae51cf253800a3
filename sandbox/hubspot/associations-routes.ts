import express, { type Request, type Response, type Router } from 'express';
import { z } from 'zod';
import { ASSOCIATION_TYPES, defaultAssociationType, type AssociationTypeDef } from './associations.ts';
import { batchTimes, itemError, sendBatchAnswer } from './batch-answer.ts';
import { crmCall, locals, type SandboxContext } from './context.ts';
import { sendError, sendNotFound } from './errors.ts';
import { OBJECT_TYPE_IDS, resolveObjectType, type ObjectType } from './object-types.ts';
import type { CrmRecord, PortalStore } from './portal-store.ts';
import { BATCH_LIMIT, associationSpec } from './request-schemas.ts';
import { parseInput } from './route-input.ts';

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

type TypePair = [from: ObjectType, to: ObjectType];

function typePair(req: Request, res: Response, fromKey: string, toKey: string): TypePair | undefined {
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

/** The single 207 error a batch gives for the `from` ids it could not find; none when all were found. */
function objectsNotFound([fromType, toType]: TypePair, ids: string[]) {
  if (ids.length === 0) return [];
  return [
    itemError('OBJECT_NOT_FOUND', `Could not find ${fromType} objects with ids ${ids.join(', ')}`, {
      fromObjectId: ids,
      fromObjectType: [OBJECT_TYPE_IDS[fromType]],
      toObjectType: [OBJECT_TYPE_IDS[toType]],
    }),
  ];
}

function sendInvalidType(res: Response, typeId: number | undefined, [fromType, toType]: TypePair): void {
  sendError(
    res,
    400,
    'VALIDATION_ERROR',
    `${typeId} is not a valid association type between ${fromType} and ${toType}`,
  );
}

/** A created link as the labelled create answers it (`LabelsBetweenObjectPair`). */
function labelledLink([fromType, toType]: TypePair, from: CrmRecord, to: CrmRecord, defs: AssociationTypeDef[]) {
  return {
    fromObjectTypeId: OBJECT_TYPE_IDS[fromType],
    fromObjectId: from.id,
    toObjectTypeId: OBJECT_TYPE_IDS[toType],
    toObjectId: to.id,
    labels: defs.map((def) => def.label).filter((label): label is string => label !== null),
  };
}

/** A created link as the default-association answers list it (`PublicDefaultAssociation`). */
function defaultLinked(from: CrmRecord, to: CrmRecord, def: AssociationTypeDef) {
  return {
    from: { id: from.id },
    to: { id: to.id },
    associationSpec: { associationCategory: 'HUBSPOT_DEFINED', associationTypeId: def.id },
  };
}

export function associationsRouter(ctx: SandboxContext): Router {
  const router = express.Router();

  router.get(
    '/crm/v4/objects/:objectType/:objectId/associations/:toObjectType',
    ...crmCall(ctx, 'crm.associations.list', 'standard', (req, res) => {
      const pair = typePair(req, res, 'objectType', 'toObjectType');
      const query = pair && parseInput(listQuery, req.query, res);
      if (!pair || !query) return;
      const { portal } = locals(res);
      const record = portal.live(pair[0], req.params.objectId as string);
      if (!record) {
        sendNotFound(res);
        return;
      }
      const all = associatedObjects(portal, record, pair[1]);
      const start = query.after === undefined ? 0 : Number(query.after);
      const results = all.slice(start, start + query.limit);
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
        sendNotFound(res);
        return;
      }
      const startedAt = ctx.clock.now();
      const def = defaultAssociationType(pair[0], pair[1]) as AssociationTypeDef;
      portal.associate(from, to, def);
      sendBatchAnswer(res, batchTimes(ctx, startedAt), [defaultLinked(from, to, def)]);
    }),
  );

  router.put(
    '/crm/v4/objects/:objectType/:objectId/associations/:toObjectType/:toObjectId',
    express.json(),
    ...crmCall(ctx, 'crm.associations.create', 'standard', (req, res) => {
      const pair = typePair(req, res, 'objectType', 'toObjectType');
      const specs = pair && parseInput(z.array(associationSpec).min(1), req.body, res);
      if (!pair || !specs) return;
      const { portal } = locals(res);
      const from = portal.live(pair[0], req.params.objectId as string);
      const to = portal.live(pair[1], req.params.toObjectId as string);
      if (!from || !to) {
        sendNotFound(res);
        return;
      }
      const defs = specs.map((spec) => ASSOCIATION_TYPES.get(spec.associationTypeId));
      const bad = defs.findIndex((def) => !def || def.from !== pair[0] || def.to !== pair[1]);
      if (bad >= 0) {
        sendInvalidType(res, specs[bad]?.associationTypeId, pair);
        return;
      }
      for (const def of defs) portal.associate(from, to, def as AssociationTypeDef);
      res.status(201).json(labelledLink(pair, from, to, defs as AssociationTypeDef[]));
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
      const body = pair && parseInput(batchRead, req.body, res);
      if (!pair || !body) return;
      const { portal } = locals(res);
      const startedAt = ctx.clock.now();
      const results = [];
      const missing: string[] = [];
      for (const input of body.inputs) {
        const record = portal.live(pair[0], input.id);
        if (!record) missing.push(input.id);
        else results.push({ from: { id: record.id }, to: associatedObjects(portal, record, pair[1]) });
      }
      sendBatchAnswer(res, batchTimes(ctx, startedAt), results, objectsNotFound(pair, missing));
    }),
  );

  router.post(
    '/crm/v4/associations/:fromObjectType/:toObjectType/batch/create',
    express.json(),
    ...crmCall(ctx, 'crm.associations.batch.create', 'standard', (req, res) => {
      const pair = typePair(req, res, 'fromObjectType', 'toObjectType');
      const body = pair && parseInput(batchCreate, req.body, res);
      if (!pair || !body) return;
      const { portal } = locals(res);
      const startedAt = ctx.clock.now();
      for (const input of body.inputs) {
        const bad = input.types.find((spec) => {
          const def = ASSOCIATION_TYPES.get(spec.associationTypeId);
          return !def || def.from !== pair[0] || def.to !== pair[1];
        });
        if (bad) {
          sendInvalidType(res, bad.associationTypeId, pair);
          return;
        }
      }
      const results = [];
      const missing: string[] = [];
      for (const input of body.inputs) {
        const from = portal.live(pair[0], input.from.id);
        const to = portal.live(pair[1], input.to.id);
        if (!from || !to) {
          missing.push(input.from.id);
          continue;
        }
        const defs = input.types.map((spec) => ASSOCIATION_TYPES.get(spec.associationTypeId) as AssociationTypeDef);
        for (const def of defs) portal.associate(from, to, def);
        results.push(labelledLink(pair, from, to, defs));
      }
      sendBatchAnswer(res, batchTimes(ctx, startedAt), results, objectsNotFound(pair, missing), 201);
    }),
  );

  router.post(
    '/crm/v4/associations/:fromObjectType/:toObjectType/batch/associate/default',
    express.json(),
    ...crmCall(ctx, 'crm.associations.batch.createDefault', 'standard', (req, res) => {
      const pair = typePair(req, res, 'fromObjectType', 'toObjectType');
      const body = pair && parseInput(batchDefault, req.body, res);
      if (!pair || !body) return;
      const { portal } = locals(res);
      const startedAt = ctx.clock.now();
      const def = defaultAssociationType(pair[0], pair[1]) as AssociationTypeDef;
      const results = [];
      for (const input of body.inputs) {
        const from = portal.live(pair[0], input.from.id);
        const to = portal.live(pair[1], input.to.id);
        if (!from || !to) continue;
        portal.associate(from, to, def);
        results.push(defaultLinked(from, to, def));
      }
      sendBatchAnswer(res, batchTimes(ctx, startedAt), results);
    }),
  );

  router.post(
    '/crm/v4/associations/:fromObjectType/:toObjectType/batch/archive',
    express.json(),
    ...crmCall(ctx, 'crm.associations.batch.archive', 'standard', (req, res) => {
      const pair = typePair(req, res, 'fromObjectType', 'toObjectType');
      const body = pair && parseInput(batchArchive, req.body, res);
      if (!pair || !body) return;
      const { portal } = locals(res);
      for (const input of body.inputs) {
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
