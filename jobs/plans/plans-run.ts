import { lookbackOf, type AccountFacts, type FactsContext, type Lookback } from '../../server/core/health/facts.ts';
import { DEFAULT_PLAN_TEMPLATES } from '../../server/core/plans/default-templates.ts';
import {
  OBJECTIVE_STATUSES,
  conditionHolds,
  metricSchema,
  milestoneTemplateSchema,
  metricValue,
  planFromTemplate,
  readObjective,
  templateFor,
  validateTemplates,
  type Metric,
  type MilestoneCondition,
  type ObjectiveStatus,
  type PlanTemplate,
} from '../../server/core/plans/plan-model.ts';
import type { Database } from '../../server/platform/db/database.ts';
import { loadAccountFacts, loadFactsContext } from '../../server/platform/db/health-facts-store.ts';
import {
  planStore,
  type NewPlan,
  type ObjectiveReadingRow,
  type ObjectiveRow,
  type PlanReadings,
  type PlanRow,
  type PlanStore,
  type PlanWithParts,
  type StayWithoutPlan,
} from '../../server/platform/db/plan-store.ts';
import type { InstallationKey } from '../../server/platform/db/sync-store.ts';
import type { Logger } from '../../server/platform/logger.ts';

/**
 * The plans step that follows every score run: a plan from the installation's templates for each
 * current stage stay that has none yet (dated from the day the account entered the stage), then each
 * active plan's objectives and milestone conditions read from the signals as of the run. Run twice
 * at the same instant it creates nothing and changes nothing but the read times.
 */

export interface PlansDeps {
  db: Database;
  /** Built on `db` when not given. */
  plans?: PlanStore | undefined;
  logger: Logger;
  /** Accounts per facts read and per saved batch of readings. */
  batchSize?: number | undefined;
}

export interface PlansProgress {
  phase: 'plans';
  done: number;
  total: number;
}

export interface PlansSummary {
  /** Plans made from templates in this run. */
  plansCreated: number;
  /** Active plans whose objectives and milestones were read. */
  plansRead: number;
  /** Active plans closed because their account churned. */
  plansClosed: number;
  /** The objectives read, by the status they now have. */
  objectives: Record<ObjectiveStatus, number>;
  /** Milestones whose condition was first met in this run. */
  milestonesReached: number;
  durationMs: number;
}

export interface PlansRunOptions {
  at: Date;
  /** Read only these accounts' plans (the accounts a partial score run covered); all when absent. */
  accountIds?: readonly string[] | undefined;
  signal?: AbortSignal | undefined;
  onProgress?: (progress: PlansProgress) => void | Promise<void>;
}

const DEFAULT_BATCH = 200;

function batches<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let start = 0; start < items.length; start += size) out.push(items.slice(start, start + size));
  return out;
}

/**
 * The installation's templates: its saved list, else the shipped ones. A saved list that no longer
 * parses makes no plans (the shipped ones would give accounts plans the admin replaced); it is logged
 * and existing plans are still read.
 */
async function templatesOf(plans: PlanStore, key: InstallationKey, logger: Logger): Promise<PlanTemplate[]> {
  const settings = await plans.settings(key);
  if (settings?.templates === null || settings?.templates === undefined) return DEFAULT_PLAN_TEMPLATES;
  const result = validateTemplates(settings.templates);
  if (result.ok) return result.templates;
  logger.warn({ ...key, problems: result.problems }, 'stored plan templates do not parse; no plans are made');
  return [];
}

function newPlanOf(stay: StayWithoutPlan, template: PlanTemplate): NewPlan {
  const draft = planFromTemplate(template, {
    startAt: stay.enteredAt.getTime(),
    csmId: stay.csmExternalId,
    ownerId: stay.ownerExternalId,
  });
  return {
    accountExternalId: stay.accountExternalId,
    name: draft.name,
    templateKey: draft.templateKey,
    stage: draft.stage,
    stageEntryId: stay.entryId,
    // Due dates count from the start of the stay: a plan made a run late (a step that failed, templates
    // saved since) keeps the dates it would have had.
    startedAt: stay.enteredAt,
    createdBy: 'system',
    objectives: draft.objectives.map((objective) => ({
      ...objective,
      startAt: new Date(objective.startAt),
      dueAt: new Date(objective.dueAt),
    })),
    milestones: draft.milestones.map((milestone) => ({ ...milestone, dueAt: new Date(milestone.dueAt) })),
  };
}

const conditionSchema = milestoneTemplateSchema.shape.reachedWhen;

/** How far back each kind of dated fact the metrics read reaches (a usage day counts at its end, hence + 1). */
function lookbackFor(metrics: readonly Metric[]): Lookback {
  const lookback = lookbackOf(
    metrics.flatMap((metric) =>
      metric.kind === 'signal'
        ? [{ signal: metric.signal, windowDays: metric.windowDays, aggregation: metric.aggregation }]
        : [],
    ),
  );
  for (const metric of metrics) {
    if (metric.kind === 'features_live') lookback.usage = Math.max(lookback.usage, metric.windowDays + 1);
    if (metric.kind === 'nps_from_role') lookback.surveys = Math.max(lookback.surveys, metric.windowDays + 1);
  }
  return lookback;
}

/** A plan's parts as the reading needs them: stored JSON parsed, what does not parse named. */
interface ParsedPlan {
  plan: PlanWithParts;
  metrics: Map<string, Metric | null>;
  conditions: Map<string, MilestoneCondition>;
}

function parsePlan(plan: PlanWithParts, key: InstallationKey, logger: Logger): ParsedPlan {
  const metrics = new Map<string, Metric | null>();
  for (const objective of plan.objectives) {
    const parsed = metricSchema.safeParse(objective.metric);
    if (!parsed.success) {
      logger.warn(
        { ...key, planId: plan.id, objective: objective.key, problems: parsed.error.issues },
        'stored objective metric does not parse; read as no data',
      );
    }
    metrics.set(objective.key, parsed.success ? parsed.data : null);
  }
  const conditions: ParsedPlan['conditions'] = new Map();
  for (const milestone of plan.milestones) {
    if (milestone.reachedAt !== null || milestone.reachedWhen === null) continue;
    const parsed = conditionSchema.safeParse(milestone.reachedWhen);
    if (!parsed.success) {
      logger.warn(
        { ...key, planId: plan.id, milestone: milestone.key, problems: parsed.error.issues },
        'stored milestone condition does not parse; left to be marked by hand',
      );
      continue;
    }
    if (parsed.data !== null) conditions.set(milestone.key, parsed.data);
  }
  return { plan, metrics, conditions };
}

function readObjectiveRow(
  objective: ObjectiveRow,
  metric: Metric | null,
  facts: AccountFacts,
  at: number,
  context: FactsContext,
): ObjectiveReadingRow {
  if (metric === null) {
    return {
      key: objective.key,
      status: 'no_data',
      value: null,
      expected: null,
      progress: null,
      startValue: objective.startValue,
      achievedAt: objective.achievedAt,
    };
  }
  const reading = readObjective(
    {
      comparator: objective.comparator,
      target: objective.target,
      startAt: objective.startAt.getTime(),
      dueAt: objective.dueAt.getTime(),
      startValue: objective.startValue,
      achievedAt: objective.achievedAt?.getTime() ?? null,
    },
    metricValue(metric, facts, at, context),
    at,
  );
  return {
    key: objective.key,
    status: reading.status,
    value: reading.value,
    expected: reading.expected,
    progress: reading.progress,
    startValue: reading.startValue,
    achievedAt: reading.achievedAt === null ? null : new Date(reading.achievedAt),
  };
}

export async function runPlans(deps: PlansDeps, key: InstallationKey, options: PlansRunOptions): Promise<PlansSummary> {
  const started = Date.now();
  const plans = deps.plans ?? planStore(deps.db);
  const batchSize = deps.batchSize ?? DEFAULT_BATCH;
  const at = options.at.getTime();
  const summary: PlansSummary = {
    plansCreated: 0,
    plansRead: 0,
    plansClosed: 0,
    objectives: Object.fromEntries(OBJECTIVE_STATUSES.map((status) => [status, 0])) as Record<ObjectiveStatus, number>,
    milestonesReached: 0,
    durationMs: 0,
  };
  const context = await loadFactsContext(deps.db, key);

  /**
   * Reads the active plans of these accounts (all when undefined), a batch of accounts at a time;
   * only the plans named in `only` when given.
   */
  async function read(accountIds: readonly string[] | undefined, only?: ReadonlySet<string>): Promise<void> {
    const progress = only === undefined;
    const scopes = accountIds ? batches(accountIds, batchSize) : [undefined];
    let done = 0;
    for (const scope of scopes) {
      options.signal?.throwIfAborted();
      const byAccount = new Map<string, ParsedPlan[]>();
      for (const plan of await plans.activePlans(key, scope)) {
        if (only && !only.has(plan.id)) continue;
        const list = byAccount.get(plan.accountExternalId) ?? [];
        list.push(parsePlan(plan, key, deps.logger));
        byAccount.set(plan.accountExternalId, list);
      }
      const total = accountIds?.length ?? byAccount.size;
      for (const ids of batches([...byAccount.keys()], batchSize)) {
        options.signal?.throwIfAborted();
        await readBatch(
          ids.flatMap((id) => byAccount.get(id) ?? []),
          ids,
        );
        if (progress && !scope) {
          done += ids.length;
          await options.onProgress?.({ phase: 'plans', done, total });
        }
      }
      if (progress && scope) {
        done += scope.length;
        await options.onProgress?.({ phase: 'plans', done, total });
      }
    }
  }

  async function readBatch(parsed: readonly ParsedPlan[], accountIds: readonly string[]): Promise<void> {
    const metrics = parsed.flatMap((plan) => [
      ...[...plan.metrics.values()].filter((metric): metric is Metric => metric !== null),
      ...[...plan.conditions.values()].map((condition) => condition.metric),
    ]);
    const facts = await loadAccountFacts(deps.db, key, {
      asOf: options.at,
      lookbackDays: lookbackFor(metrics),
      accountIds,
    });
    const factsOf = new Map(facts.map((account) => [account.externalId, account]));
    const readings: PlanReadings[] = [];
    for (const { plan, metrics: planMetrics, conditions } of parsed) {
      // An account gone from the CRM (archived) keeps its plan as last read.
      const account = factsOf.get(plan.accountExternalId);
      if (!account) continue;
      const objectives = plan.objectives.map((objective) =>
        readObjectiveRow(objective, planMetrics.get(objective.key) ?? null, account, at, context),
      );
      const reached = [...conditions].flatMap(([milestoneKey, condition]) =>
        conditionHolds(condition, account, at, context) ? [milestoneKey] : [],
      );
      readings.push({ planId: plan.id, objectives, reached });
      for (const objective of objectives) summary.objectives[objective.status] += 1;
      summary.milestonesReached += reached.length;
    }
    await plans.saveReadings(key, readings, options.at);
    summary.plansRead += readings.length;
  }

  summary.plansClosed = await plans.closePlansOfChurned(key, options.at);

  // Read before any plan is made: a plan a stage change closes gets its last reading first (an
  // onboarding ends because usage reached its target, and the plan shows that target achieved).
  await read(options.accountIds);

  // Plans for stays without one, across the installation: a stay a failed run missed gets its plan now.
  const templates = await templatesOf(plans, key, deps.logger);
  const stages = [...new Set(templates.map((template) => template.stage))];
  const stays = await plans.staysWithoutPlan(key, stages);
  const drafts = stays.flatMap((stay) => {
    const template = templateFor(templates, stay.stage, stay.segment);
    return template ? [newPlanOf(stay, template)] : [];
  });
  const created: PlanRow[] = [];
  for (const batch of batches(drafts, batchSize)) {
    options.signal?.throwIfAborted();
    created.push(...(await plans.createPlans(key, batch, options.at)));
  }
  summary.plansCreated = created.length;
  // New plans are read at once, so none waits a run without a status.
  if (created.length > 0) {
    const accounts = [...new Set(created.map((plan) => plan.accountExternalId))].sort();
    await read(accounts, new Set(created.map((plan) => plan.id)));
  }

  summary.durationMs = Date.now() - started;
  deps.logger.info({ ...key, ...summary }, 'plans read');
  return summary;
}
