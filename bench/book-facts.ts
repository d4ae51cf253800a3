/**
 * A generated account as Bellwether would hold it: the CRM records as the sync normalises them and
 * the usage, surveys and CSM notes the ingest API takes, and nothing else (the latent health and the
 * shocks stay out). Shared by the evaluations, so the health score and the warnings are judged on
 * the same facts.
 */
import type { AccountRecords } from '../sandbox/generator/account-generator.ts';
import type { AccountFacts, ContactFact, DealFact, TicketFact, UsageDayFact } from '../server/core/health/facts.ts';
import { DAY_MS } from '../server/core/health/signals.ts';

export const instant = (value: string) => Date.parse(value);
export const dayStart = (day: string) => Date.parse(`${day}T00:00:00Z`);
/** The sync keeps a departure date as a day (HubSpot `left_company_date`, Salesforce `Departed_Date__c`). */
const startOfDay = (at: number) => Math.floor(at / DAY_MS) * DAY_MS;

const CONTACT_ROLE: Record<AccountRecords['contacts'][number]['role'], ContactFact['role']> = {
  champion: 'champion',
  executive_sponsor: 'executive_sponsor',
  admin: 'other',
  user: 'other',
};

/** The facts with the CRM ids the warnings follow a ticket or a contact by; still plain `AccountFacts`. */
export interface BookFacts extends AccountFacts {
  tickets: (TicketFact & { id: string })[];
  contacts: (ContactFact & { id: string; name: string })[];
}

/**
 * One generated account's facts; usage only from `usageFrom` on (the lookback the caller needs), so
 * an account's year of days is not kept. The features seen in usage are added to `featuresSeen`.
 */
export function factsOf(records: AccountRecords, usageFrom: number, featuresSeen: Set<string>): BookFacts {
  const { account } = records;
  const usage: UsageDayFact[] = [];
  for (const day of records.usage) {
    const at = dayStart(day.date);
    if (at < usageFrom) continue;
    for (const feature of Object.keys(day.features)) featuresSeen.add(feature);
    const featureUsers = Object.values(day.features);
    usage.push({ day: at, activeUsers: day.activeUsers, licences: day.licences, events: day.events, featureUsers });
  }
  return {
    externalId: account.id,
    segment: account.segment,
    status: account.status,
    arr: account.arr,
    licences: account.licences,
    renewalDate: dayStart(account.contractEnd),
    createdAt: instant(account.createdAt),
    usage,
    tickets: records.tickets.map((ticket) => ({
      id: ticket.id,
      createdAt: instant(ticket.createdAt),
      closedAt: ticket.closedAt === null ? null : instant(ticket.closedAt),
      priority: ticket.priority,
    })),
    contacts: records.contacts.map((contact) => ({
      id: contact.id,
      name: `${contact.firstName} ${contact.lastName}`,
      role: CONTACT_ROLE[contact.role],
      createdAt: instant(contact.createdAt),
      departedOn: contact.leftAt === null ? null : startOfDay(instant(contact.leftAt)),
      departed: contact.leftAt !== null,
      lastEngagedAt: contact.lastEngagedAt === null ? null : instant(contact.lastEngagedAt),
    })),
    deals: records.deals.map((deal): DealFact => ({
      kind: deal.type,
      stage: deal.stage,
      amount: deal.amount,
      closeDate: dayStart(deal.closeDate),
      createdAt: instant(deal.createdAt),
    })),
    surveys: records.surveys.map((survey) => ({
      kind: survey.kind,
      score: survey.score,
      at: instant(survey.respondedAt),
    })),
    sentiment: records.sentiment.map((note) => ({ sentiment: note.sentiment, at: instant(note.recordedAt) })),
  };
}
