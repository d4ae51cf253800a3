import { and, asc, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runPrune } from '../../../jobs/maintenance/prune.job.ts';
import { createSealer } from '../../../server/platform/crypto.ts';
import type { DatabaseHandle } from '../../../server/platform/db/database.ts';
import { createWorkspace, installationRepository } from '../../../server/platform/db/installations.ts';
import { healthScores, ingestBatches } from '../../../server/platform/db/schema.ts';
import type { InstallationKey } from '../../../server/platform/db/sync-store.ts';
import { testDatabases } from '../../support/databases.ts';

/**
 * The daily prune: ingest answers older than 7 days go; score history older than 90 days keeps only
 * the last row of each ISO week per account, per installation; a second run deletes nothing.
 */

const NOW = new Date('2026-11-20T02:17:00Z');
const DAY_MS = 86_400_000;
const daysAgo = (days: number) => new Date(Date.UTC(2026, 10, 20) - days * DAY_MS).toISOString().slice(0, 10);

/**
 * Account → days ago with a score. Weeks (Monday to Sunday): 89 Sun, 90 Sat, 91 Fri and 95 Mon share
 * one week; 118 Sat and 120 Thu another; 123 is a Monday and 124 the Sunday before it; 130 Monday.
 */
const SCORED: Record<string, number[]> = {
  edge: [89, 90, 91],
  alone: [91, 95],
  twice: [118, 120, 130],
  boundary: [123, 124, 130],
};
/**
 * What is left: 91 of `edge` has later days in its week (90 and 89, still dense); 95 of `alone` has 91;
 * 120 of `twice` has 118; 130 of `boundary` has 124 (a Sunday), while 123 (the Monday after) starts another week.
 */
const KEPT: Record<string, number[]> = {
  edge: [89, 90],
  alone: [91],
  twice: [118, 130],
  boundary: [123, 124],
};

describe.each(testDatabases())('pruning on $name', (database) => {
  let handle: DatabaseHandle;
  let first: InstallationKey;
  let second: InstallationKey;

  async function scoreRows(key: InstallationKey, scored: Record<string, number[]>): Promise<void> {
    await handle.db.insert(healthScores).values(
      Object.entries(scored).flatMap(([account, days]) =>
        days.map((ago) => ({
          ...key,
          accountExternalId: account,
          day: daysAgo(ago),
          scoredAt: new Date(`${daysAgo(ago)}T06:00:00Z`),
          modelVersion: 1,
          status: 'scored' as const,
          score: 50,
          band: 'yellow' as const,
          trend: 'stable' as const,
          coverage: 1,
          contributions: [],
        })),
      ),
    );
  }

  async function scoreDays(key: InstallationKey): Promise<Record<string, string[]>> {
    const rows = await handle.db
      .select({ account: healthScores.accountExternalId, day: healthScores.day })
      .from(healthScores)
      .where(and(eq(healthScores.workspaceId, key.workspaceId), eq(healthScores.installationId, key.installationId)))
      .orderBy(asc(healthScores.accountExternalId), asc(healthScores.day));
    const days: Record<string, string[]> = {};
    for (const row of rows) (days[row.account] ??= []).push(row.day);
    return days;
  }

  const expectedDays = (scored: Record<string, number[]>) =>
    Object.fromEntries(Object.entries(scored).map(([account, days]) => [account, days.map(daysAgo).sort()]));

  async function batchKeys(key: InstallationKey): Promise<string[]> {
    const rows = await handle.db
      .select({ key: ingestBatches.idempotencyKey })
      .from(ingestBatches)
      .where(and(eq(ingestBatches.workspaceId, key.workspaceId), eq(ingestBatches.installationId, key.installationId)))
      .orderBy(asc(ingestBatches.idempotencyKey));
    return rows.map((row) => row.key);
  }

  beforeAll(async () => {
    handle = await database.open();
    await handle.migrate();
    const repo = installationRepository(handle.db, createSealer(Buffer.alloc(32, 5)));
    const make = async (name: string, externalId: string): Promise<InstallationKey> => {
      const workspace = await createWorkspace(handle.db, name);
      const installation = await repo.install({
        workspaceId: workspace.id,
        provider: 'hubspot',
        externalId,
        displayName: name,
        baseUrl: null,
        scopes: [],
        tokens: { accessToken: 'a', refreshToken: 'r', accessTokenExpiresAt: null },
      });
      return { workspaceId: workspace.id, installationId: installation.id };
    };
    first = await make('First', '8101');
    second = await make('Second', '8102');
    await scoreRows(first, SCORED);
    // The same accounts in another installation, with only the older row of the `twice` week: it is
    // the last of its week there, whatever the first installation holds.
    await scoreRows(second, { twice: [120], edge: [91] });
    const week = 7 * DAY_MS;
    for (const key of [first, second]) {
      await handle.db.insert(ingestBatches).values([
        {
          ...key,
          idempotencyKey: 'expired',
          kind: 'surveys',
          requestHash: 'h',
          createdAt: new Date(NOW.getTime() - week - 1_000),
        },
        {
          ...key,
          idempotencyKey: 'fresh',
          kind: 'surveys',
          requestHash: 'h',
          createdAt: new Date(NOW.getTime() - week + 1_000),
        },
      ]);
    }
  });

  afterAll(async () => {
    await handle?.close();
    await database.cleanup();
  });

  it('thins old score history to the last row of each ISO week and forgets week-old ingest answers', async () => {
    expect(await runPrune(handle.db, NOW)).toEqual({ ingestBatches: 2, healthScores: 4 });
    expect(await scoreDays(first)).toEqual(expectedDays(KEPT));
    expect(await scoreDays(second)).toEqual(expectedDays({ edge: [91], twice: [120] }));
    expect(await batchKeys(first)).toEqual(['fresh']);
    expect(await batchKeys(second)).toEqual(['fresh']);
  });

  it('deletes nothing more when it runs again', async () => {
    expect(await runPrune(handle.db, NOW)).toEqual({ ingestBatches: 0, healthScores: 0 });
    expect(await scoreDays(first)).toEqual(expectedDays(KEPT));
  });
});
