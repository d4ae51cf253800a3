import type { BriefMeasure, QbrInputs } from '../../../../server/core/qbr/inputs.ts';

/** A measure of the default model's shape; weights are shares of the score (0–1). */
export function measure(overrides: Partial<BriefMeasure> & Pick<BriefMeasure, 'key' | 'signal'>): BriefMeasure {
  return {
    group: 'usage',
    label: overrides.key,
    direction: 'higher_is_better',
    raw: 0.5,
    subScore: 50,
    weight: 0.1,
    nominalWeight: 0.1,
    target: null,
    ...overrides,
  };
}

/**
 * A healthy, quiet account over 1 Jul–28 Sep 2026 (90 days): green, usage flat, every stakeholder in
 * place and engaged, licences half used, renewal far away, no warning. Tests change one thing at a time.
 */
export function inputs(
  overrides: { [K in keyof QbrInputs]?: QbrInputs[K] extends unknown[] ? QbrInputs[K] : Partial<QbrInputs[K]> } = {},
): QbrInputs {
  const base: QbrInputs = {
    account: {
      externalId: 'acc-1',
      name: 'Acme GmbH',
      segment: 'mid_market',
      arr: 48_000,
      licences: 100,
      renewalDate: '2027-06-30',
    },
    period: { start: '2026-07-01', end: '2026-09-28' },
    health: {
      now: {
        day: '2026-09-28',
        scoredAt: '2026-09-28T06:00:00.000Z',
        status: 'scored',
        score: 78.4,
        band: 'green',
        effectiveBand: 'green',
        trend: 'stable',
        trendText: 'Stable (+0.2 points a week over 4 weeks)',
      },
      atStart: { day: '2026-07-01', score: 76, band: 'green' },
      measures: [
        measure({ key: 'active_users', signal: 'usage.active_user_ratio', raw: 0.5, subScore: 70, weight: 0.15 }),
        measure({ key: 'feature_breadth', signal: 'usage.feature_breadth', raw: 0.8, subScore: 95, weight: 0.1 }),
        measure({ key: 'champion', signal: 'relationship.champion_present', raw: true, subScore: 100, weight: 0.09 }),
        measure({ key: 'sponsor', signal: 'relationship.sponsor_present', raw: true, subScore: 100, weight: 0.03 }),
        measure({
          key: 'engagement_recency',
          signal: 'engagement.days_since_last',
          raw: 3,
          subScore: 100,
          weight: 0.06,
        }),
        measure({ key: 'arr_change', signal: 'commercial.arr_change_pct', raw: 5, subScore: 86, weight: 0.067 }),
        measure({ key: 'expansion', signal: 'commercial.open_expansion', raw: false, subScore: 55, weight: 0.033 }),
        measure({ key: 'nps', signal: 'voice.nps', raw: 8.5, subScore: 85, weight: 0.1 }),
      ],
      neutral: 50,
      renewal: { probability: 0.96, revenueAtRisk: 1_920 },
    },
    usage: {
      period: { start: '2026-07-01', end: '2026-09-28' },
      daysReported: 90,
      events: 120_000,
      peakActiveUsers: 61,
      reportedLicences: 100,
      first: {
        period: { start: '2026-07-01', end: '2026-07-30' },
        daysReported: 30,
        avgActiveUsers: 50,
        featureShares: { dashboards: 0.6, reporting: 0.5, automation: 0.3 },
      },
      last: {
        period: { start: '2026-08-30', end: '2026-09-28' },
        daysReported: 30,
        avgActiveUsers: 51,
        featureShares: { dashboards: 0.6, reporting: 0.5, automation: 0.3 },
      },
      featuresOffered: ['automation', 'dashboards', 'reporting'],
      peers: [
        { feature: 'automation', healthyAccounts: 10, healthyShare: 0.35, otherAccounts: 10, otherShare: 0.15 },
        { feature: 'dashboards', healthyAccounts: 10, healthyShare: 0.6, otherAccounts: 10, otherShare: 0.58 },
        { feature: 'reporting', healthyAccounts: 10, healthyShare: 0.5, otherAccounts: 10, otherShare: 0.35 },
      ],
    },
    tickets: {
      period: { start: '2026-07-01', end: '2026-09-28' },
      opened: 4,
      closed: 3,
      openAtEnd: 1,
      openHighPriorityAtEnd: 0,
    },
    nps: {
      period: { period: { start: '2026-07-01', end: '2026-09-28' }, responses: 4, promoters: 2, detractors: 1 },
      before: { period: { start: '2026-04-02', end: '2026-06-30' }, responses: 2, promoters: 1, detractors: 0 },
    },
    contacts: {
      total: 6,
      champions: 1,
      sponsors: 1,
      notEngaged: 0,
      engagementWindow: { start: '2026-08-30', end: '2026-09-28' },
    },
    deals: { nextRenewal: null, openExpansion: false, wonExpansions: { count: 0, amount: 0 }, wonRenewals: 0 },
    warnings: [],
    plans: { lastQbrDay: null, active: [], facts: null, context: { featuresOffered: 3 } },
  };
  const merged = { ...base } as Record<string, unknown>;
  for (const [part, value] of Object.entries(overrides)) {
    merged[part] = Array.isArray(value) ? value : { ...(base as unknown as Record<string, object>)[part], ...value };
  }
  return merged as unknown as QbrInputs;
}
