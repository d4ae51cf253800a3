import { and, eq, getTableColumns, inArray, sql } from 'drizzle-orm';
import { getTableConfig, type PgTable } from 'drizzle-orm/pg-core';
import type { NormalisedRow } from '../../core/accounts/normalise.ts';
import type { Database } from './database.ts';
import { accounts, contacts, crmRecords, deals, owners, syncState, tickets } from './schema.ts';

/**
 * The sync's persistence: a page of records, their normalised rows and the cursor after them are
 * written in one transaction, so a worker killed at any moment resumes from a cursor that matches
 * exactly what was stored — nothing missing, nothing read twice into the store.
 */

export interface InstallationKey {
  workspaceId: string;
  installationId: string;
}

/** A record as the CRM adapter hands it over (see server/crm/types.ts CrmRecord). */
export interface StoredRecordInput {
  id: string;
  modifiedAt: number;
  createdAt: number | null;
  archived: boolean;
  properties: Record<string, string | null>;
  associations: Partial<Record<string, string[]>>;
}

export interface SyncCheckpoint {
  cursor: string | null;
  recordsSeen: number;
  callsSpent: number;
}

/** Where each object type stands, for the status page and the sync's bookkeeping. */
export interface ObjectSyncStatus {
  objectType: string;
  /** Records held (not archived). */
  records: number;
  cursor: string | null;
  lastStartedAt: Date | null;
  lastFinishedAt: Date | null;
  lastError: string | null;
  recordsSeen: number;
  callsSpent: number;
}

/** The normalised table of each object type, in sync order. */
export const NORMALISED_TABLES = { owners, accounts, contacts, deals, tickets } as const;
type NormalisedObject = keyof typeof NORMALISED_TABLES;
type Transaction = Parameters<Parameters<Database['transaction']>[0]>[0];

const isNormalisedObject = (objectType: string): objectType is NormalisedObject =>
  Object.hasOwn(NORMALISED_TABLES, objectType);

const isoOrNull = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** A normalised row by its table's property names (instants as ISO text). */
function columnsOf(key: InstallationKey, row: NormalisedRow): Record<string, unknown> {
  const { objectType: _objectType, modifiedAt, createdAt, ...values } = row;
  const common = {
    workspaceId: key.workspaceId,
    installationId: key.installationId,
    modifiedAt: new Date(modifiedAt).toISOString(),
    createdAtCrm: isoOrNull(createdAt),
  };
  switch (row.objectType) {
    case 'contacts':
      return { ...values, ...common, lastEngagedAt: isoOrNull(row.lastEngagedAt) };
    case 'tickets':
      return { ...values, ...common, closedAt: isoOrNull(row.closedAt) };
    default:
      return { ...values, ...common };
  }
}

/**
 * An upsert that sends a whole page as one JSON parameter (jsonb_to_recordset) instead of one
 * parameter per cell: building and sending a 100-row, 18-column insert the usual way costs more
 * than running it, and a page stays one statement whatever its size. A stored copy newer than the
 * incoming one is kept (modified_at decides); synced_at is the database's now() when the content
 * changed, so it says when the record last changed in substance.
 */
function jsonUpsert(table: PgTable, key: readonly string[]) {
  const columns = Object.entries(getTableColumns(table)).filter(([, column]) => column.name !== 'synced_at');
  const quoted = (name: string) => `"${name}"`;
  const names = columns.map(([, column]) => quoted(column.name)).join(', ');
  const definitions = columns.map(([, column]) => `${quoted(column.name)} ${column.getSQLType()}`).join(', ');
  const name = quoted(getTableConfig(table).name);
  // What the record says, apart from when the CRM last touched it: a re-read whose content is the
  // same (the app's own write-back moved the stamp) keeps synced_at, so no rescore follows.
  const content = columns
    .map(([, column]) => column.name)
    .filter((column) => !key.includes(column) && column !== 'modified_at')
    .map(quoted);
  const changed = `(${content.map((column) => `${name}.${column}`).join(', ')}) is distinct from (${content.map((column) => `excluded.${column}`).join(', ')})`;
  const updates = [
    ...columns
      .filter(([, column]) => !key.includes(column.name))
      .map(([, column]) => `${quoted(column.name)} = excluded.${quoted(column.name)}`),
    `"synced_at" = case when ${changed} then now() else ${name}."synced_at" end`,
  ].join(', ');
  const head = sql.raw(`insert into ${name} (${names}, "synced_at") select ${names}, now() from jsonb_to_recordset(`);
  const tail = sql.raw(
    `::jsonb) as x(${definitions}) on conflict (${key.map(quoted).join(', ')}) do update set ${updates}` +
      ` where ${name}."modified_at" <= excluded."modified_at"`,
  );
  /** Rows keyed by the table's property names; absent keys are null. */
  return async (tx: Transaction, rows: readonly Record<string, unknown>[]): Promise<void> => {
    if (rows.length === 0) return;
    const json = rows.map((row) => {
      const out: Record<string, unknown> = {};
      for (const [property, column] of columns) out[column.name] = row[property] ?? null;
      return out;
    });
    await tx.execute(sql`${head}${JSON.stringify(json, withoutNul)}${tail}`);
  };
}

// Ids per statement when archiving: well under Postgres's 65,535 parameters.
const ARCHIVE_CHUNK = 5_000;

/** Postgres text cannot hold NUL; a CRM value carrying one loses it rather than failing the page. */
function withoutNul(_key: string, value: unknown): unknown {
  return typeof value === 'string' && value.includes('\u0000') ? value.replaceAll('\u0000', '') : value;
}

const upsertRecords = jsonUpsert(crmRecords, ['workspace_id', 'installation_id', 'object_type', 'external_id']);
const upsertNormalised = Object.fromEntries(
  Object.entries(NORMALISED_TABLES).map(([object, table]) => [
    object,
    jsonUpsert(table, ['workspace_id', 'installation_id', 'external_id']),
  ]),
) as Record<NormalisedObject, ReturnType<typeof jsonUpsert>>;

/** The installation's live (not archived) raw records of one object type. */
const liveRecords = (key: InstallationKey, objectType: string) =>
  and(
    eq(crmRecords.workspaceId, key.workspaceId),
    eq(crmRecords.installationId, key.installationId),
    eq(crmRecords.objectType, objectType),
    eq(crmRecords.archived, false),
  );

export function syncStore(db: Database) {
  const stateWhere = (key: InstallationKey, objectType: string) =>
    and(
      eq(syncState.workspaceId, key.workspaceId),
      eq(syncState.installationId, key.installationId),
      eq(syncState.objectType, objectType),
    );

  return {
    async checkpoint(key: InstallationKey, objectType: string): Promise<SyncCheckpoint | undefined> {
      const [row] = await db
        .select({ cursor: syncState.cursor, recordsSeen: syncState.recordsSeen, callsSpent: syncState.callsSpent })
        .from(syncState)
        .where(stateWhere(key, objectType));
      return row;
    },

    /**
     * Upserts the page's records and their normalised rows (a copy older than the stored one never
     * overwrites it) and moves the cursor, atomically.
     */
    async savePage(
      key: InstallationKey,
      objectType: string,
      records: readonly StoredRecordInput[],
      next: { cursor: string | null; calls: number },
      normalised: readonly NormalisedRow[] = [],
    ): Promise<void> {
      const byTable = new Map<NormalisedObject, Record<string, unknown>[]>();
      for (const row of normalised) {
        const list = byTable.get(row.objectType) ?? [];
        list.push(columnsOf(key, row));
        byTable.set(row.objectType, list);
      }
      await db.transaction(async (tx) => {
        await upsertRecords(
          tx,
          records.map((record) => ({
            workspaceId: key.workspaceId,
            installationId: key.installationId,
            objectType,
            externalId: record.id,
            modifiedAt: new Date(record.modifiedAt).toISOString(),
            createdAtCrm: isoOrNull(record.createdAt),
            archived: record.archived,
            properties: record.properties,
            associations: record.associations,
          })),
        );
        for (const [object, rows] of byTable) await upsertNormalised[object](tx, rows);
        await tx
          .insert(syncState)
          .values({
            workspaceId: key.workspaceId,
            installationId: key.installationId,
            objectType,
            cursor: next.cursor,
            recordsSeen: records.length,
            callsSpent: next.calls,
            lastStartedAt: new Date(),
          })
          .onConflictDoUpdate({
            target: [syncState.workspaceId, syncState.installationId, syncState.objectType],
            set: {
              cursor: next.cursor,
              recordsSeen: sql`${syncState.recordsSeen} + ${records.length}`,
              callsSpent: sql`${syncState.callsSpent} + ${next.calls}`,
              lastError: null,
            },
          });
      });
    },

    /**
     * Marks records deleted or merged away in the CRM, raw and normalised together; they stay for
     * history but leave every view. Answers how many live records it archived (one already archived
     * is not counted again). Any number of ids may be passed (a reconciliation's).
     */
    async markArchived(key: InstallationKey, objectType: string, ids: readonly string[]): Promise<number> {
      if (ids.length === 0) return 0;
      return db.transaction(async (tx) => {
        let archived = 0;
        for (let start = 0; start < ids.length; start += ARCHIVE_CHUNK) {
          const chunk = ids.slice(start, start + ARCHIVE_CHUNK);
          const updated = await tx
            .update(crmRecords)
            .set({ archived: true, syncedAt: new Date() })
            .where(and(liveRecords(key, objectType), inArray(crmRecords.externalId, chunk)))
            .returning({ id: crmRecords.externalId });
          archived += updated.length;
          if (!isNormalisedObject(objectType)) continue;
          const table = NORMALISED_TABLES[objectType];
          await tx
            .update(table)
            .set({ archived: true, syncedAt: new Date() })
            .where(
              and(
                eq(table.workspaceId, key.workspaceId),
                eq(table.installationId, key.installationId),
                eq(table.archived, false),
                inArray(table.externalId, chunk),
              ),
            );
        }
        return archived;
      });
    },

    /** External ids of the records held and not archived, for reconciliation against the CRM's. */
    async listIds(key: InstallationKey, objectType: string): Promise<string[]> {
      const rows = await db.select({ id: crmRecords.externalId }).from(crmRecords).where(liveRecords(key, objectType));
      return rows.map((row) => row.id);
    },

    /** Which of `ids` are held and live: a CRM's delete list may repeat what an earlier run archived. */
    async liveAmong(key: InstallationKey, objectType: string, ids: readonly string[]): Promise<string[]> {
      const live: string[] = [];
      for (let start = 0; start < ids.length; start += ARCHIVE_CHUNK) {
        const rows = await db
          .select({ id: crmRecords.externalId })
          .from(crmRecords)
          .where(
            and(liveRecords(key, objectType), inArray(crmRecords.externalId, ids.slice(start, start + ARCHIVE_CHUNK))),
          );
        live.push(...rows.map((row) => row.id));
      }
      return live;
    },

    /** Live records of `objectType` whose associations name any of `ids` of `target` (links to a merged record). */
    async linkedTo(
      key: InstallationKey,
      objectType: string,
      target: string,
      ids: readonly string[],
    ): Promise<string[]> {
      if (ids.length === 0) return [];
      const rows = await db
        .select({ id: crmRecords.externalId })
        .from(crmRecords)
        .where(
          and(
            liveRecords(key, objectType),
            sql`(${crmRecords.associations} -> ${target}) ?| ${sql`array[${sql.join(
              ids.map((id) => sql`${id}`),
              sql`, `,
            )}]::text[]`}`,
          ),
        );
      return rows.map((row) => row.id);
    },

    async startRun(key: InstallationKey, objectType: string): Promise<void> {
      await db
        .insert(syncState)
        .values({ ...key, objectType, lastStartedAt: new Date() })
        .onConflictDoUpdate({
          target: [syncState.workspaceId, syncState.installationId, syncState.objectType],
          set: { lastStartedAt: sql`excluded.last_started_at` },
        });
    },

    /** A run that read everything for the object: its error, if any, is over. */
    async finishRun(key: InstallationKey, objectType: string, run: { finishedAt: Date }): Promise<void> {
      await db
        .insert(syncState)
        .values({ ...key, objectType, lastFinishedAt: run.finishedAt })
        .onConflictDoUpdate({
          target: [syncState.workspaceId, syncState.installationId, syncState.objectType],
          set: { lastFinishedAt: run.finishedAt, lastError: null },
        });
    },

    /** Forgets where the object's sync stands, so the next run reads everything (a cursor the CRM refused). */
    async resetCursor(key: InstallationKey, objectType: string): Promise<void> {
      await db.update(syncState).set({ cursor: null }).where(stateWhere(key, objectType));
    },

    /** Every object type's state, the normalised ones first in sync order, whether synced yet or not. */
    async status(key: InstallationKey): Promise<ObjectSyncStatus[]> {
      const installation = (table: typeof syncState | typeof crmRecords) =>
        and(eq(table.workspaceId, key.workspaceId), eq(table.installationId, key.installationId));
      const [states, counts] = await Promise.all([
        db.select().from(syncState).where(installation(syncState)),
        db
          .select({ objectType: crmRecords.objectType, n: sql<number>`count(*)::int` })
          .from(crmRecords)
          .where(and(installation(crmRecords), eq(crmRecords.archived, false)))
          .groupBy(crmRecords.objectType),
      ]);
      const objectTypes = [...new Set([...Object.keys(NORMALISED_TABLES), ...states.map((state) => state.objectType)])];
      return objectTypes.map((objectType) => {
        const state = states.find((row) => row.objectType === objectType);
        return {
          objectType,
          records: counts.find((row) => row.objectType === objectType)?.n ?? 0,
          cursor: state?.cursor ?? null,
          lastStartedAt: state?.lastStartedAt ?? null,
          lastFinishedAt: state?.lastFinishedAt ?? null,
          lastError: state?.lastError ?? null,
          recordsSeen: state?.recordsSeen ?? 0,
          callsSpent: state?.callsSpent ?? 0,
        };
      });
    },

    async recordError(key: InstallationKey, objectType: string, message: string): Promise<void> {
      await db.update(syncState).set({ lastError: message }).where(stateWhere(key, objectType));
    },

    async count(key: InstallationKey, objectType: string, options: { includeArchived?: boolean } = {}) {
      const [row] = await db
        .select({ n: sql<number>`count(*)::int` })
        .from(crmRecords)
        .where(
          and(
            eq(crmRecords.workspaceId, key.workspaceId),
            eq(crmRecords.installationId, key.installationId),
            eq(crmRecords.objectType, objectType),
            options.includeArchived ? undefined : eq(crmRecords.archived, false),
          ),
        );
      return row?.n ?? 0;
    },
  };
}

export type SyncStore = ReturnType<typeof syncStore>;
