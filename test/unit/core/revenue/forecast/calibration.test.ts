import { describe, expect, it } from 'vitest';
import { brierScore, calibrationTable } from '../../../../../server/core/revenue/forecast/calibration.ts';

describe('brierScore', () => {
  it.each([
    // (0.9 − 1)² + (0.2 − 0)² + (0.6 − 0)² = 0.01 + 0.04 + 0.36 = 0.41; ÷ 3 = 0.13667
    { predictions: [0.9, 0.2, 0.6], outcomes: [true, false, false], weights: undefined, expected: 0.41 / 3 },
    // weights 1, 1, 2: (0.01 + 0.04 + 2 × 0.36) ÷ 4 = 0.77 ÷ 4 = 0.1925
    { predictions: [0.9, 0.2, 0.6], outcomes: [true, false, false], weights: [1, 1, 2], expected: 0.1925 },
    // certain and right: 0
    { predictions: [1, 0], outcomes: [true, false], weights: undefined, expected: 0 },
    // a coin toss scores 0.25 whatever happens
    { predictions: [0.5, 0.5], outcomes: [true, false], weights: undefined, expected: 0.25 },
  ])(
    '$predictions against $outcomes (weights $weights) → $expected',
    ({ predictions, outcomes, weights, expected }) => {
      expect(brierScore(predictions, outcomes, weights)).toBeCloseTo(expected, 10);
    },
  );

  it('is NaN with nothing to score, and refuses lists of different lengths', () => {
    expect(brierScore([], [])).toBeNaN();
    expect(() => brierScore([0.5], [true, false])).toThrow(/same length/);
    expect(() => brierScore([0.5], [true], [1, 2])).toThrow(/same length/);
  });
});

describe('calibrationTable', () => {
  it('compares the mean prediction with the share renewed in each bucket', () => {
    // Two buckets, [0, 0.5) and [0.5, 1]:
    //   0.1 (lost), 0.4 (won)            → mean (0.1 + 0.4) ÷ 2 = 0.25, observed 1 ÷ 2 = 0.5
    //   0.6 (won), 0.9 (won), 1.0 (lost) → mean 2.5 ÷ 3 = 0.8333, observed 2 ÷ 3; 1.0 falls in the last bucket
    const table = calibrationTable([0.1, 0.4, 0.6, 0.9, 1], [false, true, true, true, false], 2);
    expect(table).toHaveLength(2);
    expect(table[0]).toMatchObject({ from: 0, to: 0.5, count: 2, weight: 2, observed: 0.5 });
    expect(table[0]?.meanPredicted).toBeCloseTo(0.25, 10);
    expect(table[1]).toMatchObject({ from: 0.5, to: 1, count: 3, weight: 3 });
    expect(table[1]?.meanPredicted).toBeCloseTo(2.5 / 3, 10);
    expect(table[1]?.observed).toBeCloseTo(2 / 3, 10);
  });

  it('weights the means and leaves empty buckets empty', () => {
    // Bucket [0.8, 0.9): 0.85 won (weight 3) and 0.85 lost (weight 1) → observed 3 ÷ 4 = 0.75
    const table = calibrationTable([0.85, 0.85], [true, false], 10, [3, 1]);
    expect(table).toHaveLength(10);
    expect(table[8]).toMatchObject({ count: 2, weight: 4, observed: 0.75 });
    expect(table[8]?.meanPredicted).toBeCloseTo(0.85, 10);
    expect(table[0]).toMatchObject({ count: 0, weight: 0, meanPredicted: null, observed: null });
  });

  it('refuses a bucket count that is not a whole number of at least 1', () => {
    expect(() => calibrationTable([0.5], [true], 0)).toThrow(/buckets/);
    expect(() => calibrationTable([0.5], [true], 2.5)).toThrow(/buckets/);
  });
});
