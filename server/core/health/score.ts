import {
  bandOf,
  type Band,
  type Direction,
  type Group,
  type HealthModel,
  type Measure,
  type Normalisation,
} from './model.ts';
import { isSignalName, SIGNALS, type SignalName, type SignalValue, type SignalValues } from './signals.ts';

/**
 * Scoring: each present measure's sub-score (0–100) times its effective weight is its contribution,
 * and the contributions add up to the score. Effective weights re-weight among what is present: a
 * missing measure's weight goes to the rest of its group, a group with nothing present gives its
 * weight to the other groups (domain notes §2.3). Coverage, the share of nominal weight present, is
 * reported beside the score so a score built on little does not look as sure as one built on all.
 */

export type MissingReason = 'no_data' | 'out_of_range' | 'no_peers';

export interface MeasureScore {
  key: string;
  group: string;
  signal: SignalName;
  label: string;
  method: Normalisation['kind'];
  direction: Direction;
  raw: number | boolean | null;
  /** 0–100, null when the measure is missing. */
  subScore: number | null;
  /** Share of the score after re-weighting (0–1); 0 when missing. */
  weight: number;
  /** Share the model gives it when everything is present (0–1). */
  nominalWeight: number;
  /** weight × subScore, in points. */
  contribution: number;
  /** The raw value where the sub-score reaches the green band, when the rule has one. */
  target: number | null;
  missing: MissingReason | null;
}

export interface GroupScore {
  key: string;
  label: string;
  /** Weighted mean of the group's present sub-scores; null when none is present. */
  score: number | null;
  weight: number;
  nominalWeight: number;
  /** Share of the group's own measure weight present (0–1). */
  coverage: number;
}

export interface Score {
  modelId: string;
  modelVersion: number;
  segment: string | null;
  status: 'scored' | 'insufficient_data';
  /** 0–100 and exactly the sum of the contributions; null when the data is insufficient. */
  score: number | null;
  band: Band | null;
  /** Share of the model's nominal weight that had data (0–1). */
  coverage: number;
  /** The sub-score the explanation treats as unremarkable. */
  neutral: number;
  groups: GroupScore[];
  measures: MeasureScore[];
}

export interface ScoreInput {
  segment: string | null;
  signals: SignalValues;
  peers?: PercentileTables | undefined;
}

/** Per segment (`''` for accounts without one), per measure key: the peers' raw values, ascending. */
export type PercentileTables = Readonly<Record<string, Readonly<Record<string, Float64Array>>>>;

interface CompiledMeasure {
  key: string;
  group: string;
  groupIndex: number;
  signal: SignalName;
  label: string;
  method: Normalisation['kind'];
  direction: Direction;
  localWeight: number;
  nominalWeight: number;
  target: number | null;
  /** Sub-score for a raw number; null when the rule leaves it out (linear, outside, ignore). */
  normalise: (raw: number) => number | null;
}

interface CompiledGroup {
  key: string;
  label: string;
  weight: number;
  nominalWeight: number;
  measureWeight: number;
}

interface CompiledSegment {
  groups: CompiledGroup[];
  measures: CompiledMeasure[];
  /** Reused by every call: scoring is synchronous, so one set per segment is enough. */
  scratch: {
    presentWeight: Float64Array;
    weightedSum: Float64Array;
    subScores: Float64Array;
    missing: Uint8Array;
    raws: (number | boolean | null)[];
  };
}

const PRESENT = 0;
const NO_DATA = 1;
const OUT_OF_RANGE = 2;
const NO_PEERS = 3;
const MISSING_REASONS: readonly (MissingReason | null)[] = [null, 'no_data', 'out_of_range', 'no_peers'];

export interface CompiledModel {
  model: HealthModel;
  score(input: ScoreInput): Score;
  /** The measures a segment's accounts are scored on (the segment's override applied). */
  measures(segment: string | null): readonly Pick<CompiledMeasure, 'key' | 'signal' | 'method'>[];
}

const segmentKey = (segment: string | null) => segment ?? '';

function normaliser(measure: Measure): (raw: number) => number | null {
  const rule = measure.normalisation;
  const higher = measure.direction === 'higher_is_better';
  switch (rule.kind) {
    case 'thresholds': {
      const upTo = Float64Array.from(rule.steps.map((step) => step.upTo));
      const scores = Float64Array.from(rule.steps.map((step) => step.score));
      const above = rule.above;
      return (raw) => {
        for (let index = 0; index < upTo.length; index += 1) {
          if (raw <= (upTo[index] as number)) return scores[index] as number;
        }
        return above;
      };
    }
    case 'linear': {
      const { from, to, outside } = rule;
      const span = to - from;
      return (raw) => {
        if ((raw < from || raw > to) && outside === 'ignore') return null;
        const t = Math.min(1, Math.max(0, (raw - from) / span));
        return (higher ? t : 1 - t) * 100;
      };
    }
    case 'percentile':
      // Needs the peers; handled in the scoring loop.
      return () => null;
  }
}

/** The raw value at which the sub-score first reaches `green`, for "below 60%" in explanations. */
function targetOf(measure: Measure, green: number): number | null {
  const rule = measure.normalisation;
  const higher = measure.direction === 'higher_is_better';
  switch (rule.kind) {
    case 'thresholds': {
      const scores = [...rule.steps.map((step) => step.score), rule.above];
      const index = higher ? scores.findIndex((score) => score >= green) : scores.findIndex((score) => score < green);
      if (index <= 0) return null;
      return rule.steps[index - 1]?.upTo ?? null;
    }
    case 'linear': {
      const share = higher ? green / 100 : 1 - green / 100;
      return rule.from + share * (rule.to - rule.from);
    }
    case 'percentile':
      return null;
  }
}

function compileSegment(model: HealthModel, segment: string | null): CompiledSegment {
  const override = segment === null ? undefined : model.segments[segment];
  const baseGroups: readonly Group[] = override?.groups ?? model.groups;
  const groupWeights = override?.groupWeights ?? {};
  const measureWeights = override?.measureWeights ?? {};
  const totalGroupWeight = baseGroups.reduce((sum, group) => sum + (groupWeights[group.key] ?? group.weight), 0);
  const groups: CompiledGroup[] = [];
  const measures: CompiledMeasure[] = [];
  baseGroups.forEach((group, groupIndex) => {
    const weight = groupWeights[group.key] ?? group.weight;
    const measureWeight = group.measures.reduce(
      (sum, measure) => sum + (measureWeights[measure.key] ?? measure.weight),
      0,
    );
    const nominalWeight = weight / totalGroupWeight;
    groups.push({ key: group.key, label: group.label, weight, nominalWeight, measureWeight });
    for (const measure of group.measures) {
      if (!isSignalName(measure.signal))
        throw new Error(`unknown signal "${measure.signal}" in measure ${measure.key}`);
      const localWeight = measureWeights[measure.key] ?? measure.weight;
      measures.push({
        key: measure.key,
        group: group.key,
        groupIndex,
        signal: measure.signal,
        label: measure.label ?? defaultLabel(measure.signal),
        method: measure.normalisation.kind,
        direction: measure.direction,
        localWeight,
        nominalWeight: measureWeight > 0 ? (nominalWeight * localWeight) / measureWeight : 0,
        target: targetOf(measure, model.bands.greenFrom),
        normalise: normaliser(measure),
      });
    }
  });
  return {
    groups,
    measures,
    scratch: {
      presentWeight: new Float64Array(groups.length),
      weightedSum: new Float64Array(groups.length),
      subScores: new Float64Array(measures.length),
      missing: new Uint8Array(measures.length),
      raws: measures.map(() => null),
    },
  };
}

const defaultLabel = (signal: SignalName) => SIGNALS[signal].label;

/** Midrank percentile (0–100) of `value` among ascending `sorted`. */
export function percentileRank(sorted: Float64Array, value: number): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if ((sorted[mid] as number) < value) low = mid + 1;
    else high = mid;
  }
  const below = low;
  high = sorted.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if ((sorted[mid] as number) <= value) low = mid + 1;
    else high = mid;
  }
  return ((below + (low - below) / 2) / sorted.length) * 100;
}

function numeric(value: SignalValue | undefined): number | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'boolean') return value ? 1 : 0;
  return Number.isFinite(value) ? value : null;
}

/**
 * Prepares a model once for many accounts: segments resolved, rules turned into functions. The
 * scorer is what the score job and the benchmark use; `scoreAccount` caches one per model object.
 */
export function compileModel(model: HealthModel): CompiledModel {
  const segments = new Map<string, CompiledSegment>();
  const forSegment = (segment: string | null): CompiledSegment => {
    // Segments without an override share the base model.
    const key = segment !== null && Object.hasOwn(model.segments, segment) ? segment : '';
    let compiled = segments.get(key);
    if (!compiled) {
      compiled = compileSegment(model, key === '' ? null : key);
      segments.set(key, compiled);
    }
    return compiled;
  };
  const { minCoverage } = model.missingData;
  const { neutral } = model.explain;

  function score(input: ScoreInput): Score {
    const compiled = forSegment(input.segment);
    const { presentWeight, weightedSum, subScores, missing, raws } = compiled.scratch;
    const groupCount = compiled.groups.length;
    const count = compiled.measures.length;
    presentWeight.fill(0);
    weightedSum.fill(0);
    const peers = input.peers?.[segmentKey(input.segment)];
    const signals = input.signals;
    let coverage = 0;

    // First pass: sub-scores into scratch space (NaN = missing), so no object is made twice.
    for (let index = 0; index < count; index += 1) {
      const measure = compiled.measures[index] as CompiledMeasure;
      subScores[index] = Number.NaN;
      const value = signals[measure.signal] ?? null;
      raws[index] = value;
      const raw = numeric(value);
      if (raw === null) {
        missing[index] = NO_DATA;
        continue;
      }
      let sub: number | null;
      if (measure.method === 'percentile') {
        const table = peers?.[measure.key];
        if (!table || table.length === 0) {
          missing[index] = NO_PEERS;
          continue;
        }
        const rank = percentileRank(table, raw);
        sub = measure.direction === 'higher_is_better' ? rank : 100 - rank;
      } else {
        sub = measure.normalise(raw);
        if (sub === null) {
          missing[index] = OUT_OF_RANGE;
          continue;
        }
      }
      missing[index] = PRESENT;
      subScores[index] = sub;
      presentWeight[measure.groupIndex] = (presentWeight[measure.groupIndex] as number) + measure.localWeight;
      weightedSum[measure.groupIndex] = (weightedSum[measure.groupIndex] as number) + measure.localWeight * sub;
      coverage += measure.nominalWeight;
    }

    let presentGroupWeight = 0;
    for (let index = 0; index < groupCount; index += 1) {
      if ((presentWeight[index] as number) > 0) presentGroupWeight += (compiled.groups[index] as CompiledGroup).weight;
    }

    const groups: GroupScore[] = [];
    for (let index = 0; index < groupCount; index += 1) {
      const group = compiled.groups[index] as CompiledGroup;
      const weightPresent = presentWeight[index] as number;
      const has = weightPresent > 0;
      groups.push({
        key: group.key,
        label: group.label,
        score: has ? (weightedSum[index] as number) / weightPresent : null,
        weight: has ? group.weight / presentGroupWeight : 0,
        nominalWeight: group.nominalWeight,
        coverage: group.measureWeight > 0 ? weightPresent / group.measureWeight : 0,
      });
    }

    let total = 0;
    const measures: MeasureScore[] = [];
    for (let index = 0; index < count; index += 1) {
      const measure = compiled.measures[index] as CompiledMeasure;
      const sub = subScores[index] as number;
      const isPresent = sub === sub;
      const weight = isPresent
        ? ((groups[measure.groupIndex] as GroupScore).weight * measure.localWeight) /
          (presentWeight[measure.groupIndex] as number)
        : 0;
      const contribution = isPresent ? weight * sub : 0;
      total += contribution;
      measures.push({
        key: measure.key,
        group: measure.group,
        signal: measure.signal,
        label: measure.label,
        method: measure.method,
        direction: measure.direction,
        raw: raws[index] ?? null,
        subScore: isPresent ? sub : null,
        weight,
        nominalWeight: measure.nominalWeight,
        contribution,
        target: measure.target,
        missing: MISSING_REASONS[missing[index] as number] ?? null,
      });
    }

    // Rounding noise must not push coverage 0.4999999 under a 0.5 floor.
    const sufficient = coverage + 1e-9 >= minCoverage && presentGroupWeight > 0;
    return {
      modelId: model.id,
      modelVersion: model.version,
      segment: input.segment,
      status: sufficient ? 'scored' : 'insufficient_data',
      score: sufficient ? total : null,
      band: sufficient ? bandOf(total, model.bands) : null,
      coverage: Math.min(1, coverage),
      neutral,
      groups,
      measures,
    };
  }

  return {
    model,
    score,
    measures: (segment) => forSegment(segment).measures,
  };
}

const compiledModels = new WeakMap<HealthModel, CompiledModel>();

function compiledFor(model: HealthModel): CompiledModel {
  let compiled = compiledModels.get(model);
  if (!compiled) {
    compiled = compileModel(model);
    compiledModels.set(model, compiled);
  }
  return compiled;
}

/** Scores one account; see `compileModel` for many. */
export function scoreAccount(model: HealthModel, input: ScoreInput): Score {
  return compiledFor(model).score(input);
}

/**
 * The within-segment reference for percentile measures: for each segment present among `accounts`,
 * each percentile measure's raw values, ascending. Accounts without a value are not peers.
 */
export function percentileTables(
  model: HealthModel,
  accounts: Iterable<{ segment: string | null; signals: SignalValues }>,
): PercentileTables {
  const compiled = compiledFor(model);
  const collected = new Map<string, Map<string, number[]>>();
  for (const account of accounts) {
    const key = segmentKey(account.segment);
    for (const measure of compiled.measures(account.segment)) {
      if (measure.method !== 'percentile') continue;
      const raw = numeric(account.signals[measure.signal]);
      if (raw === null) continue;
      let bySegment = collected.get(key);
      if (!bySegment) {
        bySegment = new Map();
        collected.set(key, bySegment);
      }
      let values = bySegment.get(measure.key);
      if (!values) {
        values = [];
        bySegment.set(measure.key, values);
      }
      values.push(raw);
    }
  }
  const tables: Record<string, Record<string, Float64Array>> = {};
  for (const [segment, bySegment] of collected) {
    const table: Record<string, Float64Array> = {};
    for (const [measure, values] of bySegment) table[measure] = Float64Array.from(values).sort();
    tables[segment] = table;
  }
  return tables;
}
