import { arrAt, computeSignals, lookbackOf, measureSpecs, type DealFact } from '../../server/core/health/facts.ts';
import type { HealthModel } from '../../server/core/health/model.ts';
import { compileModel, percentileTables } from '../../server/core/health/score.ts';
import { DAY_MS, type SignalValues } from '../../server/core/health/signals.ts';
import { trendOf, type ScorePoint } from '../../server/core/health/trend.ts';
import { LICENCE_USE_SIGNAL } from '../../server/core/revenue/forecast/features.ts';
import type { RenewalModel } from '../../server/core/revenue/forecast/model.ts';
import { trainRenewalModel } from '../../server/core/revenue/forecast/train.ts';
import {
  trainingExamples,
  type AccountHistory,
  type AccountSnapshot,
  type RenewalDealFact,
} from '../../server/core/revenue/forecast/training-examples.ts';
import type { AccountWithDeals } from '../../server/platform/db/analytics-store.ts';
import type { Database } from '../../server/platform/db/database.ts';
import { loadAccountFacts, loadFactsContext } from '../../server/platform/db/health-facts-store.ts';
import type { InstallationKey } from '../../server/platform/db/sync-store.ts';
import { outcomeFromDeals, type OutcomeDeal } from '../score/backtest.job.ts';

/**
 * Learning an installation's renewal model from its own history: the health model in use is replayed
 * on one day a month over the past two years (as far back as the installation's usage reaches), as
 * the backtest replays one day: each customer's facts as they stood at the end of that day, its
 * signals ranked against that day's other customers, its score, and its trend from the earlier
 * replayed days. Each renewal decided within the horizon after a replayed day is an example of how
 * an account that looked like that renewed.
 */

/** A replayed day looks this far ahead for a decided renewal: the forecast's six months. */
export const TRAINING_HORIZON_DAYS = 183;
/** Replayed days: one a month over this many months. */
export const TRAINING_MONTHS = 24;
/** Accounts per facts query (the score job's batch). */
const PAGE_SIZE = 200;
const PAGES_AT_ONCE = 2;

const isoDay = (at: number) => new Date(at).toISOString().slice(0, 10);
const dayStart = (day: string) => Date.parse(`${day}T00:00:00Z`);
const dayEnd = (dayStartAt: number) => dayStartAt + DAY_MS - 1;

/**
 * The replayed days, oldest first, as the instant their day ends: the day of the month of `asOf`,
 * 1 to `months` months back (the last day of a shorter month), none before `earliest` (epoch ms).
 */
export function replayDays(asOf: number, months: number, earliest: number | null): number[] {
  const date = new Date(asOf);
  const out: number[] = [];
  for (let back = months; back >= 1; back -= 1) {
    const year = date.getUTCFullYear();
    const month = date.getUTCMonth() - back;
    const lastDay = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
    const start = Date.UTC(year, month, Math.min(date.getUTCDate(), lastDay));
    if (earliest !== null && start < earliest) continue;
    out.push(dayEnd(start));
  }
  return out;
}

export interface TrainingProgress {
  phase: 'replay';
  done: number;
  total: number;
}

export interface TrainingRun {
  model: RenewalModel;
  replayedDays: string[];
  examples: number;
}

const dealFactOf = (deal: AccountWithDeals['deals'][number]): DealFact => ({
  kind: deal.kind,
  stage: deal.stage,
  amount: deal.amount,
  closeDate: deal.closeDate === null ? null : dayStart(deal.closeDate),
  createdAt: deal.createdAt === null ? null : Date.parse(deal.createdAt),
});

export async function trainFromHistory(
  db: Database,
  key: InstallationKey,
  options: {
    healthModel: HealthModel;
    accounts: readonly AccountWithDeals[];
    asOf: number;
    /** The first day the installation has usage for (ISO), or null when it sends none. */
    firstUsageDay: string | null;
    onProgress?: (progress: TrainingProgress) => void | Promise<void>;
    signal?: AbortSignal | undefined;
  },
): Promise<TrainingRun> {
  const model = options.healthModel;
  const specs = measureSpecs(model);
  const lookback = lookbackOf(specs);
  const compiled = compileModel(model);
  const days = replayDays(
    options.asOf,
    TRAINING_MONTHS,
    options.firstUsageDay === null ? null : dayStart(options.firstUsageDay),
  );
  const context = await loadFactsContext(db, key);
  const byId = new Map(options.accounts.map((account) => [account.accountExternalId, account]));
  const outcomeDeals = new Map<string, OutcomeDeal[]>(
    options.accounts.map((account) => [
      account.accountExternalId,
      account.deals.map((deal) => ({
        kind: deal.kind,
        stage: deal.stage,
        closeDate: deal.closeDate,
        amount: deal.amount,
      })),
    ]),
  );
  const ids = options.accounts.map((account) => account.accountExternalId);
  const snapshots = new Map<string, AccountSnapshot[]>();
  const history = new Map<string, ScorePoint[]>();
  const total = days.length * ids.length;
  let done = 0;

  for (const at of days) {
    const day = isoDay(at);
    const customers: { id: string; segment: string | null; arr: number | null; signals: SignalValues }[] = [];
    const pages: string[][] = [];
    for (let start = 0; start < ids.length; start += PAGE_SIZE) pages.push(ids.slice(start, start + PAGE_SIZE));
    // Two pages at once: each sends its six fact queries together, and the pool has ten connections.
    for (let index = 0; index < pages.length; index += PAGES_AT_ONCE) {
      options.signal?.throwIfAborted();
      const batch = pages.slice(index, index + PAGES_AT_ONCE);
      const facts = (
        await Promise.all(
          batch.map((page) =>
            loadAccountFacts(db, key, { asOf: new Date(at), lookbackDays: lookback, accountIds: page }),
          ),
        )
      ).flat();
      for (const account of facts) {
        if (account.createdAt !== null && account.createdAt > at) continue;
        const stored = byId.get(account.externalId);
        // A customer on the day by the CRM's deals, as the backtest judges it.
        if (!outcomeFromDeals(outcomeDeals.get(account.externalId) ?? [], stored?.status ?? null, day, day).customer)
          continue;
        customers.push({
          id: account.externalId,
          segment: account.segment,
          // ARR on the day from the deals; the CRM's own ARR is today's.
          arr: arrAt(account.deals, at) ?? account.arr,
          signals: computeSignals(account, specs, at, context),
        });
      }
      done += batch.reduce((sum, page) => sum + page.length, 0);
      await options.onProgress?.({ phase: 'replay', done, total });
    }
    const peers = percentileTables(
      model,
      customers.map((customer) => ({ segment: customer.segment, signals: customer.signals })),
    );
    for (const customer of customers) {
      const score = compiled.score({ segment: customer.segment, signals: customer.signals, peers });
      const earlier = history.get(customer.id) ?? [];
      const trend = score.score === null ? null : trendOf([...earlier, { at, score: score.score }], model.trend, at);
      if (score.score !== null) history.set(customer.id, [...earlier, { at, score: score.score }]);
      const use = customer.signals[LICENCE_USE_SIGNAL];
      const snapshot: AccountSnapshot = {
        at,
        score: score.score,
        band: score.band,
        trend: trend?.direction ?? null,
        arr: customer.arr,
        segment: customer.segment,
        licenceUse: typeof use === 'number' && Number.isFinite(use) ? use : null,
      };
      const list = snapshots.get(customer.id);
      if (list) list.push(snapshot);
      else snapshots.set(customer.id, [snapshot]);
    }
  }

  const histories: AccountHistory[] = [];
  for (const [accountId, list] of snapshots) {
    const deals: RenewalDealFact[] = (byId.get(accountId)?.deals ?? []).map((deal) => {
      const fact = dealFactOf(deal);
      return { kind: fact.kind, stage: fact.stage, closeDate: fact.closeDate, amount: fact.amount };
    });
    histories.push({ accountId, snapshots: list, deals });
  }
  const examples = trainingExamples(histories, { horizonDays: TRAINING_HORIZON_DAYS, knownBy: options.asOf });
  return {
    model: trainRenewalModel(examples, { asOf: options.asOf, horizonDays: TRAINING_HORIZON_DAYS }),
    replayedDays: days.map(isoDay),
    examples: examples.length,
  };
}

/** Whether two models forecast alike: everything but the day they were trained. */
export function sameModel(a: RenewalModel, b: RenewalModel | null): boolean {
  if (b === null) return false;
  const { trainedAt: _a, ...restA } = a;
  const { trainedAt: _b, ...restB } = b;
  return JSON.stringify(restA) === JSON.stringify(restB);
}
