import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { Redis } from 'ioredis';
import { pinoHttp } from 'pino-http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createQueues } from '../../../jobs/queues.ts';
import { errorBodySchema } from '../../../server/contracts/health.ts';
import {
  channelListSchema,
  createdChannelSchema,
  digestSchema,
  testSendResultSchema,
} from '../../../server/contracts/notifications.ts';
import { verifySignature } from '../../../server/core/notify/signature.ts';
import { SESSION_COOKIE, sessionCookieValue } from '../../../server/http/install/cookies.ts';
import { recogniseAdmin } from '../../../server/http/middleware/admin-auth.ts';
import { errorHandler } from '../../../server/http/middleware/error-handler.ts';
import { notificationsRouter } from '../../../server/http/notifications/routes.ts';
import { listAudit } from '../../../server/platform/db/audit.ts';
import { notificationStore } from '../../../server/platform/db/notification-store.ts';
import type { InstallationKey } from '../../../server/platform/db/sync-store.ts';
import { silentLogger, testDatabases } from '../../support/databases.ts';
import { dropPrefix, TEST_REDIS_URL, uniquePrefix } from '../../support/redis.ts';
import { openWorld, seedAccounts, seedWarning, startReceiver, type NotifyWorld, type Receiver } from './support.ts';

const ADMIN_TOKEN = 'admin-token-for-notification-tests';
const NOW = Date.parse('2026-12-04T15:00:00Z');
const at = (iso: string) => new Date(iso);

describe.each(testDatabases())('notification routes on $name', (database) => {
  let world: NotifyWorld;
  let receiver: Receiver;
  let server: Server;
  let redis: Redis;
  let prefix: string;
  let base: string;
  let asA: Record<string, string>;
  let asB: Record<string, string>;
  const operator = { authorization: `Bearer ${ADMIN_TOKEN}` };

  const channelsUrl = (key: InstallationKey) =>
    `${base}/api/installations/${key.installationId}/notifications/channels`;
  const call = (url: string, method: string, headers: Record<string, string>, body?: unknown) =>
    fetch(url, {
      method,
      headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  async function refusal(response: Response, status: number) {
    expect(response.status).toBe(status);
    return errorBodySchema.parse(await response.json()).error;
  }

  beforeAll(async () => {
    world = await openWorld(database);
    receiver = await startReceiver();
    redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: null });
    prefix = uniquePrefix();
    const queues = createQueues(redis, prefix);
    const install = {
      db: world.handle.db,
      sealer: world.sealer,
      queues,
      installations: world.installations,
      oauth: {},
      publicUrl: 'http://127.0.0.1',
      now: () => NOW,
    };
    const app = express();
    app.use(pinoHttp({ logger: silentLogger }));
    app.use(express.json());
    app.use(recogniseAdmin({ token: ADMIN_TOKEN, allowLoopbackWithoutToken: false }));
    app.use(notificationsRouter({ db: world.handle.db, sealer: world.sealer, allowLoopbackHttp: true }, install));
    app.use(errorHandler);
    server = createServer(app);
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const cookieFor = (key: InstallationKey) =>
      `${SESSION_COOKIE}=${sessionCookieValue({ sealer: world.sealer, now: () => NOW }, key)}`;
    asA = { cookie: cookieFor(world.portal) };
    asB = { cookie: cookieFor(world.stranger) };
  });
  afterAll(async () => {
    server?.closeAllConnections();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    redis?.disconnect();
    if (prefix) await dropPrefix(prefix);
    await receiver?.close();
    await world?.close();
  });

  it('creates a channel, showing its secret once, lists it without, and deletes it', async () => {
    const created = await call(channelsUrl(world.portal), 'POST', asA, {
      format: 'slack',
      url: `${receiver.url}/services/T000/B000/abcdEFGH`,
    });
    expect(created.status).toBe(201);
    const channel = createdChannelSchema.parse(await created.json());
    expect(channel).toMatchObject({
      format: 'slack',
      minSeverity: 'medium',
      enabled: true,
      createdBy: 'workspace session',
      createdAt: new Date(NOW).toISOString(),
      urlHint: `${receiver.url}/…EFGH`,
    });
    expect(channel.secret).toMatch(/^bwsec_/);

    const listed = await call(channelsUrl(world.portal), 'GET', asA);
    expect(listed.status).toBe(200);
    const text = await listed.text();
    expect(text).not.toContain(channel.secret);
    expect(text).not.toContain('abcdEFGH');
    expect(channelListSchema.parse(JSON.parse(text)).channels.map((row) => row.id)).toEqual([channel.id]);

    expect((await call(`${channelsUrl(world.portal)}/${channel.id}`, 'DELETE', operator)).status).toBe(204);
    expect(channelListSchema.parse(await (await call(channelsUrl(world.portal), 'GET', asA)).json()).channels).toEqual(
      [],
    );
    expect((await refusal(await call(`${channelsUrl(world.portal)}/${channel.id}`, 'DELETE', asA), 404)).code).toBe(
      'CHANNEL_NOT_FOUND',
    );
    const audit = await listAudit(world.handle.db, world.portal.workspaceId);
    expect(audit.map((event) => event.action)).toEqual(
      expect.arrayContaining(['notification_channel.created', 'notification_channel.deleted']),
    );
    expect(JSON.stringify(audit)).not.toContain(channel.secret);
  });

  it('refuses addresses that are not HTTPS to a public host, and requests that are not valid', async () => {
    const refused = await refusal(
      await call(channelsUrl(world.portal), 'POST', asA, { format: 'json', url: 'https://169.254.169.254/x' }),
      422,
    );
    expect(refused).toMatchObject({
      code: 'DESTINATION_REFUSED',
      message: expect.stringContaining('private or local'),
    });
    const invalid = await refusal(
      await call(channelsUrl(world.portal), 'POST', asA, { format: 'xml', url: 'https://example.com', extra: 1 }),
      400,
    );
    expect(invalid.code).toBe('VALIDATION_FAILED');
    expect(invalid.issues?.map((issue) => issue.path)).toEqual(['format', '(root)']);
    const form = await fetch(channelsUrl(world.portal), {
      method: 'POST',
      headers: { ...asA, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'format=json',
    });
    expect((await refusal(form, 415)).code).toBe('JSON_REQUIRED');
  });

  it('answers 404 for another workspace’s installation and 401 without a session', async () => {
    const created = createdChannelSchema.parse(
      await (
        await call(channelsUrl(world.stranger), 'POST', asB, {
          format: 'json',
          url: `${receiver.url}/b`,
          minSeverity: 'high',
        })
      ).json(),
    );
    const urls: [string, string][] = [
      [channelsUrl(world.stranger), 'GET'],
      [channelsUrl(world.stranger), 'POST'],
      [`${channelsUrl(world.stranger)}/${created.id}`, 'DELETE'],
      [`${channelsUrl(world.stranger)}/${created.id}/test`, 'POST'],
      [`${base}/api/installations/${world.stranger.installationId}/digest?csm=u&day=2026-12-04`, 'GET'],
      [`${base}/api/installations/${randomUUID()}/digest?csm=u&day=2026-12-04`, 'GET'],
    ];
    for (const [url, method] of urls) {
      const body = method === 'POST' ? { format: 'json', url: 'https://example.com/x' } : undefined;
      expect((await refusal(await call(url, method, asA, body), 404)).code).toBe('INSTALLATION_NOT_FOUND');
    }
    expect((await refusal(await call(channelsUrl(world.portal), 'GET', {}), 401)).code).toBe('SESSION_REQUIRED');
    // The channel is still there for its own workspace.
    const own = channelListSchema.parse(await (await call(channelsUrl(world.stranger), 'GET', asB)).json());
    expect(own.channels.map((row) => row.id)).toEqual([created.id]);
  });

  it('sends a signed test to a channel and says what the receiver answered', async () => {
    const created = createdChannelSchema.parse(
      await (
        await call(channelsUrl(world.portal), 'POST', asA, { format: 'json', url: `${receiver.url}/test-ok` })
      ).json(),
    );
    const response = await call(`${channelsUrl(world.portal)}/${created.id}/test`, 'POST', asA);
    expect(response.status).toBe(200);
    expect(testSendResultSchema.parse(await response.json())).toEqual({
      delivered: true,
      status: 200,
      message: 'The receiver accepted the test notification',
    });
    const [request] = receiver.on('/test-ok');
    const header = request!.headers['bellwether-signature'] as string;
    expect((await verifySignature({ secret: created.secret, header, body: request!.body, now: NOW / 1000 })).ok).toBe(
      true,
    );
    expect(JSON.parse(request!.body)).toMatchObject({ test: true, type: 'warning.opened' });

    receiver.script('/test-gone', [410]);
    const gone = createdChannelSchema.parse(
      await (
        await call(channelsUrl(world.portal), 'POST', asA, { format: 'slack', url: `${receiver.url}/test-gone` })
      ).json(),
    );
    const answer = testSendResultSchema.parse(
      await (await call(`${channelsUrl(world.portal)}/${gone.id}/test`, 'POST', asA)).json(),
    );
    expect(answer).toEqual({ delivered: false, status: 410, message: 'The receiver answered 410' });
  });

  it('answers a CSM’s digest for a day from the stored warnings', async () => {
    const key = world.portal;
    await seedAccounts(world, key, [
      { externalId: 'd-1', name: 'Acme Corp', csm: 'csm-7', owner: 'owner-1' },
      // No CSM: the owner's book.
      { externalId: 'd-2', name: 'Globex', csm: null, owner: 'csm-7' },
      // Owned by csm-7 but looked after by someone else.
      { externalId: 'd-3', name: 'Initech', csm: 'csm-9', owner: 'csm-7' },
      { externalId: 'd-4', name: 'Gone Ltd', csm: 'csm-7', archived: true },
    ]);
    const opened = await seedWarning(world, key, {
      accountExternalId: 'd-1',
      severity: 'high',
      title: 'Champion left',
      openedAt: at('2026-12-04T08:00:00Z'),
      tasks: [
        { subject: 'Find a new champion', dueAt: at('2026-12-05T09:00:00Z') },
        { subject: 'Brief the sponsor', dueAt: at('2026-12-20T09:00:00Z') },
      ],
    });
    const older = await seedWarning(world, key, {
      accountExternalId: 'd-2',
      severity: 'low',
      title: 'No engagement for 30 days',
      openedAt: at('2026-11-10T08:00:00Z'),
      tasks: [{ subject: 'Book a check-in', dueAt: at('2026-12-02T09:00:00Z'), state: 'pending' }],
    });
    await seedWarning(world, key, {
      accountExternalId: 'd-2',
      severity: 'medium',
      title: 'Ticket spike',
      openedAt: at('2026-12-04T01:00:00Z'),
      resolvedAt: at('2026-12-04T06:00:00Z'),
    });
    await seedWarning(world, key, {
      accountExternalId: 'd-3',
      severity: 'high',
      title: 'Not mine',
      openedAt: at('2026-12-04T08:00:00Z'),
    });
    await seedWarning(world, key, {
      accountExternalId: 'd-4',
      severity: 'high',
      title: 'Archived',
      openedAt: at('2026-12-04T08:00:00Z'),
    });
    await seedWarning(world, key, {
      accountExternalId: 'd-1',
      severity: 'medium',
      title: 'Resolved before',
      openedAt: at('2026-11-01T08:00:00Z'),
      resolvedAt: at('2026-12-01T08:00:00Z'),
    });

    const url = `${base}/api/installations/${key.installationId}/digest?csm=csm-7&day=2026-12-04`;
    const response = await call(url, 'GET', asA);
    expect(response.status).toBe(200);
    const digest = digestSchema.parse(await response.json());
    expect(digest).toMatchObject({ csm: 'csm-7', day: '2026-12-04', accounts: 2 });
    expect(digest.openedToday.map((line) => [line.title, line.accountName, line.open])).toEqual([
      ['Champion left', 'Acme Corp', true],
      ['Ticket spike', 'Globex', false],
    ]);
    expect(digest.stillOpen.high).toEqual([
      expect.objectContaining({
        warningId: opened,
        accountName: 'Acme Corp',
        nextStep: { subject: 'Find a new champion', dueAt: '2026-12-05T09:00:00.000Z' },
      }),
    ]);
    expect(digest.stillOpen.medium).toEqual([]);
    expect(digest.stillOpen.low.map((line) => line.warningId)).toEqual([older]);
    expect(digest.tasksDue.map((task) => [task.subject, task.accountName, task.overdue])).toEqual([
      ['Book a check-in', 'Globex', true],
      ['Find a new champion', 'Acme Corp', false],
    ]);
    expect(digest.counts).toEqual({ openedToday: 2, stillOpen: 2, tasksDue: 2 });

    // The operator sees the same; a bad day is refused with where it was wrong.
    expect((await call(url, 'GET', operator)).status).toBe(200);
    const bad = await refusal(await call(url.replace('2026-12-04', '2026-12-40'), 'GET', asA), 400);
    expect(bad.issues?.map((issue) => issue.path)).toEqual(['day']);
    // The store's rows are scoped: the same CSM id in another workspace sees nothing of these.
    const elsewhere = await notificationStore(world.handle.db, world.sealer).digestRows(world.stranger, 'csm-7', {
      day: '2026-12-04',
      from: at('2026-12-04T00:00:00Z'),
      to: at('2026-12-05T00:00:00Z'),
      tasksDueBefore: at('2026-12-11T00:00:00Z'),
    });
    expect(elsewhere).toEqual({ accounts: [], warnings: [], tasks: [] });
  });
});
