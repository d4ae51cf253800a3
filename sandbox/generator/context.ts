import type { DayFormatter } from './dates.ts';

/** What every per-account module needs to know about the book being generated (all day numbers). */
export interface BookContext {
  seed: number;
  asOf: number;
  historyStart: number;
  /** The latent process starts early enough for lagged signals on the first day of history. */
  simStart: number;
  /** …and runs past asOf to the last upcoming renewal, whose planted outcome is in the truth. */
  simEnd: number;
  days: DayFormatter;
}

/**
 * Days of latent history simulated before the first observed day: about five half-lives, so the
 * process has forgotten its starting point and churn is as likely early in the history as late.
 */
export const LEAD_IN_DAYS = 730;
