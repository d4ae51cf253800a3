import { SIGNALS, formatValue, isSignalName } from '../health/signals.ts';
import type { BriefMeasure } from './inputs.ts';

/** A measure's value in words: "Active users at 32% of licences", "No champion in place". */
export function measureSentence(measure: BriefMeasure): string {
  const { signal, raw, label } = measure;
  if (raw === null) return `${label}: no data`;
  if (!isSignalName(signal)) return `${label}: ${String(raw)}`;
  const info = SIGNALS[signal];
  if (info.unit === 'flag') {
    const on = typeof raw === 'boolean' ? raw : raw > 0;
    return (on ? info.whenTrue : info.whenFalse) ?? `${label}: ${on ? 'yes' : 'no'}`;
  }
  return `${label}: ${formatValue(signal, raw)}`;
}

/** Whether the measure reads a yes/no signal (no target value to name). */
export const isFlagMeasure = (measure: BriefMeasure): boolean =>
  isSignalName(measure.signal) && SIGNALS[measure.signal].unit === 'flag';
