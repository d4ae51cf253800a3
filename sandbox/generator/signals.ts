import type { Account, Contact, Deal, Sentiment, SurveyResponse, Ticket, UsageDay } from './book.ts';
import { formatDay, formatInstant } from './dates.ts';

/** One account's records as the book holds them, with no access to the truth. */
export interface AccountSlice {
  account: Account;
  contacts: readonly Contact[];
  deals: readonly Deal[];
  tickets: readonly Ticket[];
  /** In date order. */
  usage: readonly UsageDay[];
  surveys: readonly SurveyResponse[];
  sentiment: readonly Sentiment[];
}

export interface SignalDefinition {
  name: string;
  description: string;
  /** +1 when a higher value should mean a likelier renewal, −1 when lower should. */
  direction: 1 | -1;
  /** The signal as known at the start of `cutoff` (a day number); null when the book has no data. */
  read(slice: AccountSlice, cutoff: number): number | null;
}

const SENTIMENT_VALUE = { positive: 1, neutral: 0, negative: -1 } as const;

function usageBetween(slice: AccountSlice, from: number, to: number): readonly UsageDay[] {
  const first = formatDay(from);
  const last = formatDay(to);
  const usage = slice.usage;
  // Usage is in date order: binary-search the first day in the window.
  let low = 0;
  let high = usage.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if ((usage[middle] as UsageDay).date < first) low = middle + 1;
    else high = middle;
  }
  let end = low;
  while (end < usage.length && (usage[end] as UsageDay).date < last) end++;
  return usage.slice(low, end);
}

const mean = (values: readonly number[]) =>
  values.length === 0 ? null : values.reduce((sum, value) => sum + value, 0) / values.length;

/** Single observed signals a health score could be built from, each read 90 days before renewal. */
export const SIGNALS_FROM_BOOK: readonly SignalDefinition[] = [
  {
    name: 'usage trend',
    description: 'mean daily active users, last 28 days over the 28 before',
    direction: 1,
    read(slice, cutoff) {
      const recent = mean(usageBetween(slice, cutoff - 28, cutoff).map((day) => day.activeUsers));
      const before = mean(usageBetween(slice, cutoff - 56, cutoff - 28).map((day) => day.activeUsers));
      if (recent === null || before === null || before === 0) return null;
      return recent / before;
    },
  },
  {
    name: 'licence use',
    description: 'mean daily active users over licences, last 28 days',
    direction: 1,
    read(slice, cutoff) {
      return mean(usageBetween(slice, cutoff - 28, cutoff).map((day) => day.activeUsers / Math.max(1, day.licences)));
    },
  },
  {
    name: 'feature breadth',
    description: 'mean share of active users per feature, last 28 days',
    direction: 1,
    read(slice, cutoff) {
      const days = usageBetween(slice, cutoff - 28, cutoff).filter((day) => day.activeUsers > 0);
      return mean(
        days.map((day) => {
          const counts = Object.values(day.features);
          return counts.reduce((sum, count) => sum + count, 0) / (counts.length * day.activeUsers);
        }),
      );
    },
  },
  {
    name: 'ticket volume',
    description: 'tickets opened in the last 90 days per licence',
    direction: -1,
    read(slice, cutoff) {
      const from = formatInstant(cutoff - 90, 0);
      const to = formatInstant(cutoff, 0);
      const count = slice.tickets.filter((ticket) => ticket.createdAt >= from && ticket.createdAt < to).length;
      const licences = usageBetween(slice, cutoff - 7, cutoff).at(-1)?.licences;
      return licences === undefined ? null : count / Math.max(1, licences);
    },
  },
  {
    name: 'urgent tickets',
    description: 'high and urgent tickets opened in the last 90 days',
    direction: -1,
    read(slice, cutoff) {
      const from = formatInstant(cutoff - 90, 0);
      const to = formatInstant(cutoff, 0);
      return slice.tickets.filter(
        (ticket) =>
          ticket.createdAt >= from &&
          ticket.createdAt < to &&
          (ticket.priority === 'high' || ticket.priority === 'urgent'),
      ).length;
    },
  },
  {
    name: 'NPS',
    description: 'mean NPS score of responses in the last 180 days',
    direction: 1,
    read(slice, cutoff) {
      const from = formatInstant(cutoff - 180, 0);
      const to = formatInstant(cutoff, 0);
      return mean(
        slice.surveys
          .filter((survey) => survey.kind === 'nps' && survey.respondedAt >= from && survey.respondedAt < to)
          .map((survey) => survey.score),
      );
    },
  },
  {
    name: 'CSM sentiment',
    description: 'the latest CSM sentiment note in the last 120 days (+1, 0, −1)',
    direction: 1,
    read(slice, cutoff) {
      const from = formatInstant(cutoff - 120, 0);
      const to = formatInstant(cutoff, 0);
      const notes = slice.sentiment.filter((note) => note.recordedAt >= from && note.recordedAt < to);
      const latest = notes.at(-1);
      return latest === undefined ? null : SENTIMENT_VALUE[latest.sentiment];
    },
  },
  {
    name: 'champion present',
    description: 'a champion is at the customer (1) or none is (0)',
    direction: 1,
    read(slice, cutoff) {
      const at = formatInstant(cutoff, 0);
      const present = slice.contacts.some(
        (contact) =>
          contact.role === 'champion' && contact.createdAt < at && (contact.leftAt === null || contact.leftAt > at),
      );
      return present ? 1 : 0;
    },
  },
];
