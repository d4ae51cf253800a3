/**
 * The renewal probability written beside every health score until the forecast learns an
 * installation's own from its renewals. It is a prior, chosen rather than fitted:
 *
 *   p(score) = 1 / (1 + e^(−0.055 · (score − 15))), clamped to [0.01, 0.99]
 *
 * Why these numbers: most books renew 85–90 % of their ARR, and the default bands put the bulk of a
 * book in yellow and green. The curve is pinned at two points a CS leader can check against their
 * own book: a score of 40, the red/yellow line, renews about 4 times in 5 (0.80); a score of 70, the
 * green line, about 19 times in 20 (0.95). That gives the slope (0.055 per point) and the midpoint
 * (15, where renewal is a coin toss): deep red accounts (score 0) still renew about 30 % of the time,
 * as they do in practice (multi-year terms, switching costs), and no score promises certainty either way.
 */
const SLOPE_PER_POINT = 0.055;
const MIDPOINT = 15;
const FLOOR = 0.01;
const CEILING = 0.99;

/** The documented prior probability (0–1) that the next renewal closes, from a health score. */
export function renewalProbability(score: number): number {
  if (!Number.isFinite(score)) throw new RangeError(`a health score must be a finite number, got ${score}`);
  const probability = 1 / (1 + Math.exp(-SLOPE_PER_POINT * (score - MIDPOINT)));
  return Math.min(CEILING, Math.max(FLOOR, probability));
}

/** ARR at risk at the next renewal: ARR × (1 − probability), rounded to whole currency units. */
export function revenueAtRisk(arr: number | null, probability: number): number | null {
  if (arr === null || !Number.isFinite(arr)) return null;
  if (!(probability >= 0 && probability <= 1)) {
    throw new RangeError(`a renewal probability must be between 0 and 1, got ${probability}`);
  }
  // A negative ARR (a credit note mapped as ARR) puts nothing at risk.
  return Math.round(Math.max(0, arr) * (1 - probability));
}
