import { QueueEvents, type Job } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createQueues, enqueueSync, type Queues } from '../../../jobs/queues.ts';
import { buildJobServices } from '../../../jobs/sync/services.ts';
import { startWorkers, type RunningWorkers } from '../../../jobs/worker.ts';
import { crmBook, generateBook } from '../../../sandbox/generator/generate-book.ts';
import { createSealer } from '../../../server/platform/crypto.ts';
import { syncStore } from '../../../server/platform/db/sync-store.ts';
import type { DatabaseHandle } from '../../../server/platform/db/database.ts';
import {
  createWorkspace,
  installationRepository,
  type Installation,
} from '../../../server/platform/db/installations.ts';
import { loadManifest } from '../../../server/platform/manifest.ts';
import { createProducerConnection, createWorkerConnection, type Redis } from '../../../server/platform/redis.ts';
import { MANIFEST_FILE } from '../../../server/platform/runtime.ts';
import { silentLogger, testDatabases } from '../../support/databases.ts';
import { startHubspot, type HubspotHarness } from '../../support/hubspot-harness.ts';
import { dropPrefix, TEST_REDIS_URL, uniquePrefix } from '../../support/redis.ts';

/**
 * Acceptance 4: a 429 storm on one portal slows that portal only. Four HubSpot portals with the same
 * book are synced at once by one BullMQ worker (concurrency 4), first undisturbed, then (on four fresh
 * portals, so the stand-in's windows start empty again) with every request of one portal answered 429
 * for a while.
 *
 * Limits scaled down to keep the test short: the stand-in's main window stays HubSpot's rolling 10 s,
 * but admits 30 instead of 110 (searches: the real 5 a second), and the gate is told the same. A
 * portal's ~50 calls then spend one window and wait for the next, as a 10,000-account sync does
 * twenty times over, so every run is bound by the limit rather than by this machine's speed.
 */

const manifest = loadManifest(MANIFEST_FILE);
const database = testDatabases()[0]!;
const prefix = uniquePrefix();
/** About 50 calls per portal: more than one window's worth. */
const ACCOUNTS = 150;
const MAIN_PER_TEN_SECONDS = 30;
const CALM = [7_100_001, 7_100_002, 7_100_003, 7_100_004];
const STORM = [7_200_001, 7_200_002, 7_200_003, 7_200_004];

let handle: DatabaseHandle;
let producer: Redis;
let workerConnection: Redis;
let queues: Queues;
let workers: RunningWorkers;
let events: QueueEvents;
let hub: HubspotHarness;
const installed = new Map<number, Installation>();
let expected: Record<string, number>;

beforeAll(async () => {
  handle = await database.open();
  await handle.migrate();
  producer = createProducerConnection(TEST_REDIS_URL, silentLogger);
  workerConnection = createWorkerConnection(TEST_REDIS_URL, silentLogger);
  queues = createQueues(producer, prefix);
  events = new QueueEvents('sync', { connection: { url: TEST_REDIS_URL }, prefix });
  await events.waitUntilReady();

  hub = await startHubspot({
    portals: [...CALM, ...STORM].map((id) => ({ id, name: `Portal ${id}` })),
    accessTokenTtlSeconds: 3_600,
    limits: { perTenSeconds: MAIN_PER_TEN_SECONDS },
  });
  const book = crmBook(generateBook({ seed: 11, accounts: ACCOUNTS, asOf: '2026-11-01' }).book);
  expected = {
    owners: book.owners.length,
    accounts: book.accounts.length,
    contacts: book.contacts.length,
    deals: book.deals.length,
    tickets: book.tickets.length,
  };
  const sealer = createSealer(Buffer.alloc(32, 4));
  const installations = installationRepository(handle.db, sealer);
  // Tenants apart: a workspace each (a workspace holds one portal).
  for (const portalId of [...CALM, ...STORM]) {
    hub.sandbox.loadBook(portalId, book);
    const tokens = hub.sandbox.issueTokens(portalId);
    installed.set(
      portalId,
      await installations.install({
        workspaceId: (await createWorkspace(handle.db, `Storm ${portalId}`)).id,
        provider: 'hubspot',
        externalId: String(portalId),
        displayName: `Portal ${portalId}`,
        baseUrl: hub.baseUrl,
        scopes: [],
        tokens: {
          accessToken: tokens.accessToken,
          refreshToken: tokens.refreshToken,
          accessTokenExpiresAt: new Date(Date.now() + tokens.expiresIn * 1000),
        },
      }),
    );
  }

  const all = buildJobServices(
    {
      env: {
        HUBSPOT_CLIENT_ID: undefined,
        HUBSPOT_CLIENT_SECRET: undefined,
        HUBSPOT_API_BASE: hub.baseUrl,
        HUBSPOT_AUTHORIZE_URL: `${hub.baseUrl}/oauth/authorize`,
        SALESFORCE_CLIENT_ID: undefined,
        SALESFORCE_CLIENT_SECRET: undefined,
        SALESFORCE_LOGIN_URL: 'https://login.salesforce.com',
        SALESFORCE_SANDBOX_LOGIN_URL: 'https://test.salesforce.com',
        SALESFORCE_API_SHARE: 0.5,
        DATA_RETENTION_DAYS: 0,
        NODE_ENV: 'test',
      },
      database: handle,
      producer,
      manifest,
      sealer,
      logger: silentLogger,
    },
    queues,
    // The default gate with the stand-in's scaled main window; incremental windows end 1 s behind now.
    {
      adapters: { hubspot: { indexLagMs: 1_000 } },
      gate: {
        hubspotLimits: {
          standard: { limit: MAIN_PER_TEN_SECONDS, windowMs: 10_000 },
          search: { limit: 5, windowMs: 1_000 },
        },
      },
    },
  );
  // The sync jobs alone: what is measured is how one portal's limits touch the others' syncs, and the
  // scores that follow each sync would share the one embedded database with them.
  const services = { sync: all.sync, uninstall: all.uninstall };
  workers = startWorkers({
    db: handle.db,
    connection: workerConnection,
    prefix,
    concurrency: 4,
    logger: silentLogger,
    services,
  });
}, 120_000);

afterAll(async () => {
  await workers?.close();
  await events?.close();
  await queues?.close();
  workerConnection?.disconnect();
  producer?.disconnect();
  await hub?.close();
  await handle?.close();
  await database.cleanup();
  await dropPrefix(prefix);
});

interface Finished {
  portalId: number;
  seconds: number;
  job: Job;
}

/** Enqueues a full sync of each portal at once; resolves each as its job completes, with its time. */
async function syncAll(portals: readonly number[]): Promise<Map<number, Promise<Finished>>> {
  const started = performance.now();
  const runs = new Map<number, Promise<Finished>>();
  for (const portalId of portals) {
    const installation = installed.get(portalId)!;
    const { jobId } = await enqueueSync(queues, {
      workspaceId: installation.workspaceId,
      installationId: installation.id,
      mode: 'full',
      reason: 'manual',
    });
    const job = (await queues.get('sync').getJob(jobId)) as Job;
    runs.set(
      portalId,
      job.waitUntilFinished(events, 90_000).then(async () => ({
        portalId,
        seconds: (performance.now() - started) / 1000,
        job: (await queues.get('sync').getJob(jobId)) as Job,
      })),
    );
  }
  return runs;
}

const crmAnswers = () => hub.exchanges.filter((exchange) => exchange.path.startsWith('/crm/'));

describe('a 429 storm on one portal', () => {
  it('slows that portal only; the others finish within 20% of their undisturbed time and no job fails', async () => {
    // Undisturbed.
    const before = crmAnswers().length;
    const calm = await Promise.all((await syncAll(CALM)).values());
    const calmAnswers = crmAnswers().slice(before);
    const calmLimited = calmAnswers.filter((exchange) => exchange.status === 429).length;
    const calmSeconds = calm.map((run) => run.seconds);
    for (const run of calm) expect(run.job.returnvalue).toMatchObject({ outcome: 'synced' });

    // The storm: every request of one portal answered 429 until the other three are done.
    const [stormy, ...others] = STORM as [number, ...number[]];
    const storm = hub.sandbox.faults.add({
      tenant: String(stormy),
      route: '*',
      fault: { kind: 'rate_limit', rate: 1 },
    });
    const stormStart = crmAnswers().length;
    const runs = await syncAll(STORM);
    const calmer = await Promise.all(others.map((portalId) => runs.get(portalId)!));
    hub.sandbox.faults.remove(storm.id);
    const slowed = await runs.get(stormy)!;
    const stormAnswers = crmAnswers().slice(stormStart);

    console.info(
      `undisturbed: ${calmSeconds.map((s) => s.toFixed(2)).join(', ')} s, ${calmAnswers.length} calls, ${calmLimited} answered 429; ` +
        `storm: others ${calmer.map((run) => run.seconds.toFixed(2)).join(', ')} s, stormy portal ${slowed.seconds.toFixed(2)} s ` +
        `(${storm.hits} answered 429), attempts ${[slowed, ...calmer].map((run) => run.job.attemptsMade).join(', ')}`,
    );

    // With normal limits, 429s stay under 1% of calls.
    expect(calmLimited / calmAnswers.length).toBeLessThan(0.01);
    // The three others: within 20% of the undisturbed portals' time.
    const undisturbed = Math.max(...calmSeconds);
    for (const run of calmer) {
      expect(run.job.returnvalue).toMatchObject({ outcome: 'synced' });
      expect(run.seconds).toBeLessThanOrEqual(undisturbed * 1.2);
    }
    // The stormy portal slowed, then finished; being delayed spent none of its attempts.
    expect(storm.hits).toBeGreaterThan(0);
    expect(slowed.seconds).toBeGreaterThan(undisturbed * 1.2);
    expect(slowed.job.returnvalue).toMatchObject({ outcome: 'synced' });
    expect(slowed.job.attemptsMade).toBe(calmer[0]!.job.attemptsMade);
    for (const run of [slowed, ...calmer, ...calm]) {
      expect(run.job.failedReason ?? '').toBe('');
      expect(run.job.attemptsMade).toBeLessThanOrEqual(1);
    }
    // The others drew no 429 of their own during the storm.
    const otherLimited = stormAnswers.filter((exchange) => exchange.status === 429).length - storm.hits;
    expect(otherLimited).toBe(0);
    // Every portal, the stormy one too, holds the whole book: delays lost nothing.
    const store = syncStore(handle.db);
    for (const portalId of [...CALM, ...STORM]) {
      const { workspaceId, id: installationId } = installed.get(portalId)!;
      const key = { workspaceId, installationId };
      const stored = Object.fromEntries(
        await Promise.all(
          Object.keys(expected).map(async (object) => [object, await store.count(key, object)] as const),
        ),
      );
      expect(stored).toEqual(expected);
    }
  });
});
