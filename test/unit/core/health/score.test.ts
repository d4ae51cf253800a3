import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_MODEL,
  parseModel,
  type Direction,
  type HealthModel,
  type HealthModelInput,
  type NormalisationInput,
} from '../../../../server/core/health/model.ts';
import { compileModel, percentileTables, scoreAccount } from '../../../../server/core/health/score.ts';
import { SIGNAL_NAMES, type SignalValues } from '../../../../server/core/health/signals.ts';

/** One group, one measure on support.open_tickets: the score is the measure's sub-score. */
function single(normalisation: NormalisationInput, direction: Direction): HealthModel {
  return parseModel({
    id: 'single',
    name: 'Single measure',
    version: 1,
    groups: [
      {
        key: 'only',
        label: 'Only',
        weight: 100,
        measures: [
          {
            key: 'm',
            signal: 'support.open_tickets',
            windowDays: 1,
            aggregation: 'latest',
            direction,
            weight: 1,
            normalisation,
          },
        ],
      },
    ],
  } satisfies HealthModelInput);
}

const subScore = (
  model: HealthModel,
  raw: number | boolean | null,
  extra: Partial<Parameters<typeof scoreAccount>[1]> = {},
) => scoreAccount(model, { segment: null, signals: { 'support.open_tickets': raw }, ...extra }).measures[0]?.subScore;

describe('normalisation', () => {
  const steps = single(
    {
      kind: 'thresholds',
      steps: [
        { upTo: 10, score: 0 },
        { upTo: 20, score: 40 },
        { upTo: 30, score: 80 },
      ],
      above: 100,
    },
    'higher_is_better',
  );
  it.each([
    [-5, 0],
    [10, 0], // the top of a step is inclusive
    [10.01, 40],
    [20, 40],
    [25, 80],
    [30, 80],
    [31, 100],
  ])('thresholds: %d scores %d', (raw, expected) => {
    expect(subScore(steps, raw)).toBe(expected);
  });

  const rising = single({ kind: 'linear', from: 10, to: 20 }, 'higher_is_better');
  const falling = single({ kind: 'linear', from: 10, to: 20 }, 'lower_is_better');
  const bounded = single({ kind: 'linear', from: 10, to: 20, outside: 'ignore' }, 'higher_is_better');
  it.each([
    ['rising', rising, 10, 0],
    ['rising', rising, 15, 50],
    ['rising', rising, 17.5, 75],
    ['rising, clamped below', rising, 0, 0],
    ['rising, clamped above', rising, 99, 100],
    ['falling', falling, 10, 100],
    ['falling', falling, 12.5, 75],
    ['falling, clamped above', falling, 40, 0],
    ['bounded, inside', bounded, 15, 50],
    ['bounded, outside is missing', bounded, 25, null],
  ] as const)('linear %s: %d scores %s', (_what, model, raw, expected) => {
    expect(subScore(model, raw)).toBe(expected);
  });

  it('treats a value outside a bounded range as missing, with the reason', () => {
    const score = scoreAccount(bounded, { segment: null, signals: { 'support.open_tickets': 25 } });
    expect(score.measures[0]?.missing).toBe('out_of_range');
    expect(score.status).toBe('insufficient_data');
  });

  const percentileUp = single({ kind: 'percentile' }, 'higher_is_better');
  const percentileDown = single({ kind: 'percentile' }, 'lower_is_better');
  const peers = (model: HealthModel) =>
    percentileTables(model, [
      ...[1, 2, 3, 4, 5, 6, 7, 8].map((value) => ({ segment: 'smb', signals: { 'support.open_tickets': value } })),
      { segment: 'enterprise', signals: { 'support.open_tickets': 1000 } },
      { segment: 'smb', signals: { 'support.open_tickets': null } },
    ]);
  it.each([
    // Midrank among the eight smb peers: value 2 has one below and itself, (1 + 0.5) / 8.
    [percentileUp, 2, 18.75],
    [percentileUp, 8, 93.75],
    [percentileUp, 100, 100],
    [percentileUp, 0, 0],
    [percentileDown, 2, 81.25],
    [percentileDown, 8, 6.25],
  ])('percentile within the segment: %#', (model, raw, expected) => {
    expect(subScore(model, raw, { segment: 'smb', peers: peers(model) })).toBeCloseTo(expected, 10);
  });

  it('compares only with peers of the same segment', () => {
    // The single enterprise peer (1000) is above 8, so 8 is at the bottom there.
    expect(subScore(percentileUp, 8, { segment: 'enterprise', peers: peers(percentileUp) })).toBe(0);
  });

  it('leaves a percentile measure out when there are no peers, and says why', () => {
    const score = scoreAccount(percentileUp, {
      segment: 'mid_market',
      signals: { 'support.open_tickets': 3 },
      peers: peers(percentileUp),
    });
    expect(score.measures[0]).toMatchObject({ subScore: null, missing: 'no_peers' });
  });

  it('reads booleans as 1 and 0', () => {
    const flag = parseModel({
      ...single({ kind: 'thresholds', steps: [{ upTo: 0, score: 0 }], above: 100 }, 'higher_is_better'),
      groups: [
        {
          key: 'only',
          label: 'Only',
          weight: 100,
          measures: [
            {
              key: 'champion',
              signal: 'relationship.champion_present',
              windowDays: 1,
              aggregation: 'latest',
              direction: 'higher_is_better',
              weight: 1,
              normalisation: { kind: 'thresholds', steps: [{ upTo: 0, score: 0 }], above: 100 },
            },
          ],
        },
      ],
    });
    expect(scoreAccount(flag, { segment: null, signals: { 'relationship.champion_present': true } }).score).toBe(100);
    expect(scoreAccount(flag, { segment: null, signals: { 'relationship.champion_present': false } }).score).toBe(0);
  });
});

/** Two groups: A (60) with a1 (weight 3, linear) and a2 (weight 1, linear); B (40) with b1. */
const TWO_GROUPS = parseModel({
  id: 'two',
  name: 'Two groups',
  version: 3,
  groups: [
    {
      key: 'a',
      label: 'Group A',
      weight: 60,
      measures: [
        {
          key: 'a1',
          signal: 'usage.active_user_ratio',
          windowDays: 28,
          aggregation: 'mean',
          direction: 'higher_is_better',
          weight: 3,
          normalisation: { kind: 'linear', from: 0, to: 1 },
        },
        {
          key: 'a2',
          signal: 'usage.feature_breadth',
          windowDays: 28,
          aggregation: 'mean',
          direction: 'higher_is_better',
          weight: 1,
          normalisation: { kind: 'linear', from: 0, to: 1 },
        },
      ],
    },
    {
      key: 'b',
      label: 'Group B',
      weight: 40,
      measures: [
        {
          key: 'b1',
          signal: 'voice.nps',
          windowDays: 180,
          aggregation: 'mean',
          direction: 'higher_is_better',
          weight: 1,
          normalisation: { kind: 'linear', from: 0, to: 10 },
        },
      ],
    },
  ],
  segments: {
    smb: { groupWeights: { a: 90, b: 10 } },
    enterprise: { measureWeights: { a2: 3 } },
    startup: {
      groups: [
        {
          key: 'b',
          label: 'Group B only',
          weight: 100,
          measures: [
            {
              key: 'b1',
              signal: 'voice.nps',
              windowDays: 180,
              aggregation: 'mean',
              direction: 'higher_is_better',
              weight: 1,
              normalisation: { kind: 'linear', from: 0, to: 10 },
            },
          ],
        },
      ],
    },
  },
  missingData: { minCoverage: 0.3 },
});

const ALL = { 'usage.active_user_ratio': 0.8, 'usage.feature_breadth': 0.4, 'voice.nps': 5 };

describe('weights, missing data and segments', () => {
  it.each<[string, string | null, SignalValues, number | null, Record<string, number>]>([
    // 0.6 × (3×80 + 1×40)/4 + 0.4 × 50 = 42 + 20
    ['all present', null, ALL, 62, { a1: 0.45, a2: 0.15, b1: 0.4 }],
    // a2 missing: its weight goes to a1 within group A: 0.6 × 80 + 0.4 × 50
    [
      'a measure missing re-weights within its group',
      null,
      { ...ALL, 'usage.feature_breadth': null },
      68,
      { a1: 0.6, a2: 0, b1: 0.4 },
    ],
    // group B empty: group A carries the whole score: (3×80 + 40)/4
    ['an empty group drops out', null, { ...ALL, 'voice.nps': null }, 70, { a1: 0.75, a2: 0.25, b1: 0 }],
    // only b1 (nominal 40%) present is above the 30% floor
    ['one group alone above the coverage floor', null, { 'voice.nps': 5 }, 50, { a1: 0, a2: 0, b1: 1 }],
    // only a2 (nominal 15%) present is below the 30% floor
    ['below the coverage floor', null, { 'usage.feature_breadth': 0.4 }, null, { a2: 1 }],
    // smb weighs group A at 90: 0.9 × 70 + 0.1 × 50
    ['a segment with its own group weights', 'smb', ALL, 68, { a1: 0.675, a2: 0.225, b1: 0.1 }],
    // enterprise weighs a2 like a1: 0.6 × 60 + 0.4 × 50
    ['a segment with its own measure weights', 'enterprise', ALL, 56, { a1: 0.3, a2: 0.3, b1: 0.4 }],
    ['a segment with its own groups', 'startup', ALL, 50, { b1: 1 }],
    ['an unknown segment uses the base model', 'mars', ALL, 62, { a1: 0.45, a2: 0.15, b1: 0.4 }],
  ])('%s', (_what, segment, signals, expected, weights) => {
    const score = scoreAccount(TWO_GROUPS, { segment, signals });
    if (expected === null) {
      expect(score).toMatchObject({ status: 'insufficient_data', score: null, band: null });
    } else {
      expect(score.status).toBe('scored');
      expect(score.score).toBeCloseTo(expected, 10);
    }
    for (const [key, weight] of Object.entries(weights)) {
      expect(score.measures.find((measure) => measure.key === key)?.weight, key).toBeCloseTo(weight, 10);
    }
    expect(score.measures.map((measure) => measure.key)).toEqual(segment === 'startup' ? ['b1'] : ['a1', 'a2', 'b1']);
  });

  it('reports coverage, group sub-scores and the model version', () => {
    const score = scoreAccount(TWO_GROUPS, { segment: null, signals: { ...ALL, 'usage.feature_breadth': null } });
    expect(score.coverage).toBeCloseTo(0.85, 10);
    expect(score.modelVersion).toBe(3);
    expect(score.groups).toEqual([
      expect.objectContaining({ key: 'a', score: 80, weight: 0.6, coverage: 0.75 }),
      expect.objectContaining({ key: 'b', score: 50, weight: 0.4, coverage: 1 }),
    ]);
    expect(score.measures.find((measure) => measure.key === 'a2')).toMatchObject({
      raw: null,
      subScore: null,
      missing: 'no_data',
      contribution: 0,
    });
  });

  it.each([
    [{ 'usage.active_user_ratio': 0.3, 'usage.feature_breadth': 0.3, 'voice.nps': 3.9 }, 'red'],
    [{ 'usage.active_user_ratio': 0.4, 'usage.feature_breadth': 0.4, 'voice.nps': 4 }, 'yellow'],
    [{ 'usage.active_user_ratio': 0.7, 'usage.feature_breadth': 0.7, 'voice.nps': 7 }, 'green'],
  ])('bands the score: %o is %s', (signals, band) => {
    expect(scoreAccount(TWO_GROUPS, { segment: null, signals }).band).toBe(band);
  });

  it('ignores NaN and infinite values as missing', () => {
    const score = scoreAccount(TWO_GROUPS, { segment: null, signals: { ...ALL, 'voice.nps': Number.NaN } });
    expect(score.score).toBeCloseTo(70, 10);
  });
});

const signalValue = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.double({ min: -1000, max: 1000, noNaN: true }),
  fc.double({ min: 0, max: 1, noNaN: true }),
);
const signals = fc.dictionary(fc.constantFrom(...SIGNAL_NAMES), signalValue);
const segment = fc.constantFrom(null, 'smb', 'mid_market', 'enterprise');

describe('contributions', () => {
  it('add up to the score within 0.01 and stay within 0–100, for any signals (default model)', () => {
    const scorer = compileModel(DEFAULT_MODEL);
    fc.assert(
      fc.property(fc.array(fc.record({ segment, signals }), { minLength: 1, maxLength: 30 }), (accounts) => {
        const peers = percentileTables(DEFAULT_MODEL, accounts);
        for (const account of accounts) {
          const score = scorer.score({ ...account, peers });
          const sum = score.measures.reduce((total, measure) => total + measure.contribution, 0);
          const weights = score.measures.reduce((total, measure) => total + measure.weight, 0);
          if (score.score === null) continue;
          expect(Math.abs(sum - score.score)).toBeLessThanOrEqual(0.01);
          expect(weights).toBeCloseTo(1, 9);
          expect(score.score).toBeGreaterThanOrEqual(0);
          expect(score.score).toBeLessThanOrEqual(100 + 1e-9);
          for (const measure of score.measures) {
            if (measure.subScore !== null)
              expect(measure.contribution).toBeCloseTo(measure.weight * measure.subScore, 9);
          }
        }
      }),
      { numRuns: 300 },
    );
  });

  it('compiled and one-off scoring agree', () => {
    const scorer = compileModel(DEFAULT_MODEL);
    fc.assert(
      fc.property(segment, signals, (seg, values) => {
        expect(scorer.score({ segment: seg, signals: values })).toEqual(
          scoreAccount(DEFAULT_MODEL, { segment: seg, signals: values }),
        );
      }),
      { numRuns: 100 },
    );
  });
});
