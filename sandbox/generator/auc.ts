/**
 * Area under the ROC curve by the Mann–Whitney U statistic with midranks for ties: the
 * probability that a random positive scores above a random negative, ties counting one half.
 */
export function auc(scores: readonly number[], positive: readonly boolean[]): number {
  if (scores.length !== positive.length) throw new Error('scores and labels differ in length');
  const order = scores.map((_, index) => index).sort((a, b) => (scores[a] as number) - (scores[b] as number));
  let positives = 0;
  let rankSum = 0;
  for (let start = 0; start < order.length;) {
    let end = start;
    const value = scores[order[start] as number] as number;
    while (end < order.length && scores[order[end] as number] === value) end++;
    // Ranks start + 1 … end share their mean.
    const midrank = (start + 1 + end) / 2;
    for (let i = start; i < end; i++) {
      if (positive[order[i] as number]) {
        positives++;
        rankSum += midrank;
      }
    }
    start = end;
  }
  const negatives = order.length - positives;
  if (positives === 0 || negatives === 0) return Number.NaN;
  return (rankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}
