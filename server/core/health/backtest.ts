import { renewalProbability } from './renewal-prior.ts';

/**
 * How well a health model separates renewals from churn (DESIGN.md §4): every account that was a
 * customer on the backtest day, its score as of that day and whether it churned in the horizon after.
 * The AUC reads "a renewing account scores above a churning one" (0.5 is chance, 1 perfect); the
 * bottom 20 % says how much of the churned ARR the lowest scores would have flagged; calibration
 * sets the renewal prior beside what happened, bucket by bucket.
 */

export interface BacktestCase {
  accountId: string;
  segment: string | null;
  arr: number;
  /** The score as of the backtest day; null when the data was insufficient. */
  score: number | null;
  churned: boolean;
}

export interface CalibrationBucket {
  /** Scores in [from, to); the last bucket includes 100. */
  from: number;
  to: number;
  accounts: number;
  churned: number;
  observedRenewal: number | null;
  /** Mean `renewalProbability` of the bucket's scores. */
  predictedRenewal: number | null;
}

export interface BacktestReport {
  asOf: string;
  horizonDays: number;
  /** Every case, scored or not. */
  accounts: number;
  scored: number;
  /** Churned cases, scored or not. */
  churned: number;
  /** Over the scored cases; null when they hold no churn or no renewal. */
  auc: number | null;
  bottom20: {
    accounts: number;
    /** The bottom's share of the churned ARR of all scored accounts. */
    churnedArrShare: number | null;
    churnRate: number | null;
    /** The churn rate of all scored accounts, to compare the bottom's with. */
    baseChurnRate: number | null;
  };
  calibration: CalibrationBucket[];
  /** By segment; accounts without one under `NO_SEGMENT`. */
  bySegment: Record<string, { accounts: number; churned: number; auc: number | null }>;
}

export const NO_SEGMENT = '(none)';
const BUCKETS = 10;
const BUCKET_WIDTH = 100 / BUCKETS;

/**
 * The Mann–Whitney AUC with midranks for ties: the probability that a random case of `positive`
 * scores above a random other one, ties counting one half. Null when either class is empty.
 */
export function separationAuc(scores: readonly number[], positive: readonly boolean[]): number | null {
  if (scores.length !== positive.length) throw new Error('scores and labels differ in length');
  const order = scores.map((_, index) => index).sort((a, b) => (scores[a] as number) - (scores[b] as number));
  let positives = 0;
  let rankSum = 0;
  for (let start = 0; start < order.length;) {
    const value = scores[order[start] as number] as number;
    let end = start;
    while (end < order.length && scores[order[end] as number] === value) end += 1;
    // Ranks start + 1 … end share their mean.
    const midrank = (start + 1 + end) / 2;
    for (let index = start; index < end; index += 1) {
      if (positive[order[index] as number]) {
        positives += 1;
        rankSum += midrank;
      }
    }
    start = end;
  }
  const negatives = order.length - positives;
  if (positives === 0 || negatives === 0) return null;
  return (rankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}

type ScoredCase = BacktestCase & { score: number };

/** "Score separates renewals from churn": renewals are the class expected to score higher. */
const aucOf = (cases: readonly ScoredCase[]) =>
  separationAuc(
    cases.map((c) => c.score),
    cases.map((c) => !c.churned),
  );

const rate = (part: number, whole: number) => (whole === 0 ? null : part / whole);

function bottom20(scored: readonly ScoredCase[]): BacktestReport['bottom20'] {
  const lowestFirst = [...scored].sort(
    (a, b) => a.score - b.score || (a.accountId < b.accountId ? -1 : a.accountId > b.accountId ? 1 : 0),
  );
  const bottom = lowestFirst.slice(0, Math.round(scored.length / 5));
  const churnedArr = (cases: readonly ScoredCase[]) =>
    cases.reduce((sum, c) => sum + (c.churned ? Math.max(0, c.arr) : 0), 0);
  const churnedIn = (cases: readonly ScoredCase[]) => cases.filter((c) => c.churned).length;
  const allChurnedArr = churnedArr(scored);
  return {
    accounts: bottom.length,
    churnedArrShare: allChurnedArr > 0 ? churnedArr(bottom) / allChurnedArr : null,
    churnRate: rate(churnedIn(bottom), bottom.length),
    baseChurnRate: rate(churnedIn(scored), scored.length),
  };
}

function calibration(scored: readonly ScoredCase[]): CalibrationBucket[] {
  const buckets = Array.from({ length: BUCKETS }, (_, index) => ({
    accounts: 0,
    churned: 0,
    probabilitySum: 0,
    from: index * BUCKET_WIDTH,
    to: (index + 1) * BUCKET_WIDTH,
  }));
  for (const c of scored) {
    const index = Math.min(BUCKETS - 1, Math.max(0, Math.floor(c.score / BUCKET_WIDTH)));
    const bucket = buckets[index] as (typeof buckets)[number];
    bucket.accounts += 1;
    if (c.churned) bucket.churned += 1;
    bucket.probabilitySum += renewalProbability(c.score);
  }
  return buckets.map((bucket) => ({
    from: bucket.from,
    to: bucket.to,
    accounts: bucket.accounts,
    churned: bucket.churned,
    observedRenewal: rate(bucket.accounts - bucket.churned, bucket.accounts),
    predictedRenewal: rate(bucket.probabilitySum, bucket.accounts),
  }));
}

export function evaluateBacktest(
  cases: readonly BacktestCase[],
  meta: { asOf: string; horizonDays: number },
): BacktestReport {
  const scored: ScoredCase[] = [];
  for (const c of cases) {
    if (c.score === null) continue;
    if (!Number.isFinite(c.score)) throw new RangeError(`account ${c.accountId} has a score of ${c.score}`);
    scored.push(c as ScoredCase);
  }

  const segments = new Map<string, { all: BacktestCase[]; scored: ScoredCase[] }>();
  for (const c of cases) {
    const key = c.segment ?? NO_SEGMENT;
    let entry = segments.get(key);
    if (!entry) {
      entry = { all: [], scored: [] };
      segments.set(key, entry);
    }
    entry.all.push(c);
    if (c.score !== null) entry.scored.push(c as ScoredCase);
  }
  const bySegment: BacktestReport['bySegment'] = {};
  for (const [segment, entry] of [...segments].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    bySegment[segment] = {
      accounts: entry.all.length,
      churned: entry.all.filter((c) => c.churned).length,
      auc: aucOf(entry.scored),
    };
  }

  return {
    asOf: meta.asOf,
    horizonDays: meta.horizonDays,
    accounts: cases.length,
    scored: scored.length,
    churned: cases.filter((c) => c.churned).length,
    auc: aucOf(scored),
    bottom20: bottom20(scored),
    calibration: calibration(scored),
    bySegment,
  };
}
