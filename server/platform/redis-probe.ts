import { Redis, type RedisOptions } from 'ioredis';

/** Resolves with the error message when Redis at `url` does not answer PING, undefined when it does. */
export async function probeRedis(url: string, timeoutMs = 2_000): Promise<string | undefined> {
  const options: RedisOptions = {
    lazyConnect: true,
    connectTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  };
  const client = new Redis(url, options);
  let lastError: Error | undefined;
  client.on('error', (error: Error) => {
    lastError = error;
  });
  try {
    await client.connect();
    await client.ping();
    return undefined;
  } catch (error) {
    const err = (lastError ?? error) as NodeJS.ErrnoException;
    return err.code ?? err.message;
  } finally {
    client.disconnect();
  }
}
