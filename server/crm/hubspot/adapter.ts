import { z } from 'zod';
import type { AppObject, ManifestField } from '../../platform/manifest.ts';
import type { SyncCursor } from '../cursor.ts';
import { asCrmError, CrmError } from '../errors.ts';
import type {
  CrmAdapter,
  CrmConnection,
  CrmNote,
  CrmRecord,
  CrmTask,
  FoundActivity,
  ListOptions,
  Page,
  RowOutcome,
  SchemaReport,
  TaskClosure,
  WriteBackRow,
} from '../types.ts';
import { closeTasks, createNote, createTasks, findNoteByKey, findTasksByKey } from './engagements.ts';
import { backfillPage, incrementalPage, SEARCH_RESULT_CAP, type SyncOptions } from './list-changed.ts';
import { HUBSPOT_OBJECT, type HubspotObject } from './objects.ts';
import { ownersPage } from './owners.ts';
import { archivedSince, fetchRecords } from './read-records.ts';
import { ensureCompanySchema, type PropertyGroup } from './schema.ts';
import { CallMeter, hubspotRequest, parseAnswer } from './transport.ts';
import { writeBackRows } from './write-back.ts';

export interface HubspotAdapterOptions {
  /** The manifest's fields (write-back converts values by their types). */
  fields: readonly ManifestField[];
  /** The manifest's HubSpot property group. */
  propertyGroup: PropertyGroup;
  /** Clock for window ends and note timestamps; the system clock by default. */
  now?: () => number;
  /** How far behind now an incremental window ends (HubSpot's search index lags; default 30 s). */
  indexLagMs?: number;
  /** Properties to read beyond the defaults, per HubSpot object, for every call. */
  extraProperties?: Partial<Record<HubspotObject, readonly string[]>>;
  /** The search cap planned for; HubSpot's 10,000 unless a test lowers it to exercise restarts. */
  searchCap?: number;
}

export const DEFAULT_INDEX_LAG_MS = 30_000;

const propertyNamesSchema = z.object({ results: z.array(z.object({ name: z.string() })) });

/** The owners API answers these names; owners have no properties API. */
const OWNER_FIELDS = ['email', 'firstName', 'lastName', 'userId'];

function crmObject(objectType: AppObject): HubspotObject {
  if (objectType === 'owners') throw new CrmError('VALIDATION', 'owners are not a HubSpot CRM object');
  return HUBSPOT_OBJECT[objectType];
}

/** Runs an adapter operation so that only CrmErrors leave it. */
async function guarded<T>(operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (error) {
    throw asCrmError(error);
  }
}

export function createHubspotAdapter(options: HubspotAdapterOptions): CrmAdapter {
  const now = options.now ?? Date.now;
  const sync = (object: HubspotObject, extra: readonly string[] | undefined): SyncOptions => ({
    now,
    indexLagMs: options.indexLagMs ?? DEFAULT_INDEX_LAG_MS,
    searchCap: options.searchCap ?? SEARCH_RESULT_CAP,
    extraProperties: {
      ...options.extraProperties,
      [object]: [...(options.extraProperties?.[object] ?? []), ...(extra ?? [])],
    },
  });

  return {
    provider: 'hubspot',

    listChanged(
      conn: CrmConnection,
      objectType: AppObject,
      cursor: SyncCursor | null,
      pageSize: number,
      listOptions?: ListOptions,
    ): Promise<Page> {
      return guarded(async () => {
        if (objectType === 'owners') return ownersPage(conn, cursor, pageSize);
        const object = crmObject(objectType);
        const settings = sync(object, listOptions?.extraProperties);
        if (cursor === null || cursor.phase === 'backfill')
          return backfillPage(conn, object, cursor, pageSize, settings);
        return incrementalPage(conn, object, cursor, pageSize, settings);
      });
    },

    listDeleted(conn: CrmConnection, objectType: AppObject, since: number): Promise<string[]> {
      return guarded(async () => {
        if (objectType === 'owners') return [];
        return archivedSince(conn, crmObject(objectType), since, new CallMeter());
      });
    },

    fetchByIds(conn: CrmConnection, objectType: AppObject, ids: readonly string[]): Promise<CrmRecord[]> {
      return guarded(async () => {
        const meter = new CallMeter();
        if (objectType !== 'owners') {
          const object = crmObject(objectType);
          return fetchRecords(conn, object, ids, options.extraProperties?.[object] ?? [], meter);
        }
        // Owners have no batch read; there are few of them, so one page lists them all.
        const wanted = new Set(ids);
        const found: CrmRecord[] = [];
        let cursor: SyncCursor | null = null;
        do {
          const page = await ownersPage(conn, cursor, 100);
          found.push(...page.records.filter((record) => wanted.has(record.id)));
          cursor = page.next;
        } while (cursor !== null);
        return found;
      });
    },

    listFields(conn: CrmConnection, objectType: AppObject): Promise<string[]> {
      return guarded(async () => {
        if (objectType === 'owners') return [...OWNER_FIELDS];
        const object = crmObject(objectType);
        const answer = await hubspotRequest(conn, new CallMeter(), {
          method: 'GET',
          path: `/crm/v3/properties/${object}`,
          what: `list ${object} properties`,
        });
        return parseAnswer(propertyNamesSchema, answer.body, `${object} properties`).results.map((p) => p.name);
      });
    },

    ensureSchema(conn: CrmConnection, fields: readonly ManifestField[]): Promise<SchemaReport> {
      return guarded(() => ensureCompanySchema(conn, fields, options.propertyGroup, new CallMeter()));
    },

    async writeBack(conn: CrmConnection, objectType: AppObject, rows: readonly WriteBackRow[]): Promise<RowOutcome[]> {
      if (objectType !== 'accounts') {
        const error = new CrmError('VALIDATION', `Bellwether writes back to accounts only, not ${objectType}`);
        return rows.map((row) => ({ id: row.id, ok: false, error }));
      }
      return writeBackRows(conn, 'companies', rows, options.fields, new CallMeter());
    },

    createTasks(conn: CrmConnection, tasks: readonly CrmTask[]): Promise<RowOutcome[]> {
      return createTasks(conn, tasks, new CallMeter());
    },

    findTasksByKey(conn: CrmConnection, keys: readonly string[]): Promise<Map<string, FoundActivity>> {
      return guarded(() => findTasksByKey(conn, keys, new CallMeter()));
    },

    closeTasks(conn: CrmConnection, closures: readonly TaskClosure[]): Promise<RowOutcome[]> {
      return closeTasks(conn, closures, new CallMeter());
    },

    createNote(conn: CrmConnection, accountId: string, note: CrmNote): Promise<{ id: string }> {
      return guarded(() => createNote(conn, accountId, note, now(), new CallMeter()));
    },

    findNoteByKey(conn: CrmConnection, _accountId: string, key: string): Promise<{ id: string } | null> {
      return guarded(() => findNoteByKey(conn, key, new CallMeter()));
    },

    // Key lookups go through search, which sees a record once HubSpot has indexed it.
    activityLookupLagMs: options.indexLagMs ?? DEFAULT_INDEX_LAG_MS,
  };
}
