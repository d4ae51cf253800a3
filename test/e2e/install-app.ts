import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createQueues, type Queues } from '../../jobs/queues.ts';
import { buildJobServices } from '../../jobs/sync/services.ts';
import { startWorkers, type RunningWorkers } from '../../jobs/worker.ts';
import type { CrmBook } from '../../sandbox/generator/book.ts';
import { crmBook, generateBook } from '../../sandbox/generator/generate-book.ts';
import { oauthConfigFromEnv } from '../../server/crm/oauth-config.ts';
import { startDemoSandboxes, type DemoSandboxes } from '../../server/demo.ts';
import { createApp } from '../../server/http/app.ts';
import { createSealer, type Sealer } from '../../server/platform/crypto.ts';
import type { DatabaseHandle } from '../../server/platform/db/database.ts';
import { installationRepository, type InstallationRepository } from '../../server/platform/db/installations.ts';
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
 * The app with its install routes, wired as the process entry wires it: PGlite, the real Redis (a
 * queue prefix of its own), sealed tokens, and both stand-ins playing the CRMs with the app's
 * callbacks registered. The server listens before the app exists, so the stand-ins know its URL.
 */

export const ADMIN_TOKEN = 'admin-token-for-install-tests';

export interface InstallApp {
  url: string;
  demo: DemoSandboxes;
  handle: DatabaseHandle;
  redis: Redis;
  queues: Queues;
  sealer: Sealer;
  installations: InstallationRepository;
  /** The same app and stand-ins, as another browser sees it (cookies are per client). */
  close(): Promise<void>;
}

export const smallBook = (): CrmBook => crmBook(generateBook({ seed: 3, accounts: 8, asOf: '2026-06-30' }).book);

export interface InstallAppOptions {
  now?: () => number;
  /** Also run the job workers (sync, uninstall) in this process, as `npm start` does. */
  workers?: boolean;
}

export async function startInstallApp(options: InstallAppOptions = {}): Promise<InstallApp> {
  const server: Server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const database = testDatabases()[0]!;
  const handle = await database.open();
  await handle.migrate();
  const redis = createProducerConnection(TEST_REDIS_URL, silentLogger);
  await whenReady(redis);
  const prefix = uniquePrefix();
  const queues = createQueues(redis, prefix);
  const sealer = createSealer(randomBytes(32));
  const installations = installationRepository(handle.db, sealer);
  const demo = await startDemoSandboxes({ publicUrl: url, book: smallBook() });
  const manifest = loadManifest(MANIFEST_FILE);
  const oauth = oauthConfigFromEnv(parseEnv({}, '/tmp'), manifest, demo.oauth);

  const app = createApp({
    logger: silentLogger,
    version: '0.0.0-test',
    bodyLimit: '100kb',
    readiness: {},
    admin: { auth: { token: ADMIN_TOKEN, allowLoopbackWithoutToken: false } },
    install: {
      db: handle.db,
      sealer,
      queues,
      installations,
      oauth,
      publicUrl: url,
      ...(options.now ? { now: options.now } : {}),
    },
  });
  server.on('request', app);

  let workers: RunningWorkers | undefined;
  let workerConnection: Redis | undefined;
  if (options.workers) {
    workerConnection = createWorkerConnection(TEST_REDIS_URL, silentLogger);
    const services = buildJobServices(
      { env: parseEnv({}, '/tmp'), database: handle, producer: redis, manifest, sealer, logger: silentLogger },
      queues,
      { oauth: demo.oauth },
    );
    workers = startWorkers({
      db: handle.db,
      connection: workerConnection,
      prefix,
      concurrency: 2,
      logger: silentLogger,
      services,
    });
  }

  return {
    url,
    demo,
    handle,
    redis,
    queues,
    sealer,
    installations,
    async close() {
      await workers?.close();
      workerConnection?.disconnect();
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
