/**
 * What the signal computation reads about one account: the normalised CRM records and the ingested
 * usage, surveys and CSM sentiment, each with its dates, so any signal can be computed as of any day
 * (the score job uses today, a backtest a day in the past). Built from the database by the facts
 * loader and from a generated book by the evaluation; nothing here knows where it came from.
 * All instants are epoch milliseconds; days are `YYYY-MM-DD`.
 */

export interface UsageDayFact {
  /** Midnight UTC of the day, epoch ms; the day's value counts at the end of that day. */
  day: number;
  activeUsers: number;
  /** Licences that day when the customer sent them; otherwise the account's licences apply. */
  licences: number | null;
  events: number;
  /** Features with at least one active user that day. */
  featuresUsed: number;
}

export interface TicketFact {
  createdAt: number;
  /** When it was closed; null while open. */
  closedAt: number | null;
  priority: 'low' | 'medium' | 'high' | 'urgent' | null;
}

export interface ContactFact {
  role: 'champion' | 'executive_sponsor' | 'other' | null;
  /** When the CRM created the contact; null when unknown (treated as always there). */
  createdAt: number | null;
  /** Start of the day the contact left; null while they are there. */
  departedOn: number | null;
  /** Whether the CRM marks them as gone (with or without a date). */
  departed: boolean;
  lastEngagedAt: number | null;
}

export interface DealFact {
  kind: 'new_business' | 'renewal' | 'expansion' | 'other';
  stage: 'open' | 'won' | 'lost';
  amount: number | null;
  /** Start of the close day; for open deals the expected close. */
  closeDate: number | null;
  createdAt: number | null;
}

export interface SurveyFact {
  kind: 'nps' | 'csat' | 'ces';
  score: number;
  at: number;
}

export interface SentimentFact {
  sentiment: 'positive' | 'neutral' | 'negative';
  at: number;
}

export interface AccountFacts {
  externalId: string;
  segment: string | null;
  /** Current ARR and licences as the CRM holds them. */
  arr: number | null;
  licences: number | null;
  /** Start of the renewal day the account record holds. */
  renewalDate: number | null;
  createdAt: number | null;
  /** Ascending by day. */
  usage: UsageDayFact[];
  tickets: TicketFact[];
  contacts: ContactFact[];
  deals: DealFact[];
  surveys: SurveyFact[];
  sentiment: SentimentFact[];
}

/** Facts about the installation the accounts share. */
export interface FactsContext {
  /** How many distinct features the product offers (seen in the installation's usage); 0 when unknown. */
  featuresOffered: number;
}
