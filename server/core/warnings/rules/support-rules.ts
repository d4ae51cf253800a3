import { DAY_MS } from '../../health/signals.ts';
import type { Detection } from '../finding.ts';
import type { WarningInput } from '../input.ts';
import type { RuleConfig } from '../rules-config.ts';
import { isoDay } from '../template.ts';

/** Rules on support tickets: a burst against the usual rate, and an urgent ticket left open. */

const round1 = (value: number) => Math.round(value * 10) / 10;

/** Tickets opened in the recent window against the daily rate of the baseline window before it. */
export function ticketSpike(input: WarningInput, config: RuleConfig<'ticket_spike'>): Detection[] {
  const { at } = input;
  const recentFrom = at - config.recentDays * DAY_MS;
  const baselineFrom = recentFrom - config.baselineDays * DAY_MS;
  let recent = 0;
  let baseline = 0;
  for (const ticket of input.tickets) {
    if (ticket.createdAt > recentFrom && ticket.createdAt <= at) recent += 1;
    else if (ticket.createdAt > baselineFrom && ticket.createdAt <= recentFrom) baseline += 1;
  }
  if (recent < config.minTickets) return [];
  const recentRate = recent / config.recentDays;
  const baselineRate = baseline / config.baselineDays;
  // With no ticket at all before, any burst of minTickets is a spike.
  const ratio = baselineRate > 0 ? recentRate / baselineRate : null;
  // As products, so a rate exactly on the line counts.
  if (baseline > 0 && recent * config.baselineDays < config.minRatio * baseline * config.recentDays) return [];
  const usual =
    ratio === null
      ? `none in the ${config.baselineDays} days before`
      : `${round1(ratio)} times the rate of the ${config.baselineDays} days before (${baseline} tickets)`;
  return [
    {
      state: 'firing',
      title: `${recent} tickets in ${config.recentDays} days`,
      evidence: {
        text: `${recent} tickets opened in the last ${config.recentDays} days, ${usual} (warns at ${config.minRatio} times and ${config.minTickets} tickets).`,
        values: { recentTickets: recent, baselineTickets: baseline, ratio: ratio === null ? null : round1(ratio) },
        thresholds: {
          recentDays: config.recentDays,
          baselineDays: config.baselineDays,
          minRatio: config.minRatio,
          minTickets: config.minTickets,
        },
      },
    },
  ];
}

/** One warning per ticket of the listed priorities open longer than `openLongerThanDays`. */
export function staleHighPriorityTicket(
  input: WarningInput,
  config: RuleConfig<'stale_high_priority_ticket'>,
): Detection[] {
  const priorities = new Set<string>(config.priorities);
  const detections: Detection[] = [];
  for (const ticket of input.tickets) {
    if (ticket.closedAt !== null || ticket.priority === null || !priorities.has(ticket.priority)) continue;
    const openMs = input.at - ticket.createdAt;
    if (openMs <= config.openLongerThanDays * DAY_MS) continue;
    const openDays = Math.floor(openMs / DAY_MS);
    const openedOn = isoDay(ticket.createdAt);
    detections.push({
      subject: `ticket:${ticket.id}`,
      state: 'firing',
      title: `${ticket.priority[0]?.toUpperCase()}${ticket.priority.slice(1)} ticket open ${openDays} days`,
      evidence: {
        text: `A ${ticket.priority}-priority ticket opened on ${openedOn} has been open ${openDays} days (warns after ${config.openLongerThanDays}).`,
        values: { ticketId: ticket.id, priority: ticket.priority, openDays, openedOn },
        thresholds: { openLongerThanDays: config.openLongerThanDays },
      },
    });
  }
  return detections;
}
