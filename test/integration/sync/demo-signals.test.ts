import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSync } from '../../../jobs/sync/run-sync.ts';
import type { Book } from '../../../sandbox/generator/book.ts';
import { crmBook, generateBook } from '../../../sandbox/generator/generate-book.ts';
import { createQueues, type Queues } from '../../../jobs/queues.ts';
import {
  DEMO_USAGE_DAYS,
  demoSignals,
  loadDemoSignals,
  loadSignalsWhenSynced,
  whenAccountsSynced,
  type DemoSignals,
} from '../../../server/demo.ts';
import type { DatabaseHandle } from '../../../server/platform/db/database.ts';
import type { InstallationKey } from '../../../server/platform/db/sync-store.ts';
import { testDatabases } from '../../support/databases.ts';
import { dropPrefix, uniquePrefix } from '../../support/redis.ts';
import { createSyncHarness, type SyncHarness } from '../../support/sync-harness.ts';

/**
 * The embedded demo's signals: the generated book's last 120 days of usage, its surveys and CSM
 * notes, stored for each demo installation once its first sync has stored the accounts, resolved
 * by domain, quickly enough for the demo's start (300 accounts).
 */

const database = testDatabases()[0]!;
const ACCOUNTS = 300;

let handle: DatabaseHandle;
let h: SyncHarness;
let book: Book;
let signals: DemoSignals;
let prefix: string;
let queues: Queues;

const keyOf = (provider: 'hubspot' | 'salesforce'): InstallationKey => ({
  workspaceId: h.installations[provider].workspaceId,
  installationId: h.installations[provider].id,
});

async function count(table: string, key: InstallationKey): Promise<number> {
  const [row] = await handle.rows<{ n: number }>(
    sql`select count(*)::int as n from ${sql.identifier(table)}
        where workspace_id = ${key.workspaceId} and installation_id = ${key.installationId}`,
  );
  return row?.n ?? 0;
}

beforeAll(async () => {
  book = generateBook({ seed: 42, accounts: ACCOUNTS, asOf: '2026-11-20' }).book;
  signals = demoSignals(book);
  handle = await database.open();
  await handle.migrate();
  h = await createSyncHarness({ db: handle, book: crmBook(book) });
  prefix = uniquePrefix();
  queues = createQueues(h.redis, prefix);
}, 120_000);

afterAll(async () => {
  await queues?.close();
  if (prefix) await dropPrefix(prefix);
  await h?.close();
  await handle?.close();
  await database.cleanup();
});

describe('the demo signals', () => {
  it('keep the last 120 days of usage up to the book day, and every survey and note', () => {
    const days = new Set(signals.usage.map((day) => day.date));
    expect(days.size).toBe(DEMO_USAGE_DAYS);
    expect([...days].sort().at(-1)).toBe('2026-11-20');
    expect([...days].sort()[0]).toBe('2026-07-24');
    expect(signals.usage.length).toBe(book.usage.filter((day) => day.date >= '2026-07-24').length);
    expect(signals.surveys).toHaveLength(book.surveys.length);
    expect(signals.sentiment).toHaveLength(book.sentiment.length);
  });

  it('wait for the first sync, then land on the accounts each domain names, in both CRMs', async () => {
    const hubspot = keyOf('hubspot');
    const stop = new AbortController();
    const waiting = whenAccountsSynced(handle.db, hubspot, { signal: stop.signal, pollMs: 50 });
    let synced: boolean | undefined;
    void waiting.then((value) => (synced = value));
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(synced).toBeUndefined();

    for (const provider of ['hubspot', 'salesforce'] as const) {
      await runSync(h.deps, { ...keyOf(provider), mode: 'full' });
    }
    expect(await waiting).toBe(true);

    for (const provider of ['hubspot', 'salesforce'] as const) {
      const key = keyOf(provider);
      const started = performance.now();
      const loaded = await loadDemoSignals(handle.db, key, signals);
      const ms = performance.now() - started;
      console.info(
        `${provider}: ${loaded.usageDays} usage days, ${loaded.surveys} surveys, ${loaded.sentiment} notes in ${Math.round(ms)} ms`,
      );
      // The stand-ins hold every book account under its domain.
      expect(loaded.unmatchedAccounts).toBe(0);
      expect(loaded).toMatchObject({
        usageDays: signals.usage.length,
        surveys: signals.surveys.length,
        sentiment: signals.sentiment.length,
      });
      expect(await count('usage_daily', key)).toBe(signals.usage.length);
      expect(await count('survey_responses', key)).toBe(signals.surveys.length);
      expect(await count('csm_sentiment', key)).toBe(signals.sentiment.length);
      // Measured 3–8 s on PGlite with two cores under a load of about 7; the bound leaves room for a busy CI machine.
      expect(ms).toBeLessThan(20_000);
    }

    // One account's days sit on the CRM record with its domain.
    const sample = signals.usage[signals.usage.length - 1]!;
    const domain = signals.domains.get(sample.accountId)!;
    const [row] = await handle.rows<{ active_users: number }>(
      sql`select u.active_users from usage_daily u
          join accounts a on a.workspace_id = u.workspace_id and a.installation_id = u.installation_id
            and a.external_id = u.account_external_id
          where u.workspace_id = ${hubspot.workspaceId} and u.installation_id = ${hubspot.installationId}
            and a.domain = ${domain} and u.date = ${sample.date}`,
    );
    expect(row?.active_users).toBe(sample.activeUsers);
  }, 120_000);

  it('store nothing twice when loaded again (a restarted demo), and ask for a score of each installation', async () => {
    const loaded = await loadSignalsWhenSynced(
      { db: handle.db, queues },
      signals,
      [keyOf('hubspot').installationId, keyOf('salesforce').installationId],
      new AbortController().signal,
    );
    expect(loaded).toEqual([
      { installationId: keyOf('hubspot').installationId, usageDays: 0, surveys: 0, sentiment: 0, unmatchedAccounts: 0 },
      {
        installationId: keyOf('salesforce').installationId,
        usageDays: 0,
        surveys: 0,
        sentiment: 0,
        unmatchedAccounts: 0,
      },
    ]);
    expect(await count('usage_daily', keyOf('salesforce'))).toBe(signals.usage.length);
    const scores = await queues.get('score').getJobs(['waiting', 'delayed', 'prioritized']);
    expect(scores.map((job) => (job.data as { installationId: string }).installationId).sort()).toEqual(
      [keyOf('hubspot').installationId, keyOf('salesforce').installationId].sort(),
    );
  });

  it('stop waiting when the demo closes', async () => {
    const stop = new AbortController();
    const never = { workspaceId: keyOf('hubspot').workspaceId, installationId: '00000000-0000-4000-8000-000000000000' };
    const waiting = whenAccountsSynced(handle.db, never, { signal: stop.signal, pollMs: 50 });
    stop.abort();
    expect(await waiting).toBe(false);
    // An installation the database does not hold, with the demo closing: nothing stored, nothing thrown.
    const closing = new AbortController();
    const loading = loadSignalsWhenSynced({ db: handle.db }, signals, [never.installationId], closing.signal);
    closing.abort();
    expect(await loading).toEqual([null]);
  });
});
