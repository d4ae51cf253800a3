/**
 * How far probabilities are from what happened. Brier: the mean squared gap between the predicted
 * probability and the outcome (0 perfect, 0.25 a coin toss). The calibration table cuts [0, 1] into
 * equal-width buckets and compares, in each, the mean prediction with the share that renewed.
 * Weights let one renewal seen from several days count once.
 */

export interface CalibrationBucket {
  /** The bucket's range of predicted probability: [from, to), the last one closed. */
  from: number;
  to: number;
  /** Examples in the bucket, and their total weight. */
  count: number;
  weight: number;
  /** Weighted mean prediction and weighted share renewed; null for an empty bucket. */
  meanPredicted: number | null;
  observed: number | null;
}

function checkLengths(predictions: readonly number[], outcomes: readonly boolean[], weights?: readonly number[]) {
  if (predictions.length !== outcomes.length || (weights && weights.length !== predictions.length)) {
    throw new RangeError('predictions, outcomes and weights must be the same length');
  }
}

/** The (weighted) Brier score; NaN when there is nothing to score. */
export function brierScore(
  predictions: readonly number[],
  outcomes: readonly boolean[],
  weights?: readonly number[],
): number {
  checkLengths(predictions, outcomes, weights);
  let sum = 0;
  let total = 0;
  for (let i = 0; i < predictions.length; i += 1) {
    const w = weights?.[i] ?? 1;
    const gap = predictions[i]! - (outcomes[i] ? 1 : 0);
    sum += w * gap * gap;
    total += w;
  }
  return total > 0 ? sum / total : Number.NaN;
}

export function calibrationTable(
  predictions: readonly number[],
  outcomes: readonly boolean[],
  buckets = 10,
  weights?: readonly number[],
): CalibrationBucket[] {
  checkLengths(predictions, outcomes, weights);
  if (!Number.isInteger(buckets) || buckets < 1) throw new RangeError(`buckets must be a whole number ≥ 1`);
  const acc = Array.from({ length: buckets }, () => ({ count: 0, weight: 0, predicted: 0, renewed: 0 }));
  for (let i = 0; i < predictions.length; i += 1) {
    const p = predictions[i]!;
    const w = weights?.[i] ?? 1;
    const bucket = acc[Math.min(buckets - 1, Math.max(0, Math.floor(p * buckets)))]!;
    bucket.count += 1;
    bucket.weight += w;
    bucket.predicted += w * p;
    if (outcomes[i]) bucket.renewed += w;
  }
  return acc.map((bucket, index) => ({
    from: index / buckets,
    to: (index + 1) / buckets,
    count: bucket.count,
    weight: bucket.weight,
    meanPredicted: bucket.weight > 0 ? bucket.predicted / bucket.weight : null,
    observed: bucket.weight > 0 ? bucket.renewed / bucket.weight : null,
  }));
}
