import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PortalRateLimiter, type RequestKind } from '../../../sandbox/hubspot/rate-limits.ts';
import { ManualClock } from '../../../sandbox/shared/clock.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const request = fc.record({
  // Mostly bursts, sometimes pauses long enough for windows to roll.
  gapMs: fc.oneof(
    { weight: 60, arbitrary: fc.integer({ min: 0, max: 10 }) },
    { weight: 1, arbitrary: fc.integer({ min: 0, max: 3_000 }) },
  ),
  portal: fc.constantFrom('1000001', '1000002'),
  kind: fc.constantFrom<RequestKind>('standard', 'standard', 'standard', 'search'),
});

function inWindow(times: readonly number[], now: number, windowMs: number): number {
  return times.filter((time) => time > now - windowMs && time <= now).length;
}

describe('HubSpot per-portal rate limits', () => {
  it('never lets more than 110 requests through in any rolling 10 s, nor 5 searches in any second, and refuses only when full', () => {
    const refused = { standard: 0, search: 0 };
    fc.assert(
      fc.property(fc.array(request, { minLength: 1, maxLength: 700, size: 'max' }), (schedule) => {
        const clock = new ManualClock();
        const limiter = new PortalRateLimiter({ perTenSeconds: 110, searchPerSecond: 5, daily: 1_000_000 }, clock);
        const admitted = new Map<string, number[]>();
        for (const { gapMs, portal, kind } of schedule) {
          clock.advance(gapMs);
          const now = clock.now();
          const key = `${portal}:${kind}`;
          const times = admitted.get(key) ?? [];
          admitted.set(key, times);
          const windowMs = kind === 'search' ? 1_000 : 10_000;
          const limit = kind === 'search' ? 5 : 110;
          const answer = limiter.admit(portal, kind);
          if (answer.allowed) {
            times.push(now);
            expect(inWindow(times, now, windowMs)).toBeLessThanOrEqual(limit);
          } else {
            refused[kind]++;
            // A refusal is earned: the window really is full.
            expect(inWindow(times, now, windowMs)).toBe(limit);
            expect(answer.body).toMatchObject({
              status: 'error',
              errorType: 'RATE_LIMIT',
              policyName: kind === 'search' ? 'SECONDLY' : 'TEN_SECONDLY_ROLLING',
              message:
                kind === 'search'
                  ? 'You have reached your secondly limit.'
                  : 'You have reached your ten_secondly_rolling limit.',
            });
            expect(answer.body.correlationId).toMatch(UUID);
          }
          if (kind === 'search') expect(answer.headers).toEqual({});
          else {
            expect(answer.headers['X-HubSpot-RateLimit-Max']).toBe('110');
            expect(Number(answer.headers['X-HubSpot-RateLimit-Remaining'])).toBe(110 - inWindow(times, now, 10_000));
          }
        }
        // Every admitted request of every portal, checked over all windows, not just at admission.
        for (const [key, times] of admitted) {
          const [windowMs, limit] = key.endsWith(':search') ? [1_000, 5] : [10_000, 110];
          for (const time of times) expect(inWindow(times, time, windowMs)).toBeLessThanOrEqual(limit);
        }
      }),
      { numRuns: 100 },
    );
    // The schedules did reach both limits, so the checks above were exercised.
    expect(refused.standard).toBeGreaterThan(0);
    expect(refused.search).toBeGreaterThan(0);
  });

  it('caps each portal per UTC day with the DAILY 429, counting searches and ordinary calls alike', () => {
    let dailyRefusals = 0;
    fc.assert(
      fc.property(
        fc.array(request, { minLength: 1, maxLength: 300, size: 'max' }),
        fc.integer({ min: 1, max: 40 }),
        (schedule, daily) => {
          const clock = new ManualClock(Date.parse('2026-01-01T23:59:00Z'));
          const limiter = new PortalRateLimiter({ perTenSeconds: 110, searchPerSecond: 5, daily }, clock);
          const perDay = new Map<string, number>();
          for (const { gapMs, portal, kind } of schedule) {
            clock.advance(gapMs * 10);
            const key = `${portal}:${Math.floor(clock.now() / 86_400_000)}`;
            const answer = limiter.admit(portal, kind);
            if (answer.allowed) perDay.set(key, (perDay.get(key) ?? 0) + 1);
            else if (answer.body.policyName === 'DAILY') {
              dailyRefusals++;
              expect(perDay.get(key)).toBe(daily);
              expect(answer.body.message).toBe('You have reached your daily limit.');
            }
            expect(perDay.get(key) ?? 0).toBeLessThanOrEqual(daily);
          }
        },
      ),
      { numRuns: 100 },
    );
    expect(dailyRefusals).toBeGreaterThan(0);
  });
});
