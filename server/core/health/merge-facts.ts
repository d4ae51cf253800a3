import type { AccountFacts, ContactFact, DealFact, UsageDayFact } from './facts.ts';

/**
 * One customer's facts when it is held in two CRMs (a HubSpot company linked to a Salesforce
 * Account): the union of both, each real-world record counted once.
 * - Deals: a connector mirrors a deal into the other CRM with the original's id on the copy; the
 *   copy (the deal whose `connectorId` names a deal of the other side) is dropped, the original kept
 *   (two copies that name each other keep the primary's).
 * - Contacts: one person in both CRMs is one contact (same e-mail): gone if either CRM says so (the
 *   earliest departure), engaged as recently as either says, created as early as either says.
 * - Usage: the product sends the same day to either record; a day in both counts once (the reading
 *   with more active users), never summed.
 * - Surveys and CSM notes: an answer stored for both records (same kind, score and instant) once.
 * - Tickets: each CRM's own (connectors do not mirror them), all kept.
 * - The account's own values (segment, status, ARR, licences, renewal date) are the primary side's,
 *   or the partner's where the primary has none.
 */
export function mergeAccountFacts(primary: AccountFacts, partner: AccountFacts): AccountFacts {
  return {
    externalId: primary.externalId,
    segment: primary.segment ?? partner.segment,
    status: primary.status ?? partner.status,
    arr: primary.arr ?? partner.arr,
    licences: primary.licences ?? partner.licences,
    renewalDate: primary.renewalDate ?? partner.renewalDate,
    createdAt: earliest(primary.createdAt, partner.createdAt),
    usage: mergeUsage(primary.usage, partner.usage),
    tickets: [...primary.tickets, ...partner.tickets],
    contacts: mergeContacts(primary.contacts, partner.contacts),
    deals: mergeDeals(primary.deals, partner.deals),
    surveys: distinct([...primary.surveys, ...partner.surveys], (s) => `${s.kind}|${s.score}|${s.at}`),
    sentiment: distinct([...primary.sentiment, ...partner.sentiment], (s) => `${s.sentiment}|${s.at}`),
  };
}

function earliest(a: number | null, b: number | null): number | null {
  if (a === null) return b;
  if (b === null) return a;
  return Math.min(a, b);
}

function latest(a: number | null, b: number | null): number | null {
  if (a === null) return b;
  if (b === null) return a;
  return Math.max(a, b);
}

function distinct<T>(items: readonly T[], key: (item: T) => string): T[] {
  const seen = new Set<string>();
  return items.filter((item) => {
    const k = key(item);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

function mergeUsage(a: readonly UsageDayFact[], b: readonly UsageDayFact[]): UsageDayFact[] {
  const byDay = new Map<number, UsageDayFact>();
  for (const day of [...a, ...b]) {
    const held = byDay.get(day.day);
    if (!held || day.activeUsers > held.activeUsers) byDay.set(day.day, day);
  }
  return [...byDay.values()].sort((x, y) => x.day - y.day);
}

function mergeContacts(a: readonly ContactFact[], b: readonly ContactFact[]): ContactFact[] {
  const merged: ContactFact[] = [];
  const byEmail = new Map<string, number>();
  for (const contact of [...a, ...b]) {
    const email = contact.email?.trim().toLowerCase() || null;
    const at = email === null ? undefined : byEmail.get(email);
    if (at === undefined) {
      if (email !== null) byEmail.set(email, merged.length);
      merged.push(contact);
      continue;
    }
    const held = merged[at]!;
    merged[at] = {
      email: held.email ?? contact.email ?? null,
      role: held.role ?? contact.role,
      createdAt: earliest(held.createdAt, contact.createdAt),
      departedOn: earliest(held.departedOn, contact.departedOn),
      departed: held.departed || contact.departed,
      lastEngagedAt: latest(held.lastEngagedAt, contact.lastEngagedAt),
    };
  }
  return merged;
}

function mergeDeals(primary: readonly DealFact[], partner: readonly DealFact[]): DealFact[] {
  const byId = (deals: readonly DealFact[]) =>
    new Map(deals.flatMap((deal) => (deal.id ? [[deal.id, deal] as const] : [])));
  const primaryById = byId(primary);
  const partnerById = byId(partner);
  // A mirror names a deal of the other side; the original stays. Two copies naming each other keep the primary's.
  const partnerKept = partner.filter(
    (deal) => !(typeof deal.connectorId === 'string' && primaryById.has(deal.connectorId)),
  );
  const primaryKept = primary.filter((deal) => {
    if (typeof deal.connectorId !== 'string') return true;
    const original = partnerById.get(deal.connectorId);
    return original === undefined || original.connectorId === deal.id;
  });
  return [...primaryKept, ...partnerKept];
}
