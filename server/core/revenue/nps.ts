import type { NpsSettings, TouchTier } from './analytics-settings.ts';
import { monthKeyOf, quarterKeyOf } from './calendar.ts';
import { npsDefinitionTexts } from './definitions.ts';
import { themeBreakdown, type NpsThemeSummary } from './nps-themes.ts';
import { roundRatio } from './rounding.ts';

/** One answer to the NPS question, as ingested. */
export interface NpsResponse {
  accountId: string;
  /** Null when the survey tool sent no contact: the answer then counts on its own. */
  contactId: string | null;
  segment: string | null;
  touch: TouchTier | null;
  csm: string | null;
  /** 0–10. */
  score: number;
  verbatim: string | null;
  respondedAt: number;
}

export interface NpsSummary {
  responses: number;
  promoters: number;
  passives: number;
  detractors: number;
  /** Fractions of responses (0–1); 0 when there are none. */
  promoterShare: number;
  passiveShare: number;
  detractorShare: number;
  /** −100…100, rounded to one decimal; null without responses. */
  score: number | null;
}

export interface NpsPeriod extends NpsSummary {
  /** `YYYY-MM` by month, `YYYY-Qn` by quarter. */
  period: string;
}

export interface NpsGroup extends NpsSummary {
  /** The segment, CSM or tier; null collects the answers without one. */
  key: string | null;
}

export interface NpsReport {
  overall: NpsSummary;
  byMonth: NpsPeriod[];
  byQuarter: NpsPeriod[];
  bySegment: NpsGroup[];
  byCsm: NpsGroup[];
  byTouch: NpsGroup[];
  themes: NpsThemeSummary[];
  /** Answers read in the window, and those dropped because the same contact answered again in the wave. */
  answersRead: number;
  duplicatesDropped: number;
  definitions: Record<'nps' | 'dedupe' | 'themes', string>;
}

export interface NpsOptions {
  /** Answers from `from` to `to` inclusive (epoch ms). */
  from: number;
  to: number;
  settings: NpsSettings;
}

export type NpsCategory = 'promoter' | 'passive' | 'detractor';

export function npsCategory(score: number): NpsCategory {
  if (score >= 9) return 'promoter';
  if (score >= 7) return 'passive';
  return 'detractor';
}

const waveOf = (t: number, wave: NpsSettings['wave']): string => (wave === 'month' ? monthKeyOf(t) : quarterKeyOf(t));

/**
 * The answers that count: per contact and wave the latest (ties: the later in the input). A contact
 * is the pair (account, contact), so the same person id in two accounts stays two people.
 */
export function latestPerContactPerWave(responses: readonly NpsResponse[], wave: NpsSettings['wave']): NpsResponse[] {
  const latest = new Map<string, NpsResponse>();
  const counted: NpsResponse[] = [];
  for (const response of responses) {
    if (response.contactId === null) {
      counted.push(response);
      continue;
    }
    const key = `${response.accountId}\n${response.contactId}\n${waveOf(response.respondedAt, wave)}`;
    const seen = latest.get(key);
    if (seen === undefined || response.respondedAt >= seen.respondedAt) latest.set(key, response);
  }
  return [...counted, ...latest.values()].sort((a, b) => a.respondedAt - b.respondedAt);
}

export function npsSummary(responses: readonly NpsResponse[]): NpsSummary {
  let promoters = 0;
  let passives = 0;
  let detractors = 0;
  for (const response of responses) {
    const category = npsCategory(response.score);
    if (category === 'promoter') promoters += 1;
    else if (category === 'passive') passives += 1;
    else detractors += 1;
  }
  const total = responses.length;
  const share = (count: number) => (total > 0 ? roundRatio(count / total) : 0);
  return {
    responses: total,
    promoters,
    passives,
    detractors,
    promoterShare: share(promoters),
    passiveShare: share(passives),
    detractorShare: share(detractors),
    score: total > 0 ? Math.round(((promoters - detractors) / total) * 1000) / 10 : null,
  };
}

function groupBy<K>(responses: readonly NpsResponse[], keyOf: (response: NpsResponse) => K): Map<K, NpsResponse[]> {
  const groups = new Map<K, NpsResponse[]>();
  for (const response of responses) {
    const key = keyOf(response);
    const group = groups.get(key);
    if (group) group.push(response);
    else groups.set(key, [response]);
  }
  return groups;
}

/** One row per key, most answers first (ties by key), the answers without a key last. */
function groups(responses: readonly NpsResponse[], keyOf: (response: NpsResponse) => string | null): NpsGroup[] {
  return [...groupBy(responses, keyOf)]
    .map(([key, members]) => ({ key, ...npsSummary(members) }))
    .sort((a, b) => {
      if ((a.key === null) !== (b.key === null)) return a.key === null ? 1 : -1;
      return b.responses - a.responses || String(a.key).localeCompare(String(b.key));
    });
}

function periods(responses: readonly NpsResponse[], periodOf: (t: number) => string): NpsPeriod[] {
  return [...groupBy(responses, (response) => periodOf(response.respondedAt))]
    .map(([period, members]) => ({ period, ...npsSummary(members) }))
    .sort((a, b) => a.period.localeCompare(b.period));
}

export function npsReport(responses: readonly NpsResponse[], options: NpsOptions): NpsReport {
  const inWindow = responses.filter(
    (response) => response.respondedAt >= options.from && response.respondedAt <= options.to,
  );
  const counted = latestPerContactPerWave(inWindow, options.settings.wave);
  return {
    overall: npsSummary(counted),
    byMonth: periods(counted, monthKeyOf),
    byQuarter: periods(counted, quarterKeyOf),
    bySegment: groups(counted, (response) => response.segment),
    byCsm: groups(counted, (response) => response.csm),
    byTouch: groups(counted, (response) => response.touch),
    themes: themeBreakdown(counted),
    answersRead: inWindow.length,
    duplicatesDropped: inWindow.length - counted.length,
    definitions: npsDefinitionTexts(options.settings),
  };
}
