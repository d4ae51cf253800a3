import { and, asc, eq } from 'drizzle-orm';
import type { Database } from '../../platform/db/database.ts';
import { accountHealth, accounts } from '../../platform/db/schema.ts';
import type { InstallationKey } from '../../platform/db/sync-store.ts';

/** The preview's account list: one installation's accounts with their latest score, by name. */

export const PREVIEW_ACCOUNT_LIMIT = 200;

export interface PreviewAccount {
  externalId: string;
  name: string | null;
  score: number | null;
  band: string | null;
}

export async function listPreviewAccounts(db: Database, key: InstallationKey): Promise<PreviewAccount[]> {
  return db
    .select({
      externalId: accounts.externalId,
      name: accounts.name,
      score: accountHealth.score,
      band: accountHealth.band,
    })
    .from(accounts)
    .leftJoin(
      accountHealth,
      and(
        eq(accountHealth.workspaceId, accounts.workspaceId),
        eq(accountHealth.installationId, accounts.installationId),
        eq(accountHealth.accountExternalId, accounts.externalId),
      ),
    )
    .where(
      and(
        eq(accounts.workspaceId, key.workspaceId),
        eq(accounts.installationId, key.installationId),
        eq(accounts.archived, false),
      ),
    )
    .orderBy(asc(accounts.name), asc(accounts.externalId))
    .limit(PREVIEW_ACCOUNT_LIMIT);
}
