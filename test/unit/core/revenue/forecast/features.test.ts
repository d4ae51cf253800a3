import { describe, expect, it } from 'vitest';
import {
  featureInputOf,
  FIXED_FEATURES,
  renewalFeatures,
  type RenewalFeatureInput,
} from '../../../../../server/core/revenue/forecast/features.ts';

const DAY = 86_400_000;

const base: RenewalFeatureInput = {
  score: 60,
  band: 'yellow',
  trend: 'stable',
  arr: 50_000,
  segment: 'mid_market',
  daysToRenewal: 90,
  licenceUse: 0.5,
};

describe('renewalFeatures', () => {
  it('puts an ordinary account at the centre of every scale', () => {
    const x = renewalFeatures(base);
    // score 60, ARR 50k, 90 days out and half the licences in use are the centres: all 0.
    expect(x).toMatchObject({
      baseline: 1,
      score: 0,
      arr_log10: 0,
      renewal_quarters: 0,
      licence_use: 0,
      band_yellow: 1,
      band_red: 0,
      trend_declining: 0,
      'segment:mid_market': 1,
    });
    for (const name of FIXED_FEATURES) expect(x[name]).toBeTypeOf('number');
  });

  it.each([
    // (40 − 60) ÷ 10 = −2 steps of ten points
    { change: { score: 40 }, feature: 'score', value: -2 },
    // log10(500 000 ÷ 50 000) = 1: ten times the ARR
    { change: { arr: 500_000 }, feature: 'arr_log10', value: 1 },
    // log10(5 000 ÷ 50 000) = −1
    { change: { arr: 5_000 }, feature: 'arr_log10', value: -1 },
    // (272 − 90) ÷ 91 = 2 quarters further out
    { change: { daysToRenewal: 272 }, feature: 'renewal_quarters', value: 2 },
    // (0.3 − 0.5) ÷ 0.1 = −2 steps of ten points of licence use
    { change: { licenceUse: 0.3 }, feature: 'licence_use', value: -2 },
    // capped at 150 %: (1.5 − 0.5) ÷ 0.1 = 10
    { change: { licenceUse: 4 }, feature: 'licence_use', value: 10 },
    { change: { band: 'red' as const }, feature: 'band_red', value: 1 },
    { change: { trend: 'declining' as const }, feature: 'trend_declining', value: 1 },
    { change: { trend: 'improving' as const }, feature: 'trend_improving', value: 1 },
    // −3 % a year ÷ 10 = −0.3
    { change: { arrChangePct: -3 }, feature: 'arr_change', value: -0.3 },
    { change: { openExpansion: true }, feature: 'open_expansion', value: 1 },
    // (25 − 50) ÷ 10 = −2.5
    { change: { groupScores: { usage: 25, voice: null } }, feature: 'group:usage', value: -2.5 },
  ])('$change → $feature = $value', ({ change, feature, value }) => {
    expect(renewalFeatures({ ...base, ...change })[feature]).toBeCloseTo(value, 10);
  });

  it.each([
    { change: { score: null }, indicator: 'score_missing', value: 'score' },
    { change: { trend: null }, indicator: 'trend_missing', value: 'trend_declining' },
    { change: { arr: null }, indicator: 'arr_missing', value: 'arr_log10' },
    { change: { arr: -100 }, indicator: 'arr_missing', value: 'arr_log10' },
    { change: { licenceUse: null }, indicator: 'licence_use_missing', value: 'licence_use' },
    { change: { arrChangePct: null }, indicator: 'arr_change_missing', value: 'arr_change' },
  ])('a missing value ($change) sets $indicator and leaves $value at 0', ({ change, indicator, value }) => {
    const x = renewalFeatures({ ...base, ...change });
    expect(x[indicator]).toBe(1);
    expect(x[value]).toBe(0);
  });

  it('adds no feature for a group without data or an account without a segment', () => {
    const x = renewalFeatures({ ...base, segment: null, groupScores: { voice: null } });
    expect(Object.keys(x).filter((name) => name.startsWith('segment:') || name.startsWith('group:'))).toEqual([]);
  });
});

describe('featureInputOf', () => {
  const at = Date.UTC(2026, 0, 1, 23, 59, 59, 999);
  it('reads what the score job holds', () => {
    expect(
      featureInputOf({
        score: 72,
        band: 'green',
        trend: 'improving',
        arr: 12_000,
        segment: 'smb',
        renewalDate: Date.UTC(2026, 2, 1),
        at,
        signals: {
          'usage.active_user_ratio': 0.42,
          'commercial.arr_change_pct': 5,
          'commercial.open_expansion': false,
        },
        scoreSlope: 1.5,
        groupScores: { usage: 61 },
      }),
    ).toEqual({
      score: 72,
      band: 'green',
      trend: 'improving',
      arr: 12_000,
      segment: 'smb',
      // the end of 2026-01-01 to the start of 2026-03-01: 30 days left in January + 28 in February = 58
      daysToRenewal: 58,
      licenceUse: 0.42,
      scoreSlope: 1.5,
      arrChangePct: 5,
      openExpansion: false,
      groupScores: { usage: 61 },
    });
  });

  it('treats a past or unknown renewal as due now and a missing signal as missing', () => {
    const input = featureInputOf({
      score: null,
      band: null,
      trend: null,
      arr: null,
      segment: null,
      renewalDate: at - 10 * DAY,
      at,
      signals: { 'usage.active_user_ratio': null },
    });
    expect(input).toMatchObject({ daysToRenewal: 0, licenceUse: null, arrChangePct: null, openExpansion: null });
    expect(featureInputOf({ ...input, renewalDate: null, at, signals: {} }).daysToRenewal).toBe(0);
  });
});
