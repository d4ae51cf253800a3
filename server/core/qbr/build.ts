import type { Brief } from './brief.ts';
import { BRIEF_SCHEMA_VERSION } from './brief.ts';
import { briefAgenda } from './agenda.ts';
import { daysToRenewalOf, renewalDateOf } from './derived.ts';
import { briefFigures, numbersOf } from './figures.ts';
import { NO_DATA, formatMoney, formatShare, plural } from './format.ts';
import type { QbrInputs } from './inputs.ts';
import { topOpportunities } from './opportunities.ts';
import { addDays, formatDay, formatPeriod, periodDays } from './period.ts';
import { briefPlans } from './plans.ts';
import { briefRisks } from './risks.ts';
import { briefWins } from './wins.ts';

/**
 * The brief for one account and period from the store's aggregates; `at` (epoch ms) is when it is
 * made and `qbrDate` the meeting's day (by default the day after the period). Pure: the same inputs
 * and moment give the same brief.
 */
export function buildBrief(inputs: QbrInputs, at: number, qbrDate = addDays(inputs.period.end, 1)): Brief {
  const figures = briefFigures(inputs);
  const numbers = numbersOf(figures);
  const wins = briefWins(inputs);
  const risks = briefRisks(inputs);
  const opportunities = topOpportunities(inputs);
  const renewal = renewalOutlook(inputs);
  const plans = briefPlans(inputs);
  const agenda = briefAgenda({ wins, risks, opportunities, renewal, figures, plans });
  return {
    schemaVersion: BRIEF_SCHEMA_VERSION,
    account: { externalId: inputs.account.externalId, name: inputs.account.name, segment: inputs.account.segment },
    qbrDate,
    period: {
      start: inputs.period.start,
      end: inputs.period.end,
      label: formatPeriod(inputs.period),
      days: periodDays(inputs.period),
    },
    generatedAt: new Date(at).toISOString(),
    summary: summaryOf(inputs, wins.length, risks.length),
    figures,
    numbers,
    wins,
    risks,
    opportunities,
    agenda,
    renewal,
    plans,
  };
}

function renewalOutlook(inputs: QbrInputs): Brief['renewal'] {
  const date = renewalDateOf(inputs);
  const daysAway = daysToRenewalOf(inputs);
  const band = inputs.health.now?.effectiveBand ?? null;
  const { probability, revenueAtRisk } = inputs.health.renewal;
  const parts: string[] = [];
  parts.push(
    date === null || daysAway === null
      ? 'No renewal date on record'
      : `Renewal on ${formatDay(date)}, ${plural(daysAway, 'day')} after ${formatDay(inputs.period.end)}`,
  );
  parts.push(`health ${band ?? NO_DATA}`);
  parts.push(`renewal probability ${probability === null ? NO_DATA : formatShare(probability)}`);
  parts.push(`revenue at risk ${revenueAtRisk === null ? NO_DATA : formatMoney(revenueAtRisk)}`);
  return { date, daysAway, band, probability, revenueAtRisk, text: `${parts.join('; ')}.` };
}

function summaryOf(inputs: QbrInputs, wins: number, risks: number): string {
  const name = inputs.account.name ?? inputs.account.externalId;
  const now = inputs.health.now;
  const health =
    now?.score === null || now === null
      ? 'has no health score yet'
      : `is ${now.effectiveBand ?? now.band ?? 'unbanded'} at ${Math.round(now.score)}`;
  const trend = now?.trendText ? ` ${now.trendText}.` : '';
  return `${name} ${health}.${trend} ${formatPeriod(inputs.period)}: ${plural(wins, 'win')}, ${plural(risks, 'risk')} to discuss.`;
}
