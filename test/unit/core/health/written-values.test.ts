import { describe, expect, it } from 'vitest';
import { writtenValues, type WrittenInput, type WrittenValues } from '../../../../server/core/health/written-values.ts';

const EARLIER = new Date('2026-03-01T08:00:00.000Z');
const NOW = new Date('2026-03-02T08:00:00.000Z');

const input = (change: Partial<WrittenInput> = {}): WrittenInput => ({
  score: 71.6,
  band: 'green',
  trend: 'stable',
  drivers: 'Usage rising',
  renewalProbability: 0.834,
  revenueAtRisk: 1200,
  stage: 'adoption',
  scoredAt: NOW,
  ...change,
});

const before: WrittenValues = writtenValues(input({ scoredAt: EARLIER }), null);

describe('writtenValues', () => {
  it('gives the eight manifest fields, the stage among them', () => {
    expect(writtenValues(input(), null)).toEqual({
      health_score: 72,
      health_band: 'green',
      health_trend: 'stable',
      health_drivers: 'Usage rising',
      renewal_probability: 83,
      revenue_at_risk: 1200,
      lifecycle_stage: 'adoption',
      last_scored_at: NOW.toISOString(),
    });
  });

  it.each<[string, Partial<WrittenInput>, string]>([
    ['nothing shown changed: the time stays', { score: 71.9 }, EARLIER.toISOString()],
    ['the stage changed: the time moves', { stage: 'renewal' }, NOW.toISOString()],
    ['the stage is no longer known: the time moves', { stage: null }, NOW.toISOString()],
    ['the score changed: the time moves', { score: 75 }, NOW.toISOString()],
  ])('%s', (_name, change, scoredAt) => {
    const values = writtenValues(input(change), before);
    expect(values.last_scored_at).toBe(scoredAt);
    expect(values.lifecycle_stage).toBe(change.stage === undefined ? 'adoption' : change.stage);
  });

  it('moves the time when values from before the stage was written gain one', () => {
    const { lifecycle_stage: _stage, ...older } = before;
    expect(writtenValues(input(), older).last_scored_at).toBe(NOW.toISOString());
  });
});
