import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { DEFAULT_REDIS_URL } from '../../server/platform/env.ts';

/** Integration tests use the machine's Redis (CI starts it); each test gets its own queue prefix. */
export const TEST_REDIS_URL = process.env.REDIS_URL ?? DEFAULT_REDIS_URL;

export function uniquePrefix(): string {
  return `{bwtest-${randomBytes(5).toString('hex')}}`;
}

/** Deletes every key under a prefix (BullMQ keys are `<prefix>:<queue>:…`). */
export async function dropPrefix(prefix: string): Promise<void> {
  const client = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: 1 });
  try {
    let cursor = '0';
    do {
      const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
      cursor = next;
      if (keys.length > 0) await client.del(...keys);
    } while (cursor !== '0');
  } finally {
    client.disconnect();
  }
}
