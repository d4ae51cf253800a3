import type { AccountFacts } from './facts.ts';
import type { SignalName } from './signals.ts';

/**
 * Which CRM each signal of a customer held in two CRMs came from, so the card can say "tickets from
 * HubSpot, opportunities from Salesforce" and a signal that only one CRM supplied can be marked
 * missing, rather than silently dropped, once that CRM is disconnected. A side supplies a signal when
 * it holds the kind of record the signal reads (ingested usage, surveys and notes count for the side
 * whose account record they were sent to).
 */

export const CRM_SIDES = ['hubspot', 'salesforce'] as const;
export type CrmSide = (typeof CRM_SIDES)[number];

export const CRM_SIDE_LABELS: Readonly<Record<CrmSide, string>> = { hubspot: 'HubSpot', salesforce: 'Salesforce' };

type FactKind = 'usage' | 'tickets' | 'contacts' | 'deals' | 'renewal' | 'nps' | 'csat' | 'ces' | 'sentiment';

const FACT_OF_SIGNAL: Readonly<Record<SignalName, FactKind>> = {
  'usage.active_user_ratio': 'usage',
  'usage.events_per_licence': 'usage',
  'usage.feature_breadth': 'usage',
  'support.open_tickets': 'tickets',
  'support.high_priority_open': 'tickets',
  'support.oldest_open_days': 'tickets',
  'support.tickets_per_100_licences': 'tickets',
  'engagement.days_since_last': 'contacts',
  'relationship.champion_present': 'contacts',
  'relationship.sponsor_present': 'contacts',
  'relationship.departed_champion': 'contacts',
  'commercial.days_to_renewal': 'renewal',
  'commercial.arr_change_pct': 'deals',
  'commercial.open_expansion': 'deals',
  'voice.nps': 'nps',
  'voice.csat': 'csat',
  'voice.ces': 'ces',
  'voice.detractor_share': 'nps',
  'sentiment.csm': 'sentiment',
};

function holds(facts: AccountFacts, kind: FactKind, asOf: number): boolean {
  switch (kind) {
    case 'usage':
      return facts.usage.some((day) => day.day <= asOf);
    case 'tickets':
      return facts.tickets.some((ticket) => ticket.createdAt <= asOf);
    case 'contacts':
      return facts.contacts.length > 0;
    case 'deals':
      return facts.deals.length > 0;
    case 'renewal':
      return facts.renewalDate !== null || facts.deals.some((deal) => deal.kind === 'renewal');
    case 'nps':
    case 'csat':
    case 'ces':
      return facts.surveys.some((survey) => survey.kind === kind && survey.at <= asOf);
    case 'sentiment':
      return facts.sentiment.some((reading) => reading.at <= asOf);
  }
}

/** For each signal, the sides (in CRM_SIDES order) whose records it reads; an empty list when none holds any. */
export function signalSources(
  sides: readonly { side: CrmSide; facts: AccountFacts }[],
  signals: readonly SignalName[],
  asOf: number,
): Partial<Record<SignalName, CrmSide[]>> {
  const ordered = [...sides].sort((a, b) => CRM_SIDES.indexOf(a.side) - CRM_SIDES.indexOf(b.side));
  const sources: Partial<Record<SignalName, CrmSide[]>> = {};
  for (const signal of signals) {
    const kind = FACT_OF_SIGNAL[signal];
    sources[signal] = ordered.filter((entry) => holds(entry.facts, kind, asOf)).map((entry) => entry.side);
  }
  return sources;
}

/**
 * The signals that only a side no longer connected supplied at the last scoring: they are shown as
 * missing with the reason, not dropped from the explanation as if they had never existed.
 */
export function signalsLostWith(
  before: Partial<Record<SignalName, readonly CrmSide[]>>,
  now: Partial<Record<SignalName, readonly CrmSide[]>>,
  gone: CrmSide,
): { signal: SignalName; reason: string }[] {
  const lost: { signal: SignalName; reason: string }[] = [];
  for (const [signal, sides] of Object.entries(before) as [SignalName, readonly CrmSide[]][]) {
    if (!sides.includes(gone)) continue;
    if ((now[signal] ?? []).length > 0) continue;
    lost.push({ signal, reason: `${CRM_SIDE_LABELS[gone]} is disconnected` });
  }
  return lost;
}
