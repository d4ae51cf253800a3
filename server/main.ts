import { once } from 'node:events';
import path from 'node:path';
import { createServer, type RequestListener } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { createQueues, type Queues } from '../jobs/queues.ts';
import { startJobs } from '../jobs/worker.ts';
import { oauthConfigFromEnv, type OAuthConfigs } from './crm/oauth-config.ts';
import { startDemo, type RunningDemo } from './demo.ts';
import { createApp } from './http/app.ts';
import { recordAudit } from './platform/db/audit.ts';
import { installationRepository, type Installation, type InstallationRepository } from './platform/db/installations.ts';
import { StartupError } from './platform/errors.ts';
import { APP_VERSION, bootRuntime, ROOT_DIR, runProcess, type Runtime } from './platform/runtime.ts';

/**
 * Process entry. `--role=all` (npm start): HTTP server and workers in one process, the embedded
 * default; with no CRM credentials it also runs the sandbox stand-ins and connects a demo portal and
 * org. `--role=server`: HTTP only. `--role=migrate`: apply migrations and exit.
 */

const { values } = parseArgs({ options: { role: { type: 'string', default: 'all' } } });
const role = values.role;
if (role !== 'all' && role !== 'server' && role !== 'migrate') {
  process.stderr.write(`Unknown --role=${role}; use all, server or migrate.\n`);
  process.exit(2);
}

/**
 * Listens before the app exists, so that the address people reach (with PORT=0, a port picked now)
 * is known to the OAuth redirects and the demo CRMs the app is built with; until then requests get 503.
 */
async function listen(
  runtime: Runtime,
): Promise<{ url: string; serve(app: RequestListener): void; close(): Promise<void> }> {
  const { env } = runtime;
  let handler: RequestListener = (_req, res) => {
    res.writeHead(503, { 'content-type': 'application/json', 'retry-after': '1' });
    res.end(JSON.stringify({ error: { code: 'STARTING', message: 'Bellwether is starting' } }));
  };
  const server = createServer((req, res) => handler(req, res));
  server.listen(env.PORT, env.HOST);
  try {
    await once(server, 'listening');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new StartupError(
      code === 'EADDRINUSE'
        ? `port ${env.PORT} on ${env.HOST} is already in use; stop the other process or set PORT`
        : `cannot listen on ${env.HOST}:${env.PORT} (${code ?? String(error)})`,
    );
  }
  const { port } = server.address() as AddressInfo;
  return {
    url: env.PUBLIC_URL ?? `http://localhost:${port}`,
    serve(app) {
      handler = app;
    },
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      // Requests still running get a moment; keep-alive sockets do not hold the exit.
      const timer = setTimeout(() => server.closeAllConnections(), 3_000);
      await closed;
      clearTimeout(timer);
    },
  };
}

/** The built Canvas card (`npm run build:ui`; `npm start` builds it when missing). */
const CANVAS_DIST_DIR = path.join(ROOT_DIR, 'extension-ui/salesforce/dist');
/** The built dashboard web app, served at /app/ (a page says how to build it while it is missing). */
const WEB_DIST_DIR = path.join(ROOT_DIR, 'extension-ui/web/dist');

function buildApp(
  runtime: Runtime,
  publicUrl: string,
  queues: Queues,
  oauth: OAuthConfigs,
  demo?: RunningDemo,
): RequestListener {
  const { env, logger, database, producer, sealer } = runtime;
  const installations = installationRepository(database.db, sealer);
  const admin = { token: env.ADMIN_TOKEN, allowLoopbackWithoutToken: !env.isProduction };
  return createApp({
    logger,
    version: APP_VERSION,
    bodyLimit: env.HTTP_BODY_LIMIT,
    readiness: {
      database: { target: `${database.driver} ${database.location}`, check: () => database.ping() },
      redis: {
        target: 'redis',
        check: async () => {
          await producer.ping();
        },
      },
    },
    hubspotWebhooks: {
      hubspotClientSecret: oauth.hubspot?.clientSecret,
      publicUrl,
      installations,
      queues,
      ownProperties: new Set(runtime.manifest.fields.map((field) => field.hubspot.name)),
      audit: (entry) => recordAudit(database.db, entry),
    },
    admin: { auth: admin, queues },
    install: { db: database.db, sealer, queues, installations, oauth, publicUrl },
    ingest: { db: database.db },
    health: { db: database.db, queues },
    notifications: { db: database.db, sealer, allowLoopbackHttp: !env.isProduction },
    warnings: { db: database.db },
    qbr: { db: database.db, queues, sealer, publicUrl },
    dashboard: { db: database.db, queues, webDistDir: WEB_DIST_DIR },
    cards: {
      db: database.db,
      queues,
      installations,
      publicUrl,
      sealer,
      hubspotClientSecret: oauth.hubspot?.clientSecret,
      salesforceConsumerSecret: oauth.salesforce?.clientSecret,
      canvasDistDir: CANVAS_DIST_DIR,
    },
    ...(demo && oauth.salesforce
      ? {
          preview: {
            db: database.db,
            sealer,
            publicUrl,
            salesforceConsumerSecret: oauth.salesforce.clientSecret,
            installations: () => demoInstallations(installations),
            signRequest: (input) => demo.signCanvasRequest(input),
            canvasDistDir: CANVAS_DIST_DIR,
          },
        }
      : {}),
  });
}

/** Every connected installation (the demo has one workspace). */
async function demoInstallations(installations: InstallationRepository): Promise<Installation[]> {
  const found = await Promise.all(
    (await installations.listAllForScheduling()).map((row) => installations.get(row.workspaceId, row.id)),
  );
  return found.filter((installation) => installation !== undefined);
}

/** The stand-ins beside the app, on the two ports after its own so their addresses survive a restart. */
async function startDemoCrms(runtime: Runtime, publicUrl: string): Promise<RunningDemo> {
  const { env } = runtime;
  const next = (offset: number) => (env.PORT === 0 ? 0 : env.PORT + offset);
  try {
    const demo = await startDemo({
      publicUrl,
      hubspotPort: next(1),
      salesforcePort: next(2),
      db: runtime.database.db,
      logger: runtime.logger.child({ part: 'demo' }),
    });
    runtime.onClose('demo CRMs', () => demo.close());
    return demo;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') {
      throw new StartupError(
        `the demo CRMs need ports ${next(1)} and ${next(2)}, and one is in use; stop the other process or set PORT`,
      );
    }
    throw error;
  }
}

runProcess(async () => {
  const runtime = await bootRuntime(role);
  try {
    if (role === 'migrate') {
      await runtime.close();
      process.stdout.write(`Migrations applied to ${runtime.database.driver} ${runtime.database.location}.\n`);
      process.exit(0);
    }
    const http = await listen(runtime);
    const url = http.url;
    const demo = runtime.env.demoMode && role === 'all' ? await startDemoCrms(runtime, url) : undefined;
    const oauth = oauthConfigFromEnv(runtime.env, runtime.manifest, demo?.oauth);
    let queues: Queues;
    if (role === 'all') {
      ({ queues } = await startJobs(runtime, demo ? { oauth: demo.oauth } : {}));
    } else {
      const own = createQueues(runtime.producer, runtime.env.QUEUE_PREFIX);
      runtime.onClose('queues', () => own.close());
      queues = own;
    }
    http.serve(buildApp(runtime, url, queues, oauth, demo));
    // Registered last so it closes first: no request reaches workers or queues being closed.
    runtime.onClose('http', () => http.close());
    // Before anything else, the demo stops loading signals, which would hold the embedded database.
    if (demo) runtime.onClose('demo background work', () => Promise.resolve(demo.stopBackground()));
    process.stdout.write(`\nBellwether ${APP_VERSION} is running at ${url}  (Ctrl-C to stop)\n`);
    process.stdout.write(`Dashboard: sign in with your CRM at ${url}/signin (then ${url}/app/)\n`);
    if (demo) {
      const connected = await demo.connect({ queues });
      process.stdout.write(
        `Demo mode (no CRM credentials set): a HubSpot stand-in at ${demo.sandboxes.hubspot.url} and a Salesforce ` +
          `stand-in at ${demo.sandboxes.salesforce.url} hold a generated book of business, connected and syncing:\n` +
          `  ${url}/installations/${connected.hubspot.installationId}\n` +
          `  ${url}/installations/${connected.salesforce.installationId}\n` +
          `Open the dashboard: ${url}/signin and choose "Sign in with HubSpot" or "Sign in with Salesforce".\n`,
      );
    }
    process.stdout.write('\n');
    runtime.logger.info({ url, demo: demo !== undefined }, 'listening');
  } catch (error) {
    await runtime.close();
    throw error;
  }
  return { shutdown: runtime.close, logger: runtime.logger };
});
