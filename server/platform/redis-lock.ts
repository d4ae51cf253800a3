import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Redis } from 'ioredis';

/**
 * A lock shared by every process through Redis: SET NX with a TTL, released only by its holder
 * (compare-and-delete), so a holder that dies frees it when the TTL runs out.
 */

const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end`;

export class LockTimeoutError extends Error {
  constructor(key: string, waitedMs: number) {
    super(`could not take the lock ${key} within ${waitedMs} ms`);
    this.name = 'LockTimeoutError';
  }
}

export async function withLock<T>(
  redis: Redis,
  key: string,
  run: () => Promise<T>,
  options: { ttlMs?: number; waitMs?: number; pollMs?: number } = {},
): Promise<T> {
  const ttlMs = options.ttlMs ?? 15_000;
  const waitMs = options.waitMs ?? 20_000;
  const pollMs = options.pollMs ?? 50;
  const token = randomUUID();
  const deadline = Date.now() + waitMs;
  while ((await redis.set(key, token, 'PX', ttlMs, 'NX')) !== 'OK') {
    if (Date.now() >= deadline) throw new LockTimeoutError(key, waitMs);
    await sleep(pollMs);
  }
  try {
    return await run();
  } finally {
    await redis.eval(RELEASE, 1, key, token);
  }
}
