import type { RenewalModel } from '../../../../../server/core/revenue/forecast/model.ts';

/** A learned model with the coefficients given, the rest of it plausible filler. */
export function learnedModel(coefficients: Record<string, number>): RenewalModel {
  return {
    version: 1,
    basis: 'learned',
    reason: null,
    features: Object.keys(coefficients),
    coefficients: Object.values(coefficients),
    penalty: 10,
    horizonDays: 183,
    trainedAt: Date.UTC(2026, 0, 1),
    trainedOn: {
      renewals: 400,
      examples: 2_000,
      won: 350,
      lost: 50,
      accounts: 380,
      firstDecision: '2025-01-02',
      lastDecision: '2025-12-30',
      arr: 10_000_000,
      arrWon: 9_000_000,
    },
    brier: { inSample: 0.08, crossValidated: 0.09, prior: 0.1 },
    calibration: [],
    explanation: 'Learned from 400 renewals.',
  };
}
