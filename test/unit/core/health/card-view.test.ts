import { describe, expect, it } from 'vitest';
import { accountCardSchema } from '../../../../server/contracts/cards.ts';
import { buildCardView, type CardExplanation, type CardRows } from '../../../../server/core/health/card-view.ts';

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
