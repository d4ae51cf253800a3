import { z } from 'zod';
import { metricValueText, parseStoredMetric, targetText } from '../../core/plans/metric-text.ts';
import {
  COMPARATORS,
  metricSchema,
  milestoneStatus,
  type Metric,
  type OBJECTIVE_STATUSES,
  type ObjectiveStatus,
} from '../../core/plans/plan-model.ts';
import { daysInStage, STAGE_LABELS, type LIFECYCLE_STAGES } from '../../core/plans/stages.ts';
import type {
  MilestoneRow,
  NoteRow,
  ObjectiveRow,
  PlanWithParts,
  ShareLinkRow,
  StageStayRow,
} from '../../platform/db/plan-store.ts';
import type {
  MilestoneBody,
  NoteBody,
  ObjectiveBody,
  PLAN_COMPARATORS,
  PLAN_LIFECYCLE_STAGES,
  PLAN_OBJECTIVE_STATUSES,
  PlanBody,
  PlanMetric,
  ShareLinkBody,
  StageBody,
} from '../../contracts/plans.ts';

/**
 * Stored plans as the API and the shared page show them: numbers with their words ("62% of
 * licences", "3.0 features", "8 out of 10"), statuses as the people reading them say them, instants
 * as ISO strings. Stored JSON (metrics, milestone conditions) is parsed here, at the edge.
 */

// The contract writes the core's lists out for the web app; these fail to compile if the two drift apart.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const SAME_LISTS: [
  Same<(typeof LIFECYCLE_STAGES)[number], (typeof PLAN_LIFECYCLE_STAGES)[number]>,
  Same<(typeof OBJECTIVE_STATUSES)[number], (typeof PLAN_OBJECTIVE_STATUSES)[number]>,
  Same<(typeof COMPARATORS)[number], (typeof PLAN_COMPARATORS)[number]>,
  Same<Metric, PlanMetric>,
] = [true, true, true, true];
void SAME_LISTS;

export const OBJECTIVE_STATUS_LABELS: Readonly<Record<ObjectiveStatus, string>> = {
  on_track: 'On track',
  behind: 'Behind',
  achieved: 'Achieved',
  missed: 'Missed',
  no_data: 'No data yet',
};

export const MILESTONE_STATUS_LABELS = { reached: 'Reached', overdue: 'Overdue', upcoming: 'Upcoming' } as const;

const conditionSchema = z.strictObject({
  metric: metricSchema,
  comparator: z.enum(COMPARATORS),
  target: z.number().finite(),
});

const iso = (date: Date) => date.toISOString();
const isoOrNull = (date: Date | null) => (date === null ? null : date.toISOString());

export function objectiveBody(row: ObjectiveRow): ObjectiveBody {
  const metric = parseStoredMetric(row.metric);
  return {
    key: row.key,
    title: row.title,
    metric,
    comparator: row.comparator,
    target: row.target,
    targetText: targetText(metric, row.comparator, row.target, 'full'),
    status: row.status,
    statusLabel: OBJECTIVE_STATUS_LABELS[row.status],
    statusSince: iso(row.statusSince),
    value: row.value,
    valueText: row.value === null ? null : metricValueText(metric, row.value),
    expected: row.expected,
    expectedText: row.expected === null ? null : metricValueText(metric, row.expected),
    progress: row.progress === null ? null : Math.min(1, Math.max(0, row.progress)),
    startValue: row.startValue,
    startAt: iso(row.startAt),
    dueAt: iso(row.dueAt),
    achievedAt: isoOrNull(row.achievedAt),
    readAt: isoOrNull(row.readAt),
  };
}

export function milestoneBody(
  row: MilestoneRow,
  at: number,
  ownerNames: ReadonlyMap<string, string | null>,
): MilestoneBody {
  const condition = conditionSchema.safeParse(row.reachedWhen);
  return {
    key: row.key,
    title: row.title,
    status: milestoneStatus({ dueAt: row.dueAt.getTime(), reachedAt: row.reachedAt?.getTime() ?? null }, at),
    owner:
      row.ownerExternalId === null
        ? null
        : { id: row.ownerExternalId, name: ownerNames.get(row.ownerExternalId) ?? null },
    dueAt: iso(row.dueAt),
    reachedAt: isoOrNull(row.reachedAt),
    reachedBy: row.reachedBy,
    condition: condition.success
      ? {
          ...condition.data,
          text: targetText(condition.data.metric, condition.data.comparator, condition.data.target, 'full'),
        }
      : null,
  };
}

export function noteBody(row: NoteRow): NoteBody {
  return { id: row.id, author: row.author, body: row.body, createdAt: iso(row.createdAt) };
}

export function planBody(
  plan: PlanWithParts,
  notes: readonly NoteRow[],
  at: number,
  ownerNames: ReadonlyMap<string, string | null>,
): PlanBody {
  return {
    id: plan.id,
    accountId: plan.accountExternalId,
    name: plan.name,
    templateKey: plan.templateKey,
    stage: plan.stage,
    stageLabel: STAGE_LABELS[plan.stage],
    status: plan.status,
    origin: plan.stageEntryId === null ? 'manual' : 'stage',
    createdBy: plan.createdBy,
    startedAt: iso(plan.startedAt),
    closedAt: isoOrNull(plan.closedAt),
    readAt: isoOrNull(plan.readAt),
    objectives: plan.objectives.map(objectiveBody),
    milestones: plan.milestones.map((row) => milestoneBody(row, at, ownerNames)),
    notes: notes.map(noteBody),
  };
}

export function stageBody(stay: StageStayRow, at: number): StageBody {
  return {
    stage: stay.stage,
    label: STAGE_LABELS[stay.stage],
    reason: stay.reason,
    enteredAt: iso(stay.enteredAt),
    daysInStage: daysInStage(stay.enteredAt.getTime(), at),
  };
}

export function shareLinkState(link: ShareLinkRow, at: number): ShareLinkBody['state'] {
  if (link.revokedAt !== null) return 'revoked';
  return link.expiresAt.getTime() <= at ? 'expired' : 'active';
}

export function shareLinkBody(link: ShareLinkRow, at: number): ShareLinkBody {
  return {
    id: link.id,
    planId: link.planId,
    state: shareLinkState(link, at),
    createdBy: link.createdBy,
    createdAt: iso(link.createdAt),
    expiresAt: iso(link.expiresAt),
    revokedAt: isoOrNull(link.revokedAt),
    lastOpenedAt: isoOrNull(link.lastOpenedAt),
  };
}

/** The CRM ids of everyone who owns a milestone of these plans. */
export const milestoneOwners = (plans: readonly PlanWithParts[]): string[] => [
  ...new Set(
    plans
      .flatMap((plan) => plan.milestones.map((row) => row.ownerExternalId))
      .filter((id): id is string => id !== null),
  ),
];
