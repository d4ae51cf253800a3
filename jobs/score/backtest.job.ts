import { UnrecoverableError, type Job } from 'bullmq';
import { and, eq, inArray, isNotNull } from 'drizzle-orm';
import { evaluateBacktest, type BacktestCase, type BacktestReport } from '../../server/core/health/backtest.ts';
import { arrAt, computeSignals, lookbackOf, measureSpecs } from '../../server/core/health/facts.ts';
import { DEFAULT_MODEL, validateModel, type HealthModel } from '../../server/core/health/model.ts';
import { compileModel, percentileTables } from '../../server/core/health/score.ts';
import { DAY_MS, type SignalValues } from '../../server/core/health/signals.ts';
import type { Database } from '../../server/platform/db/database.ts';
import { listAccountIds, loadAccountFacts, loadFactsContext } from '../../server/platform/db/health-facts-store.ts';
import { SHIPPED_MODEL_VERSION, type HealthModelStore } from '../../server/platform/db/health-model-store.ts';
import { deals, installations } from '../../server/platform/db/schema.ts';
import type { InstallationKey } from '../../server/platform/db/sync-store.ts';
import type { Logger } from '../../server/platform/logger.ts';
import { backtestJobDataSchema, type BacktestJobData } from '../queues.ts';

/**
 * The `backtest` job of the `score` queue: replays one model version on the book as it stood on a
 * past day and compares the scores with what happened next (DESIGN.md §4). For every active
 * installation of the workspace, each account's signals are computed from the facts as of the end of
 * that day, ranked against the installation's other accounts, and scored; the outcome is read from
 * the CRM's deals alone. The report is kept on the model version, so re-running it only replaces it.
 */

export interface BacktestDeps {
  db: Database;
  models: HealthModelStore;
  logger: Logger;
  /** The clock for the default backtest day; tests set it. */
  now?: () => Date;
}

export interface BacktestProgress {
  phase: 'signals' | 'scores';
  done: number;
  total: number;
}

/** Accounts per facts query (the score job's batch). */
const PAGE_SIZE = 200;

const isoDay = (at: number) => new Date(at).toISOString().slice(0, 10);
const dayStart = (day: string) => Date.parse(`${day}T00:00:00Z`);

/** The deals an outcome is read from: won or lost new business and renewals with a close date. */
export interface OutcomeDeal {
  kind: 'new_business' | 'renewal' | 'expansion' | 'other';
  stage: 'open' | 'won' | 'lost';
  /** YYYY-MM-DD. */
  closeDate: string | null;
  amount: number | null;
}

export interface Outcome {
  /** Whether the account was a customer on the backtest day. */
  customer: boolean;
  /** Whether a renewal closed lost after that day, within the horizon. */
  churned: boolean;
  /** The lost renewal's amount: the ARR that churned (the CRM's ARR drops to 0 after churn). */
  churnedArr: number | null;
}

/**
 * From the CRM's deals alone: a customer on `asOf` had a won new-business or renewal deal closed by
 * then and no renewal lost by then, or has no deals at all and the CRM calls it active; it churned
 * when a renewal closed lost in (asOf, horizonEnd].
 */
export function outcomeFromDeals(
  accountDeals: readonly OutcomeDeal[],
  status: 'active' | 'churned' | 'other' | null,
  asOf: string,
  horizonEnd: string,
): Outcome {
  if (accountDeals.length === 0) return { customer: status === 'active', churned: false, churnedArr: null };
  let won = false;
  let lostBefore = false;
  let lost: OutcomeDeal | null = null;
  for (const deal of accountDeals) {
    if (deal.closeDate === null || deal.stage === 'open') continue;
    const closedBy = deal.closeDate <= asOf;
    if (closedBy && deal.stage === 'won' && (deal.kind === 'new_business' || deal.kind === 'renewal')) won = true;
    if (deal.kind !== 'renewal' || deal.stage !== 'lost') continue;
    if (closedBy) lostBefore = true;
    else if (deal.closeDate <= horizonEnd && (lost === null || deal.closeDate < (lost.closeDate as string)))
      lost = deal;
  }
  const customer = won && !lostBefore;
  const churned = customer && lost !== null;
  return { customer, churned, churnedArr: churned ? (lost?.amount ?? null) : null };
}

/** Every deal of the page's accounts that an outcome reads, any close date (the facts stop at asOf). */
async function dealsOf(db: Database, key: InstallationKey, accountIds: readonly string[]) {
  const rows = await db
    .select({
      accountExternalId: deals.accountExternalId,
      kind: deals.kind,
      stage: deals.stage,
      closeDate: deals.closeDate,
      amount: deals.amount,
    })
    .from(deals)
    .where(
      and(
        eq(deals.workspaceId, key.workspaceId),
        eq(deals.installationId, key.installationId),
        inArray(deals.accountExternalId, [...accountIds]),
        eq(deals.archived, false),
        isNotNull(deals.accountExternalId),
      ),
    );
  const byAccount = new Map<string, OutcomeDeal[]>();
  for (const row of rows) {
    const id = row.accountExternalId as string;
    let list = byAccount.get(id);
    if (!list) {
      list = [];
      byAccount.set(id, list);
    }
    const amount = row.amount === null ? null : Number(row.amount);
    list.push({
      kind: row.kind,
      stage: row.stage,
      closeDate: row.closeDate,
      amount: Number.isFinite(amount) ? amount : null,
    });
  }
  return byAccount;
}

async function activeInstallations(db: Database, workspaceId: string): Promise<InstallationKey[]> {
  const rows = await db
    .select({ id: installations.id })
    .from(installations)
    .where(and(eq(installations.workspaceId, workspaceId), eq(installations.status, 'active')))
    .orderBy(installations.id);
  return rows.map((row) => ({ workspaceId, installationId: row.id }));
}

async function allAccountIds(db: Database, key: InstallationKey): Promise<string[]> {
  const ids: string[] = [];
  let after: string | null = null;
  for (;;) {
    const page: string[] = await listAccountIds(db, key, { after, limit: PAGE_SIZE * 10 });
    ids.push(...page);
    if (page.length < PAGE_SIZE * 10) return ids;
    after = page.at(-1) ?? null;
  }
}

interface AccountSignals {
  accountId: string;
  segment: string | null;
  arr: number | null;
  signals: SignalValues;
  outcome: Outcome;
}

export async function runBacktestJob(
  deps: BacktestDeps,
  data: BacktestJobData,
  job: Pick<Job, 'updateProgress'>,
): Promise<BacktestReport> {
  const parsed = backtestJobDataSchema.safeParse(data);
  if (!parsed.success) {
    throw new UnrecoverableError(
      `backtest job data is invalid: ${parsed.error.issues.map((issue) => `${issue.path.join('.') || 'data'}: ${issue.message}`).join('; ')}`,
    );
  }
  const { workspaceId, version, horizonDays } = parsed.data;
  const stored = await deps.models.get(workspaceId, version);
  let model: HealthModel;
  if (stored) {
    const validation = validateModel(stored.definition);
    if (!validation.ok) {
      throw new UnrecoverableError(
        `health model version ${version} is invalid: ${validation.problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`,
      );
    }
    model = validation.model;
  } else if (version === SHIPPED_MODEL_VERSION) {
    // The shipped model is never stored: its backtest is the job's result only, to compare drafts with.
    model = DEFAULT_MODEL;
  } else {
    throw new UnrecoverableError(`health model version ${version} does not exist in this workspace`);
  }
  const started = Date.now();
  const now = deps.now?.() ?? new Date();
  const asOf = parsed.data.asOf ?? isoDay(now.getTime() - horizonDays * DAY_MS);
  // The facts as the score job would have seen them at the end of that day.
  const asOfEnd = new Date(dayStart(asOf) + DAY_MS - 1);
  const horizonEnd = isoDay(dayStart(asOf) + horizonDays * DAY_MS);
  const specs = measureSpecs(model);
  const lookback = lookbackOf(specs);
  const compiled = compileModel(model);

  const keys = await activeInstallations(deps.db, workspaceId);
  const idsByInstallation = await Promise.all(keys.map((key) => allAccountIds(deps.db, key)));
  const total = idsByInstallation.reduce((sum, ids) => sum + ids.length, 0);
  const progress = (phase: BacktestProgress['phase'], done: number) =>
    job.updateProgress({ phase, done, total } satisfies BacktestProgress);

  const cases: BacktestCase[] = [];
  let signalsDone = 0;
  let scoresDone = 0;
  for (const [index, key] of keys.entries()) {
    const ids = idsByInstallation[index] as string[];
    const context = await loadFactsContext(deps.db, key);
    const accounts: AccountSignals[] = [];
    for (let start = 0; start < ids.length; start += PAGE_SIZE) {
      const page = ids.slice(start, start + PAGE_SIZE);
      const [facts, pageDeals] = await Promise.all([
        loadAccountFacts(deps.db, key, { asOf: asOfEnd, lookbackDays: lookback, accountIds: page }),
        dealsOf(deps.db, key, page),
      ]);
      for (const account of facts) {
        const createdLater = account.createdAt !== null && account.createdAt > asOfEnd.getTime();
        const outcome = createdLater
          ? { customer: false, churned: false, churnedArr: null }
          : outcomeFromDeals(pageDeals.get(account.externalId) ?? [], account.status, asOf, horizonEnd);
        accounts.push({
          accountId: account.externalId,
          segment: account.segment,
          // ARR on the day from the deals; the CRM's own ARR is today's (0 for a customer that left since).
          arr: arrAt(account.deals, asOfEnd.getTime()) ?? account.arr,
          signals: computeSignals(account, specs, asOfEnd.getTime(), context),
          outcome,
        });
      }
      signalsDone += page.length;
      await progress('signals', signalsDone);
    }

    // Every account of the installation ranks the percentile measures, as in the score job.
    const peers = percentileTables(model, accounts);
    for (const [position, account] of accounts.entries()) {
      if (account.outcome.customer) {
        const score = compiled.score({ segment: account.segment, signals: account.signals, peers });
        cases.push({
          accountId: account.accountId,
          segment: account.segment,
          // What churned is what the lost renewal was worth.
          arr: account.outcome.churnedArr ?? account.arr ?? 0,
          score: score.score,
          churned: account.outcome.churned,
        });
      }
      if ((position + 1) % PAGE_SIZE === 0) await progress('scores', scoresDone + position + 1);
    }
    scoresDone += ids.length;
    await progress('scores', scoresDone);
  }

  const report = evaluateBacktest(cases, { asOf, horizonDays });
  // A draft edited while this ran keeps no report of the definition it no longer has.
  const latest = stored ? await deps.models.get(workspaceId, version) : null;
  const unchanged = latest !== null && JSON.stringify(latest.definition) === JSON.stringify(stored?.definition);
  if (unchanged) await deps.models.saveBacktest(workspaceId, version, report);
  else if (stored)
    deps.logger.info({ workspaceId, version }, 'the draft changed during its backtest; report not saved');
  deps.logger.info(
    {
      workspaceId,
      version,
      asOf,
      horizonDays,
      installations: keys.length,
      accounts: report.accounts,
      scored: report.scored,
      churned: report.churned,
      auc: report.auc,
      durationMs: Date.now() - started,
    },
    'health model backtested',
  );
  return report;
}
