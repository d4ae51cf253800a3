import type { AccountFacts, ContactFact, TicketFact } from '../health/facts.ts';
import type { Band, Bands } from '../health/model.ts';
import { effectiveHealth, type Override } from '../health/override.ts';
import { DAY_MS } from '../health/signals.ts';
import type { TrendDirection } from '../health/trend.ts';
import type { Comparator, ObjectiveStatus } from '../plans/plan-model.ts';
import type { LifecycleStage } from '../plans/stages.ts';
import type { WarningRules } from './rules-config.ts';

/**
 * What the rules read about one account at one instant, cut from the same facts the health engine
 * scores: nothing dated after the instant is seen, so the hourly job (now) and the evaluation's replay
 * (each past day) build it the same way and get the same warnings.
 */

/** Facts as the loader gives them; CRM ids on tickets and contacts let a warning follow one of them. */
export interface WarningFacts extends Omit<AccountFacts, 'tickets' | 'contacts'> {
  tickets: readonly (TicketFact & { id?: string | null })[];
  contacts: readonly (ContactFact & { id?: string | null; name?: string | null })[];
}

/** One day of the stored score history. */
export interface HistoryPoint {
  /** `YYYY-MM-DD`, UTC. */
  day: string;
  score: number | null;
  band: Band | null;
}

export interface WarningTicket {
  /** The CRM id, or the creation instant when the loader gave none (stable across runs). */
  id: string;
  createdAt: number;
  /** Null while open at the instant. */
  closedAt: number | null;
  priority: TicketFact['priority'];
}

export interface WarningContact {
  id: string | null;
  name: string | null;
  role: ContactFact['role'];
  /** Gone at the instant; `departedOn` is null when the CRM gave no date. */
  gone: boolean;
  departedOn: number | null;
  lastEngagedAt: number | null;
}

export interface WarningUsageDay {
  /** Midnight UTC of the day. */
  day: number;
  activeUsers: number;
  /** The day's licences, else the account's. */
  licences: number | null;
}

export interface WarningMilestone {
  key: string;
  title: string;
  dueAt: number;
  /** Null while not reached at the instant. */
  reachedAt: number | null;
}

/** An objective as its plan's last reading left it: the status and since when it has held. */
export interface WarningObjective {
  key: string;
  title: string;
  status: ObjectiveStatus;
  statusSince: number;
  value: number | null;
  expected: number | null;
  target: number;
  comparator: Comparator;
  dueAt: number;
  /** The values as a CSM reads them ("42% of licences", "no data"). */
  valueText: string;
  expectedText: string;
  targetText: string;
}

/** An active success plan of the account. */
export interface WarningPlan {
  id: string;
  name: string;
  /** The stage it was made for. */
  stage: LifecycleStage;
  startedAt: number;
  milestones: WarningMilestone[];
  objectives: WarningObjective[];
}

export interface WarningInput {
  at: number;
  account: { id: string; name: string; segment: string | null; status: AccountFacts['status'] };
  /** The health the card shows: the override while it applies, else the computed score. */
  health: { score: number | null; band: Band | null; trend: TrendDirection | null };
  /** Daily scores up to the instant, oldest first. */
  history: HistoryPoint[];
  usage: WarningUsageDay[];
  tickets: WarningTicket[];
  contacts: WarningContact[];
  /**
   * Whether a contact's last engagement is after the instant. The CRM keeps only each contact's last
   * engagement, so a replay of the past cannot tell how long before that they were quiet.
   */
  engagedLater: boolean;
  nps: { score: number; at: number }[];
  sentiment: { sentiment: 'positive' | 'neutral' | 'negative'; at: number }[];
  renewal: { on: number; daysTo: number } | null;
  /** The override in force at the instant; null when none applies. */
  override: { band: Band; expiresAt: number; author: string } | null;
  /** The account's lifecycle stage at the instant and since when; null when none is recorded. */
  stage: { stage: LifecycleStage; enteredAt: number } | null;
  /** Active success plans started by the instant; milestones reached later read as not reached. */
  plans: WarningPlan[];
}

export interface WarningInputSource {
  account: { id: string; name: string | null };
  facts: WarningFacts;
  /** Daily points, any order; points after the instant are ignored. */
  history: readonly HistoryPoint[];
  /** The computed health at the instant (the override is applied here). */
  health: { score: number | null; band: Band | null; trend: TrendDirection | null };
  override: Override | null;
  bands?: Bands;
  /** The current stay; absent where stages are not known (a replay of the past). */
  stage?: { stage: LifecycleStage; enteredAt: number } | null;
  /** The account's active plans as last read from the signals; none when absent. */
  plans?: readonly WarningPlan[];
}

/**
 * How many days of dated facts the rules look back over. The job loads at least this much; the
 * input keeps no more, so a replay over a long history stays cheap.
 */
export function warningLookbackDays(rules: WarningRules): number {
  return Math.max(
    rules.declining_trend.windowWeeks * 7 + 7,
    rules.band_drop.lookbackDays + rules.band_drop.persistDays,
    rules.usage_drop.recentDays + rules.usage_drop.baselineDays + rules.usage_drop.persistDays,
    rules.low_licence_use.windowDays + rules.low_licence_use.persistDays,
    rules.detractor.withinDays,
    rules.ticket_spike.recentDays + rules.ticket_spike.baselineDays,
    rules.champion_lost.recentDays,
    rules.renewal_at_risk.persistDays,
  );
}

const dayStart = (t: number) => Math.floor(t / DAY_MS) * DAY_MS;
const dayEnd = (day: number) => day + DAY_MS - 1;

/** The next renewal after `at`: an open or future renewal deal first, else the account's renewal date. */
function renewalAt(facts: WarningFacts, at: number): WarningInput['renewal'] {
  let next = Infinity;
  for (const deal of facts.deals) {
    if (deal.kind === 'renewal' && deal.closeDate !== null && deal.closeDate > at)
      next = Math.min(next, deal.closeDate);
  }
  if (next === Infinity && facts.renewalDate !== null && facts.renewalDate > at) next = facts.renewalDate;
  return next === Infinity ? null : { on: next, daysTo: Math.ceil((next - at) / DAY_MS) };
}

/**
 * The customer status at `at`. The CRM holds it only as of now; a churned account was still a
 * customer before its lost renewal closed, so a replay of its past is not silenced by its end.
 */
function statusAt(facts: WarningFacts, at: number): AccountFacts['status'] {
  if (facts.status !== 'churned') return facts.status;
  const lost = facts.deals.filter(
    (deal) => deal.kind === 'renewal' && deal.stage === 'lost' && deal.closeDate !== null,
  );
  if (lost.length === 0) return 'churned';
  return lost.some((deal) => (deal.closeDate as number) <= at) ? 'churned' : 'active';
}

function contactAt(contact: WarningFacts['contacts'][number], at: number): WarningContact | null {
  if (contact.createdAt !== null && contact.createdAt > at) return null;
  const departedBy = contact.departedOn !== null && contact.departedOn <= at;
  return {
    id: contact.id ?? null,
    name: contact.name ?? null,
    role: contact.role,
    // A departure the CRM gives no date for counts always, as the health engine counts it.
    gone: contact.departedOn !== null ? departedBy : contact.departed,
    departedOn: departedBy ? contact.departedOn : null,
    lastEngagedAt: contact.lastEngagedAt !== null && contact.lastEngagedAt <= at ? contact.lastEngagedAt : null,
  };
}

/** The plans as known at `at`: started by then, with milestones reached after it not yet reached. */
function plansAt(plans: readonly WarningPlan[], at: number): WarningPlan[] {
  return plans
    .filter((plan) => plan.startedAt <= at)
    .map((plan) => ({
      ...plan,
      milestones: plan.milestones.map((milestone) => ({
        ...milestone,
        reachedAt: milestone.reachedAt !== null && milestone.reachedAt <= at ? milestone.reachedAt : null,
      })),
      objectives: plan.objectives.map((objective) => ({ ...objective })),
    }));
}

/** One account's `WarningInput` at `at` (epoch ms), looking back `lookbackDays` for dated facts. */
export function warningInputFrom(source: WarningInputSource, at: number, lookbackDays: number): WarningInput {
  const { facts } = source;
  const since = dayStart(at) - lookbackDays * DAY_MS;
  const known = (t: number) => t <= at && t > since;

  const effective = effectiveHealth(
    { score: source.health.score, band: source.health.band },
    source.override,
    at,
    source.bands,
  );
  const override =
    effective.override?.active === true
      ? {
          band: effective.override.band,
          expiresAt: Date.parse(effective.override.expiresAt),
          author: effective.override.author,
        }
      : null;

  const tickets: WarningTicket[] = [];
  for (const ticket of facts.tickets) {
    if (ticket.createdAt > at) continue;
    const closedAt = ticket.closedAt !== null && ticket.closedAt <= at ? ticket.closedAt : null;
    // Old tickets matter only while still open (a stale one is exactly that).
    if (ticket.createdAt <= since && closedAt !== null) continue;
    tickets.push({
      id: ticket.id ?? String(ticket.createdAt),
      createdAt: ticket.createdAt,
      closedAt,
      priority: ticket.priority,
    });
  }

  // Days as `YYYY-MM-DD` text compare in calendar order: (since, at] by day without parsing each one.
  const firstDay = new Date(since + DAY_MS).toISOString().slice(0, 10);
  const lastDay = new Date(at).toISOString().slice(0, 10);
  return {
    at,
    account: {
      id: source.account.id,
      name: source.account.name ?? source.account.id,
      segment: facts.segment,
      status: statusAt(facts, at),
    },
    health: { score: effective.effective.score, band: effective.effective.band, trend: source.health.trend },
    history: source.history
      .filter((point) => point.day >= firstDay && point.day <= lastDay)
      .sort((a, b) => (a.day < b.day ? -1 : a.day > b.day ? 1 : 0)),
    usage: facts.usage
      .filter((day) => known(dayEnd(day.day)))
      .map((day) => ({ day: day.day, activeUsers: day.activeUsers, licences: day.licences ?? facts.licences })),
    tickets,
    contacts: facts.contacts.flatMap((contact) => contactAt(contact, at) ?? []),
    engagedLater: facts.contacts.some((contact) => contact.lastEngagedAt !== null && contact.lastEngagedAt > at),
    nps: facts.surveys
      .filter((survey) => survey.kind === 'nps' && known(survey.at))
      .map((survey) => ({ score: survey.score, at: survey.at })),
    sentiment: facts.sentiment.filter((entry) => known(entry.at)).map((entry) => ({ ...entry })),
    renewal: renewalAt(facts, at),
    override,
    stage: source.stage && source.stage.enteredAt <= at ? { ...source.stage } : null,
    plans: plansAt(source.plans ?? [], at),
  };
}
