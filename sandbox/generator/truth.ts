import { z } from 'zod';
import { SEGMENTS } from './book.ts';

const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);

/**
 * What the generator planted and a real CRM never shows: each account's latent health, the shocks
 * that moved it, and every renewal's health and drawn outcome (upcoming ones included, marked
 * `future`, so forecasts can be scored once their day has "passed").
 */
export const accountTruthSchema = z.strictObject({
  accountId: z.string(),
  segment: z.enum(SEGMENTS),
  /** The level latent health reverts to. */
  baseline: z.number(),
  churnDate: day.nullable(),
  /** Latent health every 7 days from `start` to asOf (or the churn date). */
  weeklyLatent: z.strictObject({ start: day, values: z.array(z.number().min(0).max(1)) }),
  shocks: z.array(z.strictObject({ date: day, kind: z.string(), delta: z.number() })),
  renewals: z.array(
    z.strictObject({
      date: day,
      future: z.boolean(),
      latent: z.number(),
      latent90DaysBefore: z.number(),
      /** Probability of a win given `latent`: the logistic of README.md. */
      probability: z.number(),
      outcome: z.enum(['won', 'lost']),
    }),
  ),
});

export const truthSchema = z.strictObject({
  version: z.literal(1),
  seed: z.int(),
  asOf: day,
  historyStart: day,
  /** The parameters the book was generated with (parameters.ts). */
  model: z.record(z.string(), z.unknown()),
  accounts: z.array(accountTruthSchema),
});

export type AccountTruth = z.infer<typeof accountTruthSchema>;
export type Truth = z.infer<typeof truthSchema>;

export const round4 = (value: number) => Math.round(value * 10_000) / 10_000;
