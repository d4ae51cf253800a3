import type { Win } from './brief.ts';
import { adoptedFeatures, changePct, healthChangeOf, npsOf } from './derived.ts';
import { formatChangePct, formatMoney, formatNumber, formatPoints, formatScore, plural } from './format.ts';
import type { QbrInputs } from './inputs.ts';
import { formatPeriod } from './period.ts';

/** What went well in the period, from the same aggregates as the figures. */

/** Changes smaller than these are noise, not wins. */
export const HEALTH_WIN_POINTS = 5;
export const USAGE_WIN_PCT = 10;
export const NPS_WIN_POINTS = 10;

export function briefWins(inputs: QbrInputs): Win[] {
  const wins: Win[] = [];
  const { usage, tickets, nps, deals } = inputs;
  const span = formatPeriod(inputs.period);

  const health = healthChangeOf(inputs);
  if (health !== null && health >= HEALTH_WIN_POINTS) {
    wins.push({
      title: `Health up ${formatPoints(health)} points`,
      detail: `From ${formatScore(inputs.health.atStart?.score ?? 0)} to ${formatScore(inputs.health.now?.score ?? 0)} over ${span}.`,
    });
  }
  const usageChange = changePct(usage.first.avgActiveUsers, usage.last.avgActiveUsers);
  if (usageChange !== null && usageChange >= USAGE_WIN_PCT) {
    wins.push({
      title: `Daily active users ${formatChangePct(usageChange)}`,
      detail: `From ${formatNumber(usage.first.avgActiveUsers ?? 0, 1)} a day ${formatPeriod(usage.first.period)} to ${formatNumber(usage.last.avgActiveUsers ?? 0, 1)} ${formatPeriod(usage.last.period)}.`,
    });
  }
  const before = adoptedFeatures(usage.first);
  const after = adoptedFeatures(usage.last);
  const added = after.filter((feature) => !before.includes(feature));
  if (usage.first.daysReported > 0 && added.length > 0) {
    wins.push({
      title: `${plural(added.length, 'feature')} newly adopted`,
      detail: `${added.join(', ')} now used by enough of the active users (${formatNumber(after.length, 0)} features adopted, ${formatNumber(before.length, 0)} before).`,
    });
  }
  const npsNow = npsOf(nps.period);
  const npsBefore = npsOf(nps.before);
  if (npsNow !== null && npsBefore !== null && npsNow - npsBefore >= NPS_WIN_POINTS) {
    wins.push({
      title: `NPS up from ${formatScore(npsBefore)} to ${formatScore(npsNow)}`,
      detail: `${plural(nps.period.responses, 'answer')} ${formatPeriod(nps.period.period)} against ${plural(nps.before.responses, 'answer')} the period before.`,
    });
  }
  if (tickets.opened > 0 && tickets.closed >= tickets.opened) {
    wins.push({
      title: 'Support backlog kept down',
      detail: `${plural(tickets.closed, 'ticket')} closed and ${plural(tickets.opened, 'ticket')} opened ${span}.`,
    });
  }
  if (deals.wonExpansions.count > 0) {
    wins.push({
      title: `Expansion won: ${formatMoney(deals.wonExpansions.amount)}`,
      detail: `${plural(deals.wonExpansions.count, 'expansion deal')} closed won ${span}.`,
    });
  }
  if (deals.wonRenewals > 0) {
    wins.push({ title: 'Renewal won', detail: `${plural(deals.wonRenewals, 'renewal deal')} closed won ${span}.` });
  }
  return wins;
}
