import { describe, expect, it } from 'vitest';
import {
  DEFAULT_MODEL,
  bandOf,
  parseModel,
  validateModel,
  type HealthModelInput,
} from '../../../../server/core/health/model.ts';

/** A small valid model to break one way at a time. */
function baseModel(): HealthModelInput {
  return {
    id: 'test',
    name: 'Test model',
    version: 1,
    groups: [
      {
        key: 'usage',
        label: 'Usage',
        weight: 60,
        measures: [
          {
            key: 'active',
            signal: 'usage.active_user_ratio',
            windowDays: 28,
            aggregation: 'mean',
            direction: 'higher_is_better',
            weight: 1,
            normalisation: {
              kind: 'thresholds',
              steps: [
                { upTo: 0.2, score: 0 },
                { upTo: 0.6, score: 50 },
              ],
              above: 100,
            },
          },
        ],
      },
      {
        key: 'support',
        label: 'Support',
        weight: 40,
        measures: [
          {
            key: 'tickets',
            signal: 'support.open_tickets',
            windowDays: 1,
            aggregation: 'latest',
            direction: 'lower_is_better',
            weight: 1,
            normalisation: { kind: 'linear', from: 0, to: 10 },
          },
        ],
      },
    ],
  };
}

type Breaker = (model: HealthModelInput & { groups: any[]; segments?: any }) => void;

describe('validateModel', () => {
  it('accepts the default model and a small valid one', () => {
    expect(validateModel(DEFAULT_MODEL)).toMatchObject({ ok: true });
    const result = validateModel(baseModel());
    expect(result.ok).toBe(true);
    // Defaults fill in what the admin left out.
    if (result.ok) {
      expect(result.model.bands).toEqual({ yellowFrom: 40, greenFrom: 70 });
      expect(result.model.missingData.minCoverage).toBe(0.5);
      expect(result.model.trend).toMatchObject({ shortWeeks: 4, longWeeks: 12, persistence: 3 });
    }
  });

  it('ships six groups that cover usage, support, relationship, commercial, voice and CSM sentiment', () => {
    expect(DEFAULT_MODEL.groups.map((group) => group.label)).toEqual([
      'Product usage and adoption',
      'Support',
      'Relationship and engagement',
      'Commercial',
      'Voice of the customer',
      'CSM sentiment',
    ]);
  });

  it.each<[string, Breaker, string, RegExp]>([
    [
      'group weights that do not add up to 100',
      (m) => (m.groups[0].weight = 50),
      '$.groups',
      /add up to 100; they add up to 90/,
    ],
    [
      'an unknown signal',
      (m) => (m.groups[0].measures[0].signal = 'usage.active_users'),
      '$.groups[0].measures[0].signal',
      /unknown signal "usage.active_users"/,
    ],
    ['a duplicate group key', (m) => (m.groups[1].key = 'usage'), '$.groups[1].key', /duplicate group key "usage"/],
    [
      'a duplicate measure key across groups',
      (m) => (m.groups[1].measures[0].key = 'active'),
      '$.groups[1].measures[0].key',
      /duplicate measure key "active"/,
    ],
    ['an empty group', (m) => (m.groups[1].measures = []), '$.groups[1].measures', /has no measures/],
    [
      'thresholds out of order',
      (m) => (m.groups[0].measures[0].normalisation.steps[1].upTo = 0.1),
      '$.groups[0].measures[0].normalisation.steps[1].upTo',
      /thresholds must ascend: 0.1 is not above 0.2/,
    ],
    [
      'threshold scores that fall for higher_is_better',
      (m) => (m.groups[0].measures[0].normalisation.above = 20),
      '$.groups[0].measures[0].normalisation.above',
      /scores must rise/,
    ],
    [
      'a linear range with from ≥ to',
      (m) => (m.groups[1].measures[0].normalisation = { kind: 'linear', from: 10, to: 10 }),
      '$.groups[1].measures[0].normalisation',
      /from < to/,
    ],
    [
      'bands in the wrong order',
      (m) => (m.bands = { yellowFrom: 70, greenFrom: 40 }),
      '$.bands',
      /yellowFrom \(70\) must be below greenFrom \(40\)/,
    ],
    [
      'a negative measure weight (a schema error)',
      (m) => (m.groups[0].measures[0].weight = -1),
      '$.groups[0].measures[0].weight',
      /./,
    ],
    [
      'an unknown aggregation (a schema error)',
      (m) => (m.groups[0].measures[0].aggregation = 'median'),
      '$.groups[0].measures[0].aggregation',
      /./,
    ],
    [
      'a segment weighting a group the model lacks',
      (m) => (m.segments = { smb: { groupWeights: { voice: 10 } } }),
      '$.segments.smb.groupWeights.voice',
      /no group "voice"/,
    ],
    [
      'segment weights that do not add up to 100',
      (m) => (m.segments = { smb: { groupWeights: { usage: 80 } } }),
      '$.segments.smb.groupWeights',
      /they add up to 120/,
    ],
    [
      'a segment re-weighting a measure the model lacks',
      (m) => (m.segments = { smb: { measureWeights: { nps: 2 } } }),
      '$.segments.smb.measureWeights.nps',
      /no measure "nps"/,
    ],
    [
      'one signal measured twice over different windows',
      (m) => {
        (m.groups[1].measures as unknown[]).push({ ...m.groups[0].measures[0], key: 'active_long', windowDays: 90 });
      },
      '$.groups[1].measures[1].signal',
      /^signal "usage\.active_user_ratio" is already measured by "active" over 28 days \(mean\); measure each signal once$/,
    ],
    [
      'one signal measured twice with different aggregations',
      (m) => {
        (m.groups[1].measures as unknown[]).push({
          ...m.groups[1].measures[0],
          key: 'tickets_peak',
          aggregation: 'max',
        });
      },
      '$.groups[1].measures[1].signal',
      /already measured by "tickets" over 1 day \(latest\)/,
    ],
    [
      "a segment's groups measuring a base signal differently",
      (m) =>
        (m.segments = {
          smb: {
            groups: [{ ...m.groups[0], weight: 100, measures: [{ ...m.groups[0].measures[0], aggregation: 'min' }] }],
          },
        }),
      '$.segments.smb.groups[0].measures[0].signal',
      /already measured by "active" over 28 days \(mean\)/,
    ],
  ])('reports %s with its path', (_what, breakIt, path, message) => {
    const model = baseModel() as Parameters<Breaker>[0];
    breakIt(model);
    const result = validateModel(model);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    const problem = result.problems.find((candidate) => candidate.path === path);
    expect(problem, JSON.stringify(result.problems)).toBeDefined();
    expect(problem?.message).toMatch(message);
  });

  it.each<[string, Breaker]>([
    [
      'the same window and aggregation in another group',
      (m) => {
        (m.groups[1].measures as unknown[]).push({ ...m.groups[0].measures[0], key: 'active_again', weight: 2 });
      },
    ],
    [
      "a segment's groups measuring a base signal the same way",
      (m) =>
        (m.segments = {
          smb: { groups: [{ ...m.groups[0], weight: 100, measures: [{ ...m.groups[0].measures[0], weight: 3 }] }] },
        }),
    ],
    [
      'two segments that each measure a different signal',
      (m) =>
        (m.segments = {
          smb: { groups: [{ ...m.groups[1], weight: 100 }] },
          enterprise: { groups: [{ ...m.groups[0], weight: 100 }] },
        }),
    ],
  ])('accepts a signal measured more than once with %s', (_what, change) => {
    const model = baseModel() as Parameters<Breaker>[0];
    change(model);
    expect(validateModel(model)).toMatchObject({ ok: true });
  });

  it('reports every semantic problem at once, not only the first', () => {
    const model = baseModel() as Parameters<Breaker>[0];
    model.groups[0].weight = 10;
    model.groups[0].measures[0].signal = 'nope';
    model.groups[1].measures = [];
    const result = validateModel(model);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.problems.map((problem) => problem.path).sort()).toEqual(
        ['$.groups', '$.groups[0].measures[0].signal', '$.groups[1].measures'].sort(),
      );
    }
  });

  it('parseModel throws a message naming each problem', () => {
    const model = baseModel() as Parameters<Breaker>[0];
    model.groups[0].measures[0].signal = 'nope';
    expect(() => parseModel(model)).toThrow(/\$\.groups\[0\]\.measures\[0\]\.signal: unknown signal "nope"/);
  });
});

describe('bands', () => {
  it.each([
    [0, 'red'],
    [39.99, 'red'],
    [40, 'yellow'],
    [69.99, 'yellow'],
    [70, 'green'],
    [100, 'green'],
  ] as const)('%d is %s with the default bands', (score, band) => {
    expect(bandOf(score, DEFAULT_MODEL.bands)).toBe(band);
  });
});
