import { accountCardSchema, type AccountCard } from '../../../server/contracts/cards.ts';

/** An onboarding plan: one objective behind, one achieved, one without a reading; its next milestone overdue. */
export const PLAN: NonNullable<AccountCard['plan']> = {
  id: '6f1c0e2a-1111-4222-8333-444455556666',
  name: 'Mid-market onboarding',
  stage: 'onboarding',
  objectives: [
    {
      key: 'active_users',
      title: 'Half of licences in active use',
      status: 'behind',
      statusLabel: 'Behind',
      valueText: '31%',
      targetText: '≥ 50%',
      dueOn: '2027-01-20',
      progress: 0.424,
    },
    {
      key: 'features_live',
      title: 'Two features in everyday use',
      status: 'achieved',
      statusLabel: 'Achieved',
      valueText: '2.4 features',
      targetText: '≥ 2.0 features',
      dueOn: '2027-01-20',
      progress: 1,
    },
    {
      key: 'sponsor_nps',
      title: 'Executive sponsor rates us 8 or more',
      status: 'no_data',
      statusLabel: 'No data yet',
      valueText: null,
      targetText: '≥ 8 out of 10',
      dueOn: '2027-02-19',
      progress: null,
    },
  ],
  nextMilestone: { title: 'Onboarding review with the champion', dueOn: '2026-12-03', overdue: true },
  milestonesReached: 2,
  milestonesTotal: 3,
};

/** A scored account card as the card API answers it; tests change the parts they are about. */
export function scoredCard(changes: Partial<AccountCard> = {}): AccountCard {
  const card: AccountCard = {
    account: { id: '9001', name: 'Acme Logistics', crm: 'hubspot', segment: 'mid-market', arr: 48_000 },
    status: 'scored',
    health: {
      score: 72.4,
      band: 'green',
      source: 'computed',
      computed: { score: 72.4, band: 'green' },
      coverage: 0.875,
      modelVersion: 3,
    },
    trend: { direction: 'declining', text: 'Down 6 points over 4 weeks' },
    history: [
      { day: '2026-11-30', score: 78.26 },
      { day: '2026-12-01', score: 75 },
      { day: '2026-12-02', score: 72.4 },
    ],
    groups: [
      { key: 'engagement', label: 'Engagement', score: 55, weight: 0.25 },
      { key: 'usage', label: 'Product usage', score: 81, weight: 0.4 },
      { key: 'support', label: 'Support', score: 34.6, weight: 0.35 },
    ],
    drivers: [
      { measure: 'nps', group: 'engagement', impact: 3, text: 'NPS of 9 is above neutral' },
      { measure: 'open_tickets', group: 'support', impact: -8.24, text: '7 open tickets, 3 high priority' },
      { measure: 'seat_use', group: 'usage', impact: 5.5, text: '92% of seats active' },
    ],
    measures: [
      {
        key: 'open_tickets',
        label: 'Open tickets',
        group: 'support',
        value: '7 open',
        subScore: 20,
        weight: 0.2,
        contribution: 4,
        missing: null,
      },
      {
        key: 'nps',
        label: 'NPS',
        group: 'engagement',
        value: null,
        subScore: null,
        weight: 0,
        contribution: 0,
        missing: 'No survey answered in the window',
      },
      {
        key: 'seat_use',
        label: 'Seat use',
        group: 'usage',
        value: '92%',
        subScore: 85.6,
        weight: 0.4,
        contribution: 34.24,
        missing: null,
      },
    ],
    moved: { delta: -2.6, text: 'Down 2.6 since yesterday: open tickets rose' },
    alerts: [
      {
        id: 'a1',
        severity: 'info',
        title: 'Champion changed role',
        detail: null,
        openedAt: '2026-12-01T08:00:00Z',
        nextStep: null,
        nextSteps: [],
      },
      {
        id: 'a2',
        severity: 'critical',
        title: 'Usage fell 40% in two weeks',
        detail: 'Active users over the last 14 days are 60% of the 56 days before',
        openedAt: '2026-12-03T08:00:00Z',
        nextStep: 'Book a call with the admin',
        nextSteps: [
          { text: 'Book a call with the admin', dueOn: '2026-12-06', done: false },
          { text: 'Send the adoption guide', dueOn: '2026-12-10', done: false },
        ],
      },
    ],
    qbr: { latest: null },
    renewal: { date: '2027-03-31', daysAway: 116, probability: 0.82, revenueAtRisk: 12_400 },
    freshness: {
      lastSyncedAt: '2026-12-05T09:50:00Z',
      lastScoredAt: '2026-12-05T07:00:00Z',
      stale: false,
      staleReason: null,
    },
    override: null,
    stage: { stage: 'onboarding', label: 'Onboarding', reason: 'Onboarding: day 40 of 90', daysInStage: 11 },
    plan: PLAN,
    ...changes,
  };
  // The fixture must be what the API could really answer.
  return accountCardSchema.parse(card);
}

export const NOW = new Date('2026-12-05T10:00:00Z');
