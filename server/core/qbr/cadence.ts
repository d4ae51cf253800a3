import { addDays, isoDay } from './period.ts';

/**
 * When an account's QBRs fall: every quarter (90 days) counted back from its renewal date, so the
 * last one before renewal lands a quarter ahead of it and the renewal talk starts from a brief.
 * Without a renewal date there is no cadence; a brief asked for from the card is for today.
 */

export const QBR_CADENCE_DAYS = 90;
/** The scheduled brief is written this many days before its QBR. */
export const QBR_LEAD_DAYS = 14;

/** The first QBR on or after `today` (YYYY-MM-DD), or null when the account has no renewal date. */
export function nextQbrDate(renewalDate: string | null, today: string): string | null {
  if (renewalDate === null) return null;
  if (renewalDate < today) return null;
  let date = renewalDate;
  // Step back a quarter at a time while the one before is still on or after today.
  for (;;) {
    const earlier = addDays(date, -QBR_CADENCE_DAYS);
    if (earlier < today) return date;
    date = earlier;
  }
}

/** The QBR a brief asked for now is for: the next one when the account has a cadence, else today. */
export function briefQbrDate(renewalDate: string | null, at: number): string {
  const today = isoDay(at);
  return nextQbrDate(renewalDate, today) ?? today;
}

/**
 * The next QBR when its scheduled brief is due: within QBR_LEAD_DAYS from today. The job writes it
 * when no brief for that QBR exists yet, so a missed day is caught up the next.
 */
export function qbrNeedingBrief(renewalDate: string | null, today: string): string | null {
  const next = nextQbrDate(renewalDate, today);
  return next !== null && next <= addDays(today, QBR_LEAD_DAYS) ? next : null;
}
