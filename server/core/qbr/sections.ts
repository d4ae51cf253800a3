import { FIGURE_GROUP_LABELS, FIGURE_GROUPS, type Brief, type Figure, type FigureGroup } from './brief.ts';
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
} as const;
