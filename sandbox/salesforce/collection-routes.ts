import express, { type Request, type Router } from 'express';
import { z } from 'zod';
import { apiGuard, contextOf, handle, type ApiContext } from './api-guard.ts';
import { RecordError, SalesforceApiError, type SaveError } from './errors.ts';
import {
  objectFor,
  prepareCreate,
  prepareDelete,
  prepareUpdate,
  prepareUpsert,
  type PreparedWrite,
} from './record-operations.ts';
import { noSuchColumn, recordView, sobjectOf } from './rest-records.ts';
import type { SandboxState } from './sandbox-state.ts';

/**
 * sObject Collections (reference §1.4): create (POST), update (PATCH) and delete (DELETE ?ids=)
 * of up to 200 records, and retrieve by ids (POST or GET on `/composite/sobjects/{type}`), answered 200 with one save result per record in request order. With
 * allOrNone every record is checked before any is written, and a single failure writes nothing.
 * A partial_batch fault fails records with UNABLE_TO_LOCK_ROW, the transient per-record error.
 */

const MAX_RECORDS = 200;

const collectionBody = z.object({
  allOrNone: z.boolean().optional(),
  records: z.array(z.object({ attributes: z.object({ type: z.string() }).loose() }).loose()),
});
const deleteQuery = z.object({ ids: z.string().min(1), allOrNone: z.enum(['true', 'false']).optional() });
const retrieveBody = z.object({ ids: z.array(z.string()).min(1).max(2000), fields: z.array(z.string()).min(1) });
const retrieveQuery = z.object({ ids: z.string().min(1), fields: z.string().min(1) });

type CollectionRecord = z.infer<typeof collectionBody>['records'][number];

/** One record's write, prepared only when the collection runs; knownId is echoed on a rollback. */
interface CollectionInput {
  knownId: string | undefined;
  prepare: () => PreparedWrite;
}

interface SaveResult {
  id?: string;
  success: boolean;
  errors: SaveError[];
  created?: boolean;
}

const tooMany = () =>
  new SalesforceApiError(
    400,
    'EXCEEDED_ID_LIMIT',
    `record limit reached. cannot submit more than ${MAX_RECORDS} records into this call`,
  );

const rolledBack: SaveError = {
  statusCode: 'ALL_OR_NONE_OPERATION_ROLLED_BACK',
  message: 'Record rolled back because not all records were valid and the request was using AllOrNone header',
  fields: [],
};

/** Checks each input, then writes: all-or-nothing, or each record on its own. */
function runCollection(
  state: SandboxState,
  context: ApiContext,
  inputs: CollectionInput[],
  allOrNone: boolean,
): SaveResult[] {
  const prepared = inputs.map((input) => {
    try {
      if (context.partialBatch !== undefined && state.faults.rollPerRecord(context.partialBatch)) {
        throw new RecordError('UNABLE_TO_LOCK_ROW', 'unable to obtain exclusive access to this record or 1 records');
      }
      return { knownId: input.knownId, write: input.prepare() };
    } catch (error) {
      if (!(error instanceof RecordError)) throw error;
      return { knownId: input.knownId, error: error.toSaveError() };
    }
  });
  const failed = prepared.some((entry) => 'error' in entry);
  if (allOrNone && failed) {
    return prepared.map((entry) =>
      'error' in entry && entry.error
        ? { success: false, errors: [entry.error] }
        : { ...(entry.knownId ? { id: entry.knownId } : {}), success: false, errors: [rolledBack] },
    );
  }
  return prepared.map((entry) => {
    if (!('write' in entry) || !entry.write) return { success: false, errors: [(entry as { error: SaveError }).error] };
    const { created } = entry.write;
    return { id: entry.write.apply(), success: true, errors: [], ...(created === undefined ? {} : { created }) };
  });
}

function parseBody(body: unknown) {
  const parsed = collectionBody.safeParse(body);
  if (!parsed.success) {
    throw new SalesforceApiError(
      400,
      'JSON_PARSER_ERROR',
      'Each record needs attributes with a type, in a records array',
    );
  }
  if (parsed.data.records.length > MAX_RECORDS) throw tooMany();
  return parsed.data;
}

/** Records by id with the named fields, null where an id names no live record (retrieve, up to 2,000). */
function retrieveMany(context: ApiContext, type: string, ids: string[], fieldNames: string[]) {
  const object = sobjectOf(context, type);
  const fields = fieldNames.map((name) => {
    const field = object.fields.get(name.trim().toLowerCase());
    if (!field || !context.org.canAccess(object, field)) throw noSuchColumn(name, object);
    return field;
  });
  return ids.map((id) => {
    const found = context.org.find(id.trim());
    if (!found || found.type !== object.name || found.record.IsDeleted === true) return null;
    return recordView(context.apiVersion, object, found.record, fields);
  });
}

export function collectionRouter(state: SandboxState): Router {
  const router = express.Router({ mergeParams: true });

  /** Create, update and upsert: read the records, make each one's write, answer one save result each. */
  const writeRecords = (
    toInputs: (context: ApiContext, records: CollectionRecord[], req: Request) => CollectionInput[],
  ) =>
    handle((req, res) => {
      const context = contextOf(req);
      const body = parseBody(req.body);
      res.json(runCollection(state, context, toInputs(context, body.records, req), body.allOrNone ?? false));
    });

  router.post(
    '/composite/sobjects/:type',
    express.json({ limit: '20mb' }),
    apiGuard(state, 'sobjects.collections'),
    handle((req, res) => {
      const parsed = retrieveBody.safeParse(req.body);
      if (!parsed.success)
        throw new SalesforceApiError(400, 'JSON_PARSER_ERROR', 'ids (at most 2000) and fields are required');
      res.json(retrieveMany(contextOf(req), req.params.type as string, parsed.data.ids, parsed.data.fields));
    }),
  );

  router.get(
    '/composite/sobjects/:type',
    apiGuard(state, 'sobjects.collections'),
    handle((req, res) => {
      const parsed = retrieveQuery.safeParse(req.query);
      if (!parsed.success) throw new SalesforceApiError(400, 'MISSING_ARGUMENT', 'ids and fields must be specified');
      const ids = parsed.data.ids.split(',');
      if (ids.length > 2000) throw tooMany();
      res.json(retrieveMany(contextOf(req), req.params.type as string, ids, parsed.data.fields.split(',')));
    }),
  );

  router.post(
    '/composite/sobjects',
    express.json({ limit: '20mb' }),
    apiGuard(state, 'sobjects.collections'),
    writeRecords((context, records) =>
      records.map((record) => ({
        knownId: undefined,
        prepare: () => {
          const { attributes, ...fields } = record;
          return prepareCreate(context.org, objectFor(context.org, attributes.type), fields, context.userId);
        },
      })),
    ),
  );

  router.patch(
    '/composite/sobjects',
    express.json({ limit: '20mb' }),
    apiGuard(state, 'sobjects.collections'),
    writeRecords((context, records) =>
      records.map((record) => {
        // jsforce sends a lower-case `id`; the documentation shows `id`, older clients `Id`.
        const id = typeof record.id === 'string' ? record.id : typeof record.Id === 'string' ? record.Id : undefined;
        return {
          knownId: id,
          prepare: () => {
            if (id === undefined)
              throw new RecordError('MISSING_ARGUMENT', 'Id not specified in an update call', ['Id']);
            const { attributes, ...fields } = record;
            return prepareUpdate(context.org, objectFor(context.org, attributes.type), id, fields, context.userId);
          },
        };
      }),
    ),
  );

  router.patch(
    '/composite/sobjects/:type/:field',
    express.json({ limit: '20mb' }),
    apiGuard(state, 'sobjects.collections'),
    writeRecords((context, records, req) => {
      const object = sobjectOf(context, req.params.type as string);
      const fieldName = req.params.field as string;
      return records.map((record) => ({
        knownId: undefined,
        prepare: () => {
          const { attributes, ...fields } = record;
          if (attributes.type.toLowerCase() !== object.name.toLowerCase()) {
            throw new RecordError('INVALID_TYPE', `records must all be of type ${object.name}`);
          }
          const key = Object.keys(fields).find((name) => name.toLowerCase() === fieldName.toLowerCase());
          const value = key === undefined ? undefined : fields[key];
          if (typeof value !== 'string' || value === '') {
            throw new RecordError('MISSING_ARGUMENT', `${fieldName} not specified`, [fieldName]);
          }
          return prepareUpsert(context.org, object, fieldName, value, fields, context.userId);
        },
      }));
    }),
  );

  router.delete(
    '/composite/sobjects',
    apiGuard(state, 'sobjects.collections'),
    handle((req, res) => {
      const context = contextOf(req);
      const parsed = deleteQuery.safeParse(req.query);
      if (!parsed.success) throw new SalesforceApiError(400, 'MISSING_ARGUMENT', 'ids must be specified');
      const ids = parsed.data.ids.split(',').map((id) => id.trim());
      if (ids.length > MAX_RECORDS) throw tooMany();
      const inputs = ids.map((id) => ({ knownId: id, prepare: () => prepareDelete(context.org, id, context.userId) }));
      res.json(runCollection(state, context, inputs, parsed.data.allOrNone === 'true'));
    }),
  );

  return router;
}
