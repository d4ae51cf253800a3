import { z } from 'zod';
import { AGGREGATIONS, SIGNAL_NAMES, isSignalName } from './signals.ts';
import { jsonPath } from '../json-path.ts';

/**
 * The health model as versioned data (DESIGN.md §4): measures normalise a windowed signal to 0–100,
 * groups weight measures, the model weights groups. Group weights sum to 100; measure weights are
 * relative within their group. Missing measures drop out and the rest re-weight; a group with no
 * measure present drops out the same way; below `missingData.minCoverage` the score is "insufficient
 * data" rather than a confident number built on too little.
 */

const key = z
  .string()
  .regex(/^[a-z][a-z0-9_.-]{0,63}$/, 'a key is lower case letters, digits, "_", "." or "-", starting with a letter');
const score = z.number().min(0).max(100);

export const DIRECTIONS = ['higher_is_better', 'lower_is_better'] as const;
export type Direction = (typeof DIRECTIONS)[number];

const thresholdsSchema = z.strictObject({
  kind: z.literal('thresholds'),
  /** Ascending; a raw value at or below `upTo` gets that step's score (the first that fits). */
  steps: z.array(z.strictObject({ upTo: z.number(), score })).min(1),
  /** The score for values above the last step. */
  above: score,
});

const linearSchema = z.strictObject({
  kind: z.literal('linear'),
  /** `from` is the worst end for higher_is_better (0 points), the best end for lower_is_better. */
  from: z.number(),
  to: z.number(),
  /** Outside [from, to]: clamp to the end's score, or ignore the value (the measure counts as missing). */
  outside: z.enum(['clamp', 'ignore']).default('clamp'),
});

const percentileSchema = z.strictObject({
  kind: z.literal('percentile'),
  /** Peers within the account's segment; the reference tables come from `percentileTables`. */
  within: z.literal('segment').default('segment'),
});

export const normalisationSchema = z.discriminatedUnion('kind', [thresholdsSchema, linearSchema, percentileSchema]);
export type Normalisation = z.infer<typeof normalisationSchema>;
export type NormalisationInput = z.input<typeof normalisationSchema>;

export const measureSchema = z.strictObject({
  key,
  /** Checked against the signal list by `validateModel`, so a typo reports as "unknown signal". */
  signal: z.string(),
  label: z.string().min(1).max(80).optional(),
  windowDays: z.int().min(1).max(730),
  aggregation: z.enum(AGGREGATIONS),
  normalisation: normalisationSchema,
  direction: z.enum(DIRECTIONS),
  weight: z.number().positive(),
});
export type Measure = z.infer<typeof measureSchema>;

export const groupSchema = z.strictObject({
  key,
  label: z.string().min(1).max(80),
  weight: z.number().positive(),
  measures: z.array(measureSchema),
});
export type Group = z.infer<typeof groupSchema>;

export const bandsSchema = z.strictObject({
  /** Scores below `yellowFrom` are red, below `greenFrom` yellow, the rest green. */
  yellowFrom: score,
  greenFrom: score,
});
export type Bands = z.infer<typeof bandsSchema>;
export const BANDS = ['red', 'yellow', 'green'] as const;
export type Band = (typeof BANDS)[number];

export const segmentOverrideSchema = z.strictObject({
  /** Replaces the model's groups for this segment entirely. */
  groups: z.array(groupSchema).optional(),
  /** Or only changes weights, by group key and by measure key. */
  groupWeights: z.record(z.string(), z.number().positive()).optional(),
  measureWeights: z.record(z.string(), z.number().positive()).optional(),
});
export type SegmentOverride = z.infer<typeof segmentOverrideSchema>;

export const trendSettingsSchema = z.strictObject({
  shortWeeks: z.int().min(2).max(26).default(4),
  longWeeks: z.int().min(4).max(104).default(12),
  /** Points per week a slope must reach to count as a move. */
  slopeThreshold: z.number().positive().default(1),
  /** Consecutive moves the same way needed before a short slope alone is believed. */
  persistence: z.int().min(1).max(52).default(3),
  /** Point-to-point changes smaller than this are flat. */
  flatWithin: z.number().min(0).default(0.5),
});
export type TrendSettings = z.infer<typeof trendSettingsSchema>;

export const healthModelSchema = z.strictObject({
  id: key,
  name: z.string().min(1).max(120),
  version: z.int().min(1),
  groups: z.array(groupSchema).min(1),
  bands: bandsSchema.default({ yellowFrom: 40, greenFrom: 70 }),
  segments: z.record(z.string().min(1), segmentOverrideSchema).default({}),
  missingData: z.strictObject({ minCoverage: z.number().min(0).max(1).default(0.5) }).default({ minCoverage: 0.5 }),
  trend: trendSettingsSchema.default({
    shortWeeks: 4,
    longWeeks: 12,
    slopeThreshold: 1,
    persistence: 3,
    flatWithin: 0.5,
  }),
  /** The sub-score an unremarkable measure has; drivers are measured against it. */
  explain: z.strictObject({ neutral: score.default(50) }).default({ neutral: 50 }),
});
export type HealthModel = z.infer<typeof healthModelSchema>;
export type HealthModelInput = z.input<typeof healthModelSchema>;

export interface ModelProblem {
  /** JSONPath into the model, e.g. `$.groups[1].measures[0].signal`. */
  path: string;
  message: string;
}

export type ValidationResult = { ok: true; model: HealthModel } | { ok: false; problems: ModelProblem[] };

const WEIGHT_TOLERANCE = 0.01;

/** Every problem in a model, each with its path; a model with none parses into `HealthModel`. */
export function validateModel(input: unknown): ValidationResult {
  const parsed = healthModelSchema.safeParse(input);
  if (!parsed.success) {
    return {
      ok: false,
      problems: parsed.error.issues.map((issue) => ({ path: jsonPath(issue.path), message: issue.message })),
    };
  }
  const model = parsed.data;
  const problems: ModelProblem[] = [];
  const report = (path: readonly PropertyKey[], message: string) => problems.push({ path: jsonPath(path), message });

  if (model.bands.yellowFrom >= model.bands.greenFrom) {
    report(['bands'], `yellowFrom (${model.bands.yellowFrom}) must be below greenFrom (${model.bands.greenFrom})`);
  }
  if (model.trend.shortWeeks >= model.trend.longWeeks) {
    report(['trend'], `shortWeeks (${model.trend.shortWeeks}) must be below longWeeks (${model.trend.longWeeks})`);
  }

  checkGroups(model.groups, ['groups'], report);
  const groupKeys = new Set(model.groups.map((group) => group.key));
  const measureKeys = new Set(model.groups.flatMap((group) => group.measures.map((measure) => measure.key)));

  for (const [segment, override] of Object.entries(model.segments)) {
    const at = ['segments', segment];
    if (override.groups && (override.groupWeights || override.measureWeights)) {
      report(at, 'give either replacement groups or weight changes, not both');
    }
    if (override.groups) {
      if (override.groups.length === 0) report([...at, 'groups'], 'a segment needs at least one group');
      checkGroups(override.groups, [...at, 'groups'], report);
      continue;
    }
    const weights = new Map(model.groups.map((group) => [group.key, group.weight]));
    for (const [groupKey, weight] of Object.entries(override.groupWeights ?? {})) {
      if (!groupKeys.has(groupKey)) report([...at, 'groupWeights', groupKey], `no group "${groupKey}" in the model`);
      else weights.set(groupKey, weight);
    }
    for (const measureKey of Object.keys(override.measureWeights ?? {})) {
      if (!measureKeys.has(measureKey)) {
        report([...at, 'measureWeights', measureKey], `no measure "${measureKey}" in the model`);
      }
    }
    if (override.groupWeights) checkWeightSum([...weights.values()], [...at, 'groupWeights'], report);
  }
  checkSignalsMeasuredOnce(model, report);
  return problems.length === 0 ? { ok: true, model } : { ok: false, problems };
}

function checkWeightSum(weights: readonly number[], at: readonly PropertyKey[], report: Report) {
  const sum = weights.reduce((total, weight) => total + weight, 0);
  if (Math.abs(sum - 100) > WEIGHT_TOLERANCE) {
    report(at, `group weights must add up to 100; they add up to ${Math.round(sum * 100) / 100}`);
  }
}

type Report = (path: readonly PropertyKey[], message: string) => void;

function checkGroups(groups: readonly Group[], at: readonly PropertyKey[], report: Report) {
  const seenGroups = new Map<string, number>();
  const seenMeasures = new Map<string, string>();
  if (groups.length > 0) {
    checkWeightSum(
      groups.map((group) => group.weight),
      at,
      report,
    );
  }
  groups.forEach((group, groupIndex) => {
    const groupAt = [...at, groupIndex];
    const earlier = seenGroups.get(group.key);
    if (earlier !== undefined)
      report([...groupAt, 'key'], `duplicate group key "${group.key}" (also group ${earlier})`);
    seenGroups.set(group.key, groupIndex);
    if (group.measures.length === 0) report([...groupAt, 'measures'], `group "${group.key}" has no measures`);
    group.measures.forEach((measure, measureIndex) => {
      const measureAt = [...groupAt, 'measures', measureIndex];
      const where = seenMeasures.get(measure.key);
      if (where !== undefined)
        report([...measureAt, 'key'], `duplicate measure key "${measure.key}" (also in ${where})`);
      seenMeasures.set(measure.key, `group "${group.key}"`);
      if (!isSignalName(measure.signal)) {
        report([...measureAt, 'signal'], `unknown signal "${measure.signal}"; known: ${SIGNAL_NAMES.join(', ')}`);
      }
      checkNormalisation(measure, [...measureAt, 'normalisation'], report);
    });
  });
}

const days = (count: number) => `${count} ${count === 1 ? 'day' : 'days'}`;

/**
 * Signal values are computed once per account and read by signal name, so every measure of a signal,
 * in the base groups and in every segment's replacement groups, must read it over the same window
 * and aggregation.
 */
function checkSignalsMeasuredOnce(model: HealthModel, report: Report) {
  const first = new Map<string, Measure>();
  const groupSets: [readonly PropertyKey[], readonly Group[]][] = [[['groups'], model.groups]];
  for (const [segment, override] of Object.entries(model.segments)) {
    if (override.groups) groupSets.push([['segments', segment, 'groups'], override.groups]);
  }
  for (const [at, groups] of groupSets) {
    groups.forEach((group, groupIndex) => {
      group.measures.forEach((measure, measureIndex) => {
        const earlier = first.get(measure.signal);
        if (earlier === undefined) {
          first.set(measure.signal, measure);
          return;
        }
        if (earlier.windowDays === measure.windowDays && earlier.aggregation === measure.aggregation) return;
        report(
          [...at, groupIndex, 'measures', measureIndex, 'signal'],
          `signal "${measure.signal}" is already measured by "${earlier.key}" over ${days(earlier.windowDays)} ` +
            `(${earlier.aggregation}); measure each signal once`,
        );
      });
    });
  }
}

function checkNormalisation(measure: Measure, at: readonly PropertyKey[], report: Report) {
  const rule = measure.normalisation;
  if (rule.kind === 'linear') {
    if (!(rule.from < rule.to)) report(at, `linear range needs from < to (got from ${rule.from}, to ${rule.to})`);
    return;
  }
  if (rule.kind !== 'thresholds') return;
  const rising = measure.direction === 'higher_is_better';
  const scores = [...rule.steps.map((step) => step.score), rule.above];
  rule.steps.forEach((step, index) => {
    const previous = rule.steps[index - 1];
    if (previous && !(step.upTo > previous.upTo)) {
      report([...at, 'steps', index, 'upTo'], `thresholds must ascend: ${step.upTo} is not above ${previous.upTo}`);
    }
  });
  for (let index = 1; index < scores.length; index += 1) {
    const before = scores[index - 1] as number;
    const now = scores[index] as number;
    if (rising ? now < before : now > before) {
      const where = index < rule.steps.length ? ['steps', index, 'score'] : ['above'];
      report(
        [...at, ...where],
        `scores must ${rising ? 'rise' : 'fall'} with the value for ${measure.direction} (${now} after ${before})`,
      );
      break;
    }
  }
}

/** Parses a model or throws with every problem listed; for models that ship with the product. */
export function parseModel(input: unknown): HealthModel {
  const result = validateModel(input);
  if (!result.ok) {
    throw new Error(
      `invalid health model: ${result.problems.map((problem) => `${problem.path}: ${problem.message}`).join('; ')}`,
    );
  }
  return result.model;
}

export function bandOf(score: number, bands: Bands): Band {
  if (score >= bands.greenFrom) return 'green';
  if (score >= bands.yellowFrom) return 'yellow';
  return 'red';
}

const recency = (upTo: number[], scores: number[], above: number) => ({
  kind: 'thresholds' as const,
  steps: upTo.map((value, index) => ({ upTo: value, score: scores[index] as number })),
  above,
});
const flag = (whenFalse: number, whenTrue: number) => recency([0], [whenFalse], whenTrue);

/**
 * The model that ships: six groups in the shape most CS teams start from (§2.1 of the domain notes),
 * thresholds where a CSM thinks in steps, linear ranges where there is no natural step, usage
 * intensity against segment peers. Tech-touch (SMB) accounts lean on usage; enterprise on people.
 */
export const DEFAULT_MODEL: HealthModel = parseModel({
  id: 'default',
  name: 'Bellwether default',
  version: 1,
  groups: [
    {
      key: 'usage',
      label: 'Product usage and adoption',
      weight: 30,
      measures: [
        {
          key: 'active_users',
          signal: 'usage.active_user_ratio',
          windowDays: 28,
          aggregation: 'mean',
          direction: 'higher_is_better',
          weight: 3,
          normalisation: recency([0.15, 0.3, 0.45, 0.6], [5, 25, 50, 70], 95),
        },
        {
          key: 'usage_intensity',
          signal: 'usage.events_per_licence',
          windowDays: 28,
          aggregation: 'mean',
          direction: 'higher_is_better',
          weight: 1,
          normalisation: { kind: 'percentile', within: 'segment' },
        },
        {
          key: 'feature_breadth',
          signal: 'usage.feature_breadth',
          windowDays: 28,
          aggregation: 'mean',
          direction: 'higher_is_better',
          weight: 2,
          normalisation: { kind: 'linear', from: 0.15, to: 0.85, outside: 'clamp' },
        },
      ],
    },
    {
      key: 'support',
      label: 'Support',
      weight: 15,
      measures: [
        {
          key: 'high_priority_open',
          signal: 'support.high_priority_open',
          windowDays: 1,
          aggregation: 'latest',
          direction: 'lower_is_better',
          weight: 2,
          normalisation: recency([0, 1, 3], [100, 65, 35], 10),
        },
        {
          key: 'ticket_rate',
          signal: 'support.tickets_per_100_licences',
          windowDays: 90,
          aggregation: 'sum',
          direction: 'lower_is_better',
          weight: 2,
          normalisation: { kind: 'linear', from: 2, to: 40, outside: 'clamp' },
        },
        {
          key: 'oldest_open',
          signal: 'support.oldest_open_days',
          windowDays: 1,
          aggregation: 'latest',
          direction: 'lower_is_better',
          weight: 1,
          normalisation: recency([7, 14, 30], [100, 75, 45], 15),
        },
      ],
    },
    {
      key: 'relationship',
      label: 'Relationship and engagement',
      weight: 20,
      measures: [
        {
          key: 'champion',
          signal: 'relationship.champion_present',
          windowDays: 1,
          aggregation: 'latest',
          direction: 'higher_is_better',
          weight: 3,
          normalisation: flag(0, 100),
        },
        {
          key: 'sponsor',
          signal: 'relationship.sponsor_present',
          windowDays: 1,
          aggregation: 'latest',
          direction: 'higher_is_better',
          weight: 1,
          normalisation: flag(30, 100),
        },
        {
          key: 'champion_departed',
          signal: 'relationship.departed_champion',
          windowDays: 90,
          aggregation: 'max',
          direction: 'lower_is_better',
          weight: 1,
          normalisation: flag(100, 20),
        },
        {
          key: 'engagement_recency',
          signal: 'engagement.days_since_last',
          windowDays: 1,
          aggregation: 'latest',
          direction: 'lower_is_better',
          weight: 2,
          // The step recency most CS tools use (domain notes §2.4).
          normalisation: recency([7, 14, 30, 60], [100, 85, 60, 30], 10),
        },
      ],
    },
    {
      key: 'commercial',
      label: 'Commercial',
      weight: 10,
      measures: [
        {
          key: 'arr_change',
          signal: 'commercial.arr_change_pct',
          windowDays: 365,
          aggregation: 'latest',
          direction: 'higher_is_better',
          weight: 2,
          normalisation: { kind: 'linear', from: -25, to: 10, outside: 'clamp' },
        },
        {
          key: 'expansion',
          signal: 'commercial.open_expansion',
          windowDays: 1,
          aggregation: 'latest',
          direction: 'higher_is_better',
          weight: 1,
          normalisation: flag(55, 100),
        },
      ],
    },
    {
      key: 'voice',
      label: 'Voice of the customer',
      weight: 15,
      measures: [
        {
          key: 'nps',
          signal: 'voice.nps',
          windowDays: 180,
          aggregation: 'mean',
          direction: 'higher_is_better',
          weight: 3,
          normalisation: { kind: 'linear', from: 3, to: 9.5, outside: 'clamp' },
        },
        {
          key: 'detractors',
          signal: 'voice.detractor_share',
          windowDays: 180,
          aggregation: 'mean',
          direction: 'lower_is_better',
          weight: 1,
          normalisation: { kind: 'linear', from: 0, to: 0.6, outside: 'clamp' },
        },
        {
          key: 'csat',
          signal: 'voice.csat',
          windowDays: 180,
          aggregation: 'mean',
          direction: 'higher_is_better',
          weight: 1,
          normalisation: { kind: 'linear', from: 2, to: 4.8, outside: 'clamp' },
        },
        {
          key: 'effort',
          signal: 'voice.ces',
          windowDays: 365,
          aggregation: 'mean',
          direction: 'higher_is_better',
          weight: 1,
          normalisation: { kind: 'linear', from: 2, to: 6.5, outside: 'clamp' },
        },
      ],
    },
    {
      key: 'sentiment',
      label: 'CSM sentiment',
      weight: 10,
      measures: [
        {
          key: 'csm_sentiment',
          signal: 'sentiment.csm',
          // Subjective input expires: only a reading of the last 90 days counts (§2.3).
          windowDays: 90,
          aggregation: 'latest',
          direction: 'higher_is_better',
          weight: 1,
          normalisation: recency([-0.5, 0.5], [10, 55], 95),
        },
      ],
    },
  ],
  bands: { yellowFrom: 40, greenFrom: 70 },
  segments: {
    smb: { groupWeights: { usage: 40, support: 15, relationship: 15, commercial: 10, voice: 15, sentiment: 5 } },
    enterprise: {
      groupWeights: { usage: 25, support: 15, relationship: 25, commercial: 10, voice: 15, sentiment: 10 },
    },
  },
  missingData: { minCoverage: 0.5 },
});
