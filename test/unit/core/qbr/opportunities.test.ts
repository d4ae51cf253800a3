import { describe, expect, it } from 'vitest';
import {
  rankOpportunities,
  retentionFeatures,
  shortfallPoints,
  topOpportunities,
} from '../../../../server/core/qbr/opportunities.ts';
import type { QbrInputs } from '../../../../server/core/qbr/inputs.ts';
import { inputs, measure } from './fixture.ts';

const base = inputs();
const withMeasure = (key: string, change: Partial<QbrInputs['health']['measures'][number]>) =>
  base.health.measures.map((item) => (item.key === key ? { ...item, ...change } : item));

describe('shortfallPoints', () => {
  it.each([
    { name: 'weight × shortfall from full marks', item: { subScore: 70, weight: 0.15 }, points: 4.5 },
    { name: 'nothing at full marks', item: { subScore: 100, weight: 0.2 }, points: 0 },
    {
      name: 'a missing measure counts from neutral with its nominal weight',
      item: { subScore: null, weight: 0, nominalWeight: 0.1 },
      points: 5,
    },
  ])('$name', ({ item, points }) => {
    expect(shortfallPoints(measure({ key: 'm', signal: 'usage.active_user_ratio', ...item }), 50)).toBeCloseTo(
      points,
      9,
    );
  });
});

describe('rankOpportunities', () => {
  const cases: { name: string; given: QbrInputs; kinds: string[]; gains: number[]; titles?: RegExp[] }[] = [
    {
      name: 'a healthy quiet account gets its three largest measure gaps',
      given: base,
      kinds: ['measure_gap', 'measure_gap', 'measure_gap'],
      // active users 0.15 × 30; expansion 0.033 × 45 and NPS 0.1 × 15 tie at 1.5 and go by title.
      gains: [4.5, 1.5, 1.5],
      titles: [/active_users/, /expansion/, /nps/],
    },
    {
      name: 'licences nearly all in use make an expansion, ranked by the expansion measure',
      given: inputs({ usage: { reportedLicences: 60 } }),
      kinds: ['measure_gap', 'expansion', 'measure_gap'],
      gains: [4.5, 1.5, 1.5],
      titles: [/active_users/, /^Expansion: 85% of licences in use$/, /nps/],
    },
    {
      name: 'an expansion deal already open is no new expansion',
      given: inputs({ usage: { reportedLicences: 60 }, deals: { openExpansion: true } }),
      kinds: ['measure_gap', 'measure_gap', 'measure_gap'],
      gains: [4.5, 1.5, 1.5],
    },
    {
      name: 'a feature healthy accounts use and this one does not is an adoption gap',
      given: inputs({
        usage: {
          last: { ...base.usage.last, featureShares: { dashboards: 0.6, reporting: 0.1, automation: 0.05 } },
        },
        health: { measures: withMeasure('feature_breadth', { subScore: 40 }) },
      }),
      kinds: ['adoption', 'measure_gap', 'measure_gap'],
      gains: [6, 4.5, 1.5],
      // Largest lift first: automation (+0.2) before reporting (+0.15); dashboards goes with nothing.
      titles: [/^Adoption: automation, reporting$/, /active_users/, /expansion/],
    },
    {
      name: 'no champion and unengaged contacts make one stakeholder opportunity over both measures',
      given: inputs({
        contacts: { champions: 0, notEngaged: 3 },
        health: {
          measures: withMeasure('champion', { raw: false, subScore: 0 }).map((item) =>
            item.key === 'engagement_recency' ? { ...item, raw: 40, subScore: 30 } : item,
          ),
        },
      }),
      kinds: ['stakeholders', 'measure_gap', 'measure_gap'],
      // champion 0.09 × 100 + engagement 0.06 × 70
      gains: [13.2, 4.5, 1.5],
      titles: [/^Stakeholders: no champion is named$/, /active_users/, /expansion/],
    },
    {
      name: 'a renewal within 180 days of a green account is an upsell',
      given: inputs({ deals: { nextRenewal: { closeDate: '2026-11-27', amount: 48_000 } } }),
      kinds: ['measure_gap', 'measure_gap', 'renewal_upsell'],
      // ARR change 0.067 × 14; the fill takes the two largest gaps, expansion before NPS on the tie.
      gains: [4.5, 1.5, 0.9],
      titles: [/active_users/, /expansion/, /^Renewal upsell: renewal on 27 Nov 2026$/],
    },
    {
      name: 'every kind at once: the three with the largest gain',
      given: inputs({
        usage: {
          reportedLicences: 55,
          last: { ...base.usage.last, featureShares: { dashboards: 0.6, reporting: 0.5, automation: 0.05 } },
        },
        contacts: { sponsors: 0 },
        deals: { nextRenewal: { closeDate: '2026-11-27', amount: 48_000 } },
        health: {
          measures: withMeasure('sponsor', { raw: false, subScore: 30 }).map((item) =>
            item.key === 'feature_breadth' ? { ...item, subScore: 20 } : item,
          ),
        },
      }),
      // adoption 0.1 × 80 = 8; sponsor 0.03 × 70 = 2.1; expansion 1.5; renewal upsell 0.067 × 14 ≈ 0.9
      kinds: ['adoption', 'stakeholders', 'expansion'],
      gains: [8, 2.1, 1.5],
    },
  ];

  it.each(cases)('$name', ({ given, kinds, gains, titles }) => {
    const ranked = topOpportunities(given);
    expect(ranked.map((item) => item.kind)).toEqual(kinds);
    ranked.forEach((item, index) => expect(item.expectedGain).toBeCloseTo(gains[index] as number, 1));
    for (const item of ranked) {
      expect(item.title.length).toBeGreaterThan(0);
      expect(item.detail.length).toBeGreaterThan(0);
    }
    titles?.forEach((title, index) => expect(ranked[index]?.title).toMatch(title));
  });

  it('does not turn a red account’s renewal into an upsell', () => {
    const red = inputs({
      deals: { nextRenewal: { closeDate: '2026-11-27', amount: 48_000 } },
      health: { now: { ...base.health.now!, band: 'red', effectiveBand: 'red', score: 30 } },
    });
    expect(rankOpportunities(red).map((item) => item.kind)).not.toContain('renewal_upsell');
  });

  it('leaves the list empty when nothing applies and there is no score to improve', () => {
    expect(rankOpportunities(inputs({ health: { measures: [] } }))).toEqual([]);
  });

  it('still lists the opportunities of an account not yet scored, with no gain to claim', () => {
    const unscored = inputs({
      health: { now: null, measures: [] },
      contacts: { champions: 0 },
      usage: { reportedLicences: 55 },
    });
    const ranked = rankOpportunities(unscored);
    expect(ranked.map((item) => item.kind)).toEqual(['expansion', 'stakeholders']);
    expect(ranked.every((item) => item.expectedGain === 0 && item.measures.length === 0)).toBe(true);
  });

  it('is no adoption gap when the account uses a feature nearly as much as healthy accounts', () => {
    const close = inputs({
      usage: { last: { ...base.usage.last, featureShares: { dashboards: 0.6, reporting: 0.48, automation: 0.19 } } },
      health: { measures: withMeasure('feature_breadth', { subScore: 40 }) },
    });
    const adoption = rankOpportunities(close).find((item) => item.kind === 'adoption');
    // automation: 19% is under the 20% adoption line and 16 points under healthy accounts' 35%; reporting is adopted.
    expect(adoption?.title).toBe('Adoption: automation');
    const nearly = inputs({
      usage: {
        last: { ...base.usage.last, featureShares: { dashboards: 0.6, reporting: 0.5, automation: 0.19 } },
        peers: [{ feature: 'automation', healthyAccounts: 10, healthyShare: 0.22, otherAccounts: 10, otherShare: 0.1 }],
      },
    });
    expect(rankOpportunities(nearly).map((item) => item.kind)).not.toContain('adoption');
  });

  it('never names the same measure twice', () => {
    const ranked = rankOpportunities(inputs({ usage: { reportedLicences: 60 } }));
    const measures = ranked.flatMap((item) => item.measures);
    expect(new Set(measures).size).toBe(measures.length);
  });
});

describe('retentionFeatures', () => {
  const peer = (feature: string, healthyShare: number | null, otherShare: number | null, otherAccounts = 5) => ({
    feature,
    healthyAccounts: 5,
    healthyShare,
    otherAccounts,
    otherShare,
  });
  it.each([
    {
      name: 'features healthy accounts use more, largest lift first',
      peers: [peer('a', 0.5, 0.49), peer('b', 0.4, 0.1), peer('c', 0.3, 0.2)],
      features: ['b', 'c'],
    },
    { name: 'none when healthy accounts use nothing more', peers: [peer('a', 0.3, 0.4)], features: [] },
    {
      name: 'what healthy accounts have adopted when no other account can be compared',
      peers: [peer('a', 0.5, null, 0), peer('b', 0.1, null, 0), peer('c', 0.3, null, 0)],
      features: ['a', 'c'],
    },
  ])('$name', ({ peers, features }) => {
    expect(retentionFeatures(peers).map((item) => item.feature)).toEqual(features);
  });
});
