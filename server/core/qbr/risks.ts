import type { Risk } from './brief.ts';
import { daysToRenewalOf, renewalDateOf } from './derived.ts';
import { formatScore, plural } from './format.ts';
import type { QbrInputs } from './inputs.ts';
import { measureSentence } from './measure-text.ts';
import { formatDay } from './period.ts';

/**
 * What could go wrong: the early warnings open now, the measures scoring in the red, and a renewal
 * that is close while health is not green. Most severe first.
 */

/** A measure's sub-score below this reads as red (the default model's red line). */
export const LOW_MEASURE_BELOW = 40;
/** A renewal this close with health not green is a risk to raise at the QBR. */
export const RENEWAL_RISK_WITHIN_DAYS = 120;

const SEVERITY_ORDER = { high: 0, medium: 1, low: 2 } as const;

export function briefRisks(inputs: QbrInputs): Risk[] {
  const risks: Risk[] = inputs.warnings.map((warning) => ({
    kind: 'warning',
    severity: warning.severity,
    title: warning.title,
    detail: `Early warning open since ${formatDay(warning.openedAt.slice(0, 10))}.`,
  }));
  for (const measure of inputs.health.measures) {
    if (measure.subScore === null || measure.subScore >= LOW_MEASURE_BELOW) continue;
    risks.push({
      kind: 'low_measure',
      severity: measure.subScore < LOW_MEASURE_BELOW / 2 ? 'high' : 'medium',
      title: measureSentence(measure),
      detail: `Scores ${formatScore(measure.subScore)} of 100 in the health model, below ${LOW_MEASURE_BELOW}.`,
    });
  }
  const days = daysToRenewalOf(inputs);
  const date = renewalDateOf(inputs);
  const band = inputs.health.now?.effectiveBand ?? null;
  if (days !== null && date !== null && days <= RENEWAL_RISK_WITHIN_DAYS && band !== 'green') {
    risks.push({
      kind: 'renewal',
      severity: band === 'red' || band === null ? 'high' : 'medium',
      title: `Renewal on ${formatDay(date)} with health ${band ?? 'not scored'}`,
      detail: `The renewal is ${plural(days, 'day')} after ${formatDay(inputs.period.end)}; health is not green.`,
    });
  }
  // Stable: warnings keep their order (most severe first from the store), measures the model's.
  return risks
    .map((risk, index) => ({ risk, index }))
    .sort((a, b) => SEVERITY_ORDER[a.risk.severity] - SEVERITY_ORDER[b.risk.severity] || a.index - b.index)
    .map(({ risk }) => risk);
}
