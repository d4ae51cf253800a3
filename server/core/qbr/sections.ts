import {
  FIGURE_GROUP_LABELS,
  FIGURE_GROUPS,
  type Brief,
  type BriefPlan,
  type Figure,
  type FigureGroup,
} from './brief.ts';
import { formatNumber } from './format.ts';
import { formatDay } from './period.ts';

/**
 * What every rendering of a brief shows, in order, as plain strings: Markdown, HTML and the PDF lay
 * out the same words, so no format can drop a figure the others show.
 */

export interface FigureTable {
  group: FigureGroup;
  title: string;
  figures: readonly Figure[];
}

export function briefTitle(brief: Brief): string {
  return `QBR brief: ${brief.account.name ?? brief.account.externalId}`;
}

export function briefSubtitle(brief: Brief): string {
  return `QBR on ${formatDay(brief.qbrDate)} · Period ${brief.period.label} (${brief.period.days} days, UTC) · Generated ${formatDay(brief.generatedAt.slice(0, 10))}`;
}

/** The key figures by group, renewal last (the outlook section shows it). */
export function figureTables(brief: Brief): FigureTable[] {
  return FIGURE_GROUPS.map((group) => ({
    group,
    title: FIGURE_GROUP_LABELS[group],
    figures: brief.figures.filter((figure) => figure.group === group),
  })).filter((table) => table.figures.length > 0);
}

export const opportunityGain = (gain: number): string => `about +${formatNumber(gain, 1)} points`;

export const EMPTY = {
  wins: 'No clear win in the figures for this period.',
  risks: 'No open warning, low-scoring measure or renewal risk.',
  opportunities: 'No opportunity found in the figures.',
  plans: 'No success plan.',
} as const;

export interface PlanTable {
  title: string;
  /** "Stage: Onboarding · Started 3 Mar 2026". */
  meta: string;
  columns: readonly string[];
  /** One row per objective, in `columns` order. */
  rows: readonly (readonly string[])[];
  lists: readonly PlanList[];
}

export interface PlanList {
  title: string;
  items: readonly string[];
  /** Shown instead of the items when there are none. */
  empty: string;
}

export interface PlanSection {
  title: string;
  /** Shown when the account has no active plan; null otherwise. */
  empty: string | null;
  tables: readonly PlanTable[];
}

/**
 * The success-plan section in words: one table per active plan, with what is next and what was
 * reached. Null for a brief made before plans existed (it never looked, so it cannot say there is
 * none); without an active plan it says "No success plan".
 */
export function planSection(brief: Brief): PlanSection | null {
  const section = brief.plans;
  if (section === undefined) return null;
  const before =
    section.since.kind === 'last_qbr'
      ? `At last QBR (${formatDay(section.since.day)})`
      : `At period start (${formatDay(section.since.day)})`;
  const columns = [
    'Objective',
    `Now (${formatDay(section.asOf)})`,
    before,
    'Target',
    'Due',
    'Status',
    'Progress',
  ] as const;
  const tables = section.plans.map((plan: BriefPlan) => ({
    title: plan.name,
    meta: `Stage: ${plan.stageText} · Started ${formatDay(plan.startedOn)}`,
    columns,
    rows: plan.objectives.map((objective) => [
      objective.title,
      objective.valueText,
      objective.beforeText,
      objective.targetText,
      formatDay(objective.dueOn),
      objective.statusText,
      objective.progressText,
    ]),
    lists: [
      {
        title: 'What is next',
        items: plan.next.map(
          (milestone) =>
            `${milestone.title}: ${milestone.owner ?? 'no owner'}, due ${formatDay(milestone.dueOn)}${milestone.overdue ? ' (overdue)' : ''}`,
        ),
        empty: 'Every milestone is reached.',
      },
      {
        title: 'Reached this period',
        items: plan.reached.map((milestone) => `${milestone.title}: reached ${formatDay(milestone.reachedOn)}`),
        empty: 'No milestone reached in this period.',
      },
    ],
  }));
  return { title: 'Success plan', empty: tables.length === 0 ? EMPTY.plans : null, tables };
}
