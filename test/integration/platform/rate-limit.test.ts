import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { createRateLimiter } from '../../../server/platform/rate-limit.ts';
import { TEST_REDIS_URL } from '../../support/redis.ts';

const connections: Redis[] = [];
const connect = () => {
  const redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: 1 });
  connections.push(redis);
  return redis;
};
afterAll(() => {
  for (const redis of connections) redis.disconnect();
});

const prefix = `bwtest:rl:${randomUUID()}`;

describe('Redis rate limiter', () => {
  it('admits up to the limit in a window, then says how long to wait, then reopens', async () => {
    const limiter = createRateLimiter(connect(), prefix);
    const rule = { name: 'main', limit: 3, windowMs: 400 };
    const answers = [];
    for (let i = 0; i < 4; i++) answers.push(await limiter.acquire('inst-1', rule));
    expect(answers.map((a) => a.allowed)).toEqual([true, true, true, false]);
    expect(answers.map((a) => a.remaining)).toEqual([2, 1, 0, 0]);
    const refused = answers[3]!;
    expect(refused.retryAfterMs).toBeGreaterThan(0);
    expect(refused.retryAfterMs).toBeLessThanOrEqual(400);
    await sleep(refused.retryAfterMs + 20);
    expect((await limiter.acquire('inst-1', rule)).allowed).toBe(true);
  });

  it('keeps installations and rules apart', async () => {
    const limiter = createRateLimiter(connect(), prefix);
    const search = { name: 'search', limit: 1, windowMs: 1_000 };
    expect((await limiter.acquire('inst-2', search)).allowed).toBe(true);
    expect((await limiter.acquire('inst-2', search)).allowed).toBe(false);
    expect((await limiter.acquire('inst-3', search)).allowed).toBe(true);
    expect((await limiter.acquire('inst-2', { name: 'main', limit: 1, windowMs: 1_000 })).allowed).toBe(true);
    await limiter.reset('inst-2', [search]);
    expect((await limiter.acquire('inst-2', search)).allowed).toBe(true);
  });

  it('never admits more than the limit across many processes racing for one window', async () => {
    // Four limiters on four connections stand in for four worker processes.
    const limiters = [0, 1, 2, 3].map(() => createRateLimiter(connect(), prefix));
    const rule = { name: 'main', limit: 110, windowMs: 10_000 };
    const answers = await Promise.all(
      Array.from({ length: 400 }, (_, i) => limiters[i % 4]!.acquire('inst-race', rule)),
    );
    expect(answers.filter((a) => a.allowed)).toHaveLength(110);
    expect(answers.filter((a) => !a.allowed).every((a) => a.retryAfterMs > 0 && a.retryAfterMs <= 10_000)).toBe(true);
  });

  it('rejects a rule that could never admit anything', async () => {
    const limiter = createRateLimiter(connect(), prefix);
    await expect(limiter.acquire('x', { name: 'bad', limit: 0, windowMs: 1_000 })).rejects.toThrow(RangeError);
  });
});
