import type { AccountFacts, FactsContext } from '../health/facts.ts';
import { metricSchema, metricValue, readObjective, type Metric, type ObjectiveStatus } from '../plans/plan-model.ts';
import { STAGE_LABELS } from '../plans/stages.ts';
import type { BriefPlan, BriefPlans, PlanObjective } from './brief.ts';
import { NO_DATA, formatShare, keep } from './format.ts';
import type { PlanInput, PlanObjectiveInput, QbrInputs } from './inputs.ts';
import { metricValueText } from '../plans/metric-text.ts';
import { DAY_MS, dayStart, daysBetween, isoDay, type Period } from './period.ts';

/**
 * The success-plan section of a brief: each active plan's objectives with their value now and at the
 * last QBR, read here with `metricValue` over the account's facts (the plans step's own reading, so
 * the brief's numbers are the signals' numbers, not a stored copy that may be a day old), the status
 * the plans step stored, how far along the way to the target each is, and the milestones reached in
 * the period and still ahead.
 */

export const OBJECTIVE_STATUS_TEXT: Readonly<Record<ObjectiveStatus, string>> = {
  on_track: 'On track',
  behind: 'Behind',
  achieved: 'Achieved',
  missed: 'Missed',
  no_data: 'No data yet',
};

/** A last QBR further back than this is not "since the last QBR": the period's start is used instead. */
export const LAST_QBR_MAX_DAYS = 366;
export const NEXT_MILESTONES = 5;

export interface PlanInstants {
  /** The end of the period's last day (epoch ms). */
  asOf: number;
  since: { kind: 'last_qbr' | 'period_start'; day: string; at: number };
}

/**
 * When a brief reads plan metrics: now is the end of the period's last day; before is the start of
 * the last QBR's day (what was known at that meeting) when there was one within a year before the
 * period's end, else the start of the period.
 */
export function planInstants(period: Period, lastQbrDay: string | null): PlanInstants {
  const asOf = dayStart(period.end) + DAY_MS - 1;
  const recent =
    lastQbrDay !== null && lastQbrDay <= period.end && daysBetween(lastQbrDay, period.end) <= LAST_QBR_MAX_DAYS;
  const day = recent ? lastQbrDay : period.start;
  return { asOf, since: { kind: recent ? 'last_qbr' : 'period_start', day, at: dayStart(day) } };
}

const comparatorWords = (comparator: PlanObjectiveInput['comparator']) =>
  comparator === 'gte' ? 'at least' : 'at most';

/** An objective's metric read at two instants: the value shown now and at the last QBR (or the period's start). */
export interface ObjectiveValues {
  now: number | null;
  before: number | null;
}

/**
 * One objective as the brief shows it: the values given (read from the signals), the stored status,
 * and how far along the way from the plan's start value to the target the value now is. `metric`
 * null (a stored metric that no longer parses) shows bare numbers.
 */
export function briefObjective(
  objective: PlanObjectiveInput,
  metric: Metric | null,
  values: ObjectiveValues,
  asOf: number,
): PlanObjective {
  const text = (value: number | null) => metricValueText(metric, value);
  const reading = readObjective(
    {
      comparator: objective.comparator,
      target: objective.target,
      startAt: Date.parse(objective.startAt),
      dueAt: Date.parse(objective.dueAt),
      startValue: objective.startValue,
      achievedAt: objective.achievedAt === null ? null : Date.parse(objective.achievedAt),
    },
    values.now,
    asOf,
  );
  const progress = reading.progress === null ? null : keep(reading.progress);
  return {
    key: objective.key,
    title: objective.title,
    status: objective.status,
    statusText: OBJECTIVE_STATUS_TEXT[objective.status],
    value: values.now === null ? null : keep(values.now),
    valueText: text(values.now),
    before: values.before === null ? null : keep(values.before),
    beforeText: text(values.before),
    comparator: objective.comparator,
    target: objective.target,
    targetText: `${comparatorWords(objective.comparator)} ${text(objective.target)}`,
    dueOn: isoDay(Date.parse(objective.dueAt)),
    progress,
    progressText: progress === null ? NO_DATA : `${formatShare(progress)} of the way`,
  };
}

interface Signals {
  facts: AccountFacts | null;
  context: FactsContext;
  instants: PlanInstants;
}

function planOf(plan: PlanInput, period: Period, signals: Signals): BriefPlan {
  const { asOf } = signals.instants;
  const periodStart = dayStart(period.start);
  const reachedBy = (milestone: PlanInput['milestones'][number]) => {
    const at = milestone.reachedAt === null ? null : Date.parse(milestone.reachedAt);
    return at !== null && at <= asOf ? at : null;
  };
  const milestones = plan.milestones.map((milestone, index) => ({
    milestone,
    index,
    dueAt: Date.parse(milestone.dueAt),
    reachedAt: reachedBy(milestone),
  }));
  const next = milestones
    .filter((item) => item.reachedAt === null)
    .sort((a, b) => a.dueAt - b.dueAt || a.index - b.index)
    .slice(0, NEXT_MILESTONES)
    .map((item) => ({
      title: item.milestone.title,
      owner: item.milestone.owner,
      dueOn: isoDay(item.dueAt),
      overdue: item.dueAt < asOf,
    }));
  const reached = milestones
    .flatMap((item) =>
      item.reachedAt !== null && item.reachedAt >= periodStart ? [{ ...item, at: item.reachedAt }] : [],
    )
    .sort((a, b) => a.at - b.at || a.index - b.index)
    .map((item) => ({ title: item.milestone.title, reachedOn: isoDay(item.at) }));
  return {
    name: plan.name,
    stage: plan.stage,
    stageText: STAGE_LABELS[plan.stage],
    startedOn: isoDay(Date.parse(plan.startedAt)),
    objectives: plan.objectives.map((objective) => {
      const parsed = metricSchema.safeParse(objective.metric);
      const metric = parsed.success ? parsed.data : null;
      const read = (at: number) =>
        metric === null || signals.facts === null ? null : metricValue(metric, signals.facts, at, signals.context);
      return briefObjective(objective, metric, { now: read(asOf), before: read(signals.instants.since.at) }, asOf);
    }),
    next,
    reached,
  };
}

export function briefPlans(inputs: QbrInputs): BriefPlans {
  const instants = planInstants(inputs.period, inputs.plans.lastQbrDay);
  const signals: Signals = { facts: inputs.plans.facts, context: inputs.plans.context, instants };
  return {
    asOf: isoDay(instants.asOf),
    since: { kind: instants.since.kind, day: instants.since.day },
    plans: inputs.plans.active.map((plan) => planOf(plan, inputs.period, signals)),
  };
}
