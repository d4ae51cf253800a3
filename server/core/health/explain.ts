import type { MeasureScore, Score } from './score.ts';
import { SIGNALS, formatBare, formatValue } from './signals.ts';

/**
 * Explanations in plain words. A driver is a measure whose contribution differs most from what an
 * unremarkable value (the model's neutral sub-score) would have given: weight × (sub-score − neutral).
 * "What moved" splits the change between two scores exactly: the score is the sum of contributions,
 * so the change is the sum of the contributions' changes (domain notes §2.6).
 */

export interface Driver {
  measure: string;
  group: string;
  /** Points above (positive) or below (negative) what a neutral value would have given. */
  impact: number;
  text: string;
}

export interface Movement {
  measure: string;
  group: string;
  /** Change in the measure's contribution, in points. */
  points: number;
  before: number | boolean | null;
  after: number | boolean | null;
  text: string;
}

export interface WhatMoved {
  /** Current minus previous score; null unless both were scored. */
  delta: number | null;
  /** The measures whose contribution changed most, largest first (at most `limit`). */
  movements: Movement[];
  /** Set when the two scores come from different model versions, so a change is not read as behaviour. */
  modelChanged: { from: number; to: number } | null;
  text: string;
}

const round1 = (value: number) => Math.round(value * 10) / 10;
const signed = (value: number) => {
  const rounded = round1(value);
  if (rounded === 0) return '±0';
  return rounded > 0 ? `+${rounded}` : `−${Math.abs(rounded)}`;
};
const points = (value: number) => `${signed(value)} ${Math.abs(round1(value)) === 1 ? 'point' : 'points'}`;

function isFlag(measure: MeasureScore): boolean {
  return SIGNALS[measure.signal].unit === 'flag';
}

function flagSentence(measure: MeasureScore, value: number | boolean): string {
  const info = SIGNALS[measure.signal];
  const on = typeof value === 'boolean' ? value : value > 0;
  return (on ? info.whenTrue : info.whenFalse) ?? `${measure.label}: ${on ? 'yes' : 'no'}`;
}

/** "below 60%" / "above 3" against the value where the measure turns green. */
function comparison(measure: MeasureScore, raw: number): string {
  if (measure.method === 'percentile') {
    const rank = measure.direction === 'higher_is_better' ? measure.subScore : 100 - (measure.subScore ?? 0);
    return `${Math.round(rank ?? 0)}th percentile in its segment`;
  }
  // A sentiment reads as a word already; "below positive" says nothing more.
  if (measure.target === null || SIGNALS[measure.signal].unit === 'sentiment') return '';
  const target = formatBare(measure.signal, measure.target);
  if (formatBare(measure.signal, raw) === target) {
    // Thresholds are inclusive at the top: exactly on a rising target is still on its low side.
    return measure.method === 'thresholds' && measure.direction === 'higher_is_better' ? `not above ${target}` : '';
  }
  const days = SIGNALS[measure.signal].unit === 'days';
  if (raw < measure.target) return `${days ? 'under' : 'below'} ${target}`;
  return `${days ? 'over' : 'above'} ${target}`;
}

function levelSentence(measure: MeasureScore): string {
  const raw = measure.raw;
  if (raw === null) return `${measure.label}: no data`;
  if (isFlag(measure)) return flagSentence(measure, raw);
  const value = typeof raw === 'boolean' ? (raw ? 1 : 0) : raw;
  const info = SIGNALS[measure.signal];
  const verb = info.unit === 'days' || info.unit === 'sentiment' ? '' : ' at';
  const versus = comparison(measure, value);
  return `${measure.label}${verb} ${formatValue(measure.signal, value)}${versus ? ` (${versus})` : ''}`;
}

/**
 * The measures that pushed the score furthest from neutral, in words, largest effect first:
 * "Active users at 42% of licences (below 60%)". Measures with no effect are left out.
 */
export function topDrivers(score: Score, limit = 3): Driver[] {
  // A partial insertion sort: the list is short and this runs for every account.
  const picked: MeasureScore[] = [];
  const impacts: number[] = [];
  for (const measure of score.measures) {
    if (measure.subScore === null) continue;
    const impact = measure.weight * (measure.subScore - score.neutral);
    const size = Math.abs(impact);
    if (size < 0.05) continue;
    let at = picked.length;
    while (at > 0 && Math.abs(impacts[at - 1] as number) < size) at -= 1;
    if (at >= limit) continue;
    picked.splice(at, 0, measure);
    impacts.splice(at, 0, impact);
    if (picked.length > limit) {
      picked.pop();
      impacts.pop();
    }
  }
  const drivers: Driver[] = [];
  for (let index = 0; index < picked.length; index += 1) {
    const measure = picked[index] as MeasureScore;
    drivers.push({
      measure: measure.key,
      group: measure.group,
      impact: impacts[index] as number,
      text: levelSentence(measure),
    });
  }
  return drivers;
}

/** The drivers as one line for the CRM's text field. */
export function driversText(drivers: readonly Driver[]): string {
  return drivers.map((driver) => driver.text).join('; ');
}

function movementSentence(before: MeasureScore | undefined, after: MeasureScore | undefined, delta: number): string {
  const measure = (after ?? before) as MeasureScore;
  // A value the rule left out (no peers, outside a bounded range) did not count, like no value.
  const was = before && before.subScore !== null ? before.raw : null;
  const now = after && after.subScore !== null ? after.raw : null;
  const tail = ` (${points(delta)})`;
  if (was === null && now !== null) {
    return `${isFlag(measure) ? flagSentence(measure, now) : `${measure.label} now reported: ${formatValue(measure.signal, numberOf(now))}`}${tail}`;
  }
  if (was !== null && now === null) return `${measure.label} no longer reported${tail}`;
  if (was === null || now === null) return `${measure.label} changed weight${tail}`;
  if (isFlag(measure)) {
    return numberOf(was) === numberOf(now)
      ? `${measure.label} weighs differently as other inputs came or went${tail}`
      : `${flagSentence(measure, now)}${tail}`;
  }
  const from = numberOf(was);
  const to = numberOf(now);
  if (formatValue(measure.signal, from) === formatValue(measure.signal, to)) {
    return `${measure.label} weighs differently as other inputs came or went${tail}`;
  }
  const verb = to < from ? 'fell' : 'rose';
  return `${measure.label} ${verb} from ${formatBare(measure.signal, from)} to ${formatValue(measure.signal, to)}${tail}`;
}

interface Change {
  before: MeasureScore | undefined;
  after: MeasureScore | undefined;
  points: number;
}

/** Keeps the `limit` changes of largest size, largest first; changes under 0.05 points are noise. */
function keepLargest(changes: Change[], change: Change, limit: number) {
  const size = Math.abs(change.points);
  if (size < 0.05) return;
  let at = changes.length;
  while (at > 0 && Math.abs((changes[at - 1] as Change).points) < size) at -= 1;
  if (at >= limit) return;
  changes.splice(at, 0, change);
  if (changes.length > limit) changes.pop();
}

const numberOf = (value: number | boolean) => (typeof value === 'boolean' ? (value ? 1 : 0) : value);

/**
 * What changed between two scores of one account, measure by measure, largest first. The points of
 * all measures (not only those listed) add up to `delta`.
 */
export function whatMoved(previous: Score, current: Score, limit = 3): WhatMoved {
  const changes: Change[] = [];
  const aligned =
    previous.measures.length === current.measures.length &&
    previous.measures.every((measure, index) => measure.key === current.measures[index]?.key);
  if (aligned) {
    // The usual case (same model, same segment): measures pair up by position.
    for (let index = 0; index < current.measures.length; index += 1) {
      const after = current.measures[index] as MeasureScore;
      const old = previous.measures[index] as MeasureScore;
      keepLargest(changes, { before: old, after, points: after.contribution - old.contribution }, limit);
    }
  } else {
    const before = new Map<string, MeasureScore>();
    for (const measure of previous.measures) before.set(measure.key, measure);
    for (const after of current.measures) {
      const old = before.get(after.key);
      before.delete(after.key);
      keepLargest(changes, { before: old, after, points: after.contribution - (old?.contribution ?? 0) }, limit);
    }
    for (const old of before.values())
      keepLargest(changes, { before: old, after: undefined, points: -old.contribution }, limit);
  }
  const bothScored = previous.score !== null && current.score !== null;
  const delta = bothScored ? (current.score as number) - (previous.score as number) : null;
  const movements: Movement[] = [];
  for (const change of changes) {
    const measure = (change.after ?? change.before) as MeasureScore;
    movements.push({
      measure: measure.key,
      group: measure.group,
      points: change.points,
      before: change.before?.raw ?? null,
      after: change.after?.raw ?? null,
      text: movementSentence(change.before, change.after, change.points),
    });
  }
  const modelChanged =
    previous.modelId !== current.modelId || previous.modelVersion !== current.modelVersion
      ? { from: previous.modelVersion, to: current.modelVersion }
      : null;

  let text: string;
  if (delta === null) {
    text =
      current.score === null
        ? 'Not enough data for a score'
        : `First score with enough data: ${Math.round(current.score)}`;
  } else if (movements.length === 0) {
    text = 'No change';
  } else {
    let parts = '';
    for (const change of changes) {
      const label = (change.after ?? change.before)?.label ?? '';
      parts += `${parts ? ', ' : ''}${label} ${signed(change.points)}`;
    }
    text = `${points(delta)}: ${parts}`;
  }
  if (modelChanged) text += ` (model changed from version ${modelChanged.from} to ${modelChanged.to})`;
  return { delta, movements, modelChanged, text };
}
