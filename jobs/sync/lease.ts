import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';

/**
 * One sync (or purge) of an installation at a time across every worker: a Redis lease taken without
 * waiting and kept alive while the holder works. A holder that dies frees it when the TTL runs out,
 * so a restarted worker resumes within seconds.
 */

export const syncLeaseKey = (installationId: string) => `bw:lock:{${installationId}}:sync`;
export const DEFAULT_LEASE_MS = 15_000;

const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end`;
const RENEW = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) else return 0 end`;

export interface Lease {
  release(): Promise<void>;
}

/** Takes the lease, or answers undefined at once when someone else holds it. */
export async function tryLease(redis: Redis, key: string, ttlMs = DEFAULT_LEASE_MS): Promise<Lease | undefined> {
  const token = randomUUID();
  if ((await redis.set(key, token, 'PX', ttlMs, 'NX')) !== 'OK') return undefined;
  const timer = setInterval(
    () => {
      redis.eval(RENEW, 1, key, token, ttlMs).catch(() => undefined);
    },
    Math.max(100, Math.floor(ttlMs / 3)),
  );
  timer.unref();
  return {
    async release() {
      clearInterval(timer);
      await redis.eval(RELEASE, 1, key, token);
    },
  };
}
