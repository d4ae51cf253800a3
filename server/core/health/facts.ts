import type { HealthModel } from './model.ts';
import {
  DAY_MS,
  aggregate,
  isSignalName,
  type Aggregation,
  type DatedValue,
  type SignalName,
  type SignalValue,
} from './signals.ts';

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
  /** Active users of each feature that day (features nobody used may be left out). */
  featureUsers: readonly number[];
}

export interface TicketFact {
  createdAt: number;
  /** When it was closed; null while open. */
  closedAt: number | null;
  priority: 'low' | 'medium' | 'high' | 'urgent' | null;
}

export interface ContactFact {
  /** Lower-case; the same person in two CRMs is one contact. */
  email?: string | null;
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
  /** The CRM's id, and the other CRM's id of the same deal when a connector mirrored it. */
  id?: string;
  connectorId?: string | null;
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
  /** The role of the contact who answered, when known (a plan may ask what the executive sponsor says). */
  respondentRole?: ContactFact['role'];
}

export interface SentimentFact {
  sentiment: 'positive' | 'neutral' | 'negative';
  at: number;
}

export interface AccountFacts {
  externalId: string;
  segment: string | null;
  /** The CRM's customer status now (a backtest judges the past from the deals instead). */
  status: 'active' | 'churned' | 'other' | null;
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

/** One windowed reading a model scores: which signal, over how many days, reduced how. */
/**
 * A feature counts as adopted on a day when at least this share of the day's active users used it:
 * one user clicking through everything once is not breadth, and "any user" saturates for most accounts.
 */
export const ADOPTION_SHARE = 0.2;

/** The features adopted on a usage day (ADOPTION_SHARE of its active users, and at least one user). */
export function featuresAdopted(day: Pick<UsageDayFact, 'activeUsers' | 'featureUsers'>): number {
  const floor = Math.max(1, ADOPTION_SHARE * day.activeUsers);
  let adopted = 0;
  for (const users of day.featureUsers) if (users >= floor) adopted += 1;
  return adopted;
}

export interface MeasureSpec {
  signal: SignalName;
  windowDays: number;
  aggregation: Aggregation;
}

/** The distinct (signal, window, aggregation) the model and all its segment overrides score. */
export function measureSpecs(model: HealthModel): MeasureSpec[] {
  const groupSets = [model.groups, ...Object.values(model.segments).map((segment) => segment.groups ?? [])];
  const specs = new Map<string, MeasureSpec>();
  for (const group of groupSets.flat()) {
    for (const measure of group.measures) {
      if (!isSignalName(measure.signal))
        throw new Error(`unknown signal "${measure.signal}" in measure ${measure.key}`);
      const spec: MeasureSpec = {
        signal: measure.signal,
        windowDays: measure.windowDays,
        aggregation: measure.aggregation,
      };
      specs.set(`${spec.signal}\n${spec.windowDays}\n${spec.aggregation}`, spec);
    }
  }
  return [...specs.values()];
}

/**
 * How many days of dated facts before asOf the specs need: the longest window plus one, because a
 * usage day counts at its end, so the oldest day in a window starts a day before the window does.
 * ARR change reads deals, which are loaded whole, so its window needs nothing more.
 */
export function lookbackDays(specs: readonly MeasureSpec[]): number {
  return Math.max(0, ...specs.map((spec) => spec.windowDays)) + 1;
}

/** The dated facts each part of the model reads; contacts and deals are always loaded whole. */
export interface Lookback {
  usage: number;
  tickets: number;
  surveys: number;
  sentiment: number;
}

const SOURCE_OF_FAMILY: Record<string, keyof Lookback | undefined> = {
  usage: 'usage',
  support: 'tickets',
  voice: 'surveys',
  sentiment: 'sentiment',
};

/**
 * `lookbackDays` per kind of dated fact: a year of usage is a large read for a 28-day window, so each
 * table is read only as far back as the measures on it look (0 when none does).
 */
export function lookbackOf(specs: readonly MeasureSpec[]): Lookback {
  const lookback: Lookback = { usage: 0, tickets: 0, surveys: 0, sentiment: 0 };
  for (const spec of specs) {
    const source = SOURCE_OF_FAMILY[spec.signal.split('.')[0] ?? ''];
    if (source) lookback[source] = Math.max(lookback[source], spec.windowDays + 1);
  }
  return lookback;
}

/**
 * Each spec's signal value as of `asOf` (epoch ms), keyed by signal name; null = no data. Nothing
 * dated after `asOf` is seen. A model names each signal once (`validateModel`); should specs repeat
 * a signal, the first spec is the one computed.
 */
export function computeSignals(
  facts: AccountFacts,
  specs: readonly MeasureSpec[],
  asOf: number,
  context: FactsContext,
): Record<string, SignalValue> {
  const values: Record<string, SignalValue> = {};
  for (const spec of specs) {
    if (Object.hasOwn(values, spec.signal)) continue;
    values[spec.signal] = COMPUTE[spec.signal](facts, spec, asOf, context);
  }
  return values;
}

type Compute = (facts: AccountFacts, spec: MeasureSpec, asOf: number, context: FactsContext) => SignalValue;

const dayEnd = (day: number) => day + DAY_MS - 1;
const windowed = (series: readonly DatedValue[], spec: MeasureSpec, asOf: number) =>
  aggregate(series, spec.windowDays, spec.aggregation, asOf);
const asFlag = (value: number | null): boolean | null => (value === null ? null : value > 0);

/** Daily usage values, one point at the end of each day; a day whose value cannot be known is left out. */
function usageSeries(
  facts: AccountFacts,
  valueOf: (day: UsageDayFact, licences: number | null) => number | null,
): DatedValue[] {
  const series: DatedValue[] = [];
  for (const day of facts.usage) {
    const value = valueOf(day, day.licences ?? facts.licences);
    if (value !== null) series.push({ at: dayEnd(day.day), value });
  }
  return series;
}

const perLicence = (amount: number, licences: number | null) =>
  licences === null || licences <= 0 ? null : amount / licences;

/** The licences the customer last reported by `asOf`, else the account's. */
function licencesAsOf(facts: AccountFacts, asOf: number): number | null {
  let licences: number | null = null;
  for (const day of facts.usage) {
    if (dayEnd(day.day) <= asOf && day.licences !== null) licences = day.licences;
  }
  return licences ?? facts.licences;
}

/**
 * The day ends in the window (start exclusive, `asOf` inclusive): one per day of the window, the
 * instants a state signal is sampled at when a model aggregates it over time.
 */
function dayEndsInWindow(asOf: number, windowDays: number): number[] {
  const start = asOf - windowDays * DAY_MS;
  let at = dayEnd(Math.floor(start / DAY_MS) * DAY_MS);
  if (at <= start) at += DAY_MS;
  const instants: number[] = [];
  for (; at <= asOf; at += DAY_MS) instants.push(at);
  return instants;
}

/** A state known at any instant: `latest` reads it at asOf, other aggregations over the window's day ends. */
function stateSignal(spec: MeasureSpec, asOf: number, stateAt: (t: number) => number | null): number | null {
  if (spec.aggregation === 'latest') return stateAt(asOf);
  const series: DatedValue[] = [];
  for (const at of dayEndsInWindow(asOf, spec.windowDays)) {
    const value = stateAt(at);
    if (value !== null) series.push({ at, value });
  }
  return windowed(series, spec, asOf);
}

const isOpenAt = (ticket: TicketFact, t: number) =>
  ticket.createdAt <= t && (ticket.closedAt === null || ticket.closedAt > t);
const isHighPriority = (ticket: TicketFact) => ticket.priority === 'high' || ticket.priority === 'urgent';

const existsAt = (createdAt: number | null, t: number) => createdAt === null || createdAt <= t;

/** A dated departure counts from its day; a departure the CRM gives no date for counts always. */
const isGoneAt = (contact: ContactFact, t: number) =>
  contact.departedOn !== null ? contact.departedOn <= t : contact.departed;

function hasRoleAt(facts: AccountFacts, role: ContactFact['role'], t: number): number {
  return facts.contacts.some(
    (contact) => contact.role === role && existsAt(contact.createdAt, t) && !isGoneAt(contact, t),
  )
    ? 1
    : 0;
}

function daysToRenewalAt(facts: AccountFacts, t: number): number | null {
  let next = Infinity;
  for (const deal of facts.deals) {
    if (deal.kind === 'renewal' && deal.closeDate !== null && deal.closeDate > t) next = Math.min(next, deal.closeDate);
  }
  if (next === Infinity && facts.renewalDate !== null && facts.renewalDate > t) next = facts.renewalDate;
  return next === Infinity ? null : Math.ceil((next - t) / DAY_MS);
}

function daysSinceEngagementAt(facts: AccountFacts, t: number): number | null {
  let last = -Infinity;
  for (const contact of facts.contacts) {
    const at = contact.lastEngagedAt;
    // An engagement after t was not known at t.
    if (at !== null && at <= t && at > last) last = at;
  }
  return last === -Infinity ? null : Math.floor((t - last) / DAY_MS);
}

function oldestOpenDaysAt(facts: AccountFacts, t: number): number {
  let oldest = Infinity;
  for (const ticket of facts.tickets) {
    if (isOpenAt(ticket, t) && ticket.createdAt < oldest) oldest = ticket.createdAt;
  }
  return oldest === Infinity ? 0 : Math.floor((t - oldest) / DAY_MS);
}

const isClosedBy = (deal: DealFact, t: number) => deal.closeDate !== null && deal.closeDate <= t;

/**
 * ARR at an instant from the deals: the latest won new-business or renewal deal closed by then, plus
 * won expansions closed after it; a renewal lost after it means the customer left (0). Null when no
 * such deal had closed, or its amount is unknown.
 */
export function arrAt(deals: readonly DealFact[], t: number): number | null {
  let base: DealFact | undefined;
  for (const deal of deals) {
    if (deal.stage !== 'won' || (deal.kind !== 'new_business' && deal.kind !== 'renewal')) continue;
    if (isClosedBy(deal, t) && (base === undefined || (deal.closeDate as number) >= (base.closeDate as number))) {
      base = deal;
    }
  }
  if (base === undefined || base.amount === null) return null;
  const since = base.closeDate as number;
  let arr = base.amount;
  for (const deal of deals) {
    if (!isClosedBy(deal, t) || (deal.closeDate as number) <= since) continue;
    if (deal.kind === 'renewal' && deal.stage === 'lost') return 0;
    if (deal.kind === 'expansion' && deal.stage === 'won') arr += deal.amount ?? 0;
  }
  return arr;
}

/**
 * ARR now against ARR at the start of the window, in percent. Without a won deal by the start there is
 * no baseline (the account's own ARR says nothing about the past), so the change is unknown.
 */
function arrChangePct(facts: AccountFacts, spec: MeasureSpec, asOf: number): number | null {
  const before = arrAt(facts.deals, asOf - spec.windowDays * DAY_MS);
  if (before === null || before <= 0) return null;
  const now = arrAt(facts.deals, asOf);
  if (now === null) return null;
  return windowed([{ at: asOf, value: ((now - before) / before) * 100 }], spec, asOf);
}

function isExpansionOpenAt(deal: DealFact, t: number): boolean {
  if (deal.kind !== 'expansion' || !existsAt(deal.createdAt, t)) return false;
  return deal.stage === 'open' || (deal.closeDate !== null && deal.closeDate > t);
}

const SENTIMENT_VALUE = { positive: 1, neutral: 0, negative: -1 } as const;

function surveySeries(facts: AccountFacts, kind: SurveyFact['kind']): DatedValue[] {
  return facts.surveys
    .filter((survey) => survey.kind === kind)
    .map((survey) => ({ at: survey.at, value: survey.score }));
}

const COMPUTE: Readonly<Record<SignalName, Compute>> = {
  'usage.active_user_ratio': (facts, spec, asOf) =>
    windowed(
      usageSeries(facts, (day, licences) => perLicence(day.activeUsers, licences)),
      spec,
      asOf,
    ),
  'usage.events_per_licence': (facts, spec, asOf) =>
    windowed(
      usageSeries(facts, (day, licences) => perLicence(day.events, licences)),
      spec,
      asOf,
    ),
  'usage.feature_breadth': (facts, spec, asOf, context) => {
    if (context.featuresOffered <= 0) return null;
    // Features offered are counted over recent usage; an old day may have used one since dropped.
    const series = usageSeries(facts, (day) => Math.min(1, featuresAdopted(day) / context.featuresOffered));
    return windowed(series, spec, asOf);
  },
  'support.open_tickets': (facts, spec, asOf) =>
    stateSignal(spec, asOf, (t) => facts.tickets.filter((ticket) => isOpenAt(ticket, t)).length),
  'support.high_priority_open': (facts, spec, asOf) =>
    stateSignal(
      spec,
      asOf,
      (t) => facts.tickets.filter((ticket) => isHighPriority(ticket) && isOpenAt(ticket, t)).length,
    ),
  'support.oldest_open_days': (facts, spec, asOf) => stateSignal(spec, asOf, (t) => oldestOpenDaysAt(facts, t)),
  'support.tickets_per_100_licences': (facts, spec, asOf) => {
    const licences = licencesAsOf(facts, asOf);
    if (licences === null || licences <= 0) return null;
    const series = facts.tickets.map((ticket) => ({ at: ticket.createdAt, value: 100 / licences }));
    // No ticket in the window is a rate of 0, not a missing one.
    return windowed(series, spec, asOf) ?? 0;
  },
  'engagement.days_since_last': (facts, spec, asOf) => stateSignal(spec, asOf, (t) => daysSinceEngagementAt(facts, t)),
  'relationship.champion_present': (facts, spec, asOf) =>
    asFlag(stateSignal(spec, asOf, (t) => hasRoleAt(facts, 'champion', t))),
  'relationship.sponsor_present': (facts, spec, asOf) =>
    asFlag(stateSignal(spec, asOf, (t) => hasRoleAt(facts, 'executive_sponsor', t))),
  'relationship.departed_champion': (facts, spec, asOf) => {
    const departures: DatedValue[] = [];
    for (const contact of facts.contacts) {
      if (contact.role === 'champion' && contact.departedOn !== null)
        departures.push({ at: contact.departedOn, value: 1 });
    }
    // No departure in the window means none happened, not that nothing is known.
    return asFlag(windowed(departures, spec, asOf)) ?? false;
  },
  'commercial.days_to_renewal': (facts, spec, asOf) => stateSignal(spec, asOf, (t) => daysToRenewalAt(facts, t)),
  'commercial.arr_change_pct': (facts, spec, asOf) => arrChangePct(facts, spec, asOf),
  'commercial.open_expansion': (facts, spec, asOf) =>
    asFlag(stateSignal(spec, asOf, (t) => (facts.deals.some((deal) => isExpansionOpenAt(deal, t)) ? 1 : 0))),
  'voice.nps': (facts, spec, asOf) => windowed(surveySeries(facts, 'nps'), spec, asOf),
  'voice.csat': (facts, spec, asOf) => windowed(surveySeries(facts, 'csat'), spec, asOf),
  'voice.ces': (facts, spec, asOf) => windowed(surveySeries(facts, 'ces'), spec, asOf),
  'voice.detractor_share': (facts, spec, asOf) =>
    windowed(
      surveySeries(facts, 'nps').map((point) => ({ at: point.at, value: point.value <= 6 ? 1 : 0 })),
      spec,
      asOf,
    ),
  'sentiment.csm': (facts, spec, asOf) =>
    windowed(
      facts.sentiment.map((entry) => ({ at: entry.at, value: SENTIMENT_VALUE[entry.sentiment] })),
      spec,
      asOf,
    ),
};
