import { DAY_MS, slopePerWeek } from '../../health/signals.ts';
import type { Detection } from '../finding.ts';
import type { WarningInput } from '../input.ts';
import type { RuleConfig } from '../rules-config.ts';
import { isoDay } from '../template.ts';
import { BAND_RANK, bandAt, pointAt, scoreAt } from './history.ts';

/** Rules on the health score itself: its trend, its band, and the band ahead of a renewal. */

const WEEK_MS = 7 * DAY_MS;
const round1 = (value: number) => Math.round(value * 10) / 10;

/**
 * A decline is a run of weekly falls that adds up to something and a fitted slope that agrees; a
 * single bad week, however deep, is noise until the next weeks confirm it.
 */
export function decliningTrend(input: WarningInput, config: RuleConfig<'declining_trend'>): Detection[] {
  const { at } = input;
  const samples: { at: number; value: number }[] = [];
  for (let week = config.windowWeeks; week >= 0; week -= 1) {
    const t = at - week * WEEK_MS;
    const score = scoreAt(input.history, t, WEEK_MS);
    if (score !== null) samples.push({ at: t, value: score });
  }
  const slope = slopePerWeek(samples);
  if (slope === null) return [];

  // Weekly falls in a row, from the latest sample back; a missing week ends the run.
  let weeksDown = 0;
  for (let index = samples.length - 1; index > 0; index -= 1) {
    const current = samples[index] as { at: number; value: number };
    const previous = samples[index - 1] as { at: number; value: number };
    if (current.at - previous.at !== WEEK_MS || previous.value - current.value <= config.flatWithin) break;
    weeksDown += 1;
  }
  const latest = samples[samples.length - 1] as { at: number; value: number };
  const runStart = samples[samples.length - 1 - weeksDown] as { at: number; value: number };
  const dropPoints = runStart.value - latest.value;

  const firing =
    weeksDown >= config.minWeeksDown && dropPoints >= config.minDropPoints && slope <= -config.minSlopePerWeek;
  const holding = slope < config.resolve.holdWhileSlopeBelow;
  if (!firing && !holding) return [];
  return [
    {
      state: firing ? 'firing' : 'holding',
      title: firing
        ? `Health down ${round1(dropPoints)} points over ${weeksDown} weeks`
        : `Health still falling (${round1(slope)} points a week)`,
      evidence: {
        text:
          `Health fell ${round1(dropPoints)} points over ${weeksDown} weeks in a row, to ${round1(latest.value)}; ` +
          `the ${config.windowWeeks}-week slope is ${round1(slope)} points a week ` +
          `(warns at ${config.minWeeksDown} weeks, ${config.minDropPoints} points and −${config.minSlopePerWeek} a week).`,
        values: { score: latest.value, weeksDown, dropPoints, slopePerWeek: round1(slope) },
        thresholds: {
          minWeeksDown: config.minWeeksDown,
          minDropPoints: config.minDropPoints,
          minSlopePerWeek: config.minSlopePerWeek,
        },
      },
    },
  ];
}

/** The band fell against the band `lookbackDays` ago and has stayed down `persistDays` days. */
export function bandDrop(input: WarningInput, config: RuleConfig<'band_drop'>): Detection[] {
  const { at } = input;
  const previous = bandAt(input.history, at - config.lookbackDays * DAY_MS);
  const now = bandAt(input.history, at);
  if (previous === null || now === null || BAND_RANK[now] >= BAND_RANK[previous]) return [];
  for (let day = 1; day < config.persistDays; day += 1) {
    const band = bandAt(input.history, at - day * DAY_MS);
    if (band === null || BAND_RANK[band] >= BAND_RANK[previous]) return [];
  }
  const score = pointAt(input.history, at)?.score ?? null;
  const previousScore = pointAt(input.history, at - config.lookbackDays * DAY_MS)?.score ?? null;
  if (score === null || previousScore === null || previousScore - score < config.minDropPoints) return [];
  return [
    {
      state: 'firing',
      title: `Health fell from ${previous} to ${now}`,
      evidence: {
        text:
          `Health was ${previous} (${round1(previousScore)}) ${config.lookbackDays} days ago and has been ${now} ` +
          `for at least ${config.persistDays} days, now ${round1(score)}.`,
        values: { band: now, previousBand: previous, score, previousScore },
        thresholds: {
          lookbackDays: config.lookbackDays,
          persistDays: config.persistDays,
          minDropPoints: config.minDropPoints,
        },
      },
    },
  ];
}

/**
 * A renewal inside the window while health is in an at-risk band, held `persistDays` days. A CSM
 * override decides the band while it applies (the CSM knows something the score does not).
 */
export function renewalAtRisk(input: WarningInput, config: RuleConfig<'renewal_at_risk'>): Detection[] {
  const { at, renewal, health } = input;
  if (renewal === null || renewal.daysTo > config.withinDays || health.band === null) return [];
  const atRisk = new Set(config.bands);
  if (!atRisk.has(health.band)) return [];
  if (input.override === null) {
    for (let day = 1; day < config.persistDays; day += 1) {
      const band = bandAt(input.history, at - day * DAY_MS);
      if (band === null || !atRisk.has(band)) return [];
    }
  }
  const renewalOn = isoDay(renewal.on);
  return [
    {
      // One key per account, not per date: a renewal date edited in the CRM is the same renewal.
      state: 'firing',
      title: `Renewal in ${renewal.daysTo} days with ${health.band} health`,
      evidence: {
        text:
          `The renewal on ${renewalOn} is ${renewal.daysTo} days away (within ${config.withinDays}) and health is ` +
          `${health.band}${health.score === null ? '' : ` (${round1(health.score)})`}` +
          `${input.override === null ? `, for at least ${config.persistDays} days` : ', as the CSM override says'}.`,
        values: { band: health.band, score: health.score, renewalOn, daysToRenewal: renewal.daysTo },
        thresholds: { withinDays: config.withinDays, persistDays: config.persistDays },
      },
    },
  ];
}
