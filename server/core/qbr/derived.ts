import { ADOPTION_SHARE } from '../health/facts.ts';
import type { NpsWindow, QbrInputs, UsageWindow } from './inputs.ts';
import { daysBetween } from './period.ts';

/** Figures more than one part of the brief reads, derived from the inputs in one place. */

/** The licences in force: what usage last reported in the period, else the CRM account's. */
export const licencesOf = (inputs: QbrInputs): number | null =>
  inputs.usage.reportedLicences ?? inputs.account.licences;

/** Mean daily active users of the period's last window ÷ licences. */
export function utilisationOf(inputs: QbrInputs): number | null {
  const licences = licencesOf(inputs);
  const active = inputs.usage.last.avgActiveUsers;
  if (licences === null || licences <= 0 || active === null) return null;
  return active / licences;
}

/**
 * A feature counts as adopted over a window when its users are at least ADOPTION_SHARE of the
 * window's active users, as the health model's feature breadth counts it.
 */
export const adoptedFeatures = (window: UsageWindow): string[] =>
  Object.entries(window.featureShares)
    .filter(([, share]) => share >= ADOPTION_SHARE)
    .map(([feature]) => feature)
    .sort();

/** Net promoter score: % promoters (9–10) − % detractors (0–6); null without answers. */
export const npsOf = (window: NpsWindow): number | null =>
  window.responses === 0 ? null : ((window.promoters - window.detractors) / window.responses) * 100;

export function changePct(before: number | null, after: number | null): number | null {
  if (before === null || after === null || before === 0) return null;
  return ((after - before) / before) * 100;
}

/**
 * The next renewal after the period: the open renewal deal's close date, else the account's renewal
 * date when it is still ahead (as the health signal reads it).
 */
export function renewalDateOf(inputs: QbrInputs): string | null {
  if (inputs.deals.nextRenewal) return inputs.deals.nextRenewal.closeDate;
  const date = inputs.account.renewalDate;
  return date !== null && date > inputs.period.end ? date : null;
}

/** Days from the period's last day to the renewal. */
export function daysToRenewalOf(inputs: QbrInputs): number | null {
  const date = renewalDateOf(inputs);
  return date === null ? null : daysBetween(inputs.period.end, date);
}

export const healthChangeOf = (inputs: QbrInputs): number | null => {
  const now = inputs.health.now?.score ?? null;
  const start = inputs.health.atStart?.score ?? null;
  return now === null || start === null ? null : now - start;
};
