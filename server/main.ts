import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { startJobs } from '../jobs/worker.ts';
import { createApp } from './http/app.ts';
import { StartupError } from './platform/errors.ts';
import { APP_VERSION, bootRuntime, runProcess, type Runtime } from './platform/runtime.ts';

/**
 * Process entry. `--role=all` (npm start): HTTP server and workers in one process, the embedded
 * default. `--role=server`: HTTP only. `--role=migrate`: apply migrations and exit.
 */

const { values } = parseArgs({ options: { role: { type: 'string', default: 'all' } } });
const role = values.role;
if (role !== 'all' && role !== 'server' && role !== 'migrate') {
  process.stderr.write(`Unknown --role=${role}; use all, server or migrate.\n`);
  process.exit(2);
}

async function listen(runtime: Runtime): Promise<string> {
  const { env, logger, database, producer } = runtime;
  const app = createApp({
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
  });
  const server = app.listen(env.PORT, env.HOST);
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
  runtime.onClose('http', async () => {
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    // Requests still running get a moment; keep-alive sockets do not hold the exit.
    const timer = setTimeout(() => server.closeAllConnections(), 3_000);
    await closed;
    clearTimeout(timer);
  });
  const { port } = server.address() as AddressInfo;
  return env.PUBLIC_URL ?? `http://localhost:${port}`;
}

runProcess(async () => {
  const runtime = await bootRuntime(role);
  try {
    if (role === 'migrate') {
      await runtime.close();
      process.stdout.write(`Migrations applied to ${runtime.database.driver} ${runtime.database.location}.\n`);
      process.exit(0);
    }
    if (role === 'all') await startJobs(runtime);
    const url = await listen(runtime);
    process.stdout.write(`\nBellwether ${APP_VERSION} is running at ${url}  (Ctrl-C to stop)\n\n`);
    runtime.logger.info({ url }, 'listening');
  } catch (error) {
    await runtime.close();
    throw error;
  }
  return { shutdown: runtime.close, logger: runtime.logger };
});
