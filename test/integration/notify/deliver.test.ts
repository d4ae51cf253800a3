import { Queue, Worker, type Job } from 'bullmq';
import { eq } from 'drizzle-orm';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DELIVER_JOB,
  DeliveryRetryError,
  deliverNotifications,
  NOTIFY_QUEUE,
  type DeliverDeps,
  type DeliverJobData,
} from '../../../jobs/notify/deliver.ts';
import { warningEventPayloadSchema } from '../../../server/core/notify/payload.ts';
import { verifySignature } from '../../../server/core/notify/signature.ts';
import { notificationStore, type ChannelInput } from '../../../server/platform/db/notification-store.ts';
import { notificationChannels, notificationDeliveries } from '../../../server/platform/db/schema.ts';
import type { InstallationKey } from '../../../server/platform/db/sync-store.ts';
import { silentLogger, testDatabases } from '../../support/databases.ts';
import { dropPrefix, TEST_REDIS_URL, uniquePrefix } from '../../support/redis.ts';
import {
  openWorld,
  owe,
  seedAccounts,
  seedWarning,
  startReceiver,
  type NotifyWorld,
  type Receiver,
} from './support.ts';

const NOW = Date.parse('2026-12-04T10:00:00Z');

describe.each(testDatabases())('notification delivery on $name', (database) => {
  let world: NotifyWorld;
  let receiver: Receiver;
  let redis: Redis;
  let store: ReturnType<typeof notificationStore>;
  const clock = { now: NOW };

  const deps = (overrides: Partial<DeliverDeps> = {}): DeliverDeps => ({
    store,
    installations: world.installations,
    redis,
    logger: silentLogger,
    now: () => clock.now,
    allowLoopbackHttp: true,
    ...overrides,
  });
  const run = (key: InstallationKey, overrides: Partial<DeliverDeps> = {}) =>
    deliverNotifications(deps(overrides), key);

  /** A fresh installation with one account, one open warning with two steps, and a channel to `path`. */
  async function scenario(path: string, channel: Partial<ChannelInput> = {}) {
    const key = await world.addInstallation();
    await seedAccounts(world, key, [{ externalId: 'acc-1', name: 'Acme Corp', csm: 'csm-1' }]);
    const warningId = await seedWarning(world, key, {
      accountExternalId: 'acc-1',
      severity: 'high',
      title: 'Weekly active users down 45%',
      openedAt: new Date(NOW - 3_600_000),
      tasks: [
        { subject: 'Call the champion', dueAt: new Date('2026-12-06T00:00:00Z') },
        { subject: 'Already done', dueAt: new Date('2026-12-05T00:00:00Z'), state: 'closed' },
      ],
    });
    const created = await store.createChannel(
      key,
      { format: 'json', url: `${receiver.url}${path}`, minSeverity: 'medium', enabled: true, ...channel },
      'workspace session',
      new Date(NOW),
    );
    await owe(world, key, created.channel.id, warningId, 'opened', new Date(NOW - 60_000));
    return { key, warningId, channelId: created.channel.id, secret: created.secret };
  }

  async function deliveryRows(key: InstallationKey) {
    return world.handle.db
      .select()
      .from(notificationDeliveries)
      .where(eq(notificationDeliveries.installationId, key.installationId));
  }

  beforeAll(async () => {
    world = await openWorld(database);
    receiver = await startReceiver();
    redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: null });
    store = notificationStore(world.handle.db, world.sealer);
  });
  afterAll(async () => {
    redis?.disconnect();
    await receiver?.close();
    await world?.close();
  });

  it('delivers once, signed so the receiver can verify it, and never again', async () => {
    const { key, warningId, secret } = await scenario('/ok');
    expect(await run(key)).toEqual({ outcome: 'sent', summary: { delivered: 1, failed: 0, retrying: 0 } });
    const [request] = receiver.on('/ok');
    expect(receiver.on('/ok')).toHaveLength(1);
    const check = await verifySignature({
      secret,
      header: request!.headers['bellwether-signature'] as string,
      body: request!.body,
      now: Math.floor(NOW / 1000) + 60,
    });
    expect(check).toEqual({ ok: true, timestamp: Math.floor(NOW / 1000) });
    expect(request!.headers['bellwether-event-id']).toBe(`${warningId}.opened`);
    const payload = warningEventPayloadSchema.parse(JSON.parse(request!.body));
    expect(payload).toMatchObject({
      type: 'warning.opened',
      account: { id: 'acc-1', name: 'Acme Corp' },
      warning: { id: warningId, severity: 'high', title: 'Weekly active users down 45%' },
      nextSteps: [{ subject: 'Call the champion', dueAt: '2026-12-06T00:00:00.000Z' }],
    });
    expect(payload.links.account).toMatch(/^https:\/\/app\.hubspot\.com\/contacts\/portal-[^/]+\/record\/0-2\/acc-1$/);

    // Running again sends nothing.
    expect(await run(key)).toEqual({ outcome: 'sent', summary: { delivered: 0, failed: 0, retrying: 0 } });
    expect(receiver.on('/ok')).toHaveLength(1);
    const [row] = await deliveryRows(key);
    expect(row).toMatchObject({ state: 'delivered', attempts: 1, lastStatus: 200, lastError: null });
    expect(row?.deliveredAt?.getTime()).toBe(NOW);
    // A late report about a delivered row changes nothing.
    expect(await store.recordAttempt(key, row!, { state: 'failed', status: 500, error: 'late' }, new Date(NOW))).toBe(
      false,
    );
    expect((await deliveryRows(key))[0]).toMatchObject({ state: 'delivered', attempts: 1 });
  });

  it('sends a Slack-compatible body to a Slack channel, signed the same way', async () => {
    const { key, secret } = await scenario('/slack', { format: 'slack' });
    await run(key);
    const [request] = receiver.on('/slack');
    const body = JSON.parse(request!.body) as { text: string; blocks: { type: string }[] };
    expect(body.text).toBe('Early warning (High): Weekly active users down 45% — Acme Corp');
    expect(body.blocks[0]?.type).toBe('header');
    const header = request!.headers['bellwether-signature'] as string;
    expect((await verifySignature({ secret, header, body: request!.body, now: NOW / 1000 })).ok).toBe(true);
  });

  it('keeps a delivery pending after a 500 and asks to be retried; the retry delivers it', async () => {
    receiver.script('/flaky', [500, 200]);
    const { key } = await scenario('/flaky');
    const first = run(key);
    await expect(first).rejects.toBeInstanceOf(DeliveryRetryError);
    await expect(first).rejects.toThrow(/1 notification\(s\) to retry/);
    expect((await deliveryRows(key))[0]).toMatchObject({
      state: 'pending',
      attempts: 1,
      lastStatus: 500,
      lastError: 'the receiver answered 500',
    });
    expect(await run(key)).toMatchObject({ summary: { delivered: 1 } });
    expect((await deliveryRows(key))[0]).toMatchObject({ state: 'delivered', attempts: 2, lastStatus: 200 });
    const requests = receiver.on('/flaky');
    expect(requests.map((request) => request.headers['bellwether-event-id'])).toEqual([
      requests[0]!.headers['bellwether-event-id'],
      requests[0]!.headers['bellwether-event-id'],
    ]);
  });

  it('fails for good on 410 and does not send it again', async () => {
    receiver.script('/gone', [410]);
    const { key } = await scenario('/gone');
    expect(await run(key)).toEqual({ outcome: 'sent', summary: { delivered: 0, failed: 1, retrying: 0 } });
    expect(await run(key)).toEqual({ outcome: 'sent', summary: { delivered: 0, failed: 0, retrying: 0 } });
    expect(receiver.on('/gone')).toHaveLength(1);
    expect((await deliveryRows(key))[0]).toMatchObject({ state: 'failed', attempts: 1, lastStatus: 410 });
  });

  it('retries 429 and gives up after the allowed attempts', async () => {
    receiver.script('/busy', [429]);
    const { key } = await scenario('/busy');
    await expect(run(key, { maxAttempts: 2 })).rejects.toBeInstanceOf(DeliveryRetryError);
    expect(await run(key, { maxAttempts: 2 })).toMatchObject({ summary: { failed: 1 } });
    expect((await deliveryRows(key))[0]).toMatchObject({
      state: 'failed',
      attempts: 2,
      lastError: 'gave up after 2 attempts: the receiver answered 429',
    });
  });

  it('holds a channel’s later events while it asks to retry, so "opened" arrives before "resolved"', async () => {
    receiver.script('/order', [503, 200]);
    const { key, warningId, channelId } = await scenario('/order');
    await owe(world, key, channelId, warningId, 'resolved', new Date(NOW - 30_000));
    await expect(run(key)).rejects.toThrow(/2 notification\(s\) to retry \(0 delivered/);
    expect(await run(key)).toMatchObject({ summary: { delivered: 2 } });
    expect(receiver.on('/order').map((request) => request.headers['bellwether-event'])).toEqual([
      'warning.opened',
      'warning.opened',
      'warning.resolved',
    ]);
  });

  it('retries through BullMQ’s backoff when the job throws', async () => {
    receiver.script('/queued', [502, 200]);
    const { key } = await scenario('/queued');
    const prefix = uniquePrefix();
    const queue = new Queue<DeliverJobData>(NOTIFY_QUEUE, { connection: redis, prefix });
    const workerConnection = redis.duplicate();
    const worker = new Worker<DeliverJobData>(
      NOTIFY_QUEUE,
      (job: Job<DeliverJobData>) => deliverNotifications(deps(), job.data),
      { connection: workerConnection, prefix },
    );
    try {
      const done = new Promise<unknown>((resolve, reject) => {
        worker.on('completed', (_job, result) => resolve(result));
        worker.on('failed', (job) => {
          if (job && job.attemptsMade >= 3) reject(new Error(job.failedReason));
        });
      });
      await queue.add(DELIVER_JOB, key, { attempts: 3, backoff: { type: 'fixed', delay: 50 } });
      expect(await done).toMatchObject({ outcome: 'sent', summary: { delivered: 1 } });
      expect(receiver.on('/queued')).toHaveLength(2);
      expect((await deliveryRows(key))[0]).toMatchObject({ state: 'delivered', attempts: 2 });
    } finally {
      await worker.close();
      await queue.close();
      workerConnection.disconnect();
      await dropPrefix(prefix);
    }
  });

  it('refuses plain HTTP and private addresses unless development allows loopback', async () => {
    const { key } = await scenario('/refused');
    expect(await run(key, { allowLoopbackHttp: false })).toMatchObject({ summary: { failed: 1 } });
    expect(receiver.on('/refused')).toHaveLength(0);
    expect((await deliveryRows(key))[0]).toMatchObject({
      state: 'failed',
      attempts: 1,
      lastStatus: null,
      lastError: 'the webhook URL must use https (got http)',
    });
  });

  it('does not send to a channel disabled after the event', async () => {
    const { key, channelId } = await scenario('/disabled');
    await world.handle.db
      .update(notificationChannels)
      .set({ enabled: false })
      .where(eq(notificationChannels.id, channelId));
    expect(await run(key)).toMatchObject({ summary: { failed: 1 } });
    expect(receiver.on('/disabled')).toHaveLength(0);
  });

  it('keeps the signing secret sealed in the table, bound to its channel', async () => {
    const { key, channelId, secret } = await scenario('/sealed');
    const [row] = await world.handle.db
      .select({ secret: notificationChannels.secret })
      .from(notificationChannels)
      .where(eq(notificationChannels.id, channelId));
    expect(secret).toMatch(/^bwsec_[A-Za-z0-9_-]{43}$/);
    expect(row!.secret).not.toContain(secret);
    expect(row!.secret).not.toContain(secret.slice(6));
    expect(row!.secret.startsWith('v1.')).toBe(true);
    expect(await store.channelSecret(key, channelId)).toBe(secret);

    // Copied onto another channel, it does not open there.
    const other = await store.createChannel(
      key,
      { format: 'json', url: `${receiver.url}/other`, minSeverity: 'low', enabled: true },
      'workspace session',
      new Date(NOW),
    );
    await world.handle.db
      .update(notificationChannels)
      .set({ secret: row!.secret })
      .where(eq(notificationChannels.id, other.channel.id));
    expect(await store.channelSecret(key, other.channel.id)).toBeNull();
  });

  it('skips an installation that is gone', async () => {
    const key = await world.addInstallation();
    await world.installations.setStatus(key.workspaceId, key.installationId, 'uninstalled', 'test');
    expect(await run(key)).toEqual({ outcome: 'skipped', reason: 'installation is uninstalled' });
  });
});
