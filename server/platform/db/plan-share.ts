import { and, eq, inArray } from 'drizzle-orm';
import type { Database } from './database.ts';
import { accounts, owners } from './schema.ts';
import type { InstallationKey } from './sync-store.ts';

/**
 * What the plan API and the shared plan page read beside the plans: the account a plan is for, and
 * the names of the CRM users who own milestones. Every query is scoped by workspace and installation.
 */

export interface PlanAccount {
  externalId: string;
  name: string | null;
  segment: string | null;
  csmExternalId: string | null;
  ownerExternalId: string | null;
  /** Gone from the CRM: its plans stay readable, no new plan is made for it. */
  archived: boolean;
}

const ofAccounts = (key: InstallationKey) =>
  and(eq(accounts.workspaceId, key.workspaceId), eq(accounts.installationId, key.installationId));
const ofOwners = (key: InstallationKey) =>
  and(eq(owners.workspaceId, key.workspaceId), eq(owners.installationId, key.installationId));

export function planShareStore(db: Database) {
  return {
    async account(key: InstallationKey, accountExternalId: string): Promise<PlanAccount | null> {
      const [row] = await db
        .select({
          externalId: accounts.externalId,
          name: accounts.name,
          segment: accounts.segment,
          csmExternalId: accounts.csmExternalId,
          ownerExternalId: accounts.ownerExternalId,
          archived: accounts.archived,
        })
        .from(accounts)
        .where(and(ofAccounts(key), eq(accounts.externalId, accountExternalId)));
      return row ?? null;
    },

    /**
     * Owners' names by CRM id: the name, else first and last name; never the e-mail address, so an
     * answer that reaches a customer names people without giving their addresses away.
     */
    async ownerNames(key: InstallationKey, ids: readonly string[]): Promise<Map<string, string | null>> {
      if (ids.length === 0) return new Map();
      const rows = await db
        .select({
          externalId: owners.externalId,
          name: owners.name,
          firstName: owners.firstName,
          lastName: owners.lastName,
        })
        .from(owners)
        .where(and(ofOwners(key), inArray(owners.externalId, [...new Set(ids)])));
      return new Map(
        rows.map((row) => {
          const parts = [row.firstName, row.lastName].filter((part) => part !== null && part.trim() !== '');
          const name = row.name?.trim() || parts.join(' ').trim() || null;
          return [row.externalId, name];
        }),
      );
    },

    /** Whether the CRM user exists in the installation and is still active, so a milestone can be given to them. */
    async activeOwner(key: InstallationKey, ownerExternalId: string): Promise<boolean> {
      const [row] = await db
        .select({ externalId: owners.externalId })
        .from(owners)
        .where(
          and(
            ofOwners(key),
            eq(owners.externalId, ownerExternalId),
            eq(owners.archived, false),
            eq(owners.active, true),
          ),
        );
      return row !== undefined;
    },
  };
}

export type PlanShareStore = ReturnType<typeof planShareStore>;
