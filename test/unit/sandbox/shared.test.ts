import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../sandbox/shared/clock.ts';
import { FaultRegistry } from '../../../sandbox/shared/faults.ts';
import { Random } from '../../../sandbox/shared/random.ts';
import { DailyAllowance, RollingWindowLimiter } from '../../../sandbox/shared/rolling-window.ts';

describe('Random', () => {
  it('repeats its sequence for a seed and differs between seeds', () => {
    const draw = (seed: number | string) =>
      Array.from(
        { length: 5 },
        (() => {
          const random = new Random(seed);
          return () => random.float();
        })(),
      );
    expect(draw(42)).toEqual(draw(42));
    expect(draw('acc-1')).toEqual(draw('acc-1'));
    expect(draw(42)).not.toEqual(draw(43));
  });

  it('keeps int within bounds and hits both ends', () => {
    const random = new Random(1);
    const seen = new Set(Array.from({ length: 2_000 }, () => random.int(3, 7)));
    expect([...seen].sort()).toEqual([3, 4, 5, 6, 7]);
  });

  it('draws normals with the asked mean and spread', () => {
    const random = new Random(7);
    const values = Array.from({ length: 20_000 }, () => random.normal(10, 2));
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    const sd = Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length);
    expect(mean).toBeCloseTo(10, 1);
    expect(sd).toBeCloseTo(2, 1);
  });

  it('forks independent streams deterministically', () => {
    expect(new Random(5).fork('a').float()).toBe(new Random(5).fork('a').float());
    expect(new Random(5).fork('a').float()).not.toBe(new Random(5).fork('b').float());
  });
});

describe('RollingWindowLimiter', () => {
  it('admits `limit` requests in a window, refuses the next, and reopens as old ones leave', () => {
    const clock = new ManualClock(0);
    const limiter = new RollingWindowLimiter(3, 10_000, clock);
    expect([1, 2, 3].map(() => limiter.take('p').allowed)).toEqual([true, true, true]);
    clock.advance(4_000);
    const refused = limiter.take('p');
    expect(refused).toEqual({ allowed: false, remaining: 0, retryAfterMs: 6_000 });
    expect(limiter.take('other').allowed).toBe(true);
    clock.advance(6_000);
    // All three left the window together, exactly 10 s after they were admitted.
    expect(limiter.take('p')).toEqual({ allowed: true, remaining: 2, retryAfterMs: 0 });
  });

  it('does not count refused requests', () => {
    const clock = new ManualClock(0);
    const limiter = new RollingWindowLimiter(1, 1_000, clock);
    limiter.take('p');
    for (let i = 0; i < 5; i++) limiter.take('p');
    expect(limiter.count('p')).toBe(1);
  });
});

describe('DailyAllowance', () => {
  it('refuses past the allowance and resets at midnight UTC', () => {
    const clock = new ManualClock(Date.parse('2026-03-01T23:59:00Z'));
    const allowance = new DailyAllowance(2, clock);
    expect(allowance.take('org').allowed).toBe(true);
    expect(allowance.take('org')).toEqual({ allowed: true, used: 2, remaining: 0 });
    expect(allowance.take('org').allowed).toBe(false);
    clock.advance(60_000);
    expect(allowance.usage('org')).toEqual({ used: 0, remaining: 2 });
  });
});

describe('FaultRegistry', () => {
  it('matches by tenant and route, with prefixes and wildcards', () => {
    const faults = new FaultRegistry();
    faults.add({ tenant: '101', route: 'crm.objects.*', fault: { kind: 'rate_limit' } });
    faults.add({ route: 'oauth.token', fault: { kind: 'server_error', status: 502 } });
    expect(faults.fire('101', 'crm.objects.list').map((f) => f.kind)).toEqual(['rate_limit']);
    expect(faults.fire('202', 'crm.objects.list')).toEqual([]);
    expect(faults.fire('202', 'oauth.token')).toEqual([{ kind: 'server_error', status: 502, rate: 1 }]);
  });

  it('retires a rule after its budget of requests', () => {
    const faults = new FaultRegistry();
    faults.add({ fault: { kind: 'token_expiry' }, times: 2 });
    expect([1, 2, 3].map(() => faults.fire('t', 'r').length)).toEqual([1, 1, 0]);
    expect(faults.list()).toHaveLength(0);
  });

  it('fires a share of requests close to its rate, reproducibly for a seed', () => {
    const run = () => {
      const faults = new FaultRegistry('seed');
      faults.add({ fault: { kind: 'server_error', rate: 0.3 } });
      return Array.from({ length: 2_000 }, () => faults.fire('t', 'r').length);
    };
    const fired = run();
    expect(fired).toEqual(run());
    const share = fired.reduce((a, b) => a + b, 0) / fired.length;
    expect(share).toBeGreaterThan(0.25);
    expect(share).toBeLessThan(0.35);
  });

  it('rejects a malformed rule with what is wrong', () => {
    const faults = new FaultRegistry();
    expect(() => faults.add({ fault: { kind: 'latency', ms: -1 } })).toThrow(/ms/);
    expect(() => faults.add({ fault: { kind: 'meteor' } as never })).toThrow();
  });
});
