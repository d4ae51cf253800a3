import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { ensureWebBuilt } from '../../extension-ui/web/build.ts';
import { createQueues, type Queues } from '../../jobs/queues.ts';
import { buildJobServices } from '../../jobs/sync/services.ts';
import { startWorkers, type RunningWorkers } from '../../jobs/worker.ts';
import { oauthConfigFromEnv } from '../../server/crm/oauth-config.ts';
import {
  connectThroughOAuth,
  loadSignalsWhenSynced,
  startDemoSandboxes,
  type DemoSandboxes,
  type DemoSignalsLoaded,
} from '../../server/demo.ts';
import { createApp } from '../../server/http/app.ts';
import { createSealer } from '../../server/platform/crypto.ts';
import type { DatabaseHandle } from '../../server/platform/db/database.ts';
import { installationRepository } from '../../server/platform/db/installations.ts';
import { parseEnv } from '../../server/platform/env.ts';
import { loadManifest } from '../../server/platform/manifest.ts';
import {
  createProducerConnection,
  createWorkerConnection,
  whenReady,
  type Redis,
} from '../../server/platform/redis.ts';
import { MANIFEST_FILE } from '../../server/platform/runtime.ts';
import { silentLogger, testDatabases } from '../support/databases.ts';
import { dropPrefix, TEST_REDIS_URL, uniquePrefix } from '../support/redis.ts';

/**
 * The whole app as `npm start` runs it, for the dashboard in Chromium: the stand-ins with a seeded
 * generated book, the install, sign-in, health, warnings and dashboard routes, the built web app, and
 * the job workers. Two workspaces: A connected the demo HubSpot portal, B the demo Salesforce org (each
 * through the real OAuth flow, without the other's cookie), so A's session must never reach B.
 */

export const DASHBOARD_ADMIN_TOKEN = 'admin-token-for-dashboard-tests';

export interface DashboardApp {
  url: string;
  demo: DemoSandboxes;
  handle: DatabaseHandle;
  queues: Queues;
  /** Workspace A's installation (HubSpot portal 1000001). */
  a: string;
  /** Workspace B's installation (the Salesforce org). */
  b: string;
  /** Resolves once sync, signals, score and analytics have all run for both installations. */
  ready: Promise<DemoSignalsLoaded[]>;
  close(): Promise<void>;
}

export interface DashboardAppOptions {
  accounts?: number;
  seed?: number;
}

/**
 * Every queue drained (nothing waiting or running), seen three times in a row to cover a hand-off.
 * Delayed jobs do not count: the installations' schedulers always hold their next run as one.
 */
async function whenQueuesIdle(queues: Queues, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let quiet = 0;
  let busy: string[] = [];
  while (Date.now() < deadline) {
    const counts = await Promise.all(
      queues.all().map(async (queue) => {
        const found = await queue.getJobCounts('waiting', 'active', 'prioritized', 'waiting-children');
        const total = Object.values(found).reduce((a, b) => a + b, 0);
        return total === 0 ? null : `${queue.name} ${JSON.stringify(found)}`;
      }),
    );
    busy = counts.filter((one) => one !== null);
    quiet = busy.length === 0 ? quiet + 1 : 0;
    if (quiet >= 3) return;
    await sleep(500);
  }
  throw new Error(`the job queues were still busy after ${timeoutMs} ms: ${busy.join('; ')}`);
}

/** The figure answers of an installation, as the operator sees them: all computed? */
async function figuresReady(url: string, installationId: string): Promise<boolean> {
  const views = ['portfolio', 'renewals', 'retention', 'nps', 'team'];
  const answers = await Promise.all(
    views.map(async (view) => {
      const response = await fetch(`${url}/api/installations/${installationId}/dashboard/${view}`, {
        headers: { authorization: `Bearer ${DASHBOARD_ADMIN_TOKEN}` },
      });
      return response.ok ? ((await response.json()) as { status: string }).status : `HTTP ${response.status}`;
    }),
  );
  return answers.every((status) => status === 'ready');
}

export async function startDashboardApp(options: DashboardAppOptions = {}): Promise<DashboardApp> {
  const server: Server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const database = testDatabases()[0]!;
  const [handle, webDistDir] = await Promise.all([database.open(), ensureWebBuilt({ quiet: true })]);
  await handle.migrate();
  const redis = createProducerConnection(TEST_REDIS_URL, silentLogger);
  await whenReady(redis);
  const prefix = uniquePrefix();
  const queues = createQueues(redis, prefix);
  const sealer = createSealer(randomBytes(32));
  const installations = installationRepository(handle.db, sealer);
  const demo = await startDemoSandboxes({ publicUrl: url, accounts: options.accounts ?? 80, seed: options.seed ?? 7 });
  const manifest = loadManifest(MANIFEST_FILE);
  const env = parseEnv({}, '/tmp');
  const oauth = oauthConfigFromEnv(env, manifest, demo.oauth);

  const app = createApp({
    logger: silentLogger,
    version: '0.0.0-test',
    bodyLimit: '1mb',
    readiness: {},
    admin: { auth: { token: DASHBOARD_ADMIN_TOKEN, allowLoopbackWithoutToken: false } },
    install: { db: handle.db, sealer, queues, installations, oauth, publicUrl: url },
    health: { db: handle.db, queues },
    warnings: { db: handle.db },
    dashboard: { db: handle.db, queues, webDistDir },
  });
  server.on('request', app);

  const workerConnection: Redis = createWorkerConnection(TEST_REDIS_URL, silentLogger);
  const services = buildJobServices(
    { env, database: handle, producer: redis, manifest, sealer, logger: silentLogger },
    queues,
    { oauth: demo.oauth },
  );
  const workers: RunningWorkers = startWorkers({
    db: handle.db,
    connection: workerConnection,
    prefix,
    concurrency: 2,
    logger: silentLogger,
    services,
  });

  // Separate browsers (no shared cookie): two workspaces.
  const a = (await connectThroughOAuth(url, 'hubspot', { portalId: 1000001 })).installationId;
  const b = (await connectThroughOAuth(url, 'salesforce')).installationId;
  const stop = new AbortController();
  const ready = (async () => {
    const loaded = await loadSignalsWhenSynced({ db: handle.db, queues }, demo.signals!, [a, b], stop.signal);
    if (loaded.some((one) => one === null)) throw new Error('the demo signals could not be stored');
    const deadline = Date.now() + 240_000;
    for (;;) {
      await whenQueuesIdle(queues, Math.max(1_000, deadline - Date.now()));
      if ((await figuresReady(url, a)) && (await figuresReady(url, b))) break;
      if (Date.now() > deadline) throw new Error('the analytics figures were not computed in time');
      await sleep(1_000);
    }
    return loaded as DemoSignalsLoaded[];
  })();
  // Failures surface where the test awaits `ready`.
  ready.catch(() => undefined);

  return {
    url,
    demo,
    handle,
    queues,
    a,
    b,
    ready,
    async close() {
      stop.abort();
      await workers.close();
      workerConnection.disconnect();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await demo.close();
      await queues.close();
      redis.disconnect();
      await handle.close();
      await database.cleanup();
      await dropPrefix(prefix);
    },
  };
}
