/**
 * Learning an installation's renewal model from its own decided renewals. A logistic regression with
 * the documented prior as an offset:
 *
 *   logit p = logit prior(score) + β·x,   β ~ Normal(0, 1/λ)  (an L2 penalty λ/2·|β|²)
 *
 * fitted by Newton–Raphson (IRLS). The penalty pulls every coefficient towards 0, that is towards the
 * prior, so a thin history moves the forecast little and an empty one not at all. λ is chosen from a
 * small grid by k-fold cross-validation on the Brier score with folds by account (an account's
 * snapshots never sit on both sides); "no learning at all" is in the race too, so a book whose own
 * history does not beat the prior keeps the prior. Below a minimum of decided renewals, or of lost
 * ones, there is nothing to learn from and the model is the prior, with the reason.
 */
import { brierScore, calibrationTable } from './calibration.ts';
import { FIXED_FEATURES, groupFeature, renewalFeatures, SEGMENT_PREFIX, segmentFeature } from './features.ts';
import type { RenewalModel } from './model.ts';
import { clampProbability, offsetOf, priorOf, sigmoid } from './predict.ts';
import type { TrainingExample } from './training-examples.ts';

export const MIN_RENEWALS = 40;
export const MIN_LOST = 5;
export const DEFAULT_PENALTIES: readonly number[] = [0.3, 1, 3, 10, 30, 100];
export const DEFAULT_FOLDS = 5;
export const CALIBRATION_BUCKETS = 10;

export interface TrainOptions {
  /** The day the model is trained as of (epoch ms); recorded, never read from a clock. */
  asOf: number;
  horizonDays: number;
  penalties?: readonly number[];
  folds?: number;
  minRenewals?: number;
  minLost?: number;
}

export interface LogisticFit {
  coefficients: number[];
  iterations: number;
  converged: boolean;
}

/** A design matrix: one row per example, aligned with the feature names. */
export interface Design {
  features: string[];
  rows: Float64Array[];
  offsets: Float64Array;
  labels: Uint8Array;
  weights: Float64Array;
}

/**
 * Maximises Σ wᵢ·[yᵢ log pᵢ + (1 − yᵢ) log(1 − pᵢ)] − λ/2·|β|² with pᵢ = σ(offsetᵢ + β·xᵢ).
 * Newton steps: β ← β + (XᵀWX + λI)⁻¹ (Xᵀw(y − p) − λβ), W = diag(wᵢ pᵢ (1 − pᵢ)); the objective is
 * strictly concave for λ > 0, so the steps converge from β = 0 in a handful of iterations.
 */
export function fitLogistic(
  design: Pick<Design, 'rows' | 'offsets' | 'labels' | 'weights'>,
  penalty: number,
  options: { maxIterations?: number; tolerance?: number } = {},
): LogisticFit {
  const maxIterations = options.maxIterations ?? 50;
  const tolerance = options.tolerance ?? 1e-9;
  const k = design.rows[0]?.length ?? 0;
  const beta = new Array<number>(k).fill(0);
  if (k === 0) return { coefficients: beta, iterations: 0, converged: true };
  for (let iteration = 1; iteration <= maxIterations; iteration += 1) {
    const gradient = beta.map((b) => -penalty * b);
    const hessian = Array.from({ length: k }, (_, i) => {
      const row = new Array<number>(k).fill(0);
      row[i] = penalty;
      return row;
    });
    for (let n = 0; n < design.rows.length; n += 1) {
      const x = design.rows[n]!;
      const w = design.weights[n]!;
      if (w === 0) continue;
      let eta = design.offsets[n]!;
      for (let j = 0; j < k; j += 1) eta += beta[j]! * x[j]!;
      const p = sigmoid(eta);
      const residual = w * (design.labels[n]! - p);
      const curvature = w * p * (1 - p);
      for (let i = 0; i < k; i += 1) {
        const xi = x[i]!;
        if (xi === 0) continue;
        gradient[i]! += residual * xi;
        const hessianRow = hessian[i]!;
        for (let j = 0; j < k; j += 1) hessianRow[j]! += curvature * xi * x[j]!;
      }
    }
    const step = solve(hessian, gradient);
    let largest = 0;
    for (let j = 0; j < k; j += 1) {
      beta[j]! += step[j]!;
      largest = Math.max(largest, Math.abs(step[j]!));
    }
    if (largest < tolerance) return { coefficients: beta, iterations: iteration, converged: true };
  }
  return { coefficients: beta, iterations: maxIterations, converged: false };
}

/** Solves A·x = b for a symmetric positive-definite A (Cholesky). */
function solve(a: number[][], b: number[]): number[] {
  const n = b.length;
  const l = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  for (let i = 0; i < n; i += 1) {
    for (let j = 0; j <= i; j += 1) {
      let sum = a[i]![j]!;
      for (let m = 0; m < j; m += 1) sum -= l[i]![m]! * l[j]![m]!;
      if (i === j) {
        if (!(sum > 0)) throw new RangeError('the penalised information matrix is not positive definite');
        l[i]![i] = Math.sqrt(sum);
      } else {
        l[i]![j] = sum / l[j]![j]!;
      }
    }
  }
  const y = new Array<number>(n).fill(0);
  for (let i = 0; i < n; i += 1) {
    let sum = b[i]!;
    for (let m = 0; m < i; m += 1) sum -= l[i]![m]! * y[m]!;
    y[i] = sum / l[i]![i]!;
  }
  const x = new Array<number>(n).fill(0);
  for (let i = n - 1; i >= 0; i -= 1) {
    let sum = y[i]!;
    for (let m = i + 1; m < n; m += 1) sum -= l[m]![i]! * x[m]!;
    x[i] = sum / l[i]![i]!;
  }
  return x;
}

/** The fixed features and one per segment seen in the examples (sorted, so a model is reproducible). */
export function featureNamesOf(examples: readonly TrainingExample[]): string[] {
  const segments = new Set<string>();
  const groups = new Set<string>();
  for (const example of examples) {
    if (example.input.segment) segments.add(example.input.segment);
    for (const group of Object.keys(example.input.groupScores ?? {})) groups.add(group);
  }
  return [...FIXED_FEATURES, ...[...segments].sort().map(segmentFeature), ...[...groups].sort().map(groupFeature)];
}

export function designOf(examples: readonly TrainingExample[], features: readonly string[]): Design {
  return {
    features: [...features],
    rows: examples.map((example) => {
      const x = renewalFeatures(example.input);
      return Float64Array.from(features, (name) => x[name] ?? 0);
    }),
    offsets: Float64Array.from(examples, (example) => offsetOf(example.input)),
    labels: Uint8Array.from(examples, (example) => (example.renewed ? 1 : 0)),
    weights: Float64Array.from(examples, (example) => example.weight),
  };
}

function predictRow(row: Float64Array, offset: number, beta: readonly number[]): number {
  let eta = offset;
  for (let j = 0; j < beta.length; j += 1) eta += beta[j]! * row[j]!;
  return clampProbability(sigmoid(eta));
}

/** FNV-1a: a fold per account that does not depend on the order the examples came in. */
export function foldOf(accountId: string, folds: number): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < accountId.length; i += 1) {
    hash ^= accountId.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % folds;
}

/** Out-of-fold predictions for one penalty; `null` penalty = the prior alone. */
function outOfFold(design: Design, folds: Uint8Array, foldCount: number, penalty: number | null): Float64Array {
  const predictions = new Float64Array(design.rows.length);
  for (let fold = 0; fold < foldCount; fold += 1) {
    const train = subset(design, (n) => folds[n] !== fold);
    const beta = penalty === null ? [] : fitLogistic(train, penalty).coefficients;
    for (let n = 0; n < design.rows.length; n += 1) {
      if (folds[n] === fold) predictions[n] = predictRow(design.rows[n]!, design.offsets[n]!, beta);
    }
  }
  return predictions;
}

function subset(design: Design, keep: (n: number) => boolean): Design {
  const index = design.rows.map((_, n) => n).filter(keep);
  return {
    features: design.features,
    rows: index.map((n) => design.rows[n]!),
    offsets: Float64Array.from(index, (n) => design.offsets[n]!),
    labels: Uint8Array.from(index, (n) => design.labels[n]!),
    weights: Float64Array.from(index, (n) => design.weights[n]!),
  };
}

const isoDay = (at: number) => new Date(at).toISOString().slice(0, 10);
const round4 = (value: number) => Math.round(value * 10_000) / 10_000;

interface RenewalTally {
  renewals: number;
  won: number;
  lost: number;
  accounts: number;
  first: number | null;
  last: number | null;
  arr: number;
  arrWon: number;
}

function tally(examples: readonly TrainingExample[]): RenewalTally {
  const seen = new Map<string, TrainingExample>();
  for (const example of examples)
    if (example.weight > 0 && !seen.has(example.renewalKey)) seen.set(example.renewalKey, example);
  const out: RenewalTally = { renewals: 0, won: 0, lost: 0, accounts: 0, first: null, last: null, arr: 0, arrWon: 0 };
  const accounts = new Set<string>();
  for (const example of seen.values()) {
    out.renewals += 1;
    if (example.renewed) out.won += 1;
    else out.lost += 1;
    accounts.add(example.accountId);
    out.first = out.first === null ? example.decidedAt : Math.min(out.first, example.decidedAt);
    out.last = out.last === null ? example.decidedAt : Math.max(out.last, example.decidedAt);
    const arr = Math.max(0, example.arr ?? 0);
    out.arr += arr;
    if (example.renewed) out.arrWon += arr;
  }
  out.accounts = accounts.size;
  return out;
}

function between(t: RenewalTally): string {
  return t.first === null || t.last === null ? '' : ` decided between ${isoDay(t.first)} and ${isoDay(t.last)}`;
}

/** The documented prior as a model, saying why it is used. */
export function priorModel(
  examples: readonly TrainingExample[],
  options: Pick<TrainOptions, 'asOf' | 'horizonDays'>,
  reason: string,
): RenewalModel {
  const t = tally(examples);
  const priors = examples.map((example) => priorOf(example.input));
  const outcomes = examples.map((example) => example.renewed);
  const weights = examples.map((example) => example.weight);
  const brier = examples.length > 0 ? round4(brierScore(priors, outcomes, weights)) : null;
  return {
    version: 1,
    basis: 'prior',
    reason,
    features: [],
    coefficients: [],
    penalty: 0,
    horizonDays: options.horizonDays,
    trainedAt: options.asOf,
    trainedOn: {
      renewals: t.renewals,
      examples: examples.length,
      won: t.won,
      lost: t.lost,
      accounts: t.accounts,
      firstDecision: t.first === null ? null : isoDay(t.first),
      lastDecision: t.last === null ? null : isoDay(t.last),
      arr: Math.round(t.arr),
      arrWon: Math.round(t.arrWon),
    },
    brier: { inSample: brier, crossValidated: brier, prior: brier },
    calibration: calibrationTable(priors, outcomes, CALIBRATION_BUCKETS, weights),
    explanation: `Renewal probabilities follow the documented prior curve of the health score: ${reason}.`,
  };
}

export function trainRenewalModel(examples: readonly TrainingExample[], options: TrainOptions): RenewalModel {
  const minRenewals = options.minRenewals ?? MIN_RENEWALS;
  const minLost = options.minLost ?? MIN_LOST;
  const foldCount = options.folds ?? DEFAULT_FOLDS;
  const penalties = options.penalties ?? DEFAULT_PENALTIES;
  if (foldCount < 2) throw new RangeError('cross-validation needs at least 2 folds');
  if (penalties.length === 0 || penalties.some((penalty) => !(penalty > 0))) {
    throw new RangeError('penalties must be positive numbers');
  }
  // A fixed order, so the same examples give the same model to the last digit whatever order they came in.
  const usable = examples
    .filter((example) => example.weight > 0)
    .sort(
      (a, b) =>
        (a.accountId < b.accountId ? -1 : a.accountId > b.accountId ? 1 : 0) ||
        a.at - b.at ||
        a.decidedAt - b.decidedAt,
    );
  const t = tally(usable);
  if (t.renewals < minRenewals) {
    return priorModel(usable, options, `${t.renewals} renewals decided so far, ${minRenewals} needed to learn from`);
  }
  if (t.lost < minLost) {
    return priorModel(usable, options, `${t.lost} renewals lost so far, ${minLost} needed to learn from`);
  }

  const design = designOf(usable, featureNamesOf(usable));
  const folds = Uint8Array.from(usable, (example) => foldOf(example.accountId, foldCount));
  const outcomes = usable.map((example) => example.renewed);
  const weights = [...design.weights];
  const priorOof = outOfFold(design, folds, foldCount, null);
  const priorBrier = brierScore([...priorOof], outcomes, weights);
  let best: { penalty: number; brier: number; predictions: Float64Array } | null = null;
  for (const penalty of penalties) {
    const predictions = outOfFold(design, folds, foldCount, penalty);
    const brier = brierScore([...predictions], outcomes, weights);
    if (best === null || brier < best.brier) best = { penalty, brier, predictions };
  }
  if (best === null || !(best.brier < priorBrier)) {
    return priorModel(usable, options, `the book’s ${t.renewals} renewals did not forecast better than it`);
  }

  const fit = fitLogistic(design, best.penalty);
  const inSample = design.rows.map((row, n) => predictRow(row, design.offsets[n]!, fit.coefficients));
  const crossValidated = round4(best.brier);
  const prior = round4(priorBrier);
  return {
    version: 1,
    basis: 'learned',
    reason: null,
    features: design.features,
    coefficients: fit.coefficients.map((value) => Math.round(value * 1e6) / 1e6),
    penalty: best.penalty,
    horizonDays: options.horizonDays,
    trainedAt: options.asOf,
    trainedOn: {
      renewals: t.renewals,
      examples: usable.length,
      won: t.won,
      lost: t.lost,
      accounts: t.accounts,
      firstDecision: t.first === null ? null : isoDay(t.first),
      lastDecision: t.last === null ? null : isoDay(t.last),
      arr: Math.round(t.arr),
      arrWon: Math.round(t.arrWon),
    },
    brier: { inSample: round4(brierScore(inSample, outcomes, weights)), crossValidated, prior },
    calibration: calibrationTable([...best.predictions], outcomes, CALIBRATION_BUCKETS, weights),
    explanation:
      `Learned from ${t.renewals} renewals (${t.won} renewed, ${t.lost} lost) across ${t.accounts} accounts` +
      `${between(t)}; on renewals it had not seen it scored a Brier of ${crossValidated.toFixed(3)} ` +
      `against ${prior.toFixed(3)} for the documented prior alone (lower is better).`,
  };
}

/** Whether a feature name is a segment's. */
export const isSegmentFeature = (feature: string) => feature.startsWith(SEGMENT_PREFIX);
