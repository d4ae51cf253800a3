import { describe, expect, it } from 'vitest';
import type { RenewalFeatureInput } from '../../../../../server/core/revenue/forecast/features.ts';
import { parseRenewalModel } from '../../../../../server/core/revenue/forecast/model.ts';
import { pointsText, renewalOutlook } from '../../../../../server/core/revenue/forecast/predict.ts';
import { learnedModel } from './fixtures.ts';

// A score of 55 reads the prior at 1 / (1 + e^(−0.055 × 40)) = 1 / (1 + e^−2.2) = 0.900250: log-odds exactly 2.2.
const input: RenewalFeatureInput = {
  score: 55,
  band: 'yellow',
  trend: 'declining',
  arr: 50_000,
  segment: 'smb',
  daysToRenewal: 90,
  licenceUse: 0.3,
};
const PRIOR_55 = 1 / (1 + Math.exp(-2.2));
const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

describe('renewalOutlook', () => {
  it.each([
    { name: 'no model', model: null },
    { name: 'a prior model', model: { ...learnedModel({}), basis: 'prior' as const, reason: 'thin history' } },
  ])('with $name is the documented prior exactly, with no drivers of its own', ({ model }) => {
    expect(renewalOutlook(model, input)).toEqual({
      probability: PRIOR_55,
      prior: PRIOR_55,
      basis: 'prior',
      contributions: [],
    });
  });

  it('moves the prior by the coefficients, in log-odds', () => {
    // η = 2.2 − 0.5 (declining) = 1.7 → p = σ(1.7) = 0.845535; the move is 0.845535 − 0.900250 = −5.47 points
    const outlook = renewalOutlook(learnedModel({ trend_declining: -0.5, trend_improving: 2 }), input);
    expect(outlook.basis).toBe('learned');
    expect(outlook.probability).toBeCloseTo(sigmoid(1.7), 10);
    expect(outlook.contributions).toHaveLength(1);
    expect(outlook.contributions[0]).toMatchObject({ feature: 'trend_declining', label: 'Declining trend' });
    expect(outlook.contributions[0]?.effect).toBeCloseTo((sigmoid(1.7) - PRIOR_55) * 100, 8);
    expect(outlook.contributions[0]?.text).toBe('Declining trend: −5 pts');
  });

  it('shares the move among the features by their log-odds, so the effects add up to it', () => {
    // declining −0.5; licence use 30 % is (0.3 − 0.5) ÷ 0.1 = −2 steps × 0.25 = −0.5; ARR 50k is the centre (0)
    // η = 2.2 − 1 = 1.2 → p = 0.768525; the move −13.17 points splits evenly: −6.59 each
    const outlook = renewalOutlook(learnedModel({ trend_declining: -0.5, licence_use: 0.25, arr_log10: 3 }), input);
    const move = (sigmoid(1.2) - PRIOR_55) * 100;
    expect(outlook.probability).toBeCloseTo(sigmoid(1.2), 10);
    expect(outlook.contributions.map((c) => c.feature)).toEqual(['licence_use', 'trend_declining']);
    expect(outlook.contributions.map((c) => c.text)).toEqual(['Licence use 30%: −7 pts', 'Declining trend: −7 pts']);
    const total = outlook.contributions.reduce((sum, c) => sum + c.effect, 0);
    expect(total).toBeCloseTo(move, 8);
    expect(outlook.contributions[0]?.effect).toBeCloseTo(move / 2, 8);
  });

  it('shows features that pull both ways, largest first', () => {
    // baseline +0.3, declining −0.9: η = 2.2 − 0.6 = 1.6; each term's share of the move is term ÷ (−0.6)
    const outlook = renewalOutlook(learnedModel({ baseline: 0.3, trend_declining: -0.9 }), input);
    const move = (sigmoid(1.6) - PRIOR_55) * 100;
    expect(outlook.contributions.map((c) => c.feature)).toEqual(['trend_declining', 'baseline']);
    expect(outlook.contributions[0]?.effect).toBeCloseTo((move * -0.9) / -0.6, 8);
    expect(outlook.contributions[1]?.effect).toBeCloseTo((move * 0.3) / -0.6, 8);
  });

  it('clamps like the prior', () => {
    expect(renewalOutlook(learnedModel({ baseline: 20 }), input).probability).toBe(0.99);
    expect(renewalOutlook(learnedModel({ baseline: -20 }), input).probability).toBe(0.01);
  });

  it('reads an unscored account at the middle of the book', () => {
    // score null → prior of 50: 1 / (1 + e^(−0.055 × 35))
    const outlook = renewalOutlook(null, { ...input, score: null });
    expect(outlook.prior).toBeCloseTo(1 / (1 + Math.exp(-0.055 * 35)), 10);
  });

  it('names segment and group features for the account', () => {
    const outlook = renewalOutlook(learnedModel({ 'segment:mid_market': -0.4, 'group:usage': 0.1 }), {
      ...input,
      segment: 'mid_market',
      groupScores: { usage: 30 },
    });
    expect(outlook.contributions.map((c) => c.label)).toEqual(['Mid market segment', 'Usage health 30']);
  });
});

describe('pointsText', () => {
  it.each([
    [-6.4, '−6 pts'],
    [3.5, '+4 pts'],
    [0.2, '0 pts'],
    [-0.4, '0 pts'],
  ])('%d → %s', (effect, text) => {
    expect(pointsText(effect)).toBe(text);
  });
});

describe('parseRenewalModel', () => {
  it('reads a stored model back and refuses a malformed one', () => {
    const model = learnedModel({ baseline: 0.1 });
    expect(parseRenewalModel(JSON.parse(JSON.stringify(model)))).toEqual(model);
    expect(() => parseRenewalModel({ ...model, basis: 'guess' })).toThrow();
    expect(() => parseRenewalModel({ ...model, coefficients: [] })).toThrow(/one coefficient per feature/);
  });
});
