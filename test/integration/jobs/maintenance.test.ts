import { QueueEvents, type Job } from 'bullmq';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runHeartbeat } from '../../../jobs/maintenance/heartbeat.job.ts';
import { createQueues, type Queues } from '../../../jobs/queues.ts';
import {
  removeInstallationSchedulers,
  upsertGlobalSchedulers,
  upsertInstallationSchedulers,
} from '../../../jobs/schedule.ts';
import { startWorkers, type RunningWorkers } from '../../../jobs/worker.ts';
import type { DatabaseHandle } from '../../../server/platform/db/database.ts';
import { workerHeartbeats } from '../../../server/platform/db/schema.ts';
import { loadManifest, type Manifest } from '../../../server/platform/manifest.ts';
import { createProducerConnection, createWorkerConnection, type Redis } from '../../../server/platform/redis.ts';
import { MANIFEST_FILE } from '../../../server/platform/runtime.ts';
import { silentLogger, testDatabases } from '../../support/databases.ts';
import { dropPrefix, TEST_REDIS_URL, uniquePrefix } from '../../support/redis.ts';

const manifest = loadManifest(MANIFEST_FILE);
const database = testDatabases()[0]!;

let handle: DatabaseHandle;
let producer: Redis;
let workerConnection: Redis;
let queues: Queues;
let workers: RunningWorkers;
let events: QueueEvents;
const prefix = uniquePrefix();

beforeAll(async () => {
  handle = await database.open();
  await handle.migrate();
  producer = createProducerConnection(TEST_REDIS_URL, silentLogger);
  workerConnection = createWorkerConnection(TEST_REDIS_URL, silentLogger);
  queues = createQueues(producer, prefix);
  events = new QueueEvents('maintenance', { connection: { url: TEST_REDIS_URL }, prefix });
  await events.waitUntilReady();
  workers = startWorkers({ db: handle.db, connection: workerConnection, prefix, concurrency: 2, logger: silentLogger });
});

afterAll(async () => {
  await workers?.close();
  await events?.close();
  await queues?.close();
  workerConnection?.disconnect();
  producer?.disconnect();
  await handle?.close();
  await dropPrefix(prefix);
});

describe('scheduled maintenance', () => {
  it('goes from the manifest scheduler through the worker to a heartbeat row', async () => {
    expect(await upsertGlobalSchedulers(queues, manifest, silentLogger)).toEqual([
      'maintenance.heartbeat',
      'maintenance.prune',
    ]);
    const maintenance = queues.get('maintenance');
    const scheduler = (await maintenance.getJobSchedulers()).find((s) => s.key === 'maintenance.heartbeat');
    expect(scheduler).toMatchObject({ key: 'maintenance.heartbeat', pattern: '* * * * *', tz: 'UTC' });

    // The scheduler has queued its next run for the coming minute; run it now instead of waiting.
    const next = ((await maintenance.getDelayed()) as Job[]).find((job) => job.name === 'heartbeat');
    expect(next?.name).toBe('heartbeat');
    const finished = next!.waitUntilFinished(events, 20_000);
    await next!.promote();
    expect(await finished).toMatchObject({ workerId: workers.identity.workerId, purged: 0 });

    const [row] = await handle.db
      .select()
      .from(workerHeartbeats)
      .where(eq(workerHeartbeats.workerId, workers.identity.workerId));
    expect(row).toMatchObject({
      pid: process.pid,
      lastJobId: next!.id,
      beats: 1,
      queues: ['maintenance', 'sync', 'score', 'write-back', 'warnings', 'notify', 'qbr', 'analytics'],
    });
  });

  it('re-upserting the schedulers is idempotent and drops ones the manifest no longer lists', async () => {
    const maintenance = queues.get('maintenance');
    await maintenance.upsertJobScheduler(
      'maintenance.retired',
      { pattern: '0 * * * *', tz: 'UTC' },
      { name: 'heartbeat' },
    );
    await upsertGlobalSchedulers(queues, manifest, silentLogger);
    await upsertGlobalSchedulers(queues, manifest, silentLogger);
    expect((await maintenance.getJobSchedulers()).map((s) => s.key).sort()).toEqual([
      'maintenance.heartbeat',
      'maintenance.prune',
    ]);
  });

  it('fails a job with invalid data once, with a message saying what was wrong, and keeps it', async () => {
    const job = await queues.get('maintenance').add('heartbeat', { unexpected: 1 });
    await expect(job.waitUntilFinished(events, 20_000)).rejects.toThrow(
      'invalid data for job "heartbeat": (root): Unrecognized key: "unexpected"',
    );
    const failed = await queues.get('maintenance').getJob(job.id!);
    expect(failed?.attemptsMade).toBe(1);
    expect(await failed?.getState()).toBe('failed');
  });

  it('fails an unknown job name without retrying', async () => {
    const job = await queues.get('maintenance').add('defragment', {});
    await expect(job.waitUntilFinished(events, 20_000)).rejects.toThrow(
      'no handler for job "defragment" on queue "maintenance"',
    );
  });
});

describe('heartbeat job', () => {
  const identity = {
    workerId: 'host:1:abc',
    hostname: 'host',
    pid: 1,
    queues: ['maintenance'],
    startedAt: new Date('2026-01-01T00:00:00Z'),
  };

  it('is idempotent per worker and purges workers gone for a day', async () => {
    const gone = { ...identity, workerId: 'host:2:old' };
    await runHeartbeat(handle.db, gone, 'j0', new Date('2026-01-01T00:00:00Z'));
    await runHeartbeat(handle.db, identity, 'j1', new Date('2026-01-02T00:00:00Z'));
    const result = await runHeartbeat(handle.db, identity, 'j2', new Date('2026-01-02T00:01:00Z'));
    expect(result).toEqual({ workerId: identity.workerId, purged: 1 });

    const rows = await handle.db.select().from(workerHeartbeats).where(eq(workerHeartbeats.hostname, 'host'));
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ workerId: 'host:1:abc', beats: 2, lastJobId: 'j2' });
  });
});

describe('installation schedulers', () => {
  const withInstallationSchedule: Manifest = {
    ...manifest,
    schedules: [
      ...manifest.schedules,
      {
        id: 'maintenance.per-installation',
        queue: 'maintenance',
        job: 'heartbeat',
        scope: 'installation',
        pattern: '*/15 * * * *',
        description: 'test schedule',
      },
    ],
  };

  it('are created staggered per installation, survive a global re-upsert, and are removed on uninstall', async () => {
    const maintenance = queues.get('maintenance');
    const a = await upsertInstallationSchedulers(queues, withInstallationSchedule, {
      workspaceId: 'ws-1',
      installationId: 'inst-a',
    });
    const b = await upsertInstallationSchedulers(queues, withInstallationSchedule, {
      workspaceId: 'ws-1',
      installationId: 'inst-b',
    });
    await upsertInstallationSchedulers(queues, withInstallationSchedule, {
      workspaceId: 'ws-1',
      installationId: 'inst-a',
    });
    // One scheduler per installation schedule: the manifest's sync, score and QBR ones and the test's.
    expect(a.map((s) => s.id).sort()).toEqual(
      [
        'analytics.daily@inst-a',
        'maintenance.per-installation@inst-a',
        'qbr.daily@inst-a',
        'score.daily@inst-a',
        'sync.incremental@inst-a',
        'sync.reconcile@inst-a',
      ].sort(),
    );
    const ownA = a.find((s) => s.id.startsWith('maintenance.'))!;
    const ownB = b.find((s) => s.id.startsWith('maintenance.'))!;
    expect(ownA.pattern).toMatch(/^\d+\/15 \* \* \* \*$/);

    await upsertGlobalSchedulers(queues, withInstallationSchedule, silentLogger);
    const keys = (await maintenance.getJobSchedulers()).map((s) => s.key).sort();
    expect(keys).toEqual(['maintenance.heartbeat', 'maintenance.prune', ownA.id, ownB.id].sort());
    const stored = await maintenance.getJobScheduler(ownA.id);
    expect(stored?.template?.data).toEqual({ workspaceId: 'ws-1', installationId: 'inst-a' });
    const sync = await queues.get('sync').getJobScheduler('sync.incremental@inst-a');
    expect(sync).toMatchObject({
      name: 'incremental',
      template: { data: { workspaceId: 'ws-1', installationId: 'inst-a' } },
    });

    expect(await removeInstallationSchedulers(queues, withInstallationSchedule, 'inst-a')).toBe(6);
    expect(await removeInstallationSchedulers(queues, withInstallationSchedule, 'inst-a')).toBe(0);
    expect((await maintenance.getJobSchedulers()).map((s) => s.key).sort()).toEqual(
      ['maintenance.heartbeat', 'maintenance.prune', ownB.id].sort(),
    );
    await removeInstallationSchedulers(queues, withInstallationSchedule, 'inst-b');
  });
});
