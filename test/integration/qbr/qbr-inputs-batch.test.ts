import { and, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runScore } from '../../../jobs/score/score-run.ts';
import type { QbrInputs } from '../../../server/core/qbr/inputs.ts';
import { addDays, qbrPeriod, type Period } from '../../../server/core/qbr/period.ts';
import type { DatabaseHandle } from '../../../server/platform/db/database.ts';
import { healthModelStore } from '../../../server/platform/db/health-model-store.ts';
import { healthScoreStore } from '../../../server/platform/db/health-score-store.ts';
import { overrideStore } from '../../../server/platform/db/override-store.ts';
import { qbrInputs, qbrInputsForAccounts } from '../../../server/platform/db/qbr-store.ts';
import { accounts, healthScores, warnings } from '../../../server/platform/db/schema.ts';
import type { InstallationKey } from '../../../server/platform/db/sync-store.ts';
import { seedBook } from '../analytics/seed-book.ts';
import { silentLogger, testDatabases, type TestDatabase } from '../../support/databases.ts';
import { scoreHistoryRow } from './score-history.ts';

/**
 * The QBR inputs of many accounts read at once equal each account's read alone, on a generated book
 * written into the tables and scored: accounts of the same statement do not leak into each other,
 * accounts past the first statement's 500 are read as well, and unknown or archived accounts are
 * left out.
 */

const DAY_MS = 86_400_000;
let database: TestDatabase;
let handle: DatabaseHandle;
let key: InstallationKey;
let period: Period;
let ids: string[];
let archived: string;

describe.each(testDatabases())('on $name', (each) => {
  beforeAll(async () => {
    database = each;
    handle = await database.open();
    await handle.migrate();
    const now = new Date();
    const today = now.toISOString().slice(0, 10);
    ({ key } = await seedBook(handle.db, {
      name: 'QBR batch',
      portal: `qbr-batch-${database.name}`,
      seed: 31,
      accounts: 40,
      asOf: today,
      historyMonths: 6,
    }));
    await runScore(
      {
        db: handle.db,
        store: healthScoreStore(handle.db),
        models: healthModelStore(handle.db),
        overrides: overrideStore(handle.db),
        logger: silentLogger,
        now: () => now,
      },
      key,
      { full: true },
    );
    period = qbrPeriod(addDays(today, 1), now.getTime(), 60);
    const rows = await handle.rows<{ id: string }>(
      sql`select external_id as id from accounts
          where workspace_id = ${key.workspaceId} and installation_id = ${key.installationId} order by 1`,
    );
    ids = rows.map((row) => row.id);
    archived = ids.pop()!;
    await handle.db
      .update(accounts)
      .set({ archived: true })
      .where(
        and(
          eq(accounts.workspaceId, key.workspaceId),
          eq(accounts.installationId, key.installationId),
          eq(accounts.externalId, archived),
        ),
      );
    // Score history of a few accounts: before the period (the start's score), and inside it (not that).
    const history = (id: string, day: string, score: number) => scoreHistoryRow(key, id, day, score);
    await handle.db
      .insert(healthScores)
      .values(
        ids
          .slice(0, 5)
          .flatMap((id, index) => [
            history(id, addDays(period.start, -10), 20 + index),
            history(id, addDays(period.start, -index), 35 + index),
            history(id, addDays(period.start, 1), 90),
          ]),
      );
    // Open warnings of three severities on two accounts, in an order the severity must overturn.
    const warning = (id: string, rule: string, severity: 'low' | 'medium' | 'high', daysAgo: number) => ({
      ...key,
      accountExternalId: id,
      rule,
      dedupeKey: `${rule}:${id}`,
      severity,
      status: 'open' as const,
      title: `${rule} on ${id}`,
      evidence: {},
      openedAt: new Date(now.getTime() - daysAgo * DAY_MS),
      lastSeenAt: now,
    });
    await handle.db
      .insert(warnings)
      .values([
        warning(ids[0]!, 'usage_drop', 'low', 9),
        warning(ids[0]!, 'ticket_surge', 'high', 3),
        warning(ids[0]!, 'nps_drop', 'medium', 5),
        warning(ids[1]!, 'champion_left', 'medium', 2),
      ]);
  }, 180_000);

  afterAll(async () => {
    await handle?.close();
    await database.cleanup();
  });

  it('reads every account as it reads it alone, leaving out unknown and archived ones', async () => {
    expect(ids.length).toBeGreaterThan(30);
    // 550 unknown ids first: the real accounts after them are read by a second statement.
    const unknown = Array.from({ length: 550 }, (_, index) => `no-such-account-${index}`);
    const half = Math.floor(ids.length / 2);
    const asked = [...ids.slice(0, half), ...unknown, archived, ...ids.slice(half), ids[0]!];
    const batch = await qbrInputsForAccounts(handle.db, key, asked, period);

    expect([...batch.keys()].sort()).toEqual([...ids].sort());
    const alone = new Map<string, QbrInputs>();
    for (const id of ids) {
      const inputs = await qbrInputs(handle.db, key, id, period);
      expect(inputs, id).not.toBeNull();
      alone.set(id, inputs!);
      expect(batch.get(id), id).toEqual(inputs);
    }
    expect(await qbrInputs(handle.db, key, archived, period)).toBeNull();
    expect(await qbrInputs(handle.db, key, 'no-such-account-0', period)).toBeNull();

    // Not equal by being empty: the figures differ between accounts and are mostly known.
    const all = [...alone.values()];
    const distinct = (pick: (inputs: QbrInputs) => unknown) =>
      new Set(all.map((inputs) => JSON.stringify(pick(inputs))));
    const figures: [string, (inputs: QbrInputs) => unknown][] = [
      ['health.now.score', (inputs) => inputs.health.now?.score],
      ['health.measures', (inputs) => inputs.health.measures],
      ['usage.events', (inputs) => inputs.usage.events],
      ['usage.reportedLicences', (inputs) => inputs.usage.reportedLicences],
      ['usage.last.featureShares', (inputs) => inputs.usage.last.featureShares],
      ['tickets', (inputs) => inputs.tickets],
      ['contacts', (inputs) => inputs.contacts],
      ['deals', (inputs) => inputs.deals],
      ['nps.before', (inputs) => inputs.nps.before],
    ];
    for (const [name, pick] of figures) expect(distinct(pick).size, name).toBeGreaterThan(2);
    expect(all.filter((inputs) => inputs.usage.events > 0).length).toBeGreaterThan(ids.length / 2);
    expect(all.filter((inputs) => inputs.tickets.opened > 0).length).toBeGreaterThan(0);
    expect(all.filter((inputs) => inputs.contacts.total > 0).length).toBeGreaterThan(ids.length / 2);
    expect(all.filter((inputs) => inputs.deals.nextRenewal !== null).length).toBeGreaterThan(0);
    expect(all.slice(0, 5).map((inputs) => inputs.health.atStart?.score)).toEqual([35, 36, 37, 38, 39]);
    expect(all.slice(5).every((inputs) => inputs.health.atStart === null)).toBe(true);
    expect(all[0]!.usage.peers.length).toBeGreaterThan(0);
    expect(batch.get(ids[0]!)!.warnings.map((warning) => warning.severity)).toEqual(['high', 'medium', 'low']);
    expect(batch.get(ids[1]!)!.warnings.map((warning) => warning.rule)).toEqual(['champion_left']);
    expect(batch.get(ids[2]!)!.warnings).toEqual([]);
  });

  it('answers an empty set with an empty map, and refuses a backwards period', async () => {
    expect((await qbrInputsForAccounts(handle.db, key, [], period)).size).toBe(0);
    await expect(
      qbrInputsForAccounts(handle.db, key, ids, { start: period.end, end: addDays(period.end, -1) }),
    ).rejects.toThrow(/invalid QBR period/);
  });
});
