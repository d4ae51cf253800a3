/**
 * The examples a renewal model learns from: an account as it looked on a past day (a replayed score)
 * and the renewal decided in the next `horizonDays`. A renewal seen from k snapshot days gives k
 * examples of weight 1/k, so it counts once however often it was looked at. Only decisions known by
 * `knownBy` count, which is what lets an evaluation hold out its last months.
 */
import { DAY_MS } from '../../health/signals.ts';
import type { RenewalFeatureInput } from './features.ts';

/** An account as a replayed score saw it on one day: the forecast's input but the renewal's distance. */
export interface AccountSnapshot extends Omit<RenewalFeatureInput, 'daysToRenewal'> {
  /** Epoch ms the snapshot describes. */
  at: number;
}

/** A deal as the sync holds it; only decided renewals are used. */
export interface RenewalDealFact {
  kind: 'new_business' | 'renewal' | 'expansion' | 'other';
  stage: 'open' | 'won' | 'lost';
  /** Start of the close day, epoch ms. */
  closeDate: number | null;
  amount: number | null;
}

export interface AccountHistory {
  accountId: string;
  snapshots: readonly AccountSnapshot[];
  deals: readonly RenewalDealFact[];
}

export interface TrainingExample {
  accountId: string;
  /** The snapshot's instant and the decision's day (epoch ms). */
  at: number;
  decidedAt: number;
  renewed: boolean;
  /** 1/k for a renewal seen from k snapshots. */
  weight: number;
  input: RenewalFeatureInput;
  /** The ARR the renewal decided: the deal's amount, else the snapshot's ARR; null when neither is known. */
  arr: number | null;
  /** Identifies the renewal (account and decision day), shared by its examples. */
  renewalKey: string;
}

export interface ExampleOptions {
  /** A snapshot looks this many days ahead for a decided renewal. */
  horizonDays: number;
  /** Decisions after this instant are not known yet and make no example. */
  knownBy: number;
}

function inputOf(snapshot: AccountSnapshot): Omit<RenewalFeatureInput, 'daysToRenewal'> {
  const { at: _at, ...input } = snapshot;
  return input;
}

export function trainingExamples(accounts: readonly AccountHistory[], options: ExampleOptions): TrainingExample[] {
  if (!(options.horizonDays > 0)) throw new RangeError('horizonDays must be positive');
  const horizon = options.horizonDays * DAY_MS;
  const out: TrainingExample[] = [];
  for (const account of accounts) {
    const decisions = account.deals
      .filter(
        (deal): deal is RenewalDealFact & { closeDate: number } =>
          deal.kind === 'renewal' &&
          deal.stage !== 'open' &&
          deal.closeDate !== null &&
          deal.closeDate <= options.knownBy,
      )
      .sort((a, b) => a.closeDate - b.closeDate);
    for (const decision of decisions) {
      const seenBy = account.snapshots.filter(
        (snapshot) => decision.closeDate > snapshot.at && decision.closeDate <= snapshot.at + horizon,
      );
      const weight = seenBy.length > 0 ? 1 / seenBy.length : 0;
      const renewalKey = `${account.accountId}@${new Date(decision.closeDate).toISOString().slice(0, 10)}`;
      for (const snapshot of seenBy) {
        out.push({
          accountId: account.accountId,
          at: snapshot.at,
          decidedAt: decision.closeDate,
          renewed: decision.stage === 'won',
          weight,
          input: {
            ...inputOf(snapshot),
            daysToRenewal: Math.max(0, Math.round((decision.closeDate - snapshot.at) / DAY_MS)),
          },
          arr: decision.amount ?? snapshot.arr,
          renewalKey,
        });
      }
    }
  }
  return out;
}
