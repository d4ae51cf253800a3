import { z } from 'zod';
import { computeSignals, featuresAdopted, type AccountFacts, type FactsContext } from '../health/facts.ts';
import { AGGREGATIONS, DAY_MS, SIGNAL_NAMES } from '../health/signals.ts';
import { jsonPath } from '../json-path.ts';
import { LIFECYCLE_STAGES } from './stages.ts';

/**
 * Success plans: what a customer wants to achieve (objectives with a measurable target on a signal
 * and a due date) and the steps to get there (milestones with owners and due dates). Objective
 * status comes from the signals, never typed by hand. Templates per stage and segment make the
 * plan an account gets when it enters a stage.
 */

/** What an objective or a milestone condition measures, as of an instant. */
export const metricSchema = z.discriminatedUnion('kind', [
  /** Any health signal over a window (e.g. active users ÷ licences, mean over 28 days). */
  z.strictObject({
    kind: z.literal('signal'),
    signal: z.enum(SIGNAL_NAMES),
    windowDays: z.int().min(1).max(365),
    aggregation: z.enum(AGGREGATIONS),
  }),
  /** Features live: the mean daily count of features used by a fifth of the day's active users. */
  z.strictObject({ kind: z.literal('features_live'), windowDays: z.int().min(1).max(365) }),
  /** The latest NPS answer in the window from a contact with this role (e.g. the executive sponsor). */
  z.strictObject({
    kind: z.literal('nps_from_role'),
    role: z.enum(['champion', 'executive_sponsor']),
    windowDays: z.int().min(1).max(730),
  }),
]);
export type Metric = z.infer<typeof metricSchema>;

export const COMPARATORS = ['gte', 'lte'] as const;
export type Comparator = (typeof COMPARATORS)[number];

const key = z
  .string()
  .regex(/^[a-z][a-z0-9_]{0,39}$/, 'lower-case letters, digits and _, starting with a letter (≤ 40)');
const title = z.string().trim().min(1).max(200);

export const objectiveTemplateSchema = z.strictObject({
  key,
  title,
  metric: metricSchema,
  comparator: z.enum(COMPARATORS),
  target: z.number().finite(),
  /** Due this many days after the plan starts. */
  dueDays: z.int().min(1).max(730),
});
export type ObjectiveTemplate = z.infer<typeof objectiveTemplateSchema>;

export const milestoneTemplateSchema = z.strictObject({
  key,
  title,
  dueDays: z.int().min(0).max(730),
  /** Who owns it: the account's CSM or its CRM owner. */
  owner: z.enum(['csm', 'owner']).default('csm'),
  /** Reached on its own when this holds (e.g. "10 users active"); otherwise someone marks it done. */
  reachedWhen: z
    .strictObject({ metric: metricSchema, comparator: z.enum(COMPARATORS), target: z.number().finite() })
    .nullable()
    .default(null),
});
export type MilestoneTemplate = z.infer<typeof milestoneTemplateSchema>;

export const planTemplateSchema = z
  .strictObject({
    key,
    name: title,
    stage: z.enum(LIFECYCLE_STAGES),
    /** The account segment it is for (as the CRM writes it, compared case-insensitively); null = any. */
    segment: z.string().trim().min(1).max(100).nullable().default(null),
    objectives: z.array(objectiveTemplateSchema).max(20),
    milestones: z.array(milestoneTemplateSchema).max(50),
  })
  .superRefine((template, ctx) => {
    const seen = new Set<string>();
    for (const [index, item] of [...template.objectives, ...template.milestones].entries()) {
      if (seen.has(item.key)) {
        const inObjectives = index < template.objectives.length;
        ctx.addIssue({
          code: 'custom',
          path: inObjectives ? ['objectives', index, 'key'] : ['milestones', index - template.objectives.length, 'key'],
          message: `key "${item.key}" is used twice in the template`,
        });
      }
      seen.add(item.key);
    }
  });
export type PlanTemplate = z.infer<typeof planTemplateSchema>;

/** An installation's templates; two for the same stage and segment are refused. */
export const planTemplatesSchema = z.array(planTemplateSchema).max(100);

export const OBJECTIVE_STATUSES = ['on_track', 'behind', 'achieved', 'missed', 'no_data'] as const;
export type ObjectiveStatus = (typeof OBJECTIVE_STATUSES)[number];

/** An objective of a plan as stored, with what has been measured so far. */
export interface ObjectiveState {
  comparator: Comparator;
  target: number;
  startAt: number;
  dueAt: number;
  /** The first reading after the plan started; null until there was one. */
  startValue: number | null;
  /** When the target was first met on or before the due date; once set the objective stays achieved. */
  achievedAt: number | null;
}

export interface ObjectiveReading {
  status: ObjectiveStatus;
  value: number | null;
  /** Where a straight line from the start value to the target stands at the instant; null without a start. */
  expected: number | null;
  /** 0–1 of the way from the start value to the target; null without a value. */
  progress: number | null;
  startValue: number | null;
  achievedAt: number | null;
}

export type MilestoneStatus = 'reached' | 'overdue' | 'upcoming';

/** A milestone's condition: reached on its own once the metric meets the target. */
export type MilestoneCondition = NonNullable<MilestoneTemplate['reachedWhen']>;

const dayEnd = (day: number) => day + DAY_MS - 1;
const round1 = (value: number) => Math.round(value * 10) / 10;
const clamp01 = (value: number) => Math.min(1, Math.max(0, value));

/** Mean features adopted a day over the usage days ending in (at − window, at]; null without usage there. */
function featuresLive(facts: AccountFacts, at: number, windowDays: number): number | null {
  const start = at - windowDays * DAY_MS;
  let sum = 0;
  let count = 0;
  for (const day of facts.usage) {
    const end = dayEnd(day.day);
    if (end <= start || end > at) continue;
    sum += featuresAdopted(day);
    count += 1;
  }
  return count === 0 ? null : round1(sum / count);
}

/** The latest NPS answer in (at − window, at] from a contact with the role; null when none answered. */
function npsFromRole(facts: AccountFacts, role: string, at: number, windowDays: number): number | null {
  const start = at - windowDays * DAY_MS;
  let latestAt = -Infinity;
  let score: number | null = null;
  for (const survey of facts.surveys) {
    if (survey.kind !== 'nps' || survey.respondentRole !== role || survey.at <= start || survey.at > at) continue;
    if (survey.at >= latestAt) {
      latestAt = survey.at;
      score = survey.score;
    }
  }
  return score;
}

/** What a metric reads for an account at `at` (flags read as 1 and 0); null = no data. */
export function metricValue(metric: Metric, facts: AccountFacts, at: number, context: FactsContext): number | null {
  switch (metric.kind) {
    case 'signal': {
      const spec = { signal: metric.signal, windowDays: metric.windowDays, aggregation: metric.aggregation };
      const value = computeSignals(facts, [spec], at, context)[metric.signal];
      if (typeof value === 'boolean') return value ? 1 : 0;
      return value ?? null;
    }
    case 'features_live':
      return featuresLive(facts, at, metric.windowDays);
    case 'nps_from_role':
      return npsFromRole(facts, metric.role, at, metric.windowDays);
  }
}

/** Whether a value meets a target, exactly (objective and milestone readings allow for rounding). */
export function meets(comparator: Comparator, value: number, target: number): boolean {
  return comparator === 'gte' ? value >= target : value <= target;
}

/**
 * `meets`, with a value a hair from the line counted on it: a mean of daily shares or a point on the
 * straight line to the target drifts in the last bits (28 days of 0.6 average to 0.5999999999999999,
 * and 0.1 + 0.4 × ½ is 0.30000000000000004).
 */
function reaches(comparator: Comparator, value: number, line: number, target: number): boolean {
  const tolerance = 1e-9 * Math.max(1, Math.abs(target));
  return comparator === 'gte' ? value >= line - tolerance : value <= line + tolerance;
}

/** How much of the time from `startAt` to `dueAt` has passed at `at`, 0–1. */
function elapsed(state: ObjectiveState, at: number): number {
  const span = state.dueAt - state.startAt;
  return span <= 0 ? 1 : clamp01((at - state.startAt) / span);
}

/** Where a straight line from the start value at `startAt` to the target at `dueAt` stands at `at`. */
function expectedAt(state: ObjectiveState, startValue: number, at: number): number {
  return startValue + (state.target - startValue) * elapsed(state, at);
}

function progressOf(state: ObjectiveState, startValue: number, value: number): number {
  if (state.target === startValue) return reaches(state.comparator, value, state.target, state.target) ? 1 : 0;
  return clamp01((value - startValue) / (state.target - startValue));
}

/**
 * How far short of the straight line an objective may be at its start and still be on track, as a share
 * of the way from its start value to its target; the slack narrows to nothing by the due date. Without
 * it an objective would turn "behind" the minute after it starts, when the line has moved and the
 * signal has not, and a day's noise early on would flip it back and forth.
 */
export const ON_TRACK_SLACK = 0.1;

/**
 * An objective's status from its latest reading. The first reading sets the start value; meeting the
 * target by the due date achieves it for good (a later dip does not undo what the customer reached);
 * otherwise it is on track while the value is at or past the straight line from the start value to
 * the target less a slack that narrows to nothing by the due date, behind when further short, and
 * missed once the due date has passed.
 */
export function readObjective(state: ObjectiveState, value: number | null, at: number): ObjectiveReading {
  const startValue = state.startValue ?? value;
  const expected = startValue === null ? null : expectedAt(state, startValue, at);
  const read = (status: ObjectiveStatus, progress: number | null, achievedAt: number | null): ObjectiveReading => ({
    status,
    value,
    expected,
    progress,
    startValue,
    achievedAt,
  });
  if (state.achievedAt !== null) return read('achieved', 1, state.achievedAt);
  if (value !== null && at <= state.dueAt && reaches(state.comparator, value, state.target, state.target)) {
    return read('achieved', 1, at);
  }
  const progress = value === null || startValue === null ? null : progressOf(state, startValue, value);
  if (at > state.dueAt) return read('missed', progress, null);
  if (value === null || expected === null) return read('no_data', null, null);
  const slack = ON_TRACK_SLACK * (state.target - (startValue as number)) * (1 - elapsed(state, at));
  const line = expected - slack;
  return read(reaches(state.comparator, value, line, state.target) ? 'on_track' : 'behind', progress, null);
}

/** Whether a milestone's condition holds for an account at `at` (a reading a hair from the target counts). */
export function conditionHolds(
  condition: MilestoneCondition,
  facts: AccountFacts,
  at: number,
  context: FactsContext,
): boolean {
  const value = metricValue(condition.metric, facts, at, context);
  return value !== null && reaches(condition.comparator, value, condition.target, condition.target);
}

export function milestoneStatus(milestone: { dueAt: number; reachedAt: number | null }, at: number): MilestoneStatus {
  if (milestone.reachedAt !== null) return 'reached';
  return at > milestone.dueAt ? 'overdue' : 'upcoming';
}

/**
 * A segment as a key, the way the CRM sync stores account segments: `Mid-Market` and `mid_market`
 * name the same segment, so an admin may type either in a template.
 */
export const segmentKey = (segment: string) =>
  segment
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');

/** The most specific template for a stage: the account's segment first, else the one for any segment. */
export function templateFor(
  templates: readonly PlanTemplate[],
  stage: string,
  segment: string | null,
): PlanTemplate | null {
  const ofStage = templates.filter((template) => template.stage === stage);
  if (segment !== null) {
    const wanted = segmentKey(segment);
    const own = ofStage.find((template) => template.segment !== null && segmentKey(template.segment) === wanted);
    if (own) return own;
  }
  return ofStage.find((template) => template.segment === null) ?? null;
}

export interface ObjectiveDraft {
  key: string;
  position: number;
  title: string;
  metric: Metric;
  comparator: Comparator;
  target: number;
  startAt: number;
  dueAt: number;
}

export interface MilestoneDraft {
  key: string;
  position: number;
  title: string;
  dueAt: number;
  /** The CRM id of the user who owns it; null when the account has nobody in that role. */
  ownerExternalId: string | null;
  reachedWhen: MilestoneCondition | null;
}

/** A plan as a template makes it for one account, before it is stored. */
export interface PlanDraft {
  name: string;
  templateKey: string;
  stage: PlanTemplate['stage'];
  objectives: ObjectiveDraft[];
  milestones: MilestoneDraft[];
}

/**
 * The plan a template makes for an account, dated from `startAt`. A milestone for the CSM goes to
 * the account owner when the account has no CSM, so every step has someone on it.
 */
export function planFromTemplate(
  template: PlanTemplate,
  account: { startAt: number; csmId: string | null; ownerId: string | null },
): PlanDraft {
  const { startAt } = account;
  return {
    name: template.name,
    templateKey: template.key,
    stage: template.stage,
    objectives: template.objectives.map((objective, position) => ({
      key: objective.key,
      position,
      title: objective.title,
      metric: objective.metric,
      comparator: objective.comparator,
      target: objective.target,
      startAt,
      dueAt: startAt + objective.dueDays * DAY_MS,
    })),
    milestones: template.milestones.map((milestone, position) => ({
      key: milestone.key,
      position,
      title: milestone.title,
      dueAt: startAt + milestone.dueDays * DAY_MS,
      ownerExternalId: milestone.owner === 'csm' ? (account.csmId ?? account.ownerId) : account.ownerId,
      reachedWhen: milestone.reachedWhen,
    })),
  };
}

export interface TemplatesProblem {
  /** JSONPath into the template list, e.g. `$[2].objectives[0].target`. */
  path: string;
  message: string;
}

export type TemplatesResult = { ok: true; templates: PlanTemplate[] } | { ok: false; problems: TemplatesProblem[] };

/**
 * Every problem in a list of templates, each with its path; a list with none parses into templates.
 * Beyond each template's own shape, two templates may not share a key, nor a stage and segment (the
 * account would get one or the other by chance).
 */
export function validateTemplates(input: unknown): TemplatesResult {
  const parsed = planTemplatesSchema.safeParse(input);
  if (!parsed.success) {
    return {
      ok: false,
      problems: parsed.error.issues.map((issue) => ({ path: jsonPath(issue.path), message: issue.message })),
    };
  }
  const problems: TemplatesProblem[] = [];
  const byKey = new Map<string, number>();
  const byStageAndSegment = new Map<string, number>();
  parsed.data.forEach((template, index) => {
    const sameKey = byKey.get(template.key);
    if (sameKey !== undefined) {
      problems.push({
        path: jsonPath([index, 'key']),
        message: `key "${template.key}" is already used by the template at ${jsonPath([sameKey])}`,
      });
    } else byKey.set(template.key, index);

    const slot = `${template.stage}\n${template.segment === null ? '' : segmentKey(template.segment)}`;
    const sameSlot = byStageAndSegment.get(slot);
    if (sameSlot !== undefined) {
      const other = parsed.data[sameSlot] as PlanTemplate;
      const segment = template.segment === null ? 'any segment' : `segment "${template.segment}"`;
      problems.push({
        path: jsonPath([index, 'segment']),
        message: `template "${other.key}" is already the ${template.stage} plan for ${segment}`,
      });
    } else byStageAndSegment.set(slot, index);
  });
  return problems.length > 0 ? { ok: false, problems } : { ok: true, templates: parsed.data };
}

/** Parses a list of templates or throws with every problem listed; for lists that ship with the product. */
export function parsePlanTemplates(input: unknown): PlanTemplate[] {
  const result = validateTemplates(input);
  if (!result.ok) {
    throw new Error(
      `invalid plan templates: ${result.problems.map((problem) => `${problem.path}: ${problem.message}`).join('; ')}`,
    );
  }
  return result.templates;
}
