import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { QueueEvents } from 'bullmq';
import { and, eq, sql } from 'drizzle-orm';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createQueues, enqueueSync, type Queues } from '../../../jobs/queues.ts';
import { removeInstallationSchedulers } from '../../../jobs/schedule.ts';
import { runSync } from '../../../jobs/sync/run-sync.ts';
import type { SyncJobResult } from '../../../jobs/sync/sync-run.job.ts';
import type { CrmBook } from '../../../sandbox/generator/book.ts';
import { crmBook, generateBook } from '../../../sandbox/generator/generate-book.ts';
import { openDatabase, type DatabaseHandle } from '../../../server/platform/db/database.ts';
import { crmRecords } from '../../../server/platform/db/schema.ts';
import { NORMALISED_TABLES } from '../../../server/platform/db/sync-store.ts';
import { createProducerConnection, type Redis } from '../../../server/platform/redis.ts';
import { silentLogger } from '../../support/databases.ts';
import { childEnv, startCommand, tempDataDir, TSX_ENTRY, type Started } from '../../support/process.ts';
import { dropPrefix, TEST_REDIS_URL, uniquePrefix } from '../../support/redis.ts';
import { createSyncHarness, type SyncHarness } from '../../support/sync-harness.ts';
import { differences, summarise } from './convergence.ts';

/**
 * Acceptance 3: a worker process is SIGKILLed in the middle of a backfill and started again; the
 * run resumes from its last checkpoint: nothing missing, nothing twice, and the calls of both
 * processes together stay within 1.1× those of an uninterrupted run. Once for a HubSpot portal and
 * once for a Salesforce org. Two processes cannot share an embedded PGlite, so this needs Postgres
 * (DATABASE_URL; CI sets it).
 */

const serverUrl = process.env.DATABASE_URL;
if (!serverUrl && process.env.CI) {
  throw new Error(
    'the kill-and-resume test needs Postgres: set DATABASE_URL (e.g. postgres://postgres@127.0.0.1:5432/test)',
  );
}
const ENTRY = fileURLToPath(new URL('./support/worker-entry.ts', import.meta.url));
/**
 * Salesforce answers a query in batches of its own choosing (2,000 at most, fewer for wide rows). A
 * restart has a fixed cost (a new process describes each object again and re-reads the finished
 * objects' windows), so the bound means something only for a backfill of ~100 queries: at 200 a
 * batch this book takes as many as a 200,000-record org does at 2,000.
 */
const SALESFORCE_BATCH = 200;

type Provider = 'hubspot' | 'salesforce';

interface Scenario {
  provider: Provider;
  book: CrmBook;
  /**
   * Calls the first run spends detecting the field mapping that the reference run (the mapping saved
   * by then) does not: HubSpot's properties API per object; Salesforce's describes serve the reads too.
   */
  mappingCalls: number;
}

const SCENARIOS: readonly Scenario[] = [
  {
    provider: 'hubspot',
    book: crmBook(generateBook({ seed: 17, accounts: 250, asOf: '2026-11-01' }).book),
    mappingCalls: 4,
  },
  {
    provider: 'salesforce',
    book: crmBook(generateBook({ seed: 23, accounts: 1000, asOf: '2026-11-01' }).book),
    mappingCalls: 0,
  },
];

const dbName = `bw_kill_${randomBytes(5).toString('hex')}`;
const prefix = uniquePrefix();
const key = randomBytes(32);
let databaseUrl: string;
let handle: DatabaseHandle;
let h: SyncHarness;
let producer: Redis;
let queues: Queues;
let events: QueueEvents;
const children: Started[] = [];

async function admin(query: string) {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(query);
  } finally {
    await client.end();
  }
}

let dataDir: string;

function startWorker(): Started {
  const started = startCommand(
    TSX_ENTRY[0],
    [...TSX_ENTRY[1], ENTRY],
    childEnv({
      DATABASE_URL: databaseUrl,
      REDIS_URL: TEST_REDIS_URL,
      QUEUE_PREFIX: prefix,
      ENCRYPTION_KEY: key.toString('base64'),
      LOG_LEVEL: 'warn',
      NODE_ENV: 'test',
      DATA_DIR: dataDir,
      WORKER_CONCURRENCY: '2',
    }),
  );
  children.push(started);
  return started;
}

async function ready(started: Started): Promise<void> {
  for (let i = 0; i < 600; i++) {
    if (started.output().stdout.includes('worker ready')) {
      // A worker starts every active installation's schedules; a scheduled tick would start a run of
      // its own mid-test (of this or the other CRM's installation), so only the test starts runs.
      for (const installation of Object.values(h.installations)) {
        await removeInstallationSchedulers(queues, h.manifest, installation.id);
      }
      return;
    }
    if (started.child.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`the worker did not start:\n${started.output().stdout}\n${started.output().stderr}`);
}

async function storedCount(installationId: string): Promise<number> {
  const [row] = await handle.db
    .select({ n: sql<number>`count(*)::int` })
    .from(crmRecords)
    .where(eq(crmRecords.installationId, installationId));
  return row?.n ?? 0;
}

beforeAll(async () => {
  if (!serverUrl) return;
  dataDir = await tempDataDir();
  await admin(`create database ${dbName}`);
  const url = new URL(serverUrl);
  url.pathname = `/${dbName}`;
  databaseUrl = url.toString();
  handle = await openDatabase({ databaseUrl, dataDir: await tempDataDir(), logger: silentLogger });
  await handle.migrate();
  // Each CRM gets its own book (sized for its page size), loaded straight into its stand-in.
  h = await createSyncHarness({ db: handle, encryptionKey: key });
  for (const scenario of SCENARIOS) {
    if (scenario.provider === 'hubspot') h.hubspot.sandbox.loadBook(h.hubspot.portalId, scenario.book);
    else h.salesforce.sandbox.loadBook(h.salesforce.orgId, scenario.book);
  }
  h.salesforce.sandbox.faults.add({
    tenant: h.salesforce.orgId,
    route: 'query',
    fault: { kind: 'short_page', size: SALESFORCE_BATCH },
  });
  producer = createProducerConnection(TEST_REDIS_URL, silentLogger);
  queues = createQueues(producer, prefix);
  events = new QueueEvents('sync', { connection: { url: TEST_REDIS_URL }, prefix });
  await events.waitUntilReady();
}, 60_000);

afterAll(async () => {
  for (const started of children) {
    const running = started.child.exitCode === null && started.child.signalCode === null;
    if (running && started.child.pid) process.kill(-started.child.pid, 'SIGKILL');
  }
  await events?.close();
  await queues?.close();
  producer?.disconnect();
  await h?.close();
  await handle?.close();
  if (serverUrl) await admin(`drop database if exists ${dbName} with (force)`);
  await dropPrefix(prefix);
});

describe.skipIf(!serverUrl).each(SCENARIOS)('a worker killed mid-backfill of a $provider install', (scenario) => {
  it('resumes from its checkpoint: the same copy and at most 1.1× the calls of an uninterrupted run', async () => {
    const { provider, book } = scenario;
    const installation = h.installations[provider];
    const calls = () => h[provider].counters.api;
    h.resetCounters();
    const first = startWorker();
    await ready(first);
    const { jobId } = await enqueueSync(queues, {
      workspaceId: installation.workspaceId,
      installationId: installation.id,
      mode: 'full',
      reason: 'install',
    });

    // Kill once a good part of the book is stored, with the backfill still going.
    const total = book.accounts.length + book.contacts.length + book.deals.length + book.tickets.length;
    let stored = 0;
    for (let i = 0; i < 1200 && stored < total * 0.35; i++) {
      await new Promise((r) => setTimeout(r, 25));
      stored = await storedCount(installation.id);
    }
    process.kill(-first.child.pid!, 'SIGKILL');
    await first.exited;
    const atKill = await storedCount(installation.id);
    const callsAtKill = calls();
    expect(atKill).toBeGreaterThan(0);
    expect(atKill).toBeLessThan(total);

    const second = startWorker();
    await ready(second);
    const job = (await queues.get('sync').getJob(jobId))!;
    const result = (await job.waitUntilFinished(events, 60_000)) as SyncJobResult;
    const interruptedCalls = calls();
    expect(result.outcome).toBe('synced');
    process.kill(-second.child.pid!, 'SIGTERM');
    await second.exited;

    expect(summarise(await differences(h, handle.db, provider))).toEqual({});
    for (const object of ['accounts', 'contacts', 'deals', 'tickets'] as const) {
      const table = NORMALISED_TABLES[object];
      const [raw] = await handle.db
        .select({ n: sql<number>`count(*)::int`, distinct: sql<number>`count(distinct external_id)::int` })
        .from(crmRecords)
        .where(and(eq(crmRecords.installationId, installation.id), eq(crmRecords.objectType, object)));
      const [normalised] = await handle.db
        .select({ n: sql<number>`count(*)::int` })
        .from(table)
        .where(eq(table.installationId, installation.id));
      expect({ object, raw: raw?.n, normalised: normalised?.n }).toEqual({
        object,
        raw: raw?.distinct,
        normalised: raw?.n,
      });
    }

    // The same work uninterrupted: a full resync of the same book (the mapping is saved by now).
    h.resetCounters();
    await runSync(h.deps, { workspaceId: installation.workspaceId, installationId: installation.id, mode: 'full' });
    const uninterrupted = calls() + scenario.mappingCalls;
    console.info(
      `${provider}: killed at ${atKill}/${total} records after ${callsAtKill} calls; calls with the kill ${interruptedCalls}, uninterrupted ${uninterrupted} (${(interruptedCalls / uninterrupted).toFixed(3)}×)`,
    );
    expect(interruptedCalls).toBeLessThanOrEqual(1.1 * uninterrupted);
  }, 90_000);
});
