import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createSealer, loadOrCreateLocalKey, type Sealer } from './crypto.ts';
import { openDatabase, type DatabaseHandle } from './db/database.ts';
import { describeEnvError, EnvError, parseEnv, type Env } from './env.ts';
import { ServiceUnavailableError, StartupError } from './errors.ts';
import { createLogger, type Logger } from './logger.ts';
import { loadManifest, ManifestError, type Manifest } from './manifest.ts';
import { createProducerConnection, redactUrl, resolveRedis, whenReady, type Redis, type RedisTarget } from './redis.ts';

/**
 * What every Bellwether process needs before it serves or works: parsed env, logger, manifest,
 * sealer, the database (migrated) and Redis. Closers run in reverse order of opening.
 */

export const ROOT_DIR = fileURLToPath(new URL('../../', import.meta.url));
export const MANIFEST_FILE = fileURLToPath(new URL('../../manifest.json', import.meta.url));

export const APP_VERSION: string = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

export interface Runtime {
  env: Env;
  logger: Logger;
  manifest: Manifest;
  sealer: Sealer;
  database: DatabaseHandle;
  redis: RedisTarget;
  /** Shared fail-fast connection for producers (queues, schedulers, readiness). */
  producer: Redis;
  /** Registers a closer; closers run last-registered first on shutdown. */
  onClose(name: string, close: () => Promise<void>): void;
  close: () => Promise<void>;
}

export async function bootRuntime(role: string): Promise<Runtime> {
  const env = parseEnv();
  const logger = createLogger({ level: env.LOG_LEVEL, base: { role } });
  const closers: { name: string; close: () => Promise<void> }[] = [];
  const onClose = (name: string, close: () => Promise<void>) => closers.push({ name, close });
  const close = async () => {
    for (const closer of closers.splice(0).reverse()) {
      try {
        await closer.close();
        logger.debug({ part: closer.name }, 'closed');
      } catch (error) {
        logger.error({ err: error, part: closer.name }, 'failed to close cleanly');
      }
    }
  };

  try {
    const manifest = loadManifest(MANIFEST_FILE);

    const key = env.ENCRYPTION_KEY ?? (await loadOrCreateLocalKey(env.dataDir, logger)).key;
    const sealer = createSealer(key, env.ENCRYPTION_KEY_PREVIOUS ?? []);

    const redis = await resolveRedis({
      url: env.redisUrl,
      isDefault: env.redisUrlIsDefault,
      dataDir: env.dataDir,
      logger,
    });
    if (redis.private) onClose('private redis', redis.private.stop);

    const database = await openDatabase({ databaseUrl: env.DATABASE_URL, dataDir: env.dataDir, logger });
    onClose('database', () => database.close());
    await database.migrate();
    logger.info({ driver: database.driver, location: database.location }, 'database ready, migrations applied');

    const producer = createProducerConnection(redis.url, logger);
    onClose('redis producer', async () => {
      await producer.quit().catch(() => producer.disconnect());
    });
    await whenReady(producer);
    logger.info({ redis: redactUrl(redis.url) }, 'redis ready');

    return { env, logger, manifest, sealer, database, redis, producer, onClose, close };
  } catch (error) {
    await close();
    throw error;
  }
}

/** One line for a person when start-up fails for a known reason; undefined for a real bug. */
export function startupProblem(error: unknown): string | undefined {
  if (error instanceof EnvError) return describeEnvError(error);
  if (error instanceof ManifestError) return `Bellwether cannot start: ${error.message}.`;
  if (error instanceof ServiceUnavailableError || error instanceof StartupError) {
    return `Bellwether cannot start: ${error.message}`;
  }
  return undefined;
}

const SHUTDOWN_DEADLINE_MS = 9_000;
const REPEAT_SIGNAL_WINDOW_MS = 1_000;

/**
 * Runs a process entry: known start-up problems print one line and exit 1; SIGINT/SIGTERM run
 * the shutdown and exit 0, or exit 1 if it overruns the deadline; a second signal forces exit.
 * A signal that arrives while starting is honoured as soon as start-up finishes.
 */
export function runProcess(start: () => Promise<{ shutdown: () => Promise<void>; logger: Logger }>): void {
  let started: { shutdown: () => Promise<void>; logger: Logger } | undefined;
  let pending: NodeJS.Signals | undefined;
  let stoppingSince: number | undefined;

  const stop = (signal: NodeJS.Signals) => {
    if (!started) {
      pending = signal;
      return;
    }
    const { shutdown, logger } = started;
    if (stoppingSince !== undefined) {
      // `npm start` forwards the terminal's Ctrl-C, so one press arrives twice: only a later press forces.
      if (Date.now() - stoppingSince < REPEAT_SIGNAL_WINDOW_MS) return;
      logger.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    stoppingSince = Date.now();
    logger.info({ signal }, 'shutting down');
    const deadline = setTimeout(() => {
      logger.error(`shutdown took longer than ${SHUTDOWN_DEADLINE_MS / 1000} s; exiting`);
      process.exit(1);
    }, SHUTDOWN_DEADLINE_MS);
    deadline.unref();
    shutdown().then(
      () => {
        logger.info('stopped');
        process.exit(0);
      },
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);

  start().then(
    (value) => {
      started = value;
      if (pending) stop(pending);
    },
    (error: unknown) => {
      const problem = startupProblem(error);
      const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
      process.stderr.write(`${problem ?? `Bellwether failed to start: ${detail}`}\n`);
      process.exit(1);
    },
  );
}
