import { DAY_MS } from '../../server/core/health/signals.ts';
import { evaluateRules } from '../../server/core/warnings/evaluate.ts';
import type { Finding } from '../../server/core/warnings/finding.ts';
import { metricValueText, parseStoredMetric } from '../../server/core/plans/metric-text.ts';
import {
  warningInputFrom,
  warningLookbackDays,
  type HistoryPoint,
  type WarningPlan,
} from '../../server/core/warnings/input.ts';
import { tasksFor } from '../../server/core/warnings/playbooks.ts';
import { reconcileWarnings, type OpenWarning } from '../../server/core/warnings/reconcile.ts';
import { parseWarningRules, type WarningRules } from '../../server/core/warnings/rules-config.ts';
import { bandOf, type Bands } from '../../server/core/health/model.ts';
import type { Database } from '../../server/platform/db/database.ts';
import { loadAccountFacts } from '../../server/platform/db/health-facts-store.ts';
import type { HealthModelStore } from '../../server/platform/db/health-model-store.ts';
import type { HealthScoreStore } from '../../server/platform/db/health-score-store.ts';
import type { OverrideStore } from '../../server/platform/db/override-store.ts';
import { planStore, type PlanWithParts } from '../../server/platform/db/plan-store.ts';
import type { InstallationKey } from '../../server/platform/db/sync-store.ts';
import type {
  NewWarning,
  WarningAccountRow,
  WarningRow,
  WarningStore,
} from '../../server/platform/db/warning-store.ts';
import type { Logger } from '../../server/platform/logger.ts';
import { allAccountIds, asOverride, modelInUse } from '../score/score-run.ts';

/**
 * One warnings run of an installation: each account's facts, score history, health and override as
 * of now go through the installation's rules (server/core/warnings); the findings are reconciled with
 * the stored warnings, and what opens, stays open or resolves is saved with the playbook tasks and
 * owed notifications in one transaction per batch. A full run (daily) covers every account and also
 * resolves the open warnings of accounts no longer there; after a score run only the accounts it
 * scored are evaluated.
 */

export interface WarningsDeps {
  db: Database;
  store: WarningStore;
  scores: HealthScoreStore;
  models: HealthModelStore;
  overrides: OverrideStore;
  logger: Logger;
}

export interface WarningsRunOptions {
  full: boolean;
  /** A partial run: the accounts scored at or after this instant. */
  scoredSince?: Date | undefined;
  at: number;
  batchSize?: number;
  signal?: AbortSignal | undefined;
  onProgress?: (progress: { evaluated: number; total: number }) => unknown;
}

export interface WarningsSummary {
  evaluated: number;
  findings: number;
  opened: number;
  resolved: number;
  /** Firing findings kept shut by a cooldown. */
  suppressed: number;
  tasks: number;
  deliveries: number;
}

const DEFAULT_BATCH = 200;
const isoDay = (at: number) => new Date(at).toISOString().slice(0, 10);

/** The installation's rules: its saved set, or the shipped defaults. A saved set that no longer parses fails the run loudly. */
export async function rulesInUse(store: WarningStore, key: InstallationKey): Promise<WarningRules> {
  const saved = await store.rules(key);
  return parseWarningRules(saved?.rules ?? {});
}

const asOpenWarning = (row: WarningRow): OpenWarning => ({
  id: row.id,
  rule: row.rule,
  dedupeKey: row.dedupeKey,
  accountId: row.accountExternalId,
  severity: row.severity,
  openedAt: row.openedAt.getTime(),
  lastSeenAt: row.lastSeenAt.getTime(),
});

export async function runWarnings(
  deps: WarningsDeps,
  key: InstallationKey,
  options: WarningsRunOptions,
): Promise<WarningsSummary> {
  const { at } = options;
  const rules = await rulesInUse(deps.store, key);
  const model = await modelInUse(deps.models, key.workspaceId);
  const lookbackDays = warningLookbackDays(rules);
  const batchSize = options.batchSize ?? DEFAULT_BATCH;
  const ids = options.full
    ? await allAccountIds(deps.db, key, batchSize)
    : await deps.store.scoredSince(key, options.scoredSince ?? new Date(at));

  const summary: WarningsSummary = {
    evaluated: 0,
    findings: 0,
    opened: 0,
    resolved: 0,
    suppressed: 0,
    tasks: 0,
    deliveries: 0,
  };
  for (let start = 0; start < ids.length; start += batchSize) {
    options.signal?.throwIfAborted();
    const batch = ids.slice(start, start + batchSize);
    await evaluateBatch(deps, key, batch, { rules, bands: model.bands, lookbackDays, at }, summary);
    await options.onProgress?.({ evaluated: Math.min(ids.length, start + batchSize), total: ids.length });
  }

  if (options.full) {
    // Open warnings of accounts this run did not see (archived or deleted in the CRM): resolved as gone.
    const seen = new Set(ids);
    const orphaned = (await deps.store.open(key)).filter((row) => !seen.has(row.accountExternalId));
    if (orphaned.length > 0) {
      const changes = reconcileWarnings({
        findings: [],
        open: orphaned.map(asOpenWarning),
        lastResolvedByKey: new Map(),
        rules,
        at,
        activeAccounts: [],
      });
      const applied = await deps.store.apply(key, {
        open: [],
        seen: [],
        resolve: changes.resolve.map((resolution) => ({ id: resolution.id, resolution: resolution.text })),
        at: new Date(at),
      });
      summary.resolved += applied.resolved;
      summary.deliveries += applied.deliveries;
    }
  }
  return summary;
}

interface BatchContext {
  rules: WarningRules;
  bands: Bands;
  lookbackDays: number;
  at: number;
}

async function evaluateBatch(
  deps: WarningsDeps,
  key: InstallationKey,
  batch: readonly string[],
  context: BatchContext,
  summary: WarningsSummary,
): Promise<void> {
  const { rules, bands, lookbackDays, at } = context;
  const plans = planStore(deps.db);
  const [facts, people, history, overrides, open, activePlans, stages] = await Promise.all([
    loadAccountFacts(deps.db, key, { asOf: new Date(at), lookbackDays, accountIds: batch }),
    deps.store.accounts(key, batch),
    deps.scores.history(key, batch, isoDay(at - lookbackDays * DAY_MS)),
    deps.overrides.latestFor(key, batch),
    deps.store.open(key, batch),
    plans.activePlans(key, batch),
    plans.currentStages(key, batch),
  ]);
  const accounts = new Map(people.map((row) => [row.externalId, row]));
  const plansOf = new Map<string, WarningPlan[]>();
  for (const plan of activePlans) {
    const list = plansOf.get(plan.accountExternalId) ?? [];
    list.push(warningPlanOf(plan));
    plansOf.set(plan.accountExternalId, list);
  }

  const findings: Finding[] = [];
  const active: string[] = [];
  for (const accountFacts of facts) {
    const account = accounts.get(accountFacts.externalId);
    if (!account) continue;
    const points: HistoryPoint[] = (history.get(account.externalId) ?? []).map((point) => ({
      day: point.day,
      score: point.score,
      band: bandOf(point.score, bands),
    }));
    const input = warningInputFrom(
      {
        account: { id: account.externalId, name: account.name },
        facts: accountFacts,
        history: points,
        health: { score: account.score, band: account.band, trend: account.trend },
        override: asOverride(overrides.get(account.externalId)),
        bands,
        stage: stageOf(stages.get(account.externalId)),
        plans: plansOf.get(account.externalId) ?? [],
      },
      at,
      lookbackDays,
    );
    if (input.account.status === 'churned') continue;
    active.push(account.externalId);
    findings.push(...evaluateRules(input, rules, at));
  }
  summary.evaluated += facts.length;
  summary.findings += findings.length;

  const lastResolved = await deps.store.lastResolved(key, [...new Set(findings.map((finding) => finding.dedupeKey))]);
  const changes = reconcileWarnings({
    findings,
    open: open.map(asOpenWarning),
    lastResolvedByKey: new Map([...lastResolved].map(([dedupeKey, when]) => [dedupeKey, when.getTime()])),
    rules,
    at,
    activeAccounts: active,
  });
  summary.suppressed += changes.suppressed.length;
  const opened = changes.open.map((finding) => newWarning(finding, accounts.get(finding.accountId)!, rules, at));
  const applied = await deps.store.apply(key, {
    open: opened,
    seen: changes.seen.map((warning) => warning.id),
    resolve: changes.resolve.map((resolution) => ({ id: resolution.id, resolution: resolution.text })),
    at: new Date(at),
  });
  summary.opened += applied.opened.length;
  summary.resolved += applied.resolved;
  summary.tasks += applied.tasks;
  summary.deliveries += applied.deliveries;
}

function stageOf(stay: { stage: WarningPlan['stage']; enteredAt: Date } | undefined) {
  return stay ? { stage: stay.stage, enteredAt: stay.enteredAt.getTime() } : null;
}

/** A stored plan as the rules read it; values in words by the objective's metric. */
export function warningPlanOf(plan: PlanWithParts): WarningPlan {
  return {
    id: plan.id,
    name: plan.name,
    stage: plan.stage,
    startedAt: plan.startedAt.getTime(),
    milestones: plan.milestones.map((milestone) => ({
      key: milestone.key,
      title: milestone.title,
      dueAt: milestone.dueAt.getTime(),
      reachedAt: milestone.reachedAt?.getTime() ?? null,
    })),
    objectives: plan.objectives.map((objective) => {
      const metric = parseStoredMetric(objective.metric);
      const text = (value: number | null) => metricValueText(metric, value);
      return {
        key: objective.key,
        title: objective.title,
        status: objective.status,
        statusSince: objective.statusSince.getTime(),
        value: objective.value,
        expected: objective.expected,
        target: objective.target,
        comparator: objective.comparator,
        dueAt: objective.dueAt.getTime(),
        valueText: text(objective.value),
        expectedText: text(objective.expected),
        targetText: text(objective.target),
      };
    }),
  };
}

function newWarning(finding: Finding, account: WarningAccountRow, rules: WarningRules, at: number): NewWarning {
  const tasks = tasksFor(
    finding,
    { id: account.externalId, name: account.name, ownerId: account.ownerExternalId, csmId: account.csmExternalId },
    rules,
    at,
  );
  return {
    accountExternalId: account.externalId,
    rule: finding.rule,
    dedupeKey: finding.dedupeKey,
    severity: finding.severity,
    title: finding.title,
    evidence: finding.evidence,
    ownerExternalId: account.ownerExternalId,
    csmExternalId: account.csmExternalId,
    tasks: tasks.map((task) => ({
      step: task.step,
      subject: task.subject,
      body: task.body,
      dueAt: new Date(task.dueAt),
      assigneeExternalId: task.assigneeId,
    })),
  };
}
