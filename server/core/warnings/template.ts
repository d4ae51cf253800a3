import { DAY_MS } from '../health/signals.ts';
import type { EvidenceValue } from './finding.ts';

/** Playbook text: `{name}` is replaced by the named value; a name with no value is left as written. */

export function formatEvidenceValue(value: EvidenceValue): string {
  if (value === null) return '—';
  if (typeof value === 'string') return value;
  if (!Number.isFinite(value)) return String(value);
  return String(Math.round(value * 10) / 10);
}

export function renderTemplate(template: string, values: Readonly<Record<string, EvidenceValue>>): string {
  return template.replace(/\{([^{}]*)\}/g, (whole, name: string) =>
    Object.hasOwn(values, name) ? formatEvidenceValue(values[name] as EvidenceValue) : whole,
  );
}

/** `YYYY-MM-DD` of an instant, UTC. */
export function isoDay(t: number): string {
  return new Date(Math.floor(t / DAY_MS) * DAY_MS).toISOString().slice(0, 10);
}
