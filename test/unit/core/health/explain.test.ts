import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { driversText, topDrivers, whatMoved } from '../../../../server/core/health/explain.ts';
import { DEFAULT_MODEL, parseModel } from '../../../../server/core/health/model.ts';
import { scoreAccount } from '../../../../server/core/health/score.ts';
import { SIGNAL_NAMES } from '../../../../server/core/health/signals.ts';

const score = (signals: Parameters<typeof scoreAccount>[1]['signals'], segment: string | null = 'mid_market') =>
  scoreAccount(DEFAULT_MODEL, { segment, signals });

const HEALTHY = {
  'usage.active_user_ratio': 0.62,
  'usage.feature_breadth': 0.5,
  'support.high_priority_open': 0,
  'relationship.champion_present': true,
  'engagement.days_since_last': 5,
  'voice.nps': 8.7,
  'sentiment.csm': 0,
};
const TROUBLED = {
  ...HEALTHY,
  'usage.active_user_ratio': 0.42,
  'support.high_priority_open': 2,
  'relationship.champion_present': false,
  'sentiment.csm': -1,
};

describe('topDrivers', () => {
  it('names the three measures furthest from neutral, in words with numbers, largest first', () => {
    const drivers = topDrivers(score(TROUBLED));
    expect(drivers.map((driver) => driver.text)).toEqual([
      'No champion in place',
      'NPS rating at 8.7 out of 10 (above 7.6)',
      'CSM sentiment negative',
    ]);
    expect(drivers.map((driver) => Math.sign(driver.impact))).toEqual([-1, 1, -1]);
    const sizes = drivers.map((driver) => Math.abs(driver.impact));
    expect([...sizes].sort((a, b) => b - a)).toEqual(sizes);
  });

  it.each([
    ['usage below its green line', { 'usage.active_user_ratio': 0.25 }, 'Active users at 25% of licences (below 45%)'],
    ['usage above its green line', { 'usage.active_user_ratio': 0.7 }, 'Active users at 70% of licences (above 45%)'],
    ['days over a recency line', { 'engagement.days_since_last': 45 }, 'Last engagement 45 days ago (over 14 days)'],
    [
      'a falling linear measure',
      { 'support.tickets_per_100_licences': 35 },
      'Tickets per 100 licences at 35 (above 13.4)',
    ],
  ])('words for %s', (_what, signals, text) => {
    const drivers = topDrivers(score({ ...HEALTHY, ...signals }), 10);
    expect(drivers.map((driver) => driver.text)).toContain(text);
  });

  it('speaks of a percentile measure by its rank in the segment', () => {
    const model = DEFAULT_MODEL;
    const peers = { mid_market: { usage_intensity: Float64Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]) } };
    const result = scoreAccount(model, {
      segment: 'mid_market',
      signals: { 'usage.events_per_licence': 1, 'voice.nps': 6.25 },
      peers,
    });
    expect(topDrivers(result).map((driver) => driver.text)).toContain(
      'Product events per licence at 1 a day (5th percentile in its segment)',
    );
  });

  it('leaves out missing measures and joins drivers for the CRM text field', () => {
    const drivers = topDrivers(score({ 'relationship.champion_present': false, 'voice.nps': 9.5, 'sentiment.csm': 1 }));
    expect(driversText(drivers)).toBe(
      'No champion in place; NPS rating at 9.5 out of 10 (above 7.6); CSM sentiment positive',
    );
  });
});

describe('whatMoved', () => {
  it('says what changed since the previous score, with numbers, largest first', () => {
    const moved = whatMoved(score(HEALTHY), score(TROUBLED));
    expect(moved.movements.map((movement) => movement.text)).toEqual([
      'No champion in place (−13.3 points)',
      'Open high-priority tickets rose from 0 to 2 (−10.8 points)',
      'Active users fell from 62% to 42% of licences (−9 points)',
    ]);
    expect(moved.text).toBe('−38.2 points: Champion −13.3, Open high-priority tickets −10.8, Active users −9');
    expect(moved.modelChanged).toBeNull();
  });

  it('reports a measure that appeared or disappeared', () => {
    const moved = whatMoved(score(HEALTHY), score({ ...HEALTHY, 'voice.nps': null, 'voice.csat': 4.8 }), 10);
    const texts = moved.movements.map((movement) => movement.text);
    expect(texts.some((text) => text.startsWith('NPS rating no longer reported'))).toBe(true);
    expect(texts.some((text) => text.startsWith('CSAT now reported: 4.8 out of 5'))).toBe(true);
  });

  it('says "No change" when nothing moved', () => {
    expect(whatMoved(score(HEALTHY), score(HEALTHY))).toMatchObject({ delta: 0, movements: [], text: 'No change' });
  });

  it('marks a change of model version, so it is not read as a change in the customer', () => {
    const next = parseModel({ ...DEFAULT_MODEL, version: 2 });
    const moved = whatMoved(score(HEALTHY), scoreAccount(next, { segment: 'mid_market', signals: HEALTHY }));
    expect(moved.modelChanged).toEqual({ from: 1, to: 2 });
    expect(moved.text).toContain('model changed from version 1 to 2');
  });

  it('has no delta when either score lacked data', () => {
    const moved = whatMoved(score({}), score(HEALTHY));
    expect(moved.delta).toBeNull();
    expect(moved.text).toMatch(/^First score with enough data: \d+$/);
  });

  const signals = fc.dictionary(
    fc.constantFrom(...SIGNAL_NAMES),
    fc.oneof(fc.constant(null), fc.boolean(), fc.double({ min: -50, max: 50, noNaN: true })),
  );
  it('splits the change exactly: all measures’ points add up to the delta (any segment change too)', () => {
    fc.assert(
      fc.property(signals, signals, fc.constantFrom('smb', 'enterprise', null), (before, after, segment) => {
        const previous = scoreAccount(DEFAULT_MODEL, { segment: 'mid_market', signals: before });
        const current = scoreAccount(DEFAULT_MODEL, { segment, signals: after });
        const moved = whatMoved(previous, current, 100);
        if (moved.delta === null) return;
        const listed = moved.movements.reduce((sum, movement) => sum + movement.points, 0);
        // Changes under 0.05 points are left out as noise; there are at most 19 measures.
        expect(Math.abs(listed - moved.delta)).toBeLessThanOrEqual(19 * 0.05);
      }),
      { numRuns: 300 },
    );
  });
});
