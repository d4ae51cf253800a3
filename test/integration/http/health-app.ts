import { randomBytes, randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'vitest';
import { createQueues, type Queues } from '../../../jobs/queues.ts';
import { errorBodySchema, type ErrorBody } from '../../../server/contracts/health.ts';
import { createApp } from '../../../server/http/app.ts';
import { SESSION_COOKIE, sessionCookieValue } from '../../../server/http/install/cookies.ts';
import { createSealer } from '../../../server/platform/crypto.ts';
import type { DatabaseHandle } from '../../../server/platform/db/database.ts';
import { createWorkspace, installationRepository } from '../../../server/platform/db/installations.ts';
import { accounts } from '../../../server/platform/db/schema.ts';
import type { InstallationKey } from '../../../server/platform/db/sync-store.ts';
import { createProducerConnection, whenReady, type Redis } from '../../../server/platform/redis.ts';
import { silentLogger, type TestDatabase } from '../../support/databases.ts';
import { dropPrefix, TEST_REDIS_URL, uniquePrefix } from '../../support/redis.ts';

/**
 * The app with the install, admin and health routes over a real database and Redis: workspace A
 * with a HubSpot portal, a Salesforce org and a disconnected portal; workspace B with one portal.
 * Its clock is the test's, so expiry can be judged at a chosen moment.
 */

export const ADMIN_TOKEN = 'admin-token-for-health-tests';

export interface HealthApp {
  url: string;
  handle: DatabaseHandle;
  queues: Queues;
  portal: InstallationKey;
  org: InstallationKey;
  disconnected: InstallationKey;
  stranger: InstallationKey;
  /** Session cookies of a browser signed in to workspace A (through the portal) and to workspace B. */
  cookie: string;
  strangerCookie: string;
  clock: { now: number };
  addAccounts(key: InstallationKey, ids: string[], archived?: boolean): Promise<void>;
  close(): Promise<void>;
}

export async function startHealthApp(database: TestDatabase): Promise<HealthApp> {
  const handle = await database.open();
  await handle.migrate();
  const redis: Redis = createProducerConnection(TEST_REDIS_URL, silentLogger);
  await whenReady(redis);
  const prefix = uniquePrefix();
  const queues = createQueues(redis, prefix);
  const sealer = createSealer(randomBytes(32));
  const installations = installationRepository(handle.db, sealer);
  const install = async (workspaceId: string, provider: 'hubspot' | 'salesforce') => {
    const row = await installations.install({
      workspaceId,
      provider,
      externalId: `${provider}-${randomUUID()}`,
      displayName: provider,
      baseUrl: null,
      scopes: [],
      tokens: { accessToken: 'access', refreshToken: 'refresh', accessTokenExpiresAt: null },
    });
    return { workspaceId, installationId: row.id };
  };
  const a = await createWorkspace(handle.db, 'Workspace A');
  const b = await createWorkspace(handle.db, 'Workspace B');
  // A workspace holds one portal at a time: the disconnected one came first.
  const disconnected = await install(a.id, 'hubspot');
  await installations.setStatus(a.id, disconnected.installationId, 'uninstalled', 'disconnected in a test');
  const portal = await install(a.id, 'hubspot');
  const org = await install(a.id, 'salesforce');
  const stranger = await install(b.id, 'hubspot');

  const clock = { now: Date.now() };
  const server: Server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const app = createApp({
    logger: silentLogger,
    version: '0.0.0-test',
    bodyLimit: '1mb',
    readiness: {},
    admin: { auth: { token: ADMIN_TOKEN, allowLoopbackWithoutToken: false } },
    install: { db: handle.db, sealer, queues, installations, oauth: {}, publicUrl: url, now: () => clock.now },
    health: { db: handle.db, queues },
    warnings: { db: handle.db },
    qbr: { db: handle.db, queues, sealer, publicUrl: url },
  });
  server.on('request', app);

  const cookieFor = (key: InstallationKey) => `${SESSION_COOKIE}=${sessionCookieValue({ sealer, now: Date.now }, key)}`;

  return {
    url,
    handle,
    queues,
    portal,
    org,
    disconnected,
    stranger,
    cookie: cookieFor(portal),
    strangerCookie: cookieFor(stranger),
    clock,
    async addAccounts(key, ids, archived = false) {
      await handle.db.insert(accounts).values(
        ids.map((externalId) => ({
          ...key,
          externalId,
          archived,
          name: `Account ${externalId}`,
          modifiedAt: new Date('2026-05-01T00:00:00Z'),
        })),
      );
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await queues.close();
      redis.disconnect();
      await handle.close();
      await database.cleanup();
      await dropPrefix(prefix);
    },
  };
}

/** A JSON request as a browser of the app sends it. */
export function send(url: string, method: string, headers: Record<string, string>, body?: unknown): Promise<Response> {
  return fetch(url, {
    method,
    headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}

/** The standard error body of a refused request, after checking its status. */
export async function refusalOf(response: Response, status: number): Promise<ErrorBody['error']> {
  expect(response.status).toBe(status);
  return errorBodySchema.parse(await response.json()).error;
}
