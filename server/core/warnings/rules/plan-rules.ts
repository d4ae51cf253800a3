import { DAY_MS } from '../../health/signals.ts';
import type { Detection } from '../finding.ts';
import type { WarningInput, WarningMilestone, WarningObjective, WarningPlan } from '../input.ts';
import type { RuleConfig } from '../rules-config.ts';
import { isoDay } from '../template.ts';

/**
 * Rules on success plans, read from what the plans step last stored: an onboarding that stopped
 * reaching milestones, and an objective that stays behind its trajectory or has just been missed.
 */

const wholeDays = (from: number, to: number) => Math.floor((to - from) / DAY_MS);
const days = (count: number) => `${count} day${count === 1 ? '' : 's'}`;
const comparatorWords = (objective: WarningObjective) => (objective.comparator === 'gte' ? 'at least' : 'at most');

/** Unreached milestones, soonest due first (template order among equal dates). */
function unreached(plan: WarningPlan): WarningMilestone[] {
  return plan.milestones
    .map((milestone, index) => ({ milestone, index }))
    .filter(({ milestone }) => milestone.reachedAt === null)
    .sort((a, b) => a.milestone.dueAt - b.milestone.dueAt || a.index - b.index)
    .map(({ milestone }) => milestone);
}

/**
 * An onboarding account whose onboarding plan has reached no milestone for `stalledDays`, counted
 * from the later of the plan's start and its last milestone reached, while some milestone is still
 * open. One warning per plan; it clears once a milestone is reached or the account leaves onboarding.
 */
export function onboardingStalled(input: WarningInput, config: RuleConfig<'onboarding_stalled'>): Detection[] {
  if (input.stage?.stage !== 'onboarding') return [];
  return input.plans.flatMap((plan): Detection[] => {
    if (plan.stage !== 'onboarding') return [];
    const open = unreached(plan);
    const next = open[0];
    if (next === undefined) return [];
    const reached = plan.milestones.flatMap((milestone) => (milestone.reachedAt === null ? [] : [milestone.reachedAt]));
    const lastReached = reached.length === 0 ? null : Math.max(...reached);
    const since = lastReached === null ? plan.startedAt : Math.max(plan.startedAt, lastReached);
    const daysSinceProgress = wholeDays(since, input.at);
    if (daysSinceProgress < config.stalledDays) return [];
    const from =
      lastReached !== null && lastReached >= plan.startedAt
        ? `the last milestone reached on ${isoDay(lastReached)}`
        : `the plan started on ${isoDay(plan.startedAt)}`;
    return [
      {
        subject: plan.id,
        state: 'firing',
        title: `Onboarding stalled: no milestone reached in ${days(daysSinceProgress)}`,
        evidence: {
          text:
            `No milestone of "${plan.name}" has been reached in the ${days(daysSinceProgress)} since ${from}; ` +
            `${reached.length} of ${plan.milestones.length} reached, the next is "${next.title}", due ${isoDay(next.dueAt)} ` +
            `(warns after ${days(config.stalledDays)} without progress).`,
          values: {
            daysSinceProgress,
            milestonesReached: reached.length,
            milestonesTotal: plan.milestones.length,
            nextMilestone: next.title,
            planName: plan.name,
          },
          thresholds: { stalledDays: config.stalledDays },
        },
      },
    ];
  });
}

/**
 * An objective of an active plan behind its trajectory for `persistDays` in a row, or missed within
 * the last `persistDays` (more severe). A shorter stay behind, or a miss longer ago, keeps an open
 * warning open without opening one; on track or achieved clears it. One warning per objective.
 */
export function objectiveBehind(input: WarningInput, config: RuleConfig<'objective_behind'>): Detection[] {
  const found: Detection[] = [];
  for (const plan of input.plans) {
    for (const objective of plan.objectives) {
      if (objective.status !== 'behind' && objective.status !== 'missed') continue;
      const daysBehind = wholeDays(objective.statusSince, input.at);
      const missed = objective.status === 'missed';
      const firing = missed ? daysBehind < config.persistDays : daysBehind >= config.persistDays;
      const dueOn = isoDay(objective.dueAt);
      const target = `${comparatorWords(objective)} ${objective.targetText}`;
      const text = missed
        ? `"${objective.title}" (${plan.name}) was due on ${dueOn} and missed its target of ${target}: ` +
          `it reads ${objective.valueText}, missed for ${days(daysBehind)} ` +
          `(warns within ${days(config.persistDays)} of a miss).`
        : `"${objective.title}" (${plan.name}) has been behind its trajectory for ${days(daysBehind)}: ` +
          `${objective.valueText} against ${objective.expectedText} expected by now, target ${target} by ${dueOn} ` +
          `(warns after ${days(config.persistDays)} behind; clears once on track).`;
      found.push({
        subject: `${plan.id}:${objective.key}`,
        state: firing ? 'firing' : 'holding',
        ...(missed ? { severity: config.missedSeverity } : {}),
        title: `${missed ? 'Plan objective missed' : 'Plan objective behind'}: ${objective.title}`,
        evidence: {
          text,
          values: {
            objective: objective.title,
            value: objective.valueText,
            expected: objective.expectedText,
            target,
            dueOn,
            daysBehind,
            planName: plan.name,
          },
          thresholds: { persistDays: config.persistDays },
        },
      });
    }
  }
  return found;
}
