import { QueueEvents, type Job } from 'bullmq';
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createQueues, enqueueSync, enqueueUninstall, syncAgainKey, type Queues } from '../../../jobs/queues.ts';
import {
  reconcileInstallationSchedulers,
  scheduledInstallationIds,
  upsertInstallationSchedulers,
} from '../../../jobs/schedule.ts';
import { syncLeaseKey, tryLease } from '../../../jobs/sync/lease.ts';
import { runSync } from '../../../jobs/sync/run-sync.ts';
import type { JobServices } from '../../../jobs/sync/services.ts';
import { syncWithRecovery, type SyncJobResult } from '../../../jobs/sync/sync-run.job.ts';
import { runSyncTick } from '../../../jobs/sync/sync-tick.job.ts';
import { runUninstall, type UninstallResult } from '../../../jobs/sync/uninstall.job.ts';
import { startWorkers, type RunningWorkers } from '../../../jobs/worker.ts';
import { crmBook, generateBook } from '../../../sandbox/generator/generate-book.ts';
import { recordApiUsage } from '../../../server/crm/call-gate.ts';
import { listAudit } from '../../../server/platform/db/audit.ts';
import type { DatabaseHandle } from '../../../server/platform/db/database.ts';
import { installationTables, rowsOfInstallation } from '../../../server/platform/db/purge.ts';
import { crmRecords } from '../../../server/platform/db/schema.ts';
import { createProducerConnection, createWorkerConnection, type Redis } from '../../../server/platform/redis.ts';
import { silentLogger, testDatabases } from '../../support/databases.ts';
import { dropPrefix, TEST_REDIS_URL, uniquePrefix } from '../../support/redis.ts';
import { createSyncHarness, type SyncHarness } from '../../support/sync-harness.ts';

/**
 * The sync jobs on a real BullMQ worker: fan-out from the schedulers, "go again", one refresh per
 * token expiry (acceptance 5), a revoked refresh token pausing the installation (acceptance 5), and
 * an uninstall that leaves nothing behind (acceptance 8).
 */

const database = testDatabases()[0]!;
const book = crmBook(generateBook({ seed: 9, accounts: 40, asOf: '2026-11-01' }).book);
const prefix = uniquePrefix();
let handle: DatabaseHandle;
let h: SyncHarness;
let producer: Redis;
let workerConnection: Redis;
let queues: Queues;
let services: JobServices;
let workers: RunningWorkers;
let syncEvents: QueueEvents;
let maintenanceEvents: QueueEvents;

/** What a job body needs when a test runs the recovery flow without a queue. */
const noJob = {
  updateProgress: () => Promise.resolve(),
  updateData: () => Promise.resolve(),
  moveToDelayed: () => Promise.reject(new Error('not expected to be delayed')),
} as unknown as Job;

beforeAll(async () => {
  handle = await database.open();
  await handle.migrate();
  h = await createSyncHarness({ db: handle, book });
  producer = createProducerConnection(TEST_REDIS_URL, silentLogger);
  workerConnection = createWorkerConnection(TEST_REDIS_URL, silentLogger);
  queues = createQueues(producer, prefix);
  services = {
    sync: { sync: h.deps, queues, redis: h.redis, manifest: h.manifest, tokens: h.tokens, busyDelayMs: 200 },
    uninstall: {
      db: handle.db,
      installations: h.repository,
      queues,
      redis: h.redis,
      manifest: h.manifest,
      limiter: h.limiter,
      logger: silentLogger,
      retentionDays: 0,
    },
  };
  syncEvents = new QueueEvents('sync', { connection: { url: TEST_REDIS_URL }, prefix });
  maintenanceEvents = new QueueEvents('maintenance', { connection: { url: TEST_REDIS_URL }, prefix });
  await Promise.all([syncEvents.waitUntilReady(), maintenanceEvents.waitUntilReady()]);
  workers = startWorkers({
    db: handle.db,
    connection: workerConnection,
    prefix,
    concurrency: 4,
    logger: silentLogger,
    services,
  });
}, 60_000);

afterAll(async () => {
  await workers?.close();
  await syncEvents?.close();
  await maintenanceEvents?.close();
  await queues?.close();
  workerConnection?.disconnect();
  producer?.disconnect();
  await h?.close();
  await handle?.close();
  await database.cleanup();
  await dropPrefix(prefix);
});

const key = (provider: 'hubspot' | 'salesforce') => ({
  workspaceId: h.installations[provider].workspaceId,
  installationId: h.installations[provider].id,
});

async function finished<T>(jobId: string, queue: 'sync' | 'maintenance' = 'sync'): Promise<T> {
  const job = await queues.get(queue).getJob(jobId);
  if (!job) throw new Error(`no job ${jobId}`);
  return (await job.waitUntilFinished(queue === 'sync' ? syncEvents : maintenanceEvents, 30_000)) as T;
}

describe('the run job and the schedulers', () => {
  it('syncs on a worker, schedules a new installation, and goes again when asked while it ran', async () => {
    const first = await enqueueSync(queues, { ...key('hubspot'), mode: 'full', reason: 'install' });
    expect(first.deduplicated).toBe(false);
    const job = (await queues.get('sync').getJob(first.jobId))!;
    for (let i = 0; i < 200 && (await job.getState()) !== 'active'; i++) await new Promise((r) => setTimeout(r, 10));
    // Asked again while it runs: absorbed, and flagged to go again.
    const second = await enqueueSync(queues, { ...key('hubspot'), mode: 'incremental', reason: 'webhook' });
    expect(second).toEqual({ jobId: first.jobId, deduplicated: true });
    expect(await producer.exists(syncAgainKey(key('hubspot').installationId))).toBe(1);

    const result = await finished<SyncJobResult>(first.jobId);
    expect(result.outcome).toBe('synced');
    // The install's first run put the installation's schedules in place.
    expect([...(await scheduledInstallationIds(queues))]).toContain(key('hubspot').installationId);
    let rerun: Job | undefined;
    for (let i = 0; i < 300 && !rerun; i++) {
      const done = await queues.get('sync').getJobs(['completed']);
      rerun = done.find((candidate) => candidate.data.reason === 'rerun');
      if (!rerun) await new Promise((r) => setTimeout(r, 20));
    }
    expect(rerun?.data).toMatchObject({ ...key('hubspot'), mode: 'incremental', reason: 'rerun' });
    expect(await producer.exists(syncAgainKey(key('hubspot').installationId))).toBe(0);
  }, 40_000);

  it('fans a scheduler tick out into one run per slot, however often the tick is delivered', async () => {
    const tick = { id: 'repeat:sync.incremental@x:1767225600000', timestamp: 1 };
    const a = await runSyncTick(queues, 'incremental', key('salesforce'), tick);
    const b = await runSyncTick(queues, 'incremental', key('salesforce'), tick);
    expect(a.jobId).toBe(`sync.${key('salesforce').installationId}.incremental.1767225600000`);
    expect(b.jobId).toBe(a.jobId);
    expect((await finished<SyncJobResult>(a.jobId)).outcome).toBe('synced');
  }, 40_000);

  it('delays a run while another run of the installation holds the lease, then runs it', async () => {
    const lease = await tryLease(h.redis, syncLeaseKey(key('salesforce').installationId), 10_000);
    expect(lease).toBeDefined();
    const { jobId } = await enqueueSync(queues, { ...key('salesforce'), mode: 'incremental', reason: 'manual' });
    const job = (await queues.get('sync').getJob(jobId))!;
    let state = await job.getState();
    for (let i = 0; i < 200 && state !== 'delayed'; i++) {
      await new Promise((r) => setTimeout(r, 10));
      state = await job.getState();
    }
    expect(state).toBe('delayed');
    await lease!.release();
    expect((await finished<SyncJobResult>(jobId)).outcome).toBe('synced');
  }, 30_000);

  it('keeps schedules for active installations only, at start', async () => {
    await upsertInstallationSchedulers(queues, h.manifest, {
      workspaceId: h.workspaceId,
      installationId: '00000000-0000-4000-8000-000000000001',
    });
    const reconciled = await reconcileInstallationSchedulers(queues, h.manifest, [
      { workspaceId: h.workspaceId, id: h.installations.hubspot.id, status: 'active' },
      { workspaceId: h.workspaceId, id: h.installations.salesforce.id, status: 'needs_reauth' },
    ]);
    expect(reconciled.active).toBe(1);
    const ids = await scheduledInstallationIds(queues);
    expect([...ids]).toEqual([h.installations.hubspot.id]);
    const scheduler = await queues.get('sync').getJobScheduler(`sync.incremental@${h.installations.hubspot.id}`);
    expect(scheduler?.template?.data).toEqual(key('hubspot'));
  });
});

describe('tokens (acceptance 5)', () => {
  it('four runs after a HubSpot expiry cause exactly one refresh', async () => {
    // The portal's tokens expire, and the stored expiry says so.
    h.hubspot.sandbox.expireAccessTokens(h.hubspot.portalId);
    const current = (await h.repository.tokens(h.workspaceId, h.installations.hubspot.id))!;
    await h.repository.saveTokens(h.installations.hubspot, {
      ...current,
      accessTokenExpiresAt: new Date(h.clock.now() - 1000),
    });
    const before = h.hubspot.counters.token;
    const runs = await Promise.all(
      Array.from({ length: 4 }, () => runSync(h.deps, { ...key('hubspot'), mode: 'incremental' })),
    );
    expect(runs.every((run) => run.skipped === undefined)).toBe(true);
    expect(h.hubspot.counters.token - before).toBe(1);
  }, 30_000);

  it('four runs refused by Salesforce (INVALID_SESSION_ID) cause exactly one refresh', async () => {
    // Sessions end after two hours without use.
    h.clock.advance(3 * 3600_000);
    const before = h.salesforce.counters.token;
    const installation = (await h.repository.get(h.workspaceId, h.installations.salesforce.id))!;
    const results = await Promise.all(
      Array.from({ length: 4 }, () =>
        syncWithRecovery(
          services.sync,
          installation,
          { ...key('salesforce'), mode: 'incremental', reason: 'manual' },
          noJob,
          undefined,
        ),
      ),
    );
    expect(results.map((result) => result.outcome)).toEqual(['synced', 'synced', 'synced', 'synced']);
    expect(h.salesforce.counters.token - before).toBe(1);
  }, 30_000);

  it('a revoked refresh token pauses the installation: needs_reauth, no schedules, no more calls', async () => {
    const installation = h.installations.hubspot;
    await upsertInstallationSchedulers(queues, h.manifest, key('hubspot'));
    const current = (await h.repository.tokens(h.workspaceId, installation.id))!;
    await h.repository.saveTokens(installation, {
      ...current,
      refreshToken: 'a-refresh-token-the-portal-revoked',
      accessTokenExpiresAt: new Date(h.clock.now() - 1000),
    });
    const api = h.hubspot.counters.api;
    const tokens = h.hubspot.counters.token;

    const job = await enqueueSync(queues, { ...key('hubspot'), mode: 'incremental', reason: 'schedule' });
    const result = await finished<SyncJobResult>(job.jobId);
    expect(result.outcome).toBe('needs_reauth');
    const after = await h.repository.get(h.workspaceId, installation.id);
    expect(after?.status).toBe('needs_reauth');
    expect(after?.statusReason).toBeTruthy();
    expect([...(await scheduledInstallationIds(queues))]).not.toContain(installation.id);
    const audit = await listAudit(handle.db, h.workspaceId, { installationId: installation.id });
    expect(audit.map((event) => event.action)).toContain('installation.needs_reauth');

    // A later request does nothing at all.
    const again = await enqueueSync(queues, { ...key('hubspot'), mode: 'incremental', reason: 'webhook' });
    expect((await finished<SyncJobResult>(again.jobId)).outcome).toBe('skipped');
    expect(h.hubspot.counters.api).toBe(api);
    expect(h.hubspot.counters.token - tokens).toBe(1);
  }, 30_000);
});

describe('uninstall (acceptance 8)', () => {
  it('leaves no rows, tokens, schedulers or rate-limit state of the installation', async () => {
    const target = key('salesforce');
    const id = target.installationId;
    await runSync(h.deps, { ...target, mode: 'incremental' });
    await upsertInstallationSchedulers(queues, h.manifest, target);
    await h.limiter.acquire(id, { name: 'hubspot:main', limit: 100, windowMs: 10_000 });
    await recordApiUsage(h.redis, id, { used: 10, limit: 100 });
    const tables = installationTables();
    const rowsOf = async () => {
      const counts: Record<string, number> = {};
      for (const table of tables) {
        const [row] = await handle.db
          .select({ n: sql<number>`count(*)::int` })
          .from(table.table)
          .where(rowsOfInstallation(table, target));
        counts[table.name] = row?.n ?? 0;
      }
      return counts;
    };
    const before = await rowsOf();
    expect(before.crm_records).toBeGreaterThan(0);
    expect(before.installations).toBe(1);

    const { jobId } = await enqueueUninstall(queues, target);
    const result = await finished<UninstallResult>(jobId, 'maintenance');
    expect(result.outcome).toBe('purged');

    expect(Object.values(await rowsOf()).every((n) => n === 0)).toBe(true);
    expect(await h.repository.tokens(target.workspaceId, id)).toBeUndefined();
    expect([...(await scheduledInstallationIds(queues))]).not.toContain(id);
    expect(await h.redis.keys(`bw:rl:{${id}}:*`)).toEqual([]);
    expect(await h.redis.keys(`bw:api-usage:{${id}}`)).toEqual([]);
    const audit = await listAudit(handle.db, target.workspaceId, { installationId: id });
    expect(audit.map((event) => event.action)).toEqual(
      expect.arrayContaining(['installation.stopped', 'installation.purged']),
    );
    // A sync asked for afterwards finds nothing to do and calls nobody.
    const calls = h.salesforce.counters.api;
    const late = await enqueueSync(queues, { ...target, mode: 'incremental', reason: 'manual' });
    expect((await finished<SyncJobResult>(late.jobId)).outcome).toBe('skipped');
    expect(h.salesforce.counters.api).toBe(calls);
  }, 40_000);

  it('with a retention period: stops at once, keeps the data, and purges it when the delayed job comes', async () => {
    const target = key('hubspot');
    const retained = { ...services.uninstall, retentionDays: 30 };
    const [before] = await handle.db
      .select({ n: sql<number>`count(*)::int` })
      .from(crmRecords)
      .where(eq(crmRecords.installationId, target.installationId));
    expect(before?.n).toBeGreaterThan(0);

    const first = await runUninstall(retained, target);
    expect(first.outcome).toBe('purge_scheduled');
    expect((await h.repository.get(target.workspaceId, target.installationId))?.status).toBe('uninstalled');
    expect(await h.repository.tokens(target.workspaceId, target.installationId)).toBeUndefined();
    const delayed = await queues.get('maintenance').getJob(`uninstall.${target.installationId}.purge`);
    expect(await delayed?.getState()).toBe('delayed');
    expect(delayed?.opts.delay).toBeGreaterThan(29 * 86_400_000);

    const second = await runUninstall(retained, delayed!.data as typeof target & { purgeAt: number });
    expect(second.outcome).toBe('purged');
    const [after] = await handle.db
      .select({ n: sql<number>`count(*)::int` })
      .from(crmRecords)
      .where(eq(crmRecords.installationId, target.installationId));
    expect(after?.n).toBe(0);
    await delayed!.remove();
  }, 30_000);
});
