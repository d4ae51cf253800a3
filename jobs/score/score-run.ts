import { topDrivers, driversText, whatMoved, type Driver, type WhatMoved } from '../../server/core/health/explain.ts';
import { computeSignals, lookbackOf, measureSpecs } from '../../server/core/health/facts.ts';
import { DEFAULT_MODEL, parseModel, type HealthModel } from '../../server/core/health/model.ts';
import { effectiveHealth, type EffectiveHealth, type Override } from '../../server/core/health/override.ts';
import { renewalProbability, revenueAtRisk } from '../../server/core/health/renewal-prior.ts';
import { rollup, type Rollup } from '../../server/core/health/rollup.ts';
import { compileModel, percentileTables, type Score } from '../../server/core/health/score.ts';
import { DAY_MS } from '../../server/core/health/signals.ts';
import { trendOf, type ScorePoint, type Trend } from '../../server/core/health/trend.ts';
import { writtenValues, type WrittenValues } from '../../server/core/health/written-values.ts';
import {
  DEFAULT_STAGE_RULES,
  LIFECYCLE_STAGES,
  deriveStage,
  stageInputOf,
  stageRulesSchema,
  type LifecycleStage,
  type StageInput,
  type StageRules,
} from '../../server/core/plans/stages.ts';
import { featureInputOf } from '../../server/core/revenue/forecast/features.ts';
import type { RenewalModel } from '../../server/core/revenue/forecast/model.ts';
import { renewalOutlook } from '../../server/core/revenue/forecast/predict.ts';
import type { Database } from '../../server/platform/db/database.ts';
import { listAccountIds, loadAccountFacts, loadFactsContext } from '../../server/platform/db/health-facts-store.ts';
import type { HealthModelStore } from '../../server/platform/db/health-model-store.ts';
import type {
  CurrentHealth,
  HealthScoreStore,
  ScoredAccountRow,
  SignalRow,
} from '../../server/platform/db/health-score-store.ts';
import type { OverrideStore, StoredOverride } from '../../server/platform/db/override-store.ts';
import { planStore, type PlanStore, type StageChange } from '../../server/platform/db/plan-store.ts';
import type { InstallationKey } from '../../server/platform/db/sync-store.ts';
import type { Logger } from '../../server/platform/logger.ts';
import { loadRenewalModel } from '../analytics/stored-inputs.ts';

/**
 * One score run of an installation: signals from the synced CRM records and the ingested data as of
 * now, scores with the workspace's model, the trend from the score history, the explanation, the CSM
 * override in force and the values the CRM record gets. A full run scores every account (the daily
 * run and a new model: windows move with the calendar); otherwise only the accounts whose inputs
 * arrived since the last run, ranked against the stored signals of all the others. Each account's
 * lifecycle stage is derived beside its score (the band shown is one of its inputs), its stay
 * recorded and the stage written back with the other values.
 */

export interface ScoreDeps {
  db: Database;
  store: HealthScoreStore;
  models: HealthModelStore;
  overrides: OverrideStore;
  logger: Logger;
  /** The installation's stage rules and the stays they record; built on `db` when not given. */
  plans?: PlanStore;
  now?: () => Date;
  /** Accounts per database round trip and per scoring batch (≤ 200 keeps scoring fast; bench:score). */
  batchSize?: number;
}

export interface ScoreProgress {
  phase: 'signals' | 'scores';
  done: number;
  total: number;
}

export interface ScoreSummary {
  full: boolean;
  modelVersion: number;
  /** The renewal model version the probabilities came from; null for the documented prior. */
  renewalModelVersion: number | null;
  /** Accounts scored (former customers are not). */
  accounts: number;
  scored: number;
  insufficientData: number;
  /** Accounts whose written values changed: what the write-back has to do. */
  changedValues: number;
  /** Accounts of the run in each lifecycle stage (former customers in `churned`). */
  stages: Record<LifecycleStage, number>;
  durationMs: number;
}

/** The full explanation kept with the current score (account_health.explanation): what the card shows. */
export interface StoredExplanation {
  score: Score;
  drivers: Driver[];
  moved: WhatMoved | null;
  trend: Trend | null;
  health: EffectiveHealth;
  /**
   * The renewal probability and ARR at risk written beside the score: the installation's learned
   * renewal model when it has one (`basis` 'learned', with its version), the documented prior otherwise.
   */
  renewal: {
    probability: number | null;
    revenueAtRisk: number | null;
    basis?: RenewalModel['basis'];
    renewalModelVersion?: number;
  };
  /** On a parent account: the ARR-weighted health of it and its subsidiaries. */
  rollup?: Rollup & { children: number };
}

const DEFAULT_BATCH = 200;

/** The model the workspace's scores use: its published version, or the shipped default (version 1). */
export async function modelInUse(models: HealthModelStore, workspaceId: string): Promise<HealthModel> {
  const published = await models.published(workspaceId);
  return published ? parseModel(published.definition) : DEFAULT_MODEL;
}

const isoDay = (at: number) => new Date(at).toISOString().slice(0, 10);
const dayEnd = (day: string) => Date.parse(`${day}T00:00:00Z`) + DAY_MS - 1;
const round3 = (value: number) => Math.round(value * 1000) / 1000;

function batches<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let start = 0; start < items.length; start += size) out.push(items.slice(start, start + size));
  return out;
}

export async function allAccountIds(db: Database, key: InstallationKey, pageSize: number): Promise<string[]> {
  const ids: string[] = [];
  let after: string | null = null;
  for (;;) {
    const page = await listAccountIds(db, key, { after, limit: pageSize * 10 });
    ids.push(...page);
    if (page.length < pageSize * 10) return ids;
    after = page.at(-1) ?? null;
  }
}

export function asOverride(stored: StoredOverride | undefined): Override | null {
  if (!stored) return null;
  return {
    ...(stored.score !== null ? { score: stored.score } : {}),
    ...(stored.band !== null ? { band: stored.band } : {}),
    reason: stored.reason,
    author: stored.author,
    setAt: stored.setAt.toISOString(),
    expiresAt: stored.expiresAt.toISOString(),
  };
}

/** A stored explanation's score, when the row holds one (rows are this job's own, but older shapes may linger). */
function storedScore(value: unknown): Score | null {
  if (typeof value !== 'object' || value === null) return null;
  const score = (value as { score?: unknown }).score;
  if (typeof score !== 'object' || score === null || !Array.isArray((score as Score).measures)) return null;
  return score as Score;
}

/** The score of an earlier day to compare with: the current row if it is from before today, else the one it kept. */
function previousDayScore(current: CurrentHealth | undefined, today: string): Score | null {
  if (!current) return null;
  return current.day < today ? storedScore(current.explanation) : storedScore(current.previous);
}

function contributionsOf(score: Score): Record<string, [number | boolean | null, number | null, number]> {
  const out: Record<string, [number | boolean | null, number | null, number]> = {};
  for (const measure of score.measures) {
    const raw = typeof measure.raw === 'number' ? round3(measure.raw) : measure.raw;
    out[measure.key] = [raw, measure.subScore === null ? null : round3(measure.subScore), round3(measure.contribution)];
  }
  return out;
}

/**
 * The installation's stage rules: its saved set, else the shipped defaults. A saved set that no
 * longer parses (a rule removed or narrowed since) falls back to the defaults rather than stopping
 * every score run; the settings page shows the problem when the admin opens it.
 */
export async function stageRulesOf(plans: PlanStore, key: InstallationKey, logger: Logger): Promise<StageRules> {
  const settings = await plans.settings(key);
  const parsed = stageRulesSchema.safeParse(settings?.stageRules ?? {});
  if (parsed.success) return parsed.data;
  logger.warn(
    { ...key, problems: parsed.error.issues.map((issue) => ({ path: issue.path, message: issue.message })) },
    'stored stage rules do not parse; the default rules apply',
  );
  return DEFAULT_STAGE_RULES;
}

const noStages = (): Record<LifecycleStage, number> =>
  Object.fromEntries(LIFECYCLE_STAGES.map((stage) => [stage, 0])) as Record<LifecycleStage, number>;

function sameValues(a: WrittenValues, b: WrittenValues | null): boolean {
  if (!b) return false;
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const key of keys) if ((a[key] ?? null) !== (b[key] ?? null)) return false;
  return true;
}

export async function runScore(
  deps: ScoreDeps,
  key: InstallationKey,
  options: {
    full: boolean;
    /** Accounts to score whatever changed (a card's "rescore now"). */
    accounts?: readonly string[] | undefined;
    onProgress?: (progress: ScoreProgress) => void | Promise<void>;
    /** Checked between batches: a stopped run leaves each batch it saved whole. */
    signal?: AbortSignal | undefined;
    /** Told once which accounts this run covers (scored and former customers alike). */
    onAccounts?: (accountIds: readonly string[]) => void;
  },
): Promise<ScoreSummary> {
  const started = Date.now();
  const now = deps.now?.() ?? new Date();
  const at = now.getTime();
  const today = isoDay(at);
  const batchSize = deps.batchSize ?? DEFAULT_BATCH;
  const model = await modelInUse(deps.models, key.workspaceId);
  const compiled = compileModel(model);
  const specs = measureSpecs(model);
  const plans = deps.plans ?? planStore(deps.db);
  const rules = await stageRulesOf(plans, key, deps.logger);
  // The stage reads the active-user share over its own window; a usage day counts at its end, hence + 1.
  const modelLookback = lookbackOf(specs);
  const lookback = { ...modelLookback, usage: Math.max(modelLookback.usage, rules.usageWindowDays + 1) };

  // Changes are found by the database's stamps, so the watermark is the database's time too.
  const startedAt = await deps.store.databaseNow();
  const watermark = options.full ? null : await deps.store.watermark(key);
  const full = watermark === null;
  const ids = full
    ? await allAccountIds(deps.db, key, batchSize)
    : [...new Set([...(await deps.store.changedAccountsSince(key, watermark)), ...(options.accounts ?? [])])].sort();
  const summary: ScoreSummary = {
    full,
    modelVersion: model.version,
    renewalModelVersion: null,
    accounts: 0,
    scored: 0,
    insufficientData: 0,
    changedValues: 0,
    stages: noStages(),
    durationMs: 0,
  };
  options.onAccounts?.(ids);
  if (ids.length === 0) {
    summary.durationMs = Date.now() - started;
    await deps.store.finishRun(key, startedAt, summary);
    return summary;
  }

  // First pass: every account's signals, stored so a later partial run has its peers.
  const context = await loadFactsContext(deps.db, key);
  const signals = new Map<string, SignalRow & { arr: number | null; renewalDate: number | null; stage: StageInput }>();
  let done = 0;
  for (const batch of batches(ids, batchSize)) {
    options.signal?.throwIfAborted();
    const facts = await loadAccountFacts(deps.db, key, { asOf: now, lookbackDays: lookback, accountIds: batch });
    const rows: SignalRow[] = [];
    const churned: StageChange[] = [];
    for (const account of facts) {
      // Without the band: it comes from the score, in the second pass.
      const stage = stageInputOf(account, rules, at, null);
      // A former customer keeps the last health it had; there is no renewal left to predict. Its
      // stage is churned whatever the band, so it is recorded and written here.
      if (account.status === 'churned') {
        churned.push({ accountExternalId: account.externalId, ...deriveStage(rules, stage) });
        continue;
      }
      const row = {
        accountExternalId: account.externalId,
        segment: account.segment,
        values: computeSignals(account, specs, at, context),
      };
      rows.push(row);
      signals.set(account.externalId, { ...row, arr: account.arr, renewalDate: account.renewalDate, stage });
    }
    await deps.store.saveSignals(key, rows, startedAt);
    if (churned.length > 0) {
      await plans.recordStages(key, churned, now);
      const churnedIds = churned.map((change) => change.accountExternalId);
      summary.changedValues += await deps.store.setWrittenField(key, churnedIds, 'lifecycle_stage', 'churned');
      summary.stages.churned += churned.length;
    }
    done += batch.length;
    await options.onProgress?.({ phase: 'signals', done, total: ids.length });
  }

  const peerRows = full ? [...signals.values()] : await deps.store.peerSignals(key);
  const peers = percentileTables(
    model,
    peerRows.map((row) => ({ segment: row.segment, signals: row.values })),
  );
  // Once per run: every account's probability comes from the same renewal model.
  const renewal = await loadRenewalModel(deps.db, key, deps.logger);
  const learned = renewal.model?.basis === 'learned' ? renewal.model : null;
  summary.renewalModelVersion = learned ? renewal.version : null;
  const historyFrom = isoDay(at - model.trend.longWeeks * 7 * DAY_MS);
  const scoredIds = [...signals.keys()];
  done = 0;
  for (const batch of batches(scoredIds, batchSize)) {
    options.signal?.throwIfAborted();
    const [history, current, overrides] = await Promise.all([
      deps.store.history(key, batch, historyFrom),
      deps.store.current(key, batch),
      deps.overrides.latestFor(key, batch),
    ]);
    const rows: ScoredAccountRow[] = [];
    const stages: StageChange[] = [];
    for (const id of batch) {
      const input = signals.get(id)!;
      const score = compiled.score({ segment: input.segment, signals: input.values, peers });
      const earlier: ScorePoint[] = (history.get(id) ?? [])
        .filter((point) => point.day < today)
        .map((point) => ({ at: dayEnd(point.day), score: point.score }));
      const trend = score.score === null ? null : trendOf([...earlier, { at, score: score.score }], model.trend, at);
      const drivers = topDrivers(score);
      const before = current.get(id);
      const previous = previousDayScore(before, today);
      const moved = previous ? whatMoved(previous, score) : null;
      const health = effectiveHealth(score, asOverride(overrides.get(id)), at, model.bands);
      const probability =
        health.effective.score === null
          ? null
          : learned
            ? renewalOutlook(
                learned,
                featureInputOf({
                  score: health.effective.score,
                  band: health.effective.band,
                  trend: trend?.direction ?? null,
                  arr: input.arr,
                  segment: input.segment,
                  renewalDate: input.renewalDate,
                  at,
                  signals: input.values,
                }),
              ).probability
            : renewalProbability(Math.round(health.effective.score));
      const risk = probability === null ? null : revenueAtRisk(input.arr, probability);
      const stage = deriveStage(rules, { ...input.stage, band: health.effective.band });
      stages.push({ accountExternalId: id, ...stage });
      summary.stages[stage.stage] += 1;
      const values = writtenValues(
        {
          score: health.effective.score,
          band: health.effective.band,
          trend: trend?.direction ?? null,
          drivers: driversText(drivers),
          renewalProbability: probability,
          revenueAtRisk: risk,
          stage: stage.stage,
          scoredAt: now,
        },
        before?.values ?? null,
      );
      if (!sameValues(values, before?.values ?? null)) summary.changedValues += 1;
      if (score.status === 'scored') summary.scored += 1;
      else summary.insufficientData += 1;
      const explanation: StoredExplanation = {
        score,
        drivers,
        moved,
        trend,
        health,
        renewal: learned
          ? { probability, revenueAtRisk: risk, basis: 'learned', renewalModelVersion: renewal.version as number }
          : { probability, revenueAtRisk: risk },
      };
      rows.push({
        accountExternalId: id,
        day: today,
        scoredAt: now,
        modelVersion: model.version,
        status: score.status,
        score: score.score,
        band: score.band,
        trend: trend?.direction ?? null,
        coverage: score.coverage,
        contributions: contributionsOf(score),
        explanation,
        previous: previous,
        values,
      });
    }
    await deps.store.saveScores(key, rows);
    // After the scores: a stay is never recorded for a stage the CRM was not given.
    await plans.recordStages(key, stages, now);
    summary.accounts += batch.length;
    done += batch.length;
    await options.onProgress?.({ phase: 'scores', done, total: scoredIds.length });
  }
  // Parents also show their family's health: theirs and their subsidiaries', weighted by ARR.
  const rollups = (await deps.store.families(key)).map((family) => ({
    accountExternalId: family.parent.id,
    rollup: { ...rollup(family.parent, family.children, model.bands), children: family.children.length },
  }));
  await deps.store.saveRollups(key, rollups);
  summary.durationMs = Date.now() - started;
  await deps.store.finishRun(key, startedAt, summary);
  deps.logger.info({ ...key, ...summary }, 'accounts scored');
  return summary;
}
