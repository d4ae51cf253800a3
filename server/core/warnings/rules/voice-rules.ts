import { DAY_MS } from '../../health/signals.ts';
import type { Detection } from '../finding.ts';
import type { WarningInput } from '../input.ts';
import type { RuleConfig } from '../rules-config.ts';

const round1 = (value: number) => Math.round(value * 10) / 10;

/**
 * The customer's own voice turned negative: recent NPS answers average low, one answer is very low,
 * or the CSM's last readings were all negative. Single detractors are not enough on their own; a
 * third of answers at healthy accounts are 6 or lower.
 */
export function detractor(input: WarningInput, config: RuleConfig<'detractor'>): Detection[] {
  const from = input.at - config.withinDays * DAY_MS;
  const scores = input.nps.filter((answer) => answer.at > from && answer.at <= input.at).map((answer) => answer.score);
  const detractors = scores.filter((score) => score <= config.npsAtMost).length;
  const sum = scores.reduce((total, score) => total + score, 0);
  const meanNps = scores.length === 0 ? null : round1(sum / scores.length);
  const lowestNps = scores.length === 0 ? null : Math.min(...scores);

  const readings = input.sentiment
    .filter((entry) => entry.at > from && entry.at <= input.at)
    .sort((a, b) => a.at - b.at)
    .slice(-config.negativeInRow);
  const negativeReadings = readings.filter((entry) => entry.sentiment === 'negative').length;

  const reasons: string[] = [];
  let title: string | null = null;
  // As a product, so a mean exactly on the line counts.
  if (scores.length >= config.minResponses && sum <= config.maxMeanNps * scores.length) {
    reasons.push(`${scores.length} NPS answers averaged ${meanNps} (${detractors} at ${config.npsAtMost} or lower)`);
    title = `NPS averaging ${meanNps} over ${scores.length} answers`;
  }
  if (lowestNps !== null && lowestNps <= config.severeAtMost) {
    reasons.push(`one NPS answer was ${lowestNps}`);
    title ??= `An NPS answer of ${lowestNps}`;
  }
  if (
    config.negativeInRow > 0 &&
    readings.length === config.negativeInRow &&
    negativeReadings === config.negativeInRow
  ) {
    reasons.push(`the CSM's last ${config.negativeInRow} sentiment readings were negative`);
    title ??= 'Negative CSM sentiment';
  }
  if (title === null) return [];
  return [
    {
      state: 'firing',
      title,
      evidence: {
        text: `In the last ${config.withinDays} days ${reasons.join('; ')}.`,
        values: { responses: scores.length, detractors, meanNps, lowestNps, negativeReadings },
        thresholds: {
          npsAtMost: config.npsAtMost,
          withinDays: config.withinDays,
          maxMeanNps: config.maxMeanNps,
          minResponses: config.minResponses,
          severeAtMost: config.severeAtMost,
          negativeInRow: config.negativeInRow,
        },
      },
    },
  ];
}
