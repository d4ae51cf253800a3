import { formatBare, formatValue, SIGNALS } from '../health/signals.ts';
import { metricSchema, type Comparator, type Metric } from './plan-model.ts';

/**
 * A plan metric's numbers in words, written the same on the card, the dashboard, the API, the shared
 * page, the warnings and the QBR brief: a signal as its measure reads ("42% of licences"), features
 * live with one decimal ("3.0 features"), an NPS answer "8 out of 10". A stored metric that no longer
 * parses shows its number bare rather than failing the page.
 */

export const NO_READING = 'no data';

const round1 = (value: number) => Math.round(value * 10) / 10;

/** A stored metric, or null when it no longer parses. */
export function parseStoredMetric(stored: unknown): Metric | null {
  const parsed = metricSchema.safeParse(stored);
  return parsed.success ? parsed.data : null;
}

/** The value with its words: "42% of licences", "3.0 features", "8 out of 10"; "no data" without one. */
export function metricValueText(metric: Metric | null, value: number | null): string {
  if (value === null || !Number.isFinite(value)) return NO_READING;
  if (metric === null) return String(Math.round(value * 100) / 100);
  switch (metric.kind) {
    case 'signal':
      return formatValue(metric.signal, value);
    case 'features_live':
      return `${round1(value).toFixed(1)} features`;
    case 'nps_from_role':
      return `${round1(value)} out of 10`;
  }
}

/** The number without the words a comparison does not need ("60%"); ratings and flags keep theirs. */
export function metricBareText(metric: Metric | null, value: number): string {
  if (metric?.kind !== 'signal') return metricValueText(metric, value);
  const unit = SIGNALS[metric.signal].unit;
  return unit === 'rating' || unit === 'flag' ? formatValue(metric.signal, value) : formatBare(metric.signal, value);
}

/**
 * "≥ 60%" (short: the card and the dashboard, beside the value) or "≥ 60% of licences" (full: read
 * alone, as on the shared page); a yes-or-no signal reads as the answer wanted ("yes": at least 1).
 */
export function targetText(
  metric: Metric | null,
  comparator: Comparator,
  target: number,
  style: 'short' | 'full' = 'short',
): string {
  if (metric?.kind === 'signal' && SIGNALS[metric.signal].unit === 'flag') {
    return formatValue(metric.signal, comparator === 'gte' ? target > 0 : !(target < 1));
  }
  const number = style === 'full' ? metricValueText(metric, target) : metricBareText(metric, target);
  return `${comparator === 'gte' ? '≥' : '≤'} ${number}`;
}
