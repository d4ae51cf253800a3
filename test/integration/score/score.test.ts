import { and, eq } from 'drizzle-orm';
import { DelayedError } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createQueues, type Queues } from '../../../jobs/queues.ts';
import { runScore, type ScoreDeps, type StoredExplanation } from '../../../jobs/score/score-run.ts';
import { runScoreJob } from '../../../jobs/score/score.job.ts';
import { runSync } from '../../../jobs/sync/run-sync.ts';
import type { WriteBackServices } from '../../../jobs/write-back/write-back.job.ts';
import { generateBook, crmBook } from '../../../sandbox/generator/generate-book.ts';
import type { Book } from '../../../sandbox/generator/book.ts';
import type { DatabaseHandle } from '../../../server/platform/db/database.ts';
import { healthModelStore } from '../../../server/platform/db/health-model-store.ts';
import { healthScoreStore } from '../../../server/platform/db/health-score-store.ts';
import { upsertUsageDaily } from '../../../server/platform/db/ingest-store.ts';
import { overrideStore } from '../../../server/platform/db/override-store.ts';
import {
  accountHealth,
  accountHealthCurrent,
  healthScores,
  type HealthFieldValues,
} from '../../../server/platform/db/schema.ts';
import { silentLogger, testDatabases } from '../../support/databases.ts';
import { dropPrefix, uniquePrefix } from '../../support/redis.ts';
import { createSyncHarness, type SyncHarness } from '../../support/sync-harness.ts';
import { ingestBookSignals } from './support.ts';
import {
  crmDifferences,
  grantFieldAccess,
  runJob,
  writeBackServices,
  writeCalls,
  type Provider,
} from '../write-back/support.ts';

/**
 * The score job on a synced book with its usage and surveys ingested (issue 6, acceptance 1's sums and
 * 3): every account gets a score whose contributions add up to it, an explanation, a history row and
 * the eight values; the write-back then puts all eight on every record of both stand-ins; a second run
 * with nothing changed writes nothing; a change to a few accounts reaches only those.
 */

const database = testDatabases()[0]!;
const PROVIDERS: Provider[] = ['hubspot', 'salesforce'];
let handle: DatabaseHandle;
let h: SyncHarness;
let book: Book;
let prefix: string;
let queues: Queues;
let deps: ScoreDeps;
let writeBack: WriteBackServices;
let now: Date;

const keyOf = (provider: Provider) => ({
  workspaceId: h.installations[provider].workspaceId,
  installationId: h.installations[provider].id,
});

async function currentValues(provider: Provider): Promise<Map<string, HealthFieldValues>> {
  const key = keyOf(provider);
  const rows = await handle.db
    .select({ id: accountHealthCurrent.accountExternalId, values: accountHealthCurrent.values })
    .from(accountHealthCurrent)
    .where(
      and(
        eq(accountHealthCurrent.workspaceId, key.workspaceId),
        eq(accountHealthCurrent.installationId, key.installationId),
      ),
    );
  return new Map(rows.map((row) => [row.id, row.values]));
}

beforeAll(async () => {
  handle = await database.open();
  await handle.migrate();
  now = new Date();
  book = generateBook({ seed: 11, accounts: 60, asOf: now.toISOString().slice(0, 10) }).book;
  h = await createSyncHarness({ db: handle, book: crmBook(book) });
  h.clock.set(now.getTime());
  // The org has no managed package here: create the fields through Tooling and grant access, as an admin would.
  await h.adapters.salesforce.ensureSchema(h.deps.connections(h.installations.salesforce), h.manifest.fields, {
    createMissing: true,
  });
  grantFieldAccess(h);
  prefix = uniquePrefix();
  queues = createQueues(h.redis, prefix);
  writeBack = writeBackServices(h, handle.db, queues);
  deps = {
    db: handle.db,
    store: healthScoreStore(handle.db),
    models: healthModelStore(handle.db),
    overrides: overrideStore(handle.db),
    logger: silentLogger,
    now: () => now,
  };
  for (const provider of PROVIDERS) {
    await runSync(h.deps, { ...keyOf(provider), mode: 'full' });
    await ingestBookSignals(handle.db, h, book, provider, now);
  }
}, 120_000);

afterAll(async () => {
  await queues?.close();
  await h?.close();
  await handle?.close();
  await database.cleanup();
  if (prefix) await dropPrefix(prefix);
});

describe.each(PROVIDERS)('scoring a synced %s book', (provider) => {
  it('scores every account with contributions that add up, an explanation and the eight values', async () => {
    const summary = await runScore(deps, keyOf(provider), { full: true });
    expect(summary.full).toBe(true);
    // Every current customer of the book; former customers keep their last health and are not scored.
    expect(summary.accounts).toBe(book.accounts.filter((account) => account.status === 'active').length);
    expect(summary.scored).toBe(summary.accounts);
    const rows = await handle.db
      .select()
      .from(accountHealth)
      .where(eq(accountHealth.installationId, keyOf(provider).installationId));
    expect(rows).toHaveLength(summary.accounts);
    const bands = new Set<string>();
    for (const row of rows) {
      const explanation = row.explanation as StoredExplanation;
      const sum = explanation.score.measures.reduce((total, measure) => total + measure.contribution, 0);
      expect(Math.abs(sum - (row.score ?? Number.NaN))).toBeLessThan(0.01);
      expect(explanation.drivers.length).toBeGreaterThan(0);
      // Usage and surveys arrived through ingest, so those groups count.
      expect(explanation.score.groups.find((group) => group.key === 'usage')?.score).not.toBeNull();
      bands.add(row.band ?? 'none');
    }
    // A generated book has healthy and troubled accounts alike.
    expect(bands.size).toBeGreaterThan(1);

    // A parent shows its family's health: its own and its subsidiary's, weighted by ARR.
    const crmId = (bookId: string) =>
      provider === 'hubspot' ? h.hubspot.ids!.companies.get(bookId)! : h.salesforce.ids!.accounts.get(bookId)!;
    const subsidiaries = book.accounts.filter((account) => account.parentId !== null);
    expect(subsidiaries.length).toBeGreaterThan(0);
    const byId = new Map(rows.map((row) => [row.accountExternalId, row]));
    for (const child of subsidiaries) {
      const parentBook = book.accounts.find((account) => account.id === child.parentId)!;
      const parent = byId.get(crmId(parentBook.id))!;
      const own = byId.get(crmId(child.id))!;
      const family = (parent.explanation as StoredExplanation).rollup!;
      expect(family.children).toBe(1);
      const weighted = (parent.score! * parentBook.arr + own.score! * child.arr) / (parentBook.arr + child.arr);
      expect(family.score).toBeCloseTo(weighted, 6);
    }
    const history = await handle.db
      .select()
      .from(healthScores)
      .where(eq(healthScores.installationId, keyOf(provider).installationId));
    expect(history).toHaveLength(summary.accounts);
    for (const values of (await currentValues(provider)).values()) {
      for (const field of h.manifest.fields) expect(values[field.key], field.key).not.toBeNull();
    }
  });

  it('writes all eight fields to every record, then nothing on a run with no change', async () => {
    h.resetCounters();
    const first = await runJob(writeBack, h, provider);
    expect(first).toEqual({ outcome: 'written', summary: expect.anything() });
    const current = await currentValues(provider);
    expect(crmDifferences(current, h, provider)).toEqual([]);

    const again = await runScore(deps, keyOf(provider), { full: false });
    expect(again.changedValues).toBe(0);
    const rescored = await runScore(deps, keyOf(provider), { full: true });
    expect(rescored.changedValues).toBe(0);
    h.resetCounters();
    await runJob(writeBack, h, provider);
    expect(writeCalls(h, provider)).toBe(0);
  });

  it('rescores only accounts whose inputs changed, and writes only those', async () => {
    const ids = [...(await currentValues(provider)).keys()].slice(0, 3);
    const scope = keyOf(provider);
    // Three accounts' users stop using the product: a week of zero days.
    const days = Array.from({ length: 7 }, (_, index) =>
      new Date(now.getTime() - index * 86_400_000).toISOString().slice(0, 10),
    );
    await handle.db.transaction((tx) =>
      upsertUsageDaily(
        tx,
        scope,
        ids.flatMap((id) =>
          days.map((date) => ({ accountExternalId: id, date, activeUsers: 0, licences: 100, events: 0, features: {} })),
        ),
      ),
    );
    const summary = await runScore(deps, scope, { full: false });
    expect(summary.full).toBe(false);
    expect(summary.accounts).toBe(3);
    expect(summary.changedValues).toBeGreaterThan(0);
    h.resetCounters();
    const written = await runJob(writeBack, h, provider);
    expect(written).toEqual({ outcome: 'written', summary: expect.objectContaining({ rows: summary.changedValues }) });
    expect(summary.changedValues).toBeLessThanOrEqual(3);
    expect(crmDifferences(await currentValues(provider), h, provider)).toEqual([]);
  });
});

describe('rescore now', () => {
  it('scores the accounts a card asks for even when none of their inputs changed', async () => {
    const scope = keyOf('salesforce');
    expect((await runScore(deps, scope, { full: false })).accounts).toBe(0);
    const [id] = [...(await currentValues('salesforce')).keys()];
    const summary = await runScore(deps, scope, { full: false, accounts: [id!] });
    expect(summary).toMatchObject({ full: false, accounts: 1, changedValues: 0 });
  });
});

describe('a score run when the workers close', () => {
  it('goes back to the queue whole, without spending an attempt, and the next run still sees the changes', async () => {
    const scope = keyOf('hubspot');
    const watermark = await deps.store.watermark(scope);
    const stopping = new AbortController();
    stopping.abort();
    const delayedUntil: number[] = [];
    const job = {
      updateProgress: () => Promise.resolve(),
      moveToDelayed: (at: number) => {
        delayedUntil.push(at);
        return Promise.resolve();
      },
    };
    const services = { score: deps, installations: h.repository, queues, redis: h.redis };
    const run = runScoreJob(services, { ...scope, full: true, reason: 'schedule' }, job, 'token', stopping.signal);
    await expect(run).rejects.toBeInstanceOf(DelayedError);
    expect(delayedUntil).toHaveLength(1);
    // A stopped run leaves the watermark where it was.
    expect(await deps.store.watermark(scope)).toEqual(watermark);
  });
});
