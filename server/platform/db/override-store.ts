import { and, desc, eq, inArray, isNull } from 'drizzle-orm';
import { AppError } from '../errors.ts';
import type { Database } from './database.ts';
import { accounts, healthOverrides } from './schema.ts';
import type { InstallationKey } from './sync-store.ts';

/**
 * CSM overrides of an account's health (DESIGN.md §4). A new override clears the one before it; a
 * row is otherwise never changed except to record who cleared it, so the rows are the history. Expiry
 * is judged by whoever reads: nothing scheduled clears or changes an override.
 */

export type OverrideBand = 'red' | 'yellow' | 'green';

export interface StoredOverride {
  id: string;
  accountExternalId: string;
  score: number | null;
  band: OverrideBand | null;
  reason: string;
  author: string;
  setAt: Date;
  expiresAt: Date;
  clearedAt: Date | null;
  clearedBy: string | null;
}

export interface NewOverride {
  accountExternalId: string;
  score: number | null;
  band: OverrideBand | null;
  reason: string;
  author: string;
  setAt: Date;
  expiresAt: Date;
}

const columns = {
  id: healthOverrides.id,
  accountExternalId: healthOverrides.accountExternalId,
  score: healthOverrides.score,
  band: healthOverrides.band,
  reason: healthOverrides.reason,
  author: healthOverrides.author,
  setAt: healthOverrides.setAt,
  expiresAt: healthOverrides.expiresAt,
  clearedAt: healthOverrides.clearedAt,
  clearedBy: healthOverrides.clearedBy,
};

const ofAccount = (key: InstallationKey, accountExternalId: string) =>
  and(
    eq(healthOverrides.workspaceId, key.workspaceId),
    eq(healthOverrides.installationId, key.installationId),
    eq(healthOverrides.accountExternalId, accountExternalId),
  );

const liveAccount = (key: InstallationKey, accountExternalId: string) =>
  and(
    eq(accounts.workspaceId, key.workspaceId),
    eq(accounts.installationId, key.installationId),
    eq(accounts.externalId, accountExternalId),
    eq(accounts.archived, false),
  );

const CHUNK = 500;

/** One answer for an unknown, archived or other installation's account, so ids cannot be probed. */
export const accountNotFound = () => new AppError(404, 'ACCOUNT_NOT_FOUND', 'No such account in this installation');

export function overrideStore(db: Database) {
  return {
    /** Whether the account is a live (non-archived) account of the installation. */
    async hasAccount(key: InstallationKey, accountExternalId: string): Promise<boolean> {
      const [row] = await db
        .select({ id: accounts.externalId })
        .from(accounts)
        .where(liveAccount(key, accountExternalId));
      return row !== undefined;
    },

    /** The override in force or most recently set per account (not cleared), for a batch of accounts. */
    async latestFor(key: InstallationKey, accountIds: readonly string[]): Promise<Map<string, StoredOverride>> {
      const latest = new Map<string, StoredOverride>();
      for (let start = 0; start < accountIds.length; start += CHUNK) {
        const rows = await db
          .select(columns)
          .from(healthOverrides)
          .where(
            and(
              eq(healthOverrides.workspaceId, key.workspaceId),
              eq(healthOverrides.installationId, key.installationId),
              inArray(healthOverrides.accountExternalId, accountIds.slice(start, start + CHUNK)),
              isNull(healthOverrides.clearedAt),
            ),
          )
          .orderBy(desc(healthOverrides.setAt), desc(healthOverrides.id));
        for (const row of rows) if (!latest.has(row.accountExternalId)) latest.set(row.accountExternalId, row);
      }
      return latest;
    },

    /**
     * Stores an override of a live account of the installation (404 otherwise), clearing the one
     * before it in the same transaction. The account row is locked meanwhile, so two overrides set at
     * once leave one in force and the other cleared.
     */
    async set(key: InstallationKey, input: NewOverride): Promise<StoredOverride> {
      return db.transaction(async (tx) => {
        const [account] = await tx
          .select({ id: accounts.externalId })
          .from(accounts)
          .where(liveAccount(key, input.accountExternalId))
          .for('update');
        if (!account) throw accountNotFound();
        await tx
          .update(healthOverrides)
          .set({ clearedAt: input.setAt, clearedBy: input.author })
          .where(and(ofAccount(key, input.accountExternalId), isNull(healthOverrides.clearedAt)));
        const [row] = await tx
          .insert(healthOverrides)
          .values({ workspaceId: key.workspaceId, installationId: key.installationId, ...input })
          .returning(columns);
        return row as StoredOverride;
      });
    },

    /** Clears the account's override (expired or not) as of `at`; null when it has none. */
    async clear(
      key: InstallationKey,
      accountExternalId: string,
      by: string,
      at: Date = new Date(),
    ): Promise<StoredOverride | null> {
      const cleared = await db
        .update(healthOverrides)
        .set({ clearedAt: at, clearedBy: by })
        .where(and(ofAccount(key, accountExternalId), isNull(healthOverrides.clearedAt)))
        .returning(columns);
      cleared.sort((a, b) => b.setAt.getTime() - a.setAt.getTime());
      return cleared[0] ?? null;
    },

    /** Every override the account has had, newest first. */
    async history(key: InstallationKey, accountExternalId: string): Promise<StoredOverride[]> {
      return db
        .select(columns)
        .from(healthOverrides)
        .where(ofAccount(key, accountExternalId))
        .orderBy(desc(healthOverrides.setAt), desc(healthOverrides.id));
    },
  };
}

export type OverrideStore = ReturnType<typeof overrideStore>;
