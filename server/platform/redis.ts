import { Redis } from 'ioredis';
import { ServiceUnavailableError } from './errors.ts';
import type { Logger } from './logger.ts';
import { startPrivateRedis, type PrivateRedis } from './private-redis.ts';
import { probeRedis } from './redis-probe.ts';

export { Redis } from 'ioredis';

/** A URL safe to print: the password is replaced. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString().replace(/\/$/, '');
  } catch {
    return '(unparsable URL)';
  }
}

/**
 * Producer side (HTTP handlers, schedulers): fail fast instead of queueing commands while Redis is
 * away, so a request answers an error rather than hanging.
 */
export function createProducerConnection(url: string, logger: Logger): Redis {
  const client = new Redis(url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 5_000,
    retryStrategy: (attempt) => Math.min(attempt * 500, 5_000),
  });
  client.on('error', (error) => logger.warn({ err: error }, 'Redis producer connection error'));
  return client;
}

/** Resolves once the connection can take commands; rejects after `timeoutMs`. */
export async function whenReady(client: Redis, timeoutMs = 5_000): Promise<void> {
  if (client.status === 'ready') return;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      client.off('ready', onReady);
      reject(new ServiceUnavailableError('redis', `Redis did not accept a connection within ${timeoutMs} ms`));
    }, timeoutMs);
    const onReady = () => {
      clearTimeout(timer);
      resolve();
    };
    client.once('ready', onReady);
  });
}

/** Worker side: BullMQ requires maxRetriesPerRequest null so blocking commands wait out a blip. */
export function createWorkerConnection(url: string, logger: Logger): Redis {
  const client = new Redis(url, {
    maxRetriesPerRequest: null,
    connectTimeout: 5_000,
    retryStrategy: (attempt) => Math.min(attempt * 500, 20_000),
  });
  client.on('error', (error) => logger.warn({ err: error }, 'Redis worker connection error'));
  return client;
}

export interface RedisTarget {
  url: string;
  /** Present when Bellwether started its own Redis; stop it on shutdown. */
  private?: PrivateRedis;
}

/**
 * Finds the Redis to use. An explicit REDIS_URL must answer. Without one, the default address is
 * tried, and if nothing answers there a private redis-server is started in the data folder.
 */
export async function resolveRedis(options: {
  url: string;
  isDefault: boolean;
  dataDir: string;
  logger: Logger;
}): Promise<RedisTarget> {
  const failure = await probeRedis(options.url);
  if (failure === undefined) return { url: options.url };
  const shown = redactUrl(options.url);
  if (!options.isDefault) {
    throw new ServiceUnavailableError(
      'redis',
      `Redis is not reachable at ${shown} (REDIS_URL): ${failure}. Start Redis (redis-server --daemonize yes --port 6379) or point REDIS_URL at a running one.`,
    );
  }
  const started = await startPrivateRedis(options.dataDir, options.logger);
  if (!started) {
    throw new ServiceUnavailableError(
      'redis',
      `Redis is not reachable at ${shown} (${failure}) and no redis-server is installed to start a private one. Install and start Redis (redis-server --daemonize yes --port 6379) or set REDIS_URL to a running Redis.`,
    );
  }
  options.logger.info(
    { url: started.url, pid: started.pid },
    `nothing answered at ${shown}; started a private Redis for this process (set REDIS_URL to use your own)`,
  );
  return { url: started.url, private: started };
}
