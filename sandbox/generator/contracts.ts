import type { Random } from '../shared/random.ts';
import type { BookContext } from './context.ts';
import { addMonths } from './dates.ts';
import { licencesFor, roundTo, type Firmographics } from './firmographics.ts';
import { renewalProbability, type LatentPath } from './latent-health.ts';

export interface RenewalEvent {
  day: number;
  outcome: 'won' | 'lost';
  /** After asOf: the planted outcome is in the truth, the book shows the renewal open. */
  future: boolean;
  /** Null for renewals before the history (won by construction: the account is in the book). */
  latent: number | null;
  latent90DaysBefore: number | null;
  probability: number | null;
  arrBefore: number;
  arrAfter: number;
}

export interface ExpansionEvent {
  day: number;
  amount: number;
}

export interface ContractHistory {
  renewals: RenewalEvent[];
  expansions: ExpansionEvent[];
  churnDay: number | null;
  contractStart: number;
  contractEnd: number;
  /** ARR and licences held at asOf (0 once churned). */
  arr: number;
  licences: number;
  /** Licences held from each day on, ascending. */
  licenceSteps: { day: number; licences: number }[];
}

/**
 * Walks the account's terms: renewals before the history are won (the account is in the book),
 * later ones are drawn from latent health on the renewal day; the first loss is the churn.
 * Healthy accounts sometimes expand between renewals.
 */
export function playContracts(
  random: Random,
  firm: Firmographics,
  latent: LatentPath,
  context: BookContext,
): ContractHistory {
  const renewals: RenewalEvent[] = [];
  const expansions: ExpansionEvent[] = [];
  const licenceSteps = [{ day: firm.customerSince, licences: licencesFor(firm.firstArr, firm) }];
  let arr = firm.firstArr;
  let churnDay: number | null = null;
  let termStart = firm.customerSince;
  let termEnd = firm.customerSince;

  for (let term = 1; term <= firm.terms; term++) {
    termStart = termEnd;
    // Counted back from the scheduled end so that the last one lands exactly on it.
    termEnd = addMonths(firm.scheduledEnd, -firm.termMonths * (firm.terms - term));
    arr = expandDuring(random, firm, latent, context, termStart, termEnd, arr, expansions, licenceSteps);

    // Customers who left before the history are not in the book: earlier renewals were won.
    const simulated = termEnd > context.historyStart;
    const health = simulated ? latent.at(termEnd) : null;
    const probability = health === null ? null : renewalProbability(health);
    const won = probability === null ? true : random.float() < probability;
    const future = termEnd > context.asOf;
    // Price uplift at renewal, a contraction when the customer renews unhappy.
    const change = won ? (health !== null && health < 0.45 ? -0.1 - 0.2 * random.float() : 0.07 * random.float()) : 0;
    const arrAfter = won ? roundTo(arr * (1 + change), 100) : 0;
    renewals.push({
      day: termEnd,
      outcome: won ? 'won' : 'lost',
      future,
      latent: health,
      latent90DaysBefore: simulated ? latent.at(termEnd - 90) : null,
      probability,
      arrBefore: arr,
      arrAfter,
    });
    if (future) break;
    if (!won) {
      churnDay = termEnd;
      break;
    }
    if (term < firm.terms) {
      arr = arrAfter;
      licenceSteps.push({ day: termEnd, licences: licencesFor(arr, firm) });
    }
  }

  const churned = churnDay !== null;
  return {
    renewals,
    expansions,
    churnDay,
    contractStart: termStart,
    contractEnd: termEnd,
    arr: churned ? 0 : arr,
    licences: churned ? 0 : (licenceSteps.at(-1)?.licences ?? 0),
    licenceSteps,
  };
}

/** Monthly chances to expand while healthy, within the observed past only. */
function expandDuring(
  random: Random,
  firm: Firmographics,
  latent: LatentPath,
  context: BookContext,
  from: number,
  to: number,
  arr: number,
  expansions: ExpansionEvent[],
  licenceSteps: { day: number; licences: number }[],
): number {
  const monthlyChance = firm.segment === 'smb' ? 0.015 : 0.035;
  for (let day = Math.max(from + 30, latent.start); day < to - 30 && day <= context.asOf; day += 30) {
    const health = latent.at(day);
    if (health < 0.62 || !random.chance(monthlyChance * ((health - 0.62) / 0.2))) continue;
    const amount = roundTo(arr * (0.08 + 0.25 * random.float()), 100);
    if (amount <= 0) continue;
    arr += amount;
    expansions.push({ day, amount });
    licenceSteps.push({ day, licences: licencesFor(arr, firm) });
  }
  return arr;
}
