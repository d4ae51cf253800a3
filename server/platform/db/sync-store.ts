import { and, eq, inArray, sql } from 'drizzle-orm';
import type { Database } from './database.ts';
import { crmRecords, syncState } from './schema.ts';

/**
 * The sync's persistence: a page of records and the cursor after it are written in one transaction,
 * so a worker killed at any moment resumes from a cursor that matches exactly what was stored —
 * nothing missing, nothing read twice into the store.
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
     * Upserts the page's records (a record older than the stored copy never overwrites it) and
     * moves the cursor, atomically.
     */
    async savePage(
      key: InstallationKey,
      objectType: string,
      records: readonly StoredRecordInput[],
      next: { cursor: string | null; calls: number },
    ): Promise<void> {
      await db.transaction(async (tx) => {
        if (records.length > 0) {
          await tx
            .insert(crmRecords)
            .values(
              records.map((record) => ({
                workspaceId: key.workspaceId,
                installationId: key.installationId,
                objectType,
                externalId: record.id,
                modifiedAt: new Date(record.modifiedAt),
                createdAtCrm: record.createdAt === null ? null : new Date(record.createdAt),
                archived: record.archived,
                properties: record.properties,
                associations: record.associations as Record<string, string[]>,
              })),
            )
            .onConflictDoUpdate({
              target: [crmRecords.workspaceId, crmRecords.installationId, crmRecords.objectType, crmRecords.externalId],
              set: {
                modifiedAt: sql`excluded.modified_at`,
                createdAtCrm: sql`excluded.created_at_crm`,
                archived: sql`excluded.archived`,
                properties: sql`excluded.properties`,
                associations: sql`excluded.associations`,
                syncedAt: sql`now()`,
              },
              setWhere: sql`${crmRecords.modifiedAt} <= excluded.modified_at`,
            });
        }
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

    /** Marks records deleted or merged away in the CRM; they stay for history but leave every view. */
    async markArchived(key: InstallationKey, objectType: string, ids: readonly string[]): Promise<number> {
      if (ids.length === 0) return 0;
      const updated = await db
        .update(crmRecords)
        .set({ archived: true, syncedAt: new Date() })
        .where(
          and(
            eq(crmRecords.workspaceId, key.workspaceId),
            eq(crmRecords.installationId, key.installationId),
            eq(crmRecords.objectType, objectType),
            inArray(crmRecords.externalId, [...ids]),
          ),
        )
        .returning({ id: crmRecords.externalId });
      return updated.length;
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
