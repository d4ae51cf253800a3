import { ADOPTION_SHARE } from '../health/facts.ts';
import type { Figure, FigureGroup } from './brief.ts';
import {
  adoptedFeatures,
  changePct,
  daysToRenewalOf,
  healthChangeOf,
  licencesOf,
  npsOf,
  renewalDateOf,
  utilisationOf,
} from './derived.ts';
import {
  NO_DATA,
  formatChangePct,
  formatMoney,
  formatNumber,
  formatPoints,
  formatScore,
  formatShare,
  keep,
} from './format.ts';
import type { QbrInputs } from './inputs.ts';
import { formatDay, formatPeriod } from './period.ts';

/**
 * Every figure of a brief, each with a stable key, the words it is shown with and its definition
 * naming the days it counts. The keys are the brief's contract with its readers: add, never rename.
 */

type Shown = (value: number) => string;

function figure(
  key: string,
  group: FigureGroup,
  label: string,
  value: number | null,
  show: Shown,
  definition: string,
): Figure {
  const kept = value === null || !Number.isFinite(value) ? null : keep(value);
  return { key, group, label, value: kept, text: kept === null ? NO_DATA : show(kept), definition };
}

const whole: Shown = (value) => formatNumber(value, 0);
const oneDecimal: Shown = (value) => formatNumber(value, 1);

export function briefFigures(inputs: QbrInputs): Figure[] {
  const { period, health, usage, tickets, nps, contacts } = inputs;
  const span = formatPeriod(period);
  const first = formatPeriod(usage.first.period);
  const last = formatPeriod(usage.last.period);
  const offered = usage.featuresOffered.length;
  const adoptedFirst = adoptedFeatures(usage.first).length;
  const adoptedLast = adoptedFeatures(usage.last).length;
  const hasUsage = (days: number, value: number) => (days === 0 ? null : value);
  const adoption = (window: string) =>
    `Features used by at least ${formatShare(ADOPTION_SHARE)} of the active users over the days reported ${window}, of ${formatNumber(offered, 0)} the product offers`;
  const renewalDate = renewalDateOf(inputs);
  const now = health.now;

  return [
    figure(
      'health.now',
      'health',
      'Health score now',
      now?.score ?? null,
      formatScore,
      now ? `The latest health score (0–100), computed ${formatDay(now.day)}` : 'The latest health score (0–100)',
    ),
    figure(
      'health.atStart',
      'health',
      'Health score at the start of the period',
      health.atStart?.score ?? null,
      formatScore,
      `The last daily health score on or before ${formatDay(period.start)}`,
    ),
    figure(
      'health.change',
      'health',
      'Change in health score',
      healthChangeOf(inputs),
      formatPoints,
      'Health score now minus the health score at the start of the period, in points',
    ),
    figure(
      'usage.activeUsers.first',
      'usage',
      `Daily active users, ${first}`,
      usage.first.avgActiveUsers,
      oneDecimal,
      `Mean of the daily active users over the ${formatNumber(usage.first.daysReported, 0)} days reported ${first}`,
    ),
    figure(
      'usage.activeUsers.last',
      'usage',
      `Daily active users, ${last}`,
      usage.last.avgActiveUsers,
      oneDecimal,
      `Mean of the daily active users over the ${formatNumber(usage.last.daysReported, 0)} days reported ${last}`,
    ),
    figure(
      'usage.activeUsers.changePct',
      'usage',
      'Change in daily active users',
      changePct(usage.first.avgActiveUsers, usage.last.avgActiveUsers),
      formatChangePct,
      `Daily active users ${last} against ${first}, in percent`,
    ),
    figure(
      'usage.daysReported',
      'usage',
      `Days with usage reported, ${span}`,
      usage.daysReported,
      whole,
      `Days of ${span} for which product usage was received`,
    ),
    figure(
      'usage.events',
      'usage',
      `Product events, ${span}`,
      usage.events,
      whole,
      `Product events summed over the days reported ${span}`,
    ),
    figure(
      'adoption.featuresAdopted.first',
      'usage',
      `Features adopted, ${first}`,
      hasUsage(usage.first.daysReported, adoptedFirst),
      whole,
      adoption(first),
    ),
    figure(
      'adoption.featuresAdopted.last',
      'usage',
      `Features adopted, ${last}`,
      hasUsage(usage.last.daysReported, adoptedLast),
      whole,
      adoption(last),
    ),
    figure(
      'adoption.featuresOffered',
      'usage',
      'Features offered',
      offered,
      whole,
      `Distinct features named in the usage of all accounts of the installation ${span}`,
    ),
    figure(
      'licences.count',
      'licences',
      'Licences',
      licencesOf(inputs),
      whole,
      `Licences in the latest usage report of ${span} that gave them, else the licences on the CRM record`,
    ),
    figure(
      'licences.utilisation',
      'licences',
      'Licence use',
      utilisationOf(inputs),
      formatShare,
      `Mean daily active users ${last} ÷ licences`,
    ),
    figure(
      'licences.peakActiveUsers',
      'licences',
      `Peak daily active users, ${span}`,
      usage.peakActiveUsers,
      whole,
      `The highest daily active users reported ${span}`,
    ),
    figure(
      'tickets.opened',
      'support',
      `Tickets opened ${span}`,
      tickets.opened,
      whole,
      `Tickets created in the CRM ${span}`,
    ),
    figure(
      'tickets.closed',
      'support',
      `Tickets closed ${span}`,
      tickets.closed,
      whole,
      `Tickets closed ${span}, whenever they were opened`,
    ),
    figure(
      'tickets.openAtEnd',
      'support',
      `Tickets open on ${formatDay(period.end)}`,
      tickets.openAtEnd,
      whole,
      `Tickets created by the end of ${formatDay(period.end)} and not closed by then`,
    ),
    figure(
      'tickets.openHighPriority',
      'support',
      `High-priority tickets open on ${formatDay(period.end)}`,
      tickets.openHighPriorityAtEnd,
      whole,
      `Tickets of priority high or urgent created by the end of ${formatDay(period.end)} and not closed by then`,
    ),
    figure(
      'nps.period.score',
      'voice',
      `NPS, ${span}`,
      npsOf(nps.period),
      whole,
      `% promoters (9–10) − % detractors (0–6) of the NPS answers received ${span}`,
    ),
    figure(
      'nps.period.responses',
      'voice',
      `NPS answers, ${span}`,
      nps.period.responses,
      whole,
      `NPS answers received ${span}`,
    ),
    figure(
      'nps.before.score',
      'voice',
      `NPS, ${formatPeriod(nps.before.period)}`,
      npsOf(nps.before),
      whole,
      `% promoters (9–10) − % detractors (0–6) of the NPS answers received ${formatPeriod(nps.before.period)}, the period before`,
    ),
    figure(
      'nps.before.responses',
      'voice',
      `NPS answers, ${formatPeriod(nps.before.period)}`,
      nps.before.responses,
      whole,
      `NPS answers received ${formatPeriod(nps.before.period)}`,
    ),
    figure(
      'contacts.total',
      'relationships',
      'Contacts',
      contacts.total,
      whole,
      `Contacts at the account on ${formatDay(period.end)} (those who left are not counted)`,
    ),
    figure(
      'contacts.champions',
      'relationships',
      'Champions',
      contacts.champions,
      whole,
      `Contacts with the champion role at the account on ${formatDay(period.end)}`,
    ),
    figure(
      'contacts.sponsors',
      'relationships',
      'Executive sponsors',
      contacts.sponsors,
      whole,
      `Contacts with the executive sponsor role at the account on ${formatDay(period.end)}`,
    ),
    figure(
      'contacts.notEngaged',
      'relationships',
      'Contacts not engaged in 30 days',
      contacts.notEngaged,
      whole,
      `Contacts at the account with no engagement recorded ${formatPeriod(contacts.engagementWindow)}`,
    ),
    figure(
      'warnings.open',
      'health',
      'Open early warnings',
      inputs.warnings.length,
      whole,
      'Early warnings open when the brief was made',
    ),
    figure(
      'account.arr',
      'renewal',
      'ARR',
      inputs.account.arr,
      formatMoney,
      'Annual recurring revenue on the CRM record',
    ),
    figure(
      'renewal.daysAway',
      'renewal',
      'Days to renewal',
      daysToRenewalOf(inputs),
      whole,
      renewalDate === null
        ? `Days from ${formatDay(period.end)} to the next renewal; none is on record`
        : `Days from ${formatDay(period.end)} to the renewal on ${formatDay(renewalDate)}`,
    ),
    figure(
      'renewal.probability',
      'renewal',
      'Renewal probability',
      health.renewal.probability,
      formatShare,
      'The probability of renewal stored with the latest health score',
    ),
    figure(
      'renewal.revenueAtRisk',
      'renewal',
      'Revenue at risk',
      health.renewal.revenueAtRisk,
      formatMoney,
      'ARR × (1 − renewal probability), stored with the latest health score',
    ),
  ];
}

/** The figures' values by key. */
export function numbersOf(figures: readonly Figure[]): Record<string, number | null> {
  const numbers: Record<string, number | null> = {};
  for (const item of figures) numbers[item.key] = item.value;
  return numbers;
}
