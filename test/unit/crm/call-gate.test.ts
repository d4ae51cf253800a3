import type { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import {
  createCallGate,
  HUBSPOT_CALL_LIMITS,
  hubspotRules,
  type CallGateOptions,
} from '../../../server/crm/call-gate.ts';
import { CrmError } from '../../../server/crm/errors.ts';
import type { Admission, RateLimiter, RateLimitRule } from '../../../server/platform/rate-limit.ts';

/** The Redis limiter's algorithm on a virtual clock, so waits cost no real time. */
class VirtualLimiter implements RateLimiter {
  now = 0;
  readonly logs = new Map<string, number[]>();
  readonly admitted: { rule: string; at: number }[] = [];

  acquire(scope: string, rule: RateLimitRule): Promise<Admission> {
    const key = `${scope}:${rule.name}`;
    const log = (this.logs.get(key) ?? []).filter((at) => at > this.now - rule.windowMs);
    this.logs.set(key, log);
    if (log.length < rule.limit) {
      log.push(this.now);
      this.admitted.push({ rule: rule.name, at: this.now });
      return Promise.resolve({ allowed: true, remaining: rule.limit - log.length, retryAfterMs: 0 });
    }
    return Promise.resolve({
      allowed: false,
      remaining: 0,
      retryAfterMs: (log[0] as number) + rule.windowMs - this.now,
    });
  }

  reset(): Promise<void> {
    this.logs.clear();
    return Promise.resolve();
  }

  longestSleep = 0;
  sleep = (ms: number): Promise<void> => {
    this.now += ms;
    this.longestSleep = Math.max(this.longestSleep, ms);
    return Promise.resolve();
  };

  /** The most admissions of one rule inside any window of `windowMs` (the CRM's view). */
  busiestWindow(rule: string, windowMs: number): number {
    const times = this.admitted.filter((entry) => entry.rule === rule).map((entry) => entry.at);
    let best = 0;
    let start = 0;
    for (let end = 0; end < times.length; end++) {
      while ((times[start] as number) <= (times[end] as number) - windowMs) start++;
      best = Math.max(best, end - start + 1);
    }
    return best;
  }
}

function hubspotGate(limiter: VirtualLimiter, overrides: Partial<CallGateOptions> = {}) {
  return createCallGate({
    limiter,
    provider: 'hubspot',
    installationId: 'inst-1',
    redis: {} as Redis,
    sleep: limiter.sleep,
    ...overrides,
  });
}

describe('HubSpot call gate', () => {
  it('keeps a long sequential sync under 110 per rolling 10 s and close to that rate', async () => {
    const limiter = new VirtualLimiter();
    const gate = hubspotGate(limiter);
    let delays = 0;
    for (let i = 0; i < 1_100; i++) {
      // As the sync job does: a limit puts the run back until the wait is over, then it goes on.
      for (;;) {
        try {
          await gate('standard');
          break;
        } catch (error) {
          expect(error).toMatchObject({ code: 'RATE_LIMITED' });
          limiter.now += (error as CrmError).retryAfterMs ?? 0;
          delays++;
        }
      }
      limiter.now += 40; // each page takes 40 ms to read and store
    }
    expect(limiter.busiestWindow('hubspot:main', 10_000)).toBeLessThanOrEqual(110);
    // The first 110 as fast as pages go (4.4 s), then 110 per window: within 2% of what HubSpot allows.
    const allowed = 110 * 40 + 9 * 10_000;
    expect(limiter.now).toBeGreaterThan(allowed);
    expect(limiter.now).toBeLessThan(allowed * 1.02);
    // Delayed about once a window (the run reads faster than the limit), never held in a long sleep.
    expect(delays).toBeGreaterThanOrEqual(8);
    expect(delays).toBeLessThanOrEqual(20);
    expect(limiter.longestSleep).toBeLessThanOrEqual(1_000);
  });

  it('makes up for a slow page with the window slack instead of losing its slots', async () => {
    const limiter = new VirtualLimiter();
    const gate = hubspotGate(limiter, { maxInlineWaitMs: 20_000 });
    let firstWindowDone = 0;
    for (let i = 0; i < 550; i++) {
      await gate('standard');
      if (i === 110) firstWindowDone = limiter.now;
      // Mostly 40 ms a page, but every 20th page stalls for 600 ms (a checkpoint, a pause).
      limiter.now += i % 20 === 19 ? 600 : 40;
    }
    // The pages of a window take 7.7 s, stalls included, under the window's 10.15 s: after the
    // first window every further 110 calls take one window, the stalls cost nothing.
    expect(limiter.now - firstWindowDone).toBeLessThan(4 * 10_150 * 1.01);
  });

  it('paces searches at 5 per rolling second on their own bucket', async () => {
    const limiter = new VirtualLimiter();
    const gate = hubspotGate(limiter);
    for (let i = 0; i < 50; i++) await gate('search');
    expect(limiter.admitted.every((entry) => entry.rule.startsWith('hubspot:search'))).toBe(true);
    expect(limiter.busiestWindow('hubspot:search', 1_000)).toBeLessThanOrEqual(5);
    // 50 searches at 5 per (1 s + margin): about 10 s, and never a wait a worker could not sleep.
    expect(limiter.now).toBeGreaterThan(9_000);
    expect(limiter.now).toBeLessThan(12_000);
    expect(limiter.longestSleep).toBeLessThan(1_000);
    // Searching spent nothing of the main window.
    const before = limiter.admitted.length;
    const searchedUntil = limiter.now;
    await gate('standard');
    expect(limiter.now).toBe(searchedUntil);
    expect(limiter.admitted.length).toBe(before + 1);
  });

  it('throws RATE_LIMITED with the wait when the slot is further off than the inline wait', async () => {
    const limiter = new VirtualLimiter();
    // Other workers spent the whole window a moment ago.
    const main = hubspotRules().standard.at(-1) as RateLimitRule;
    for (let i = 0; i < 110; i++) await limiter.acquire('inst-1', main);
    limiter.now += 200;
    const gate = hubspotGate(limiter);
    const error = await gate('standard').then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(CrmError);
    expect(error).toMatchObject({ code: 'RATE_LIMITED' });
    const wait = (error as CrmError).retryAfterMs ?? 0;
    expect(wait).toBeGreaterThan(9_000);
    expect(wait).toBeLessThanOrEqual(10_100);
    expect(limiter.now).toBe(200); // it did not sleep
    // Another installation is not held back.
    const other = hubspotGate(limiter, { installationId: 'inst-2' });
    await other('standard');
    expect(limiter.now).toBe(200);
  });

  it('sleeps a wait up to maxInlineWaitMs instead of throwing', async () => {
    const limiter = new VirtualLimiter();
    const main = hubspotRules().standard.at(-1) as RateLimitRule;
    for (let i = 0; i < 110; i++) await limiter.acquire('inst-1', main);
    const gate = hubspotGate(limiter, { maxInlineWaitMs: 15_000 });
    await gate('standard');
    expect(limiter.now).toBeGreaterThanOrEqual(main.windowMs);
  });

  it('takes scaled-down limits for tests and spreads searches the same way', () => {
    const rules = hubspotRules({ standard: { limit: 110, windowMs: 1_000 }, search: { limit: 5, windowMs: 100 } }, 0);
    expect(rules.standard).toEqual([{ name: 'hubspot:main', limit: 110, windowMs: 1_000 }]);
    expect(rules.search).toEqual([
      { name: 'hubspot:search:spread', limit: 1, windowMs: 20 },
      { name: 'hubspot:search', limit: 5, windowMs: 100 },
    ]);
    expect(HUBSPOT_CALL_LIMITS.standard).toEqual({ limit: 110, windowMs: 10_000 });
  });
});

/** Just the three Redis commands the Salesforce gate uses, on a virtual clock. */
class FakeRedis {
  now = 1_000;
  readonly values = new Map<string, { value: string; expiresAt: number }>();
  set(key: string, value: string, _px: 'PX', ttlMs: number) {
    this.values.set(key, { value, expiresAt: this.now + ttlMs });
    return Promise.resolve('OK');
  }
  get(key: string) {
    const entry = this.values.get(key);
    return Promise.resolve(entry && entry.expiresAt > this.now ? entry.value : null);
  }
  pttl(key: string) {
    const entry = this.values.get(key);
    return Promise.resolve(entry && entry.expiresAt > this.now ? entry.expiresAt - this.now : -2);
  }
}

function salesforceGate(redis: FakeRedis, usage: () => { used: number; limit: number } | undefined, share = 0.5) {
  return createCallGate({
    limiter: new VirtualLimiter(),
    provider: 'salesforce',
    installationId: 'org-1',
    redis: redis as unknown as Redis,
    salesforceShare: share,
    lastApiUsage: usage,
  });
}

describe('Salesforce call gate', () => {
  it('lets calls through until the org has used its share of the daily allowance', async () => {
    const redis = new FakeRedis();
    let usage: { used: number; limit: number } | undefined;
    const gate = salesforceGate(redis, () => usage);
    await gate('standard'); // no reading yet
    usage = { used: 7_499, limit: 15_000 };
    await gate('standard');
    usage = { used: 7_500, limit: 15_000 };
    const error = await gate('standard').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(CrmError);
    expect(error).toMatchObject({ code: 'QUOTA_EXHAUSTED' });
    expect((error as Error).message).toContain('7500 of its 15000');
    // Paused until the reading expires (an hour), then one call may go and bring a fresh reading.
    expect((error as CrmError).retryAfterMs).toBe(3_600_000);
    redis.now += 3_600_000;
    await gate('standard');
  });

  it('honours a reading another worker recorded, and a different share', async () => {
    const redis = new FakeRedis();
    const writer = salesforceGate(redis, () => ({ used: 9_000, limit: 10_000 }), 0.95);
    await writer('standard'); // 90% < 95%
    const reader = salesforceGate(redis, () => undefined, 0.8);
    await expect(reader('standard')).rejects.toMatchObject({ code: 'QUOTA_EXHAUSTED' });
  });

  it('refuses a share outside (0, 1]', () => {
    expect(() => salesforceGate(new FakeRedis(), () => undefined, 0)).toThrow(RangeError);
    expect(() => salesforceGate(new FakeRedis(), () => undefined, 1.5)).toThrow(RangeError);
  });
});
