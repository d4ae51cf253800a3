import { defaultMapping, mappedProperties, type FieldMapping } from '../../server/core/accounts/mapping.ts';
import { normaliseRecords, type NormalisedRow } from '../../server/core/accounts/normalise.ts';
import type { ConnectionFactory } from '../../server/crm/connections.ts';
import { decodeCursor, encodeCursor, type SyncCursor } from '../../server/crm/cursor.ts';
import { adapterFor, type Adapters } from '../../server/crm/registry.ts';
import type { CrmAdapter, CrmConnection, CrmRecord } from '../../server/crm/types.ts';
import type { Database } from '../../server/platform/db/database.ts';
import type { Installation, InstallationRepository } from '../../server/platform/db/installations.ts';
import type { InstallationKey, StoredRecordInput } from '../../server/platform/db/sync-store.ts';
import type { Logger } from '../../server/platform/logger.ts';
import type { AppObject } from '../../server/platform/manifest.ts';

/**
 * One sync run of one installation: per object (owners first, so that everything else can point at
 * them), read what changed page by page and store each page with its cursor in one transaction, so a
 * run killed anywhere resumes where it stopped; then archive what the CRM deleted or merged away.
 * A reconcile run also lists every id the CRM has and archives what it no longer has.
 */

export const SYNC_OBJECTS = [
  'owners',
  'accounts',
  'contacts',
  'deals',
  'tickets',
] as const satisfies readonly AppObject[];
export type SyncObject = (typeof SYNC_OBJECTS)[number];
export type SyncMode = 'incremental' | 'full' | 'reconcile';

/** Deletes are asked for from a minute before the last finished run started: clocks and commits drift. */
export const DELETE_OVERLAP_MS = 60_000;
/** Records per page asked of the adapter (HubSpot caps lists at 100 and search at 200 itself). */
export const DEFAULT_PAGE_SIZE = 200;
const SALESFORCE_PAGE_SIZE = 2000;

/** What the run needs of the sync store (server/platform/db/sync-store.ts). */
export interface SyncStorePort {
  checkpoint(key: InstallationKey, objectType: string): Promise<{ cursor: string | null } | undefined>;
  savePage(
    key: InstallationKey,
    objectType: string,
    records: readonly StoredRecordInput[],
    next: { cursor: string | null; calls: number },
    normalised?: readonly NormalisedRow[],
  ): Promise<void>;
  markArchived(key: InstallationKey, objectType: string, ids: readonly string[]): Promise<number>;
  listIds(key: InstallationKey, objectType: string): Promise<string[]>;
  liveAmong(key: InstallationKey, objectType: string, ids: readonly string[]): Promise<string[]>;
  linkedTo(key: InstallationKey, objectType: string, target: string, ids: readonly string[]): Promise<string[]>;
  startRun(key: InstallationKey, objectType: string): Promise<unknown>;
  finishRun(key: InstallationKey, objectType: string, run: { finishedAt: Date }): Promise<unknown>;
  resetCursor(key: InstallationKey, objectType: string): Promise<unknown>;
  recordError(key: InstallationKey, objectType: string, message: string): Promise<void>;
  status(
    key: InstallationKey,
  ): Promise<readonly { objectType: string; lastStartedAt: Date | null; lastFinishedAt: Date | null }[]>;
}

/** What the run needs of the mapping repository (server/platform/db/mappings.ts). */
export interface MappingPort {
  get(key: InstallationKey): Promise<FieldMapping | undefined>;
  save(key: InstallationKey, mapping: FieldMapping, actor: string): Promise<void>;
}

export interface SyncDeps {
  db: Database;
  installations: InstallationRepository;
  store: SyncStorePort;
  mappings: MappingPort;
  adapters: Adapters;
  connections: ConnectionFactory;
  logger: Logger;
}

export interface SyncTarget {
  workspaceId: string;
  installationId: string;
  mode: SyncMode;
}

export type SyncPhase = 'mapping' | 'changes' | 'deletes' | 'reconcile' | 'done';

export interface SyncProgress {
  object: SyncObject;
  phase: SyncPhase;
  /** Records stored for this object in this run so far. */
  records: number;
  /** CRM calls this run has spent so far (all objects). */
  calls: number;
}

export interface SyncOptions {
  onProgress?(progress: SyncProgress): void | Promise<void>;
  pageSize?: number;
  signal?: AbortSignal;
  /**
   * A full run resets every cursor before it reads; this is told once that is done, so a job can
   * record it and a restarted full run resumes its backfill instead of starting it again.
   */
  onCursorsReset?(): void | Promise<void>;
}

export interface ObjectSummary {
  objectType: SyncObject;
  records: number;
  deleted: number;
  calls: number;
}

export interface SyncSummary {
  installationId: string;
  mode: SyncMode;
  objects: ObjectSummary[];
  calls: number;
  durationMs: number;
  /** Why nothing was read (the installation is missing or not active). */
  skipped?: string;
}

const SYSTEM_ACTOR = 'system:sync';

export async function runSync(deps: SyncDeps, target: SyncTarget, options: SyncOptions = {}): Promise<SyncSummary> {
  const started = Date.now();
  const key: InstallationKey = { workspaceId: target.workspaceId, installationId: target.installationId };
  const summary: SyncSummary = {
    installationId: target.installationId,
    mode: target.mode,
    objects: [],
    calls: 0,
    durationMs: 0,
  };
  const installation = await deps.installations.get(target.workspaceId, target.installationId);
  if (installation?.status !== 'active') {
    summary.skipped = installation
      ? `installation is ${installation.status}${installation.statusReason ? ` (${installation.statusReason})` : ''}`
      : 'installation not found';
    summary.durationMs = Date.now() - started;
    return summary;
  }
  const log = deps.logger.child({
    installationId: installation.id,
    provider: installation.provider,
    mode: target.mode,
  });
  const adapter = adapterFor(deps.adapters, installation.provider);
  // Every request passes beforeCall: counting there sees every call, the adapter's own included.
  const base = deps.connections(installation);
  let calls = 0;
  const conn: CrmConnection = {
    ...base,
    async beforeCall(bucket) {
      await base.beforeCall?.(bucket);
      calls++;
    },
  };
  const pageSize =
    options.pageSize ?? (installation.provider === 'salesforce' ? SALESFORCE_PAGE_SIZE : DEFAULT_PAGE_SIZE);
  const report = async (progress: Omit<SyncProgress, 'calls'>) => options.onProgress?.({ ...progress, calls });
  const abortIfAsked = () => options.signal?.throwIfAborted();

  await report({ object: 'owners', phase: 'mapping', records: 0 });
  const mapping = await mappingFor(deps, installation, adapter, conn, key);
  const extra = mappedProperties(mapping);

  if (target.mode === 'full') {
    for (const object of SYNC_OBJECTS) await deps.store.resetCursor(key, object);
    await options.onCursorsReset?.();
  }

  // Read before this run marks its own start: where the last finished run began.
  const previous = new Map((await deps.store.status(key)).map((row) => [row.objectType, row]));
  const archivedThisRun = new Map<SyncObject, string[]>();

  for (const object of SYNC_OBJECTS) {
    abortIfAsked();
    const callsBefore = calls;
    const runStartedAt = Date.now();
    await deps.store.startRun(key, object);
    const objectSummary: ObjectSummary = { objectType: object, records: 0, deleted: 0, calls: 0 };
    try {
      const stored = await deps.store.checkpoint(key, object);
      let cursor: SyncCursor | null = stored?.cursor ? decodeCursor(stored.cursor) : null;
      // Where the run leaves the cursor: saved with every page, and with refetched records below.
      let storedCursor: string | null = stored?.cursor ?? null;
      const save = async (records: readonly CrmRecord[], next: string | null, pageCalls: number) => {
        const normalised = normaliseRecords(installation.provider, object, records, mapping);
        await deps.store.savePage(key, object, records, { cursor: next, calls: pageCalls }, normalised);
        storedCursor = next;
        objectSummary.records += records.length;
      };

      for (;;) {
        abortIfAsked();
        const page = await adapter.listChanged(conn, object, cursor, pageSize, {
          extraProperties: extra[object] ?? [],
        });
        const after = page.next ?? page.resumeFrom ?? null;
        await save(page.records, after === null ? null : encodeCursor(after), page.calls);
        await report({ object, phase: 'changes', records: objectSummary.records });
        if (page.next === null) break;
        cursor = page.next;
      }

      // Records that pointed at something merged or deleted away this run: read them again, so their
      // links follow the merge (HubSpot moves associations without touching the linked record).
      const gone = [...archivedThisRun.entries()].filter(([, ids]) => ids.length > 0);
      if (object !== 'owners' && gone.length > 0) {
        const stale = new Set<string>();
        for (const [target, ids] of gone) {
          if (target === object) continue;
          for (const id of await deps.store.linkedTo(key, object, target, ids)) stale.add(id);
        }
        if (stale.size > 0) {
          const refreshed = await adapter.fetchByIds(conn, object, [...stale]);
          await save(refreshed, storedCursor, 0);
        }
      }

      abortIfAsked();
      await report({ object, phase: 'deletes', records: objectSummary.records });
      const last = previous.get(object);
      const since =
        Math.min(
          runStartedAt,
          last?.lastStartedAt?.getTime() ?? runStartedAt,
          last?.lastFinishedAt?.getTime() ?? runStartedAt,
        ) - DELETE_OVERLAP_MS;
      const reported = object === 'owners' ? [] : await adapter.listDeleted(conn, object, Math.max(0, since));
      // The overlap reports some deletes twice: only records still live here are news.
      const deletedIds = await deps.store.liveAmong(key, object, reported);
      const archived = [...deletedIds];
      objectSummary.deleted += await deps.store.markArchived(key, object, deletedIds);

      if (target.mode === 'reconcile') {
        await report({ object, phase: 'reconcile', records: objectSummary.records });
        // Every record is read again and stored: formula fields that change without a new stamp catch up too.
        const ids = await listEveryId(adapter, conn, object, pageSize, extra[object] ?? [], abortIfAsked, (records) =>
          save(records, storedCursor, 0),
        );
        const missing = (await deps.store.listIds(key, object)).filter((id) => !ids.has(id));
        objectSummary.deleted += await deps.store.markArchived(key, object, missing);
        archived.push(...missing);
      }
      archivedThisRun.set(object, archived);
      await deps.store.finishRun(key, object, { finishedAt: new Date() });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      await deps.store.recordError(key, object, message).catch(() => undefined);
      throw error;
    } finally {
      objectSummary.calls = calls - callsBefore;
    }
    summary.objects.push(objectSummary);
    await report({ object, phase: 'done', records: objectSummary.records });
  }
  summary.calls = calls;
  summary.durationMs = Date.now() - started;
  log.info({ calls, objects: summary.objects, durationMs: summary.durationMs }, 'sync run finished');
  return summary;
}

/**
 * The installation's mapping; on its first run it is detected from the properties or fields the CRM
 * really has, saved and audited, so every later run (and an admin) sees the same one.
 */
async function mappingFor(
  deps: SyncDeps,
  installation: Installation,
  adapter: CrmAdapter,
  conn: CrmConnection,
  key: InstallationKey,
): Promise<FieldMapping> {
  const saved = await deps.mappings.get(key);
  if (saved) return saved;
  const available: Partial<Record<SyncObject, string[]>> = {};
  for (const object of SYNC_OBJECTS) available[object] = await adapter.listFields(conn, object);
  const mapping = defaultMapping(installation.provider, available);
  // Saving audits it (mapping.updated, by the system actor).
  await deps.mappings.save(key, mapping, SYSTEM_ACTOR);
  return mapping;
}

/** Every id the CRM holds for the object, through the adapter's backfill listing (never search). */
async function listEveryId(
  adapter: CrmAdapter,
  conn: CrmConnection,
  object: SyncObject,
  pageSize: number,
  extraProperties: readonly string[],
  abortIfAsked: () => void,
  onPage: (records: CrmRecord[]) => Promise<void>,
): Promise<Set<string>> {
  const ids = new Set<string>();
  let cursor: SyncCursor | null = null;
  for (;;) {
    abortIfAsked();
    const page = await adapter.listChanged(conn, object, cursor, pageSize, { extraProperties });
    const live = page.records.filter((record) => !record.archived);
    for (const record of live) ids.add(record.id);
    await onPage(live);
    // The listing is over when it hands over to an incremental window (HubSpot) or ends (Salesforce).
    if (page.next === null || page.next.phase !== 'backfill') return ids;
    cursor = page.next;
  }
}
