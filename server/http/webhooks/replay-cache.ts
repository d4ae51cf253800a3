import { createHash } from 'node:crypto';
import type { Redis } from '../../platform/redis.ts';

/**
 * Remembers the signatures of deliveries already accepted, in Redis so every server process shares
 * it. A captured request replayed inside the signature's 5-minute window is refused; after the window
 * the timestamp check refuses it. Signatures without a timestamp (v1/v2) have no window, so they are
 * remembered for as long as HubSpot keeps retrying.
 */

export const REPLAY_WINDOW_MS = 5 * 60_000;
export const UNTIMED_REPLAY_WINDOW_MS = 24 * 3600_000;

export interface ReplayCache {
  /** True the first time a signature is seen within its window; false for a replay. */
  claim(signature: string, ttlMs: number): Promise<boolean>;
  /** Forgets a claim, so HubSpot's retry of a delivery we failed to process is accepted. */
  release(signature: string): Promise<void>;
}

export function createReplayCache(redis: Redis, namespace = 'bw:hubspot-webhook-seen'): ReplayCache {
  // Hashed: keys stay short whatever a header holds, and the raw signature never sits in Redis.
  const key = (signature: string) => `${namespace}:${createHash('sha256').update(signature).digest('base64url')}`;
  return {
    async claim(signature, ttlMs) {
      return (await redis.set(key(signature), '1', 'PX', Math.max(1, Math.ceil(ttlMs)), 'NX')) === 'OK';
    },
    async release(signature) {
      await redis.del(key(signature));
    },
  };
}
