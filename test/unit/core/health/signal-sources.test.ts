import { describe, expect, it } from 'vitest';
import { signalSources, signalsLostWith, type CrmSide } from '../../../../server/core/health/signal-sources.ts';
import type { SignalName } from '../../../../server/core/health/signals.ts';
import { accountFacts } from './account-facts.ts';

const AS_OF = Date.UTC(2026, 5, 1);
const DAY = 86_400_000;

/** The usual split: tickets and people in HubSpot, opportunities and the renewal in Salesforce, usage sent to HubSpot. */
const hubspot = accountFacts({
  usage: [{ day: AS_OF - 2 * DAY, activeUsers: 10, licences: 20, events: 50, featureUsers: [] }],
  tickets: [{ createdAt: AS_OF - 5 * DAY, closedAt: null, priority: 'high' }],
  contacts: [{ role: 'champion', createdAt: null, departedOn: null, departed: false, lastEngagedAt: AS_OF - DAY }],
  surveys: [{ kind: 'nps', score: 9, at: AS_OF - 3 * DAY }],
});
const salesforce = accountFacts({
  renewalDate: AS_OF + 90 * DAY,
  deals: [{ kind: 'renewal', stage: 'open', amount: 1000, closeDate: AS_OF + 90 * DAY, createdAt: AS_OF - 30 * DAY }],
  contacts: [{ role: 'executive_sponsor', createdAt: null, departedOn: null, departed: false, lastEngagedAt: null }],
  surveys: [{ kind: 'csat', score: 4, at: AS_OF + DAY }],
});
const both = [
  { side: 'salesforce' as const, facts: salesforce },
  { side: 'hubspot' as const, facts: hubspot },
];

describe('signalSources', () => {
  it.each<[SignalName, CrmSide[]]>([
    ['usage.active_user_ratio', ['hubspot']],
    ['support.open_tickets', ['hubspot']],
    ['relationship.champion_present', ['hubspot', 'salesforce']],
    ['engagement.days_since_last', ['hubspot', 'salesforce']],
    ['commercial.days_to_renewal', ['salesforce']],
    ['commercial.arr_change_pct', ['salesforce']],
    ['voice.nps', ['hubspot']],
    ['voice.detractor_share', ['hubspot']],
    // The only CSAT answer is dated after the instant: nobody supplied it yet.
    ['voice.csat', []],
    ['sentiment.csm', []],
  ])('%s comes from %j', (signal, expected) => {
    expect(signalSources(both, [signal], AS_OF)[signal]).toEqual(expected);
  });

  it('names only the sides given', () => {
    expect(signalSources([{ side: 'hubspot', facts: hubspot }], ['commercial.arr_change_pct'], AS_OF)).toEqual({
      'commercial.arr_change_pct': [],
    });
  });
});

describe('signalsLostWith', () => {
  const before = signalSources(
    both,
    ['commercial.arr_change_pct', 'relationship.champion_present', 'support.open_tickets'],
    AS_OF,
  );
  const after = signalSources(
    [{ side: 'hubspot', facts: hubspot }],
    ['commercial.arr_change_pct', 'relationship.champion_present', 'support.open_tickets'],
    AS_OF,
  );

  it('marks what only the disconnected CRM supplied, keeps what the other still supplies', () => {
    expect(signalsLostWith(before, after, 'salesforce')).toEqual([
      { signal: 'commercial.arr_change_pct', reason: 'Salesforce is disconnected' },
    ]);
    expect(signalsLostWith(before, after, 'hubspot')).toEqual([]);
  });
});
