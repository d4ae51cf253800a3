import { describe, expect, it } from 'vitest';
import { accountCardSchema, type AccountCard } from '../../../../server/contracts/cards.ts';
import {
  buildCardView,
  type CardExplanation,
  type CardPlan,
  type CardRows,
} from '../../../../server/core/health/card-view.ts';
import { metricBareText } from '../../../../server/core/plans/metric-text.ts';
import { OBJECTIVE_STATUSES, type Metric } from '../../../../server/core/plans/plan-model.ts';
import { LIFECYCLE_STAGES, STAGE_LABELS } from '../../../../server/core/plans/stages.ts';

const NOW = Date.parse('2026-06-15T12:00:00Z');
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const ago = (ms: number) => new Date(NOW - ms);

const explanation: CardExplanation = {
  score: {
    coverage: 0.8,
    groups: [
      { key: 'usage', label: 'Product usage', score: 80, weight: 0.6, nominalWeight: 0.5, coverage: 1 },
      { key: 'support', label: 'Support', score: null, weight: 0, nominalWeight: 0.2, coverage: 0 },
    ],
    measures: [
      {
        key: 'active_users',
        group: 'usage',
        signal: 'usage.active_user_ratio',
        label: 'Active users',
        method: 'linear',
        direction: 'higher_is_better',
        raw: 0.734,
        subScore: 80,
        weight: 0.6,
        nominalWeight: 0.5,
        contribution: 48,
        target: null,
        missing: null,
      },
      {
        key: 'tickets',
        group: 'support',
        signal: 'support.open_tickets',
        label: 'Open tickets',
        method: 'thresholds',
        direction: 'lower_is_better',
        raw: null,
        subScore: null,
        weight: 0,
        nominalWeight: 0.2,
        contribution: 0,
        target: null,
        missing: 'no_data',
      },
    ],
  },
  drivers: [{ measure: 'active_users', group: 'usage', impact: 18, text: 'Active users: 73% (+18 points)' }],
  moved: { delta: 4, text: 'Up 4 points since the last score' },
  trend: { direction: 'improving', text: 'Improving for 3 weeks' },
  renewal: { probability: 0.82, revenueAtRisk: 9000 },
};

function rows(extra: Partial<CardRows> = {}): CardRows {
  return {
    crm: 'hubspot',
    account: { externalId: '1001', name: 'Acme', segment: 'mid', arr: 50_000, renewalDate: '2026-07-15' },
    health: {
      scoredAt: ago(2 * HOUR),
      modelVersion: 3,
      status: 'scored',
      score: 72,
      band: 'green',
      explanation,
    },
    history: [],
    override: null,
    lastSyncedAt: ago(10 * 60_000),
    warnings: [],
    brief: null,
    stage: null,
    plan: null,
    ...extra,
  };
}

const override = (
  setAgo: number,
  expiresIn: number,
  values: { score: number | null; band: 'red' | 'yellow' | 'green' | null },
) => ({
  ...values,
  reason: 'champion left',
  author: 'hubspot:user:7',
  setAt: ago(setAgo),
  expiresAt: new Date(NOW + expiresIn),
});

describe('buildCardView', () => {
  it.each([
    ['a scored green account', rows(), 'scored', { score: 72, band: 'green', source: 'computed' }],
    [
      'a scored red account',
      rows({ health: { ...rows().health!, score: 22, band: 'red' } }),
      'scored',
      { score: 22, band: 'red', source: 'computed' },
    ],
    [
      'a yellow account',
      rows({ health: { ...rows().health!, score: 55, band: 'yellow' } }),
      'scored',
      { score: 55, band: 'yellow', source: 'computed' },
    ],
    [
      'an account with too little data',
      rows({ health: { ...rows().health!, status: 'insufficient_data', score: null, band: null } }),
      'insufficient_data',
      { score: null, band: null, source: 'computed' },
    ],
    [
      'an active band override',
      rows({ override: override(DAY, DAY, { score: null, band: 'red' }) }),
      'scored',
      { score: null, band: 'red', source: 'override' },
    ],
    [
      'an active score override (band from the score)',
      rows({ override: override(DAY, DAY, { score: 45, band: null }) }),
      'scored',
      { score: 45, band: 'yellow', source: 'override' },
    ],
    [
      'an expired override',
      rows({ override: override(3 * DAY, -DAY, { score: null, band: 'red' }) }),
      'scored',
      { score: 72, band: 'green', source: 'computed' },
    ],
  ] as const)('%s', (_name, input, status, health) => {
    const card = buildCardView(input, NOW);
    expect(accountCardSchema.parse(card)).toEqual(card);
    expect(card.status).toBe(status);
    expect(card.health).toMatchObject({
      ...health,
      computed: { score: input.health!.score, band: input.health!.band },
    });
  });

  it('answers a card with no score before the first run', () => {
    const card = buildCardView(rows({ health: null }), NOW);
    expect(accountCardSchema.parse(card)).toEqual(card);
    expect(card).toMatchObject({
      status: 'not_scored',
      health: null,
      trend: null,
      groups: [],
      drivers: [],
      measures: [],
      moved: null,
      renewal: { date: '2026-07-15', daysAway: 30, probability: null, revenueAtRisk: null },
      freshness: { lastScoredAt: null, stale: true, staleReason: 'The account has not been scored yet.' },
    });
  });

  it.each([
    ['fresh sync and score', 10 * 60_000, 2 * HOUR, null],
    ['a sync just under an hour old', HOUR - 1, 2 * HOUR, null],
    ['a sync over an hour old', 3 * HOUR, 2 * HOUR, 'The last CRM sync finished 3 hours ago.'],
    ['a score over 26 hours old', 10 * 60_000, 27 * HOUR, 'The score was computed 27 hours ago.'],
    ['both old', 5 * DAY, 4 * DAY, 'The last CRM sync finished 5 days ago; the score was computed 4 days ago.'],
    ['no sync ever', null, 2 * HOUR, 'The CRM has not been synced yet.'],
  ] as const)('freshness with %s', (_name, syncedAgo, scoredAgo, reason) => {
    const card = buildCardView(
      rows({
        lastSyncedAt: syncedAgo === null ? null : ago(syncedAgo),
        health: { ...rows().health!, scoredAt: ago(scoredAgo) },
      }),
      NOW,
    );
    expect(card.freshness).toEqual({
      lastSyncedAt: syncedAgo === null ? null : ago(syncedAgo).toISOString(),
      lastScoredAt: ago(scoredAgo).toISOString(),
      stale: reason !== null,
      staleReason: reason,
    });
  });

  it('keeps 12 weeks of scored days, oldest first, and leaves unscored days out', () => {
    const day = (offset: number) => new Date(NOW - offset * DAY).toISOString().slice(0, 10);
    const card = buildCardView(
      rows({
        history: [
          { day: day(0), score: 72 },
          { day: day(84), score: 10 },
          { day: day(83), score: 60 },
          { day: day(5), score: null },
          { day: day(1), score: 70 },
        ],
      }),
      NOW,
    );
    expect(card.history).toEqual([
      { day: day(83), score: 60 },
      { day: day(1), score: 70 },
      { day: day(0), score: 72 },
    ]);
  });

  it('puts measures in words and keeps the explanation parts', () => {
    const card = buildCardView(rows(), NOW);
    expect(card.measures.map((m) => [m.key, m.value, m.missing])).toEqual([
      ['active_users', expect.any(String), null],
      ['tickets', null, 'no data in the window'],
    ]);
    expect(card.measures[0]?.value).toContain('73');
    expect(card.groups).toEqual([
      { key: 'usage', label: 'Product usage', score: 80, weight: 0.6 },
      { key: 'support', label: 'Support', score: null, weight: 0 },
    ]);
    expect(card.drivers).toEqual(explanation.drivers);
    expect(card.trend).toEqual({ direction: 'improving', text: 'Improving for 3 weeks' });
    expect(card.moved).toEqual({ delta: 4, text: 'Up 4 points since the last score' });
    expect(card.renewal).toEqual({ date: '2026-07-15', daysAway: 30, probability: 0.82, revenueAtRisk: 9000 });
    expect(card.account).toEqual({ id: '1001', name: 'Acme', crm: 'hubspot', segment: 'mid', arr: 50_000 });
    expect(card.alerts).toEqual([]);
  });

  it.each([
    ['active', DAY, DAY, true],
    ['not yet started', -HOUR, DAY, false],
    ['expired', 3 * DAY, -DAY, false],
  ] as const)('shows an override that is %s with active=%s', (_name, setAgo, expiresIn, active) => {
    const card = buildCardView(rows({ override: override(setAgo, expiresIn, { score: 30, band: null }) }), NOW);
    expect(card.override).toEqual({
      score: 30,
      band: 'red',
      reason: 'champion left',
      author: 'hubspot:user:7',
      setAt: ago(setAgo).toISOString(),
      expiresAt: new Date(NOW + expiresIn).toISOString(),
      active,
    });
    expect(card.health?.source).toBe(active ? 'override' : 'computed');
  });
});

const activeUsers: Metric = { kind: 'signal', signal: 'usage.active_user_ratio', windowDays: 28, aggregation: 'mean' };
const at = (offset: number) => new Date(NOW + offset);

type Objective = CardPlan['objectives'][number];
type Milestone = CardPlan['milestones'][number];
const objective = (changes: Partial<Objective> = {}): Objective => ({
  key: 'active_users',
  title: 'Half of licences in active use',
  metric: activeUsers,
  comparator: 'gte',
  target: 0.5,
  dueAt: at(30 * DAY),
  status: 'behind',
  value: 0.312,
  progress: 0.42,
  ...changes,
});
const milestone = (key: string, dueIn: number, reachedAt: Date | null = null): Milestone => ({
  key,
  title: `Milestone ${key}`,
  dueAt: at(dueIn),
  reachedAt,
});
const plan = (changes: Partial<CardPlan> = {}): CardPlan => ({
  id: '6f1c0e2a-1111-4222-8333-444455556666',
  name: 'Mid-market onboarding',
  stage: 'onboarding',
  objectives: [objective()],
  milestones: [milestone('kickoff', -20 * DAY, at(-21 * DAY)), milestone('review', 10 * DAY)],
  ...changes,
});
/** The card of an account with this plan, checked against the contract the cards parse. */
const cardWith = (changes: Partial<CardRows>): AccountCard => {
  const card = buildCardView(rows(changes), NOW);
  expect(accountCardSchema.parse(card)).toEqual(card);
  return card;
};

describe('buildCardView: lifecycle stage', () => {
  it('has no stage before the first score run derives one', () => {
    expect(cardWith({}).stage).toBeNull();
  });

  it.each(LIFECYCLE_STAGES.map((stage) => [stage, STAGE_LABELS[stage]]))('%s reads as "%s"', (stage, label) => {
    const card = cardWith({ stage: { stage, reason: 'why', enteredAt: at(-DAY) } });
    expect(card.stage).toEqual({ stage, label, reason: 'why', daysInStage: 1 });
  });

  it.each([
    ['entered now', 0, 0],
    ['entered a millisecond short of a day ago', DAY - 1, 0],
    ['entered a day ago', DAY, 1],
    ['entered 40½ days ago', 40.5 * DAY, 40],
    // A stay recorded a moment ahead of this clock is on its first day, never a negative one.
    ['entered a minute ahead', -60_000, 0],
  ])('counts whole days in the stage: %s → %s', (_name, agoMs, days) => {
    const card = cardWith({
      stage: { stage: 'onboarding', reason: 'Onboarding: day 12 of 90', enteredAt: at(-agoMs) },
    });
    expect(card.stage).toEqual({
      stage: 'onboarding',
      label: 'Onboarding',
      reason: 'Onboarding: day 12 of 90',
      daysInStage: days,
    });
  });
});

describe('buildCardView: success plan', () => {
  it('has no plan section without an active plan', () => {
    expect(cardWith({}).plan).toBeNull();
  });

  it('shows the plan with its objectives in order, in words and numbers', () => {
    const card = cardWith({
      plan: plan({
        objectives: [
          objective(),
          objective({
            key: 'features_live',
            title: 'Two features in everyday use',
            metric: { kind: 'features_live', windowDays: 28 },
            target: 2,
            dueAt: new Date('2026-08-14T09:30:00Z'),
            status: 'achieved',
            value: 2.3,
            progress: 1,
          }),
          objective({
            key: 'sponsor_nps',
            title: 'Executive sponsor rates us 8 or more',
            metric: { kind: 'nps_from_role', role: 'executive_sponsor', windowDays: 180 },
            target: 8,
            status: 'no_data',
            value: null,
            progress: null,
          }),
        ],
      }),
    });
    expect(card.plan).toEqual({
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
          dueOn: '2026-07-15',
          progress: 0.42,
        },
        {
          key: 'features_live',
          title: 'Two features in everyday use',
          status: 'achieved',
          statusLabel: 'Achieved',
          valueText: '2.3 features',
          targetText: '≥ 2.0 features',
          dueOn: '2026-08-14',
          progress: 1,
        },
        {
          key: 'sponsor_nps',
          title: 'Executive sponsor rates us 8 or more',
          status: 'no_data',
          statusLabel: 'No data yet',
          valueText: null,
          targetText: '≥ 8 out of 10',
          dueOn: '2026-07-15',
          progress: null,
        },
      ],
      nextMilestone: { title: 'Milestone review', dueOn: '2026-06-25', overdue: false },
      milestonesReached: 1,
      milestonesTotal: 2,
    });
  });

  it.each([
    ['on_track', 'On track'],
    ['behind', 'Behind'],
    ['achieved', 'Achieved'],
    ['missed', 'Missed'],
    ['no_data', 'No data yet'],
  ] as const)('labels status %s as "%s"', (status, label) => {
    const card = cardWith({ plan: plan({ objectives: [objective({ status })] }) });
    expect(card.plan?.objectives[0]).toMatchObject({ status, statusLabel: label });
  });

  it('labels every objective status there is', () => {
    const labels = OBJECTIVE_STATUSES.map(
      (status) => cardWith({ plan: plan({ objectives: [objective({ status })] }) }).plan?.objectives[0]?.statusLabel,
    );
    expect(new Set(labels).size).toBe(OBJECTIVE_STATUSES.length);
  });

  it.each<[string, Metric, 'gte' | 'lte', number, number, string, string]>([
    ['active users', activeUsers, 'gte', 0.6, 0.804, '80%', '≥ 60%'],
    [
      'high-priority tickets',
      { kind: 'signal', signal: 'support.high_priority_open', windowDays: 1, aggregation: 'latest' },
      'lte',
      0,
      2,
      '2',
      '≤ 0',
    ],
    [
      'days since engagement',
      { kind: 'signal', signal: 'engagement.days_since_last', windowDays: 30, aggregation: 'latest' },
      'lte',
      14,
      20.4,
      '20 days',
      '≤ 14 days',
    ],
    [
      'NPS signal',
      { kind: 'signal', signal: 'voice.nps', windowDays: 90, aggregation: 'mean' },
      'gte',
      8,
      8.14,
      '8.1 out of 10',
      '≥ 8 out of 10',
    ],
    [
      'a flag',
      { kind: 'signal', signal: 'relationship.sponsor_present', windowDays: 30, aggregation: 'latest' },
      'gte',
      1,
      0,
      'no',
      'yes',
    ],
    ['features live', { kind: 'features_live', windowDays: 28 }, 'gte', 3, 2.95, '3.0 features', '≥ 3.0 features'],
    [
      'the sponsor’s NPS',
      { kind: 'nps_from_role', role: 'executive_sponsor', windowDays: 180 },
      'gte',
      8,
      9,
      '9 out of 10',
      '≥ 8 out of 10',
    ],
  ])('writes %s in its unit', (_name, metric, comparator, target, value, valueText, targetText) => {
    const card = cardWith({ plan: plan({ objectives: [objective({ metric, comparator, target, value })] }) });
    expect(card.plan?.objectives[0]).toMatchObject({ valueText, targetText });
    expect(metricBareText(metric, value)).toBe(valueText);
  });

  it.each([
    ['a kind this release does not know', { kind: 'report_opens', windowDays: 7 }],
    ['a signal since renamed', { kind: 'signal', signal: 'usage.seats', windowDays: 28, aggregation: 'mean' }],
    ['nothing', null],
  ])('shows the bare numbers of a stored metric that does not parse: %s', (_name, metric) => {
    const card = cardWith({ plan: plan({ objectives: [objective({ metric, target: 1, value: 0.4567 })] }) });
    expect(card.plan?.objectives[0]).toMatchObject({ valueText: '0.46', targetText: '≥ 1' });
  });

  it('picks the unreached milestone due first as the next one, whatever the plan order', () => {
    const card = cardWith({
      plan: plan({
        milestones: [
          milestone('late', 20 * DAY),
          milestone('reached_early', -30 * DAY, at(-29 * DAY)),
          milestone('soon', 3 * DAY),
          milestone('reached_late', 40 * DAY, at(-DAY)),
          milestone('later', 9 * DAY),
        ],
      }),
    });
    expect(card.plan).toMatchObject({
      nextMilestone: { title: 'Milestone soon', dueOn: '2026-06-18', overdue: false },
      milestonesReached: 2,
      milestonesTotal: 5,
    });
  });

  it('keeps the plan order between milestones due at the same instant', () => {
    const card = cardWith({ plan: plan({ milestones: [milestone('second', DAY), milestone('first', DAY)] }) });
    expect(card.plan?.nextMilestone?.title).toBe('Milestone second');
  });

  it.each([
    ['due a day ahead', DAY, false],
    ['due now', 0, false],
    ['due a millisecond ago', -1, true],
    ['due a week ago', -7 * DAY, true],
  ])('flags the next milestone overdue only once its due instant has passed: %s', (_name, dueIn, overdue) => {
    const card = cardWith({ plan: plan({ milestones: [milestone('only', dueIn)] }) });
    expect(card.plan?.nextMilestone).toEqual({
      title: 'Milestone only',
      dueOn: at(dueIn).toISOString().slice(0, 10),
      overdue,
    });
  });

  it('has no next milestone once every one is reached, or when there are none', () => {
    const reached = cardWith({
      plan: plan({ milestones: [milestone('a', -DAY, at(-2 * DAY)), milestone('b', DAY, at(-HOUR))] }),
    });
    expect(reached.plan).toMatchObject({ nextMilestone: null, milestonesReached: 2, milestonesTotal: 2 });
    const none = cardWith({ plan: plan({ milestones: [] }) });
    expect(none.plan).toMatchObject({ nextMilestone: null, milestonesReached: 0, milestonesTotal: 0 });
  });
});

describe('card contract: stage and plan', () => {
  const card = () =>
    cardWith({ stage: { stage: 'renewal', reason: 'Renewal in 42 days', enteredAt: at(-DAY) }, plan: plan() });

  it('parses a card with a stage and a plan, and one without', () => {
    expect(accountCardSchema.parse(card())).toMatchObject({
      stage: { label: 'Renewal' },
      plan: { milestonesTotal: 2 },
    });
    expect(accountCardSchema.parse(cardWith({}))).toMatchObject({ stage: null, plan: null });
  });

  it.each<[string, (card: AccountCard) => unknown, string]>([
    [
      'progress above 1',
      (c) => ({ ...c, plan: { ...c.plan, objectives: [{ ...c.plan!.objectives[0], progress: 1.2 }] } }),
      'plan.objectives.0.progress',
    ],
    [
      'an unknown status',
      (c) => ({ ...c, plan: { ...c.plan, objectives: [{ ...c.plan!.objectives[0], status: 'late' }] } }),
      'plan.objectives.0.status',
    ],
    [
      'a due date that is not a day',
      (c) => ({
        ...c,
        plan: { ...c.plan, nextMilestone: { title: 'x', dueOn: '2026-06-15T00:00:00Z', overdue: false } },
      }),
      'plan.nextMilestone.dueOn',
    ],
    ['a negative day count', (c) => ({ ...c, stage: { ...c.stage, daysInStage: -1 } }), 'stage.daysInStage'],
    ['an unknown stage', (c) => ({ ...c, stage: { ...c.stage, stage: 'trial' } }), 'stage.stage'],
    ['a field the contract does not know', (c) => ({ ...c, plan: { ...c.plan, owner: 'x' } }), 'plan'],
    ['a missing plan', ({ plan: _plan, ...rest }) => rest, 'plan'],
  ])('refuses %s, naming the path', (_name, change, path) => {
    const result = accountCardSchema.safeParse(change(card()));
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((issue) => issue.path.join('.'))).toContain(path);
  });
});
