import { describe, expect, it } from 'vitest';
import {
  computeSignals,
  measureSpecs,
  type AccountFacts,
  type ContactFact,
  type DealFact,
} from '../../../../server/core/health/facts.ts';
import { mergeAccountFacts } from '../../../../server/core/health/merge-facts.ts';
import { DEFAULT_MODEL } from '../../../../server/core/health/model.ts';
import { DAY_MS } from '../../../../server/core/health/signals.ts';
import { accountFacts } from './account-facts.ts';

const TODAY = Date.UTC(2026, 5, 30);
const AS_OF = TODAY + DAY_MS - 1;
const day = (n: number) => TODAY - n * DAY_MS;

const account = accountFacts;

const deal = (id: string, connectorId: string | null, partial: Partial<DealFact> = {}): DealFact => ({
  id,
  connectorId,
  kind: 'renewal',
  stage: 'won',
  amount: 10_000,
  closeDate: day(40),
  createdAt: day(90),
  ...partial,
});

const withoutId = ({ id: _id, ...rest }: DealFact): DealFact => rest;

const contact = (email: string | null, partial: Partial<ContactFact> = {}): ContactFact => ({
  email,
  role: null,
  createdAt: day(300),
  departedOn: null,
  departed: false,
  lastEngagedAt: null,
  ...partial,
});

describe('merging the facts of one customer held in two CRMs', () => {
  it.each([
    {
      name: 'a mirrored deal counts once: the copy carrying the connector id goes, the original stays',
      hubspot: [deal('h1', 'o1'), deal('h2', null)],
      salesforce: [deal('o1', null), deal('o2', null)],
      kept: ['h2', 'o1', 'o2'],
    },
    {
      name: 'a connector id naming no deal of the other side is a deal of its own',
      hubspot: [deal('h1', 'o9')],
      salesforce: [deal('o1', null)],
      kept: ['h1', 'o1'],
    },
    {
      name: 'two copies naming each other keep the primary side’s',
      hubspot: [deal('h1', 'o1')],
      salesforce: [deal('o1', 'h1')],
      kept: ['h1'],
    },
    {
      name: 'deals without ids are all kept',
      hubspot: [withoutId(deal('x', null))],
      salesforce: [withoutId(deal('y', null))],
      kept: [undefined, undefined],
    },
  ])('$name', ({ hubspot, salesforce, kept }) => {
    const merged = mergeAccountFacts(account({ deals: hubspot }), account({ deals: salesforce }));
    expect(merged.deals.map((one) => one.id).sort()).toEqual([...kept].sort());
  });

  it('gives the signals the deals once: a mirrored pair moves ARR change as the original alone does', () => {
    const specs = measureSpecs(DEFAULT_MODEL);
    const original = deal('o1', null, { kind: 'expansion', amount: 12_000, closeDate: day(20) });
    // Won before the year's window opens: the baseline the ARR change is measured from.
    const renewal = deal('o2', null, { amount: 50_000, closeDate: day(400) });
    const mirror = { ...original, id: 'h1', connectorId: 'o1' };
    const merged = mergeAccountFacts(
      account({ arr: 50_000, deals: [mirror] }),
      account({ arr: 50_000, deals: [original, renewal] }),
    );
    const once = account({ arr: 50_000, deals: [original, renewal] });
    const twice = account({ arr: 50_000, deals: [mirror, original, renewal] });
    const signals = (facts: AccountFacts) => computeSignals(facts, specs, AS_OF, { featuresOffered: 10 });
    expect(signals(merged)).toEqual(signals(once));
    expect(signals(twice)).not.toEqual(signals(once));
  });

  it.each([
    {
      name: 'one person in both CRMs is one contact: gone if either says so, engaged as late as either says',
      hubspot: [contact('Ann@Acme.io', { role: 'champion', lastEngagedAt: day(3) })],
      salesforce: [contact('ann@acme.io', { departed: true, departedOn: day(10), lastEngagedAt: day(30) })],
      expected: [
        {
          email: 'Ann@Acme.io',
          role: 'champion',
          createdAt: day(300),
          departedOn: day(10),
          departed: true,
          lastEngagedAt: day(3),
        },
      ],
    },
    {
      name: 'contacts without an e-mail are never merged',
      hubspot: [contact(null)],
      salesforce: [contact(null), contact('bo@acme.io')],
      expected: [contact(null), contact(null), contact('bo@acme.io')],
    },
  ])('$name', ({ hubspot, salesforce, expected }) => {
    expect(mergeAccountFacts(account({ contacts: hubspot }), account({ contacts: salesforce })).contacts).toEqual(
      expected,
    );
  });

  it('counts a usage day once (the fuller reading), and a survey answer or note stored for both records once', () => {
    const usage = (n: number, activeUsers: number) => ({
      day: day(n),
      activeUsers,
      licences: null,
      events: activeUsers * 3,
      featureUsers: [],
    });
    const merged = mergeAccountFacts(
      account({
        usage: [usage(2, 5), usage(1, 9)],
        surveys: [{ kind: 'nps', score: 9, at: day(5) }],
        sentiment: [{ sentiment: 'negative', at: day(4) }],
        tickets: [{ createdAt: day(3), closedAt: null, priority: 'high' }],
      }),
      account({
        usage: [usage(3, 4), usage(2, 7)],
        surveys: [
          { kind: 'nps', score: 9, at: day(5) },
          { kind: 'nps', score: 3, at: day(5) },
        ],
        sentiment: [{ sentiment: 'negative', at: day(4) }],
        tickets: [{ createdAt: day(3), closedAt: null, priority: 'high' }],
      }),
    );
    expect(merged.usage.map((one) => [one.day, one.activeUsers])).toEqual([
      [day(3), 4],
      [day(2), 7],
      [day(1), 9],
    ]);
    expect(merged.surveys).toHaveLength(2);
    expect(merged.sentiment).toHaveLength(1);
    // Tickets are each CRM's own: nothing mirrors them.
    expect(merged.tickets).toHaveLength(2);
  });

  it("keeps the primary side's account values, the partner's where the primary has none", () => {
    const merged = mergeAccountFacts(
      account({ externalId: 'h1', arr: null, segment: 'smb', licences: 10, createdAt: day(100) }),
      account({ externalId: 'o1', arr: 80_000, segment: 'enterprise', licences: null, createdAt: day(400) }),
    );
    expect(merged).toMatchObject({ externalId: 'h1', arr: 80_000, segment: 'smb', licences: 10, createdAt: day(400) });
  });
});
