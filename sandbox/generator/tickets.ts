import type { Random } from '../shared/random.ts';
import type { Ticket } from './book.ts';
import type { GeneratedContact } from './contacts.ts';
import type { BookContext } from './context.ts';
import { formatInstant, weekday } from './dates.ts';
import type { Firmographics } from './firmographics.ts';
import type { LatentPath } from './latent-health.ts';
import { SEGMENT_PROFILES, SIGNALS } from './parameters.ts';
import { logNormal, poisson } from './streams.ts';

type Priority = Ticket['priority'];

const SUBJECTS: Readonly<Record<Priority, readonly string[]>> = {
  low: [
    'How do I export a report to CSV?',
    'Request: dark mode',
    'Question about user roles',
    'Typo in email template',
  ],
  medium: [
    'Dashboard widget shows stale numbers',
    'SSO login asks twice',
    'Automation ran twice',
    'Import skipped rows',
  ],
  high: ['Integration sync failing since yesterday', 'Reports time out', 'Users locked out after password reset'],
  urgent: ['Production outage: app not loading', 'Data missing after sync', 'API returning 500 for all requests'],
};

/** Median hours to close, by priority. */
const LIFETIME_HOURS: Readonly<Record<Priority, number>> = { low: 120, medium: 60, high: 20, urgent: 6 };

export interface GeneratedTicket {
  record: Ticket;
  createdDay: number;
  closedDay: number | null;
}

/**
 * Tickets arrive as a Poisson process whose rate rises as (lagged) health falls; unhealthy
 * accounts also file more urgent tickets and wait longer for them to close.
 */
export function drawTickets(
  random: Random,
  firm: Firmographics,
  latent: LatentPath,
  contacts: readonly GeneratedContact[],
  firstDay: number,
  lastDay: number,
  context: BookContext,
): GeneratedTicket[] {
  const tickets: GeneratedTicket[] = [];
  const baseRate = SEGMENT_PROFILES[firm.segment].ticketRate;
  const asOfEnd = (context.asOf + 1) * 86_400;
  const { ticketLagDays, ticketSensitivity } = SIGNALS;
  for (let day = firstDay; day <= lastDay; day++) {
    const health = latent.at(day - ticketLagDays);
    const dow = weekday(day);
    const rate = baseRate * Math.exp(ticketSensitivity * (0.6 - health)) * (dow === 0 || dow === 6 ? 0.3 : 1);
    const count = poisson(random, rate);
    for (let n = 0; n < count; n++) {
      const strain = 1 - health;
      const priority = random.weighted<Priority>([
        ['low', 0.4 - 0.2 * strain],
        ['medium', 0.38],
        ['high', 0.16 + 0.2 * strain],
        ['urgent', 0.03 + 0.12 * strain],
      ]);
      const createdSecond = day * 86_400 + random.float() * 86_400;
      const lifetime = logNormal(random, LIFETIME_HOURS[priority] * (1 + 1.5 * strain), 0.8) * 3600;
      const closedSecond = createdSecond + lifetime;
      const open = closedSecond >= asOfEnd;
      const reporters = contacts.filter((contact) => contact.since <= day && (contact.leftDay ?? Infinity) > day);
      const reporter = reporters.length > 0 && random.chance(0.9) ? random.pick(reporters) : null;
      const createdAt = new Date(createdSecond * 1000).toISOString();
      const closedAt = open ? null : new Date(closedSecond * 1000).toISOString();
      const status: Ticket['status'] = !open
        ? 'closed'
        : asOfEnd - createdSecond < 86_400
          ? 'new'
          : random.pick(['waiting_on_customer', 'waiting_on_us'] as const);
      tickets.push({
        createdDay: day,
        closedDay: open ? null : Math.floor(closedSecond / 86_400),
        record: {
          id: `tkt-${firm.number}-${String(tickets.length + 1).padStart(4, '0')}`,
          accountId: firm.id,
          contactId: reporter?.record.id ?? null,
          subject: random.pick(SUBJECTS[priority]),
          priority,
          status,
          createdAt,
          closedAt,
          updatedAt: closedAt ?? (status === 'new' ? createdAt : formatInstant(context.asOf, random.float() * 86_399)),
        },
      });
    }
  }
  return tickets;
}
