import { Random } from '../shared/random.ts';

/**
 * One independent random stream per book, account and concern: adding an account, or changing how
 * tickets are drawn, leaves every other account and concern exactly as it was.
 */
export function streamFor(seed: number, key: string, concern: string): Random {
  return new Random(`${seed}:${key}:${concern}`);
}

/** Poisson draw by inversion; the rates here are small (a few events a day at most). */
export function poisson(random: Random, rate: number): number {
  if (rate <= 0) return 0;
  const limit = Math.exp(-rate);
  let count = 0;
  let product = random.float();
  while (product > limit) {
    count++;
    product *= random.float();
  }
  return count;
}

export function logNormal(random: Random, median: number, logSd: number): number {
  return median * Math.exp(random.normal(0, logSd));
}
