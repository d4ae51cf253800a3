import { describe, expect, it } from 'vitest';
import { briefRisks } from '../../../../server/core/qbr/risks.ts';
import { briefWins } from '../../../../server/core/qbr/wins.ts';
import { inputs } from './fixture.ts';

const base = inputs();

describe('briefRisks', () => {
  it.each([
    {
      name: 'none for a healthy account with nothing open',
      given: base,
      titles: [] as string[],
      severities: [] as string[],
    },
    {
      name: 'open warnings, most severe first as the store gives them',
      given: inputs({
        warnings: [
          {
            rule: 'usage_drop',
            severity: 'high',
            title: 'Usage fell 40% in 4 weeks',
            openedAt: '2026-09-01T00:00:00.000Z',
          },
          { rule: 'nps_drop', severity: 'low', title: 'NPS fell', openedAt: '2026-09-02T00:00:00.000Z' },
        ],
      }),
      titles: ['Usage fell 40% in 4 weeks', 'NPS fell'],
      severities: ['high', 'low'],
    },
    {
      name: 'measures scoring under 40, high under 20',
      given: inputs({
        health: {
          measures: base.health.measures.map((item) =>
            item.key === 'active_users'
              ? { ...item, raw: 0.12, subScore: 5 }
              : item.key === 'nps'
                ? { ...item, raw: 5, subScore: 31 }
                : item,
          ),
        },
      }),
      titles: ['active_users: 12% of licences', 'nps: 5 out of 10'],
      severities: ['high', 'medium'],
    },
    {
      name: 'a yes/no measure reads as its sentence',
      given: inputs({
        health: {
          measures: base.health.measures.map((item) =>
            item.key === 'champion' ? { ...item, raw: false, subScore: 0 } : item,
          ),
        },
      }),
      titles: ['No champion in place'],
      severities: ['high'],
    },
    {
      name: 'a renewal within 120 days while yellow',
      given: inputs({
        deals: { nextRenewal: { closeDate: '2026-12-01', amount: null } },
        health: { now: { ...base.health.now!, band: 'yellow', effectiveBand: 'yellow', score: 55 } },
      }),
      titles: ['Renewal on 1 Dec 2026 with health yellow'],
      severities: ['medium'],
    },
    {
      name: 'no renewal risk while green',
      given: inputs({ deals: { nextRenewal: { closeDate: '2026-12-01', amount: null } } }),
      titles: [],
      severities: [],
    },
    {
      name: 'no renewal risk when the renewal is further out',
      given: inputs({
        account: { renewalDate: '2027-03-01' },
        health: { now: { ...base.health.now!, band: 'red', effectiveBand: 'red', score: 20 } },
      }),
      titles: [],
      severities: [],
    },
  ])('$name', ({ given, titles, severities }) => {
    const risks = briefRisks(given);
    expect(risks.map((risk) => risk.title)).toEqual(titles);
    expect(risks.map((risk) => risk.severity)).toEqual(severities);
  });
});

describe('briefWins', () => {
  it.each([
    { name: 'none in a flat quarter with a backlog that grew', given: base, titles: [] as string[] },
    {
      name: 'health, usage, adoption, NPS, support and deals',
      given: inputs({
        health: { atStart: { day: '2026-07-01', score: 60, band: 'yellow' } },
        usage: {
          first: { ...base.usage.first, avgActiveUsers: 40, featureShares: { dashboards: 0.6, reporting: 0.5 } },
        },
        nps: { before: { ...base.nps.before, responses: 4, promoters: 0, detractors: 2 } },
        tickets: { opened: 3, closed: 5 },
        deals: { wonExpansions: { count: 1, amount: 12_000 }, wonRenewals: 1 },
      }),
      titles: [
        'Health up +18.4 points',
        'Daily active users +27.5%',
        '1 feature newly adopted',
        'NPS up from −50 to 25',
        'Support backlog kept down',
        'Expansion won: 12,000',
        'Renewal won',
      ],
    },
    {
      name: 'a rise under the thresholds is no win',
      given: inputs({
        health: { atStart: { day: '2026-07-01', score: 75, band: 'green' } },
        usage: { first: { ...base.usage.first, avgActiveUsers: 47 } },
      }),
      titles: [],
    },
  ])('$name', ({ given, titles }) => {
    expect(briefWins(given).map((win) => win.title)).toEqual(titles);
  });
});
