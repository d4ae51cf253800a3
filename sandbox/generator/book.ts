import { z } from 'zod';

/**
 * A synthetic book of business: what the generator writes and what the HubSpot and Salesforce
 * stand-ins load. Ids are the book's own (`acc-00042`); each stand-in assigns its CRM ids on load
 * and keeps the book id in a property/field so the two CRMs describe the same customers.
 *
 * Dates are ISO strings (`2026-03-31` for days, full ISO for instants), all UTC.
 */

const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);
const instant = z.iso.datetime();

export const SEGMENTS = ['enterprise', 'mid_market', 'smb'] as const;
export const CONTACT_ROLES = ['champion', 'executive_sponsor', 'admin', 'user'] as const;
export const DEAL_TYPES = ['new_business', 'renewal', 'expansion'] as const;
export const DEAL_STAGES = ['open', 'won', 'lost'] as const;
export const TICKET_PRIORITIES = ['low', 'medium', 'high', 'urgent'] as const;
export const TICKET_STATUSES = ['new', 'waiting_on_customer', 'waiting_on_us', 'closed'] as const;
export const FEATURES = ['dashboards', 'automation', 'integrations', 'reporting', 'mobile', 'api'] as const;
export const SENTIMENTS = ['positive', 'neutral', 'negative'] as const;

export const ownerSchema = z.strictObject({
  id: z.string(),
  firstName: z.string(),
  lastName: z.string(),
  email: z.email(),
  role: z.enum(['csm', 'account_executive', 'cs_leader']),
});

export const accountSchema = z.strictObject({
  id: z.string(),
  name: z.string(),
  domain: z.string(),
  industry: z.string(),
  segment: z.enum(SEGMENTS),
  country: z.string(),
  employees: z.int().nonnegative(),
  /** Annual recurring revenue in USD at the book's as-of date (0 once churned). */
  arr: z.number().nonnegative(),
  licences: z.int().nonnegative(),
  customerSince: day,
  /** Start and end of the current (or last, when churned) contract term. */
  contractStart: day,
  contractEnd: day,
  csmId: z.string(),
  accountExecutiveId: z.string(),
  /** Parent account for subsidiaries; roll-ups use it. */
  parentId: z.string().nullable(),
  status: z.enum(['active', 'churned']),
  createdAt: instant,
  updatedAt: instant,
});

export const contactSchema = z.strictObject({
  id: z.string(),
  accountId: z.string(),
  firstName: z.string(),
  lastName: z.string(),
  email: z.email(),
  title: z.string(),
  role: z.enum(CONTACT_ROLES),
  /** Last meeting, call or email with the vendor; null when never engaged. */
  lastEngagedAt: instant.nullable(),
  /** Set when the person left the customer (a departed champion is a warning sign). */
  leftAt: instant.nullable(),
  createdAt: instant,
  updatedAt: instant,
});

export const dealSchema = z.strictObject({
  id: z.string(),
  accountId: z.string(),
  name: z.string(),
  type: z.enum(DEAL_TYPES),
  stage: z.enum(DEAL_STAGES),
  amount: z.number().nonnegative(),
  closeDate: day,
  ownerId: z.string(),
  createdAt: instant,
  updatedAt: instant,
});

export const ticketSchema = z.strictObject({
  id: z.string(),
  accountId: z.string(),
  contactId: z.string().nullable(),
  subject: z.string(),
  priority: z.enum(TICKET_PRIORITIES),
  status: z.enum(TICKET_STATUSES),
  createdAt: instant,
  closedAt: instant.nullable(),
  updatedAt: instant,
});

/** One account's product usage on one day, in the shape of the ingest API's daily aggregate. */
export const usageDaySchema = z.strictObject({
  accountId: z.string(),
  date: day,
  activeUsers: z.int().nonnegative(),
  licences: z.int().nonnegative(),
  events: z.int().nonnegative(),
  /** Users active in each feature that day. */
  features: z.record(z.enum(FEATURES), z.int().nonnegative()),
});

export const surveyResponseSchema = z.strictObject({
  id: z.string(),
  accountId: z.string(),
  contactId: z.string(),
  kind: z.enum(['nps', 'csat', 'ces']),
  /** NPS 0–10, CSAT 1–5, CES 1–7. */
  score: z.int(),
  verbatim: z.string().nullable(),
  respondedAt: instant,
});

export const sentimentSchema = z.strictObject({
  id: z.string(),
  accountId: z.string(),
  csmId: z.string(),
  sentiment: z.enum(SENTIMENTS),
  note: z.string(),
  recordedAt: instant,
});

export const bookSchema = z.strictObject({
  meta: z.strictObject({
    version: z.literal(1),
    seed: z.int(),
    accounts: z.int().nonnegative(),
    /** The book describes the world up to this day; renewals fall in the 12 months after it. */
    asOf: day,
    /** Usage history starts here (12 months before asOf by default). */
    historyStart: day,
  }),
  owners: z.array(ownerSchema),
  accounts: z.array(accountSchema),
  contacts: z.array(contactSchema),
  deals: z.array(dealSchema),
  tickets: z.array(ticketSchema),
  usage: z.array(usageDaySchema),
  surveys: z.array(surveyResponseSchema),
  sentiment: z.array(sentimentSchema),
});

export type Owner = z.infer<typeof ownerSchema>;
export type Account = z.infer<typeof accountSchema>;
export type Contact = z.infer<typeof contactSchema>;
export type Deal = z.infer<typeof dealSchema>;
export type Ticket = z.infer<typeof ticketSchema>;
export type UsageDay = z.infer<typeof usageDaySchema>;
export type SurveyResponse = z.infer<typeof surveyResponseSchema>;
export type Sentiment = z.infer<typeof sentimentSchema>;
export type Book = z.infer<typeof bookSchema>;

/**
 * The part of a book a CRM holds: owners, accounts, contacts, deals and tickets. Usage, surveys and
 * sentiment reach Bellwether through its ingest API, not through the CRM.
 */
export type CrmBook = Pick<Book, 'meta' | 'owners' | 'accounts' | 'contacts' | 'deals' | 'tickets'>;
