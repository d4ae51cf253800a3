import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';

/**
 * Per-installation rate limits kept in Redis, so that every worker process on every machine shares
 * them (DESIGN.md §4). A rolling-window log: at most `limit` admissions in any `windowMs`, counted
 * atomically in a Lua script on Redis's own clock, so processes with drifting clocks agree.
 */

export interface RateLimitRule {
  /** Names the bucket, e.g. "hubspot:main" or "hubspot:search". */
  name: string;
  limit: number;
  windowMs: number;
}

export interface Admission {
  allowed: boolean;
  /** Admissions left in the window after this one. */
  remaining: number;
  /** When refused: how long until a slot frees up. */
  retryAfterMs: number;
}

// KEYS[1] bucket; ARGV: limit, windowMs, unique member. Window is (now - windowMs, now].
const SCRIPT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local limit = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
local count = redis.call('ZCARD', KEYS[1])
if count < limit then
  redis.call('ZADD', KEYS[1], now, ARGV[3])
  redis.call('PEXPIRE', KEYS[1], window)
  return {1, limit - count - 1, 0}
end
local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
return {0, 0, tonumber(oldest[2]) + window - now}
`;

export interface RateLimiter {
  /** Takes one slot of `rule` for `scope` (an installation id) if the window has room. */
  acquire(scope: string, rule: RateLimitRule): Promise<Admission>;
  /** Forgets a scope's buckets (uninstall). */
  reset(scope: string, rules: readonly RateLimitRule[]): Promise<void>;
}

export function createRateLimiter(redis: Redis, prefix = 'bw:rl'): RateLimiter {
  // The braces are a Redis Cluster hash tag: one installation's buckets live in one slot.
  const keyOf = (scope: string, rule: RateLimitRule) => `${prefix}:{${scope}}:${rule.name}`;
  return {
    async acquire(scope, rule) {
      if (!Number.isInteger(rule.limit) || rule.limit < 1 || !Number.isInteger(rule.windowMs) || rule.windowMs < 1) {
        throw new RangeError(`rate-limit rule ${rule.name} needs a whole limit and window of at least 1`);
      }
      const [allowed, remaining, retryAfterMs] = (await redis.eval(
        SCRIPT,
        1,
        keyOf(scope, rule),
        rule.limit,
        rule.windowMs,
        randomUUID(),
      )) as [number, number, number];
      return { allowed: allowed === 1, remaining, retryAfterMs: Math.max(0, retryAfterMs) };
    },
    async reset(scope, rules) {
      if (rules.length > 0) await redis.del(...rules.map((rule) => keyOf(scope, rule)));
    },
  };
}
