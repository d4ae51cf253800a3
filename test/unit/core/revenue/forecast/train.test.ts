import { describe, expect, it } from 'vitest';
import type { RenewalFeatureInput } from '../../../../../server/core/revenue/forecast/features.ts';
import { parseRenewalModel } from '../../../../../server/core/revenue/forecast/model.ts';
import { renewalOutlook } from '../../../../../server/core/revenue/forecast/predict.ts';
import { fitLogistic, foldOf, trainRenewalModel } from '../../../../../server/core/revenue/forecast/train.ts';
import type { TrainingExample } from '../../../../../server/core/revenue/forecast/training-examples.ts';

const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));
const DAY = 86_400_000;
const T0 = Date.UTC(2025, 0, 1);

/**
 * Expected counts instead of draws: at every point of a grid, a renewal with weight p and a loss with
 * weight 1 − p, where p = σ(offset + β·x). The weighted likelihood peaks exactly at β.
 */
function exactDesign(beta: readonly number[]) {
  const rows: Float64Array[] = [];
  const offsets: number[] = [];
  const labels: number[] = [];
  const weights: number[] = [];
  for (let a = -2; a <= 2; a += 1) {
    for (let b = -1; b <= 1; b += 1) {
      const x = Float64Array.of(1, a, b);
      const offset = 0.3 * a;
      const p = sigmoid(offset + beta[0]! * x[0]! + beta[1]! * x[1]! + beta[2]! * x[2]!);
      for (const [label, weight] of [
        [1, p],
        [0, 1 - p],
      ] as const) {
        rows.push(x);
        offsets.push(offset);
        labels.push(label);
        weights.push(weight);
      }
    }
  }
  return {
    rows,
    offsets: Float64Array.from(offsets),
    labels: Uint8Array.from(labels),
    weights: Float64Array.from(weights),
  };
}

describe('fitLogistic', () => {
  it.each([{ beta: [0.5, -1, 0.8] }, { beta: [-2, 0.25, 0] }, { beta: [0, 0, 0] }])(
    'recovers β = $beta on top of the offset',
    ({ beta }) => {
      const fit = fitLogistic(exactDesign(beta), 1e-9);
      expect(fit.converged).toBe(true);
      expect(fit.iterations).toBeLessThan(15);
      fit.coefficients.forEach((value, index) => expect(value).toBeCloseTo(beta[index]!, 6));
    },
  );

  it('shrinks towards 0 (the prior) as the penalty grows', () => {
    const design = exactDesign([0.5, -1, 0.8]);
    const norms = [0.01, 1, 100, 1e6].map((penalty) => Math.hypot(...fitLogistic(design, penalty).coefficients));
    for (let i = 1; i < norms.length; i += 1) expect(norms[i]!).toBeLessThan(norms[i - 1]!);
    expect(norms.at(-1)!).toBeLessThan(1e-3);
  });
});

describe('foldOf', () => {
  it('puts an account in the same fold every time, within the fold count', () => {
    const folds = Array.from({ length: 200 }, (_, i) => foldOf(`acc-${i}`, 5));
    expect(folds).toEqual(Array.from({ length: 200 }, (_, i) => foldOf(`acc-${i}`, 5)));
    expect(new Set(folds)).toEqual(new Set([0, 1, 2, 3, 4]));
  });
});

const baseInput: RenewalFeatureInput = {
  score: 60,
  band: 'yellow',
  trend: 'stable',
  arr: 20_000,
  segment: 'smb',
  daysToRenewal: 60,
  licenceUse: 0.5,
};

/**
 * `count` accounts, one renewal each seen from two snapshots (weight ½ each). Every third account is
 * declining and half of those are lost (i % 6 = 0); of the others, those with i % 30 = 1 are lost.
 */
function book(count: number, lostWhen: (i: number) => boolean = (i) => i % 6 === 0 || i % 30 === 1) {
  const examples: TrainingExample[] = [];
  for (let i = 0; i < count; i += 1) {
    const decidedAt = T0 + (i % 300) * DAY;
    for (const daysBefore of [30, 90]) {
      examples.push({
        accountId: `acc-${i}`,
        at: decidedAt - daysBefore * DAY,
        decidedAt,
        renewed: !lostWhen(i),
        weight: 0.5,
        input: { ...baseInput, trend: i % 3 === 0 ? 'declining' : 'stable', daysToRenewal: daysBefore },
        arr: 20_000,
        renewalKey: `acc-${i}@${decidedAt}`,
      });
    }
  }
  return examples;
}

describe('trainRenewalModel', () => {
  const options = { asOf: T0 + 400 * DAY, horizonDays: 183 };

  it.each([
    { name: 'fewer than 40 renewals', examples: book(39), reason: '39 renewals decided so far, 40 needed' },
    // 300 renewals, lost only when i % 100 = 0: 3 lost
    {
      name: 'fewer than 5 lost',
      examples: book(300, (i) => i % 100 === 0),
      reason: '3 renewals lost so far, 5 needed',
    },
  ])('with $name is the documented prior exactly, and says why', ({ examples, reason }) => {
    const model = trainRenewalModel(examples, options);
    expect(model.basis).toBe('prior');
    expect(model.reason).toContain(reason);
    expect(model.features).toEqual([]);
    expect(model.coefficients).toEqual([]);
    expect(model.explanation).toMatch(/^Renewal probabilities follow the documented prior/);
    const outlook = renewalOutlook(model, { ...baseInput, trend: 'declining' });
    expect(outlook.probability).toBe(outlook.prior);
    expect(outlook.basis).toBe('prior');
  });

  it('learns what the book shows, beats the prior out of fold, and tells what it learned from', () => {
    // 300 accounts: 100 declining, 50 of them lost; 200 stable, 10 lost → 240 renewed, 60 lost
    const model = parseRenewalModel(JSON.parse(JSON.stringify(trainRenewalModel(book(300), options))));
    expect(model.basis).toBe('learned');
    expect(model.trainedOn).toMatchObject({ renewals: 300, examples: 600, won: 240, lost: 60, accounts: 300 });
    expect(model.brier.crossValidated!).toBeLessThan(model.brier.prior!);
    expect(model.explanation).toMatch(/^Learned from 300 renewals \(240 renewed, 60 lost\) across 300 accounts/);
    const coefficient = (name: string) => model.coefficients[model.features.indexOf(name)]!;
    expect(coefficient('trend_declining')).toBeLessThan(-1);
    expect(model.calibration).toHaveLength(10);
    expect(model.calibration.reduce((sum, bucket) => sum + bucket.count, 0)).toBe(600);

    // half the declining accounts were lost, 5 % of the stable ones (10 of 200): the forecast comes near both
    const declining = renewalOutlook(model, { ...baseInput, trend: 'declining' });
    const stable = renewalOutlook(model, baseInput);
    expect(declining.probability).toBeGreaterThan(0.4);
    expect(declining.probability).toBeLessThan(0.6);
    expect(stable.probability).toBeGreaterThan(0.9);
    expect(declining.contributions[0]?.feature).toBe('trend_declining');
  });

  it('gives the same model for the same examples in any order', () => {
    const examples = book(120);
    const a = trainRenewalModel(examples, options);
    const b = trainRenewalModel([...examples].reverse(), options);
    expect(b).toEqual(a);
  });

  it('refuses fewer than two folds and penalties that are not positive', () => {
    expect(() => trainRenewalModel(book(50), { ...options, folds: 1 })).toThrow(/folds/);
    expect(() => trainRenewalModel(book(50), { ...options, penalties: [0] })).toThrow(/penalties/);
  });
});
