import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { renewalProbability, revenueAtRisk } from '../../../../server/core/health/renewal-prior.ts';

describe('renewalProbability', () => {
  it.each([
    // score, expected probability, what the point stands for
    [15, 0.5, 'the midpoint: a coin toss'],
    [40, 0.798, 'the red/yellow line: about four renewals in five'],
    [70, 0.954, 'the yellow/green line: about 19 in 20'],
    [55, 0.9, 'a middling yellow account'],
    [0, 0.305, 'the lowest score still renews now and then'],
    [100, 0.99, 'clamped: no score promises certainty'],
    [-1_000, 0.01, 'clamped at the floor'],
  ])('a score of %d renews with probability %d (%s)', (score, probability) => {
    expect(renewalProbability(score)).toBeCloseTo(probability, 3);
  });

  it('rises with the score and stays within [0.01, 0.99]', () => {
    fc.assert(
      fc.property(
        fc.double({ min: -200, max: 300, noNaN: true }),
        fc.double({ min: -200, max: 300, noNaN: true }),
        (a, b) => {
          const [low, high] = a <= b ? [a, b] : [b, a];
          const pLow = renewalProbability(low);
          const pHigh = renewalProbability(high);
          return pLow <= pHigh && pLow >= 0.01 && pHigh <= 0.99;
        },
      ),
    );
  });

  it.each([Number.NaN, Number.POSITIVE_INFINITY])('refuses a score of %d', (score) => {
    expect(() => renewalProbability(score)).toThrow(/finite/);
  });
});

describe('revenueAtRisk', () => {
  it.each([
    [100_000, 0.8, 20_000],
    [1_234, 0.9, 123],
    [999, 0.5, 500],
    [48_000, 0.99, 480],
    [0, 0.3, 0],
    [-500, 0.5, 0],
    [null, 0.5, null],
  ])('ARR %s at probability %d puts %s at risk', (arr, probability, expected) => {
    expect(revenueAtRisk(arr, probability)).toBe(expected);
  });

  it.each([1.2, -0.1, Number.NaN])('refuses a probability of %d', (probability) => {
    expect(() => revenueAtRisk(1_000, probability)).toThrow(/between 0 and 1/);
  });
});
