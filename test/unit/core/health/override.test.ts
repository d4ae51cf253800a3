import { describe, expect, it } from 'vitest';
import { effectiveHealth, overrideSchema, type Override } from '../../../../server/core/health/override.ts';

const COMPUTED = { score: 72.5, band: 'green' as const };
const override = (extra: Partial<Override> = {}): Override => ({
  score: 35,
  reason: 'Service hold for non-payment',
  author: 'csm-17',
  setAt: '2026-06-01T00:00:00Z',
  expiresAt: '2026-07-01T00:00:00Z',
  ...extra,
});
const at = (iso: string) => Date.parse(iso);

describe('effectiveHealth', () => {
  it.each([
    ['before it was set', '2026-05-31T23:59:59Z', 'computed'],
    ['while it is active', '2026-06-15T00:00:00Z', 'override'],
    ['at the moment it expires', '2026-07-01T00:00:00Z', 'computed'],
    ['after it expired', '2026-08-01T00:00:00Z', 'computed'],
  ] as const)('%s shows the %s health', (_when, now, source) => {
    const health = effectiveHealth(COMPUTED, override(), at(now));
    expect(health.effective.source).toBe(source);
    expect(health.effective.score).toBe(source === 'override' ? 35 : 72.5);
    expect(health.effective.band).toBe(source === 'override' ? 'red' : 'green');
    // The computed score and the override are both always shown, side by side.
    expect(health.computed).toEqual(COMPUTED);
    expect(health.override).toMatchObject({
      reason: 'Service hold for non-payment',
      author: 'csm-17',
      active: source === 'override',
    });
  });

  it('takes a band-only override as the band, with no score of its own', () => {
    const { score: _score, ...rest } = override();
    const health = effectiveHealth(COMPUTED, { ...rest, band: 'yellow' }, at('2026-06-10T00:00:00Z'));
    expect(health.effective).toEqual({ score: null, band: 'yellow', source: 'override' });
  });

  it('bands an override score with the model’s bands', () => {
    const health = effectiveHealth(COMPUTED, override({ score: 55 }), at('2026-06-10T00:00:00Z'), {
      yellowFrom: 60,
      greenFrom: 80,
    });
    expect(health.effective.band).toBe('red');
  });

  it('leaves the computed health alone when there is no override', () => {
    expect(effectiveHealth(COMPUTED, null, 0)).toEqual({
      computed: COMPUTED,
      override: null,
      effective: { ...COMPUTED, source: 'computed' },
    });
  });

  it('never changes the override it reads', () => {
    const value = override();
    const copy = structuredClone(value);
    effectiveHealth(COMPUTED, value, at('2026-09-01T00:00:00Z'));
    expect(value).toEqual(copy);
  });
});

describe('overrideSchema', () => {
  it.each([
    ['neither a score nor a band', { score: undefined }, 'give either a score or a band'],
    ['both a score and a band', { band: 'red' }, 'give either a score or a band'],
    ['no reason', { reason: ' ' }, 'say why in a few words'],
    ['an expiry before it was set', { expiresAt: '2026-05-01T00:00:00Z' }, 'expiresAt must be after setAt'],
  ])('rejects %s', (_what, change, message) => {
    const result = overrideSchema.safeParse({ ...override(), ...change });
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((issue) => issue.message)).toContain(message);
  });

  it('accepts a complete override', () => {
    expect(overrideSchema.parse(override())).toEqual(override());
  });
});
