import type { AppObject, ManifestField } from '../../platform/manifest.ts';
import type { SyncCursor } from '../cursor.ts';
import { asCrmError } from '../errors.ts';
import type {
  ApiUsage,
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
import { closeTasks, createNote, createTasks, findNoteByKey, findTasksByKey } from './activities.ts';
import { SalesforceSession } from './client.ts';
import { listDeleted } from './deleted.ts';
import { DescribeCache } from './describe.ts';
import { fetchByIds } from './fetch-by-ids.ts';
import { listChanged } from './list-changed.ts';
import { SALESFORCE_OBJECTS } from './objects.ts';
import { ensureSchema, type EnsureSchemaOptions } from './schema.ts';
import { ensureTaskKeyField, taskKeyFieldName } from './task-key-field.ts';
import { writeBack } from './write-back.ts';

export interface SalesforceAdapterOptions {
  /** The write-back fields (manifest.json `fields`). */
  fields: readonly ManifestField[];
  /** The managed package's namespace (manifest.json `crms.salesforce.namespace`). */
  namespace?: string;
  /** Where sync windows end; the system clock unless a test controls it. */
  now?: () => number;
  /**
   * How far behind the clock a new sync window ends (default 0). A transaction that commits late keeps
   * the SystemModstamp of its start; a lag lets such records land inside the next window, not behind it.
   */
  windowLagMs?: number;
  /** How long an object's describe is trusted (default 15 minutes). */
  describeTtlMs?: number;
}

export interface SalesforceAdapter extends CrmAdapter {
  readonly provider: 'salesforce';
  ensureSchema(
    conn: CrmConnection,
    fields: readonly ManifestField[],
    options?: Pick<EnsureSchemaOptions, 'createMissing'>,
  ): Promise<SchemaReport>;
  /** The org's daily API use as its last answer reported it (`Sforce-Limit-Info`), if any call was made. */
  apiUsage(installationId: string): ApiUsage | undefined;
}

/** The Salesforce CrmAdapter: one short-lived jsforce session per operation, describes cached per org. */
export function createSalesforceAdapter(options: SalesforceAdapterOptions): SalesforceAdapter {
  const now = options.now ?? Date.now;
  const describes = new DescribeCache(now, options.describeTtlMs);
  const usage = new Map<string, ApiUsage>();

  async function withSession<T>(conn: CrmConnection, work: (session: SalesforceSession) => Promise<T>): Promise<T> {
    let session: SalesforceSession | undefined;
    try {
      session = await SalesforceSession.open(conn);
      return await work(session);
    } catch (error) {
      throw asCrmError(error);
    } finally {
      if (session?.apiUsage) usage.set(conn.installationId, session.apiUsage);
    }
  }

  return {
    provider: 'salesforce',
    apiUsage: (installationId) => usage.get(installationId),
    listChanged: (
      conn: CrmConnection,
      objectType: AppObject,
      cursor: SyncCursor | null,
      pageSize: number,
      listOptions: ListOptions = {},
    ): Promise<Page> =>
      withSession(conn, (session) =>
        listChanged(
          { session, describes, now: now() - (options.windowLagMs ?? 0) },
          conn,
          objectType,
          cursor,
          pageSize,
          listOptions,
        ),
      ),
    listDeleted: (conn: CrmConnection, objectType: AppObject, since: number): Promise<string[]> =>
      withSession(conn, (session) => listDeleted(session, objectType, since, now())),
    fetchByIds: (conn: CrmConnection, objectType: AppObject, ids: readonly string[]): Promise<CrmRecord[]> =>
      withSession(conn, (session) => fetchByIds(session, describes, conn, objectType, ids)),
    listFields: (conn: CrmConnection, objectType: AppObject): Promise<string[]> =>
      withSession(conn, async (session) =>
        (await describes.get(session, conn.installationId, SALESFORCE_OBJECTS[objectType].sobject)).names(),
      ),
    // The manifest's Account fields, then the Task key field the activity methods need.
    ensureSchema: (conn, fields, schemaOptions = {}) =>
      withSession(conn, async (session) => {
        const settings = { ...schemaOptions, namespace: options.namespace };
        const account = await ensureSchema(session, describes, conn, fields, settings);
        const task = await ensureTaskKeyField(session, describes, conn, settings);
        return {
          present: [...account.present, ...task.present],
          created: [...account.created, ...task.created],
          blocked: [...account.blocked, ...task.blocked],
          missing: [...(account.missing ?? []), ...(task.missing ?? [])],
        };
      }),
    writeBack: (conn: CrmConnection, objectType: AppObject, rows: readonly WriteBackRow[]): Promise<RowOutcome[]> =>
      withSession(conn, (session) =>
        writeBack(session, describes, conn, objectType, rows, options.fields, options.namespace),
      ),
    createTasks: (conn: CrmConnection, tasks: readonly CrmTask[]): Promise<RowOutcome[]> =>
      withSession(conn, async (session) =>
        createTasks(session, await taskKeyFieldName(session, describes, conn, options.namespace), tasks),
      ).catch((error: unknown) => {
        // Without a session or the key field no task can be made: every row says why.
        const crmError = asCrmError(error);
        return tasks.map((task) => ({ id: task.accountId, ok: false as const, error: crmError }));
      }),
    findTasksByKey: (conn: CrmConnection, keys: readonly string[]): Promise<Map<string, FoundActivity>> =>
      withSession(conn, async (session) =>
        findTasksByKey(session, await taskKeyFieldName(session, describes, conn, options.namespace), keys),
      ),
    closeTasks: (conn: CrmConnection, closures: readonly TaskClosure[]): Promise<RowOutcome[]> =>
      withSession(conn, (session) => closeTasks(session, closures)).catch((error: unknown) => {
        const crmError = asCrmError(error);
        return closures.map((closure) => ({ id: closure.id, ok: false as const, error: crmError }));
      }),
    createNote: (conn: CrmConnection, accountId: string, note: CrmNote) =>
      withSession(conn, (session) => createNote(session, accountId, note)),
    findNoteByKey: (conn: CrmConnection, accountId: string, key: string) =>
      withSession(conn, (session) => findNoteByKey(session, accountId, key)),
    activityLookupLagMs: 0,
  };
}
