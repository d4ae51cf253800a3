/**
 * A renewal model as it is stored and read back: the coefficients on top of the documented prior,
 * what they were learned from and how well they did. Parsed with `renewalModelSchema` wherever it
 * comes from storage; `basis: 'prior'` is the documented prior itself (all coefficients zero).
 */
import { z } from 'zod';

export const calibrationBucketSchema = z.object({
  from: z.number(),
  to: z.number(),
  count: z.number().int().nonnegative(),
  weight: z.number().nonnegative(),
  meanPredicted: z.number().nullable(),
  observed: z.number().nullable(),
});

export const renewalModelSchema = z.object({
  version: z.literal(1),
  basis: z.enum(['learned', 'prior']),
  /** Why the model is the prior (thin history); null for a learned one. */
  reason: z.string().nullable(),
  /** Feature names, aligned with `coefficients` (logit change per unit of the feature). */
  features: z.array(z.string()),
  coefficients: z.array(z.number()),
  /** The L2 penalty λ the cross-validation chose (0 for the prior). */
  penalty: z.number().nonnegative(),
  /** An example counts a renewal decided within this many days after its snapshot. */
  horizonDays: z.number().int().positive(),
  /** Epoch ms of the day it was trained as of. */
  trainedAt: z.number(),
  trainedOn: z.object({
    /** Distinct renewals decided (each counted once whatever the snapshots that saw it). */
    renewals: z.number().int().nonnegative(),
    examples: z.number().int().nonnegative(),
    won: z.number().int().nonnegative(),
    lost: z.number().int().nonnegative(),
    accounts: z.number().int().nonnegative(),
    /** ISO days of the first and last decision; null without any. */
    firstDecision: z.string().nullable(),
    lastDecision: z.string().nullable(),
    /** ARR of the renewals decided, and of those won. */
    arr: z.number().nonnegative(),
    arrWon: z.number().nonnegative(),
  }),
  brier: z.object({
    /** On the examples trained on, weighted; null without examples. */
    inSample: z.number().nullable(),
    /** Out of fold, folds by account; null when not cross-validated. */
    crossValidated: z.number().nullable(),
    /** The documented prior alone on the same examples. */
    prior: z.number().nullable(),
  }),
  /** Out-of-fold calibration (the prior's own when the basis is the prior). */
  calibration: z.array(calibrationBucketSchema),
  /** One sentence a CS leader can read. */
  explanation: z.string(),
});

export type RenewalModel = z.infer<typeof renewalModelSchema>;
export type RenewalBasis = RenewalModel['basis'];

/** A stored model, checked; throws a ZodError on a bad one. */
export function parseRenewalModel(value: unknown): RenewalModel {
  const model = renewalModelSchema.parse(value);
  if (model.features.length !== model.coefficients.length) {
    throw new RangeError('a renewal model needs one coefficient per feature');
  }
  return model;
}

/** The coefficients by feature name. */
export function coefficientsOf(model: RenewalModel): Map<string, number> {
  return new Map(model.features.map((name, index) => [name, model.coefficients[index] ?? 0]));
}
