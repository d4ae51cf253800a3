import { describe, expect, it } from 'vitest';
import {
  buildCardView,
  formatAgo,
  formatDay,
  formatInstantDay,
  formatMoney,
  formatPoints,
  formatScore,
  formatShare,
  lifecycleLine,
  overrideBanner,
  PALETTE,
  planBlock,
  renewalLine,
  type FormatOptions,
} from '@bellwether/card-view';
import type { AccountCard } from '../../../server/contracts/cards.ts';
import { NOW, PLAN, scoredCard } from './card-fixture.ts';

const GB: FormatOptions = { locale: 'en-GB', timeZone: 'UTC', currency: 'USD', now: NOW };

describe('formatting', () => {
  it.each([
    [-8.24, '\u22128.2 pts'],
    [3, '+3.0 pts'],
    [0, '0.0 pts'],
    // Rounded first: a tiny effect reads as none, never as "+0.0" or "−0.0".
    [0.04, '0.0 pts'],
    [-0.04, '0.0 pts'],
    [-12.96, '\u221213.0 pts'],
    [1234.5, '+1,234.5 pts'],
  ])('points %s → %s', (points, text) => expect(formatPoints(points, GB)).toBe(text));

  it.each([
    [72.4, '72'],
    [72.5, '73'],
    [0, '0'],
    [null, '—'],
  ])('score %s → %s', (score, text) => expect(formatScore(score, GB)).toBe(text));

  it.each([
    [0.82, '82%'],
    [0.875, '88%'],
    [1, '100%'],
    [0, '0%'],
  ])('share %s → %s', (share, text) => expect(formatShare(share, GB)).toBe(text));

  it.each([
    [12_400, 'USD', 'en-GB', '$12,400'],
    [12_400.6, 'USD', 'en-GB', '$12,401'],
    [-500, 'USD', 'en-GB', '\u2212$500'],
    [12_400, 'EUR', 'en-GB', '€12,400'],
    [12_400, 'EUR', 'de-DE', '12.400\u00a0€'],
  ])('money %s %s in %s → %s', (amount, currency, locale, text) =>
    expect(formatMoney(amount, { locale, currency })).toBe(text),
  );

  it.each([
    ['2027-03-31', 'en-GB', '31 Mar 2027'],
    ['2027-03-31', 'en-US', 'Mar 31, 2027'],
    ['2027-01-01', 'en-GB', '1 Jan 2027'],
  ])('day %s in %s → %s (never shifted by a time zone)', (day, locale, text) =>
    expect(formatDay(day, { locale })).toBe(text),
  );

  it.each([
    ['2027-01-12T12:00:00Z', 'UTC', '12 Jan 2027'],
    ['2026-12-24T12:00:00Z', 'UTC', '24 Dec'],
    // Late on the 24th in UTC is already the 25th in Auckland.
    ['2026-12-24T23:30:00Z', 'Pacific/Auckland', '25 Dec'],
    ['2026-12-31T23:30:00Z', 'America/New_York', '31 Dec'],
  ])('instant %s in %s → %s', (iso, timeZone, text) => expect(formatInstantDay(iso, { ...GB, timeZone })).toBe(text));

  it.each([
    ['2026-12-05T09:59:30Z', 'just now'],
    ['2026-12-05T09:50:00Z', '10 minutes ago'],
    ['2026-12-05T07:00:00Z', '3 hours ago'],
    ['2026-12-04T09:00:00Z', 'yesterday'],
    ['2026-12-01T10:00:00Z', '4 days ago'],
  ])('%s relative to the fixed now → %s', (iso, text) => expect(formatAgo(iso, GB)).toBe(text));
});

describe('renewal line', () => {
  it.each<[AccountCard['renewal'], string | null]>([
    [
      { date: '2027-03-31', daysAway: 116, probability: 0.82, revenueAtRisk: 12_400 },
      'Renews 31 Mar 2027 · 82% likely · $12,400 at risk',
    ],
    [
      { date: '2027-03-31', daysAway: 116, probability: null, revenueAtRisk: 12_400 },
      'Renews 31 Mar 2027 · $12,400 at risk',
    ],
    [{ date: '2027-03-31', daysAway: 116, probability: 0.97, revenueAtRisk: 0 }, 'Renews 31 Mar 2027 · 97% likely'],
    [{ date: '2027-03-31', daysAway: 116, probability: null, revenueAtRisk: null }, 'Renews 31 Mar 2027'],
    [{ date: null, daysAway: null, probability: 0.5, revenueAtRisk: 100 }, null],
  ])('%j → %s', (renewal, line) => expect(renewalLine(renewal, GB)).toBe(line));
});

describe('override banner', () => {
  const override = (changes: Partial<NonNullable<AccountCard['override']>>): AccountCard['override'] => ({
    score: null,
    band: 'green',
    reason: 'exec sponsor confirmed renewal',
    author: 'csm@example.com',
    setAt: '2026-12-01T10:00:00Z',
    expiresAt: '2027-01-12T10:00:00Z',
    active: true,
    ...changes,
  });

  it.each<[AccountCard['override'], ReturnType<typeof overrideBanner>]>([
    [null, null],
    [
      override({}),
      {
        banner: 'CSM override: Green until 12 Jan 2027 — exec sponsor confirmed renewal',
        active: true,
        tone: 'success',
      },
    ],
    [
      override({ band: 'red', score: 25, expiresAt: '2026-12-20T10:00:00Z', reason: 'legal dispute' }),
      { banner: 'CSM override: Red (25) until 20 Dec — legal dispute', active: true, tone: 'danger' },
    ],
    [
      override({ band: 'yellow', active: false, expiresAt: '2026-12-02T10:00:00Z' }),
      {
        banner: 'Expired CSM override: Yellow ended 2 Dec — exec sponsor confirmed renewal',
        active: false,
        tone: 'neutral',
      },
    ],
  ])('%j', (input, expected) => expect(overrideBanner(input, GB)).toEqual(expected));
});

describe('buildCardView', () => {
  const view = buildCardView(scoredCard(), GB);

  it('orders drivers by absolute impact and signs their points', () => {
    expect(view.drivers.map((driver) => [driver.label, driver.groupLabel, driver.impactText, driver.tone])).toEqual([
      ['Open tickets', 'Support', '\u22128.2 pts', 'danger'],
      ['Seat use', 'Product usage', '+5.5 pts', 'success'],
      ['NPS', 'Engagement', '+3.0 pts', 'success'],
    ]);
  });

  it('orders groups by weight, with their tone from their own score', () => {
    expect(view.groups.map((group) => [group.label, group.scoreText, group.weightText, group.tone])).toEqual([
      ['Product usage', '81', '40%', 'success'],
      ['Support', '35', '35%', 'danger'],
      ['Engagement', '55', '25%', 'warning'],
    ]);
  });

  it('writes measure rows, naming why a value is missing', () => {
    expect(view.measures).toEqual([
      {
        key: 'seat_use',
        label: 'Seat use',
        groupLabel: 'Product usage',
        valueText: '92%',
        subScoreText: '86',
        weightText: '40%',
        contributionText: '+34.2 pts',
      },
      {
        key: 'open_tickets',
        label: 'Open tickets',
        groupLabel: 'Support',
        valueText: '7 open',
        subScoreText: '20',
        weightText: '20%',
        contributionText: '+4.0 pts',
      },
      {
        key: 'nps',
        label: 'NPS',
        groupLabel: 'Engagement',
        valueText: 'No survey answered in the window',
        subScoreText: '—',
        weightText: '0%',
        contributionText: '0.0 pts',
      },
    ]);
  });

  it('keeps history oldest first with chart labels', () => {
    expect(view.history).toEqual([
      { day: '2026-11-30', label: '30 Nov', score: 78.3 },
      { day: '2026-12-01', label: '1 Dec', score: 75 },
      { day: '2026-12-02', label: '2 Dec', score: 72.4 },
    ]);
  });

  it('puts critical alerts first', () => {
    expect(view.alerts.map((alert) => [alert.id, alert.tone])).toEqual([
      ['a2', 'danger'],
      ['a1', 'info'],
    ]);
  });

  it('says when it was scored and synced, and warns only when stale', () => {
    expect(view.freshness).toEqual({ banner: null, updated: 'Scored 3 hours ago · synced 10 minutes ago' });
    const stale = buildCardView(
      scoredCard({
        freshness: {
          lastSyncedAt: '2026-12-02T10:00:00Z',
          lastScoredAt: null,
          stale: true,
          staleReason: 'the last sync finished 3 days ago',
        },
      }),
      GB,
    );
    expect(stale.freshness).toEqual({
      banner: 'This card may be out of date: the last sync finished 3 days ago.',
      updated: 'Not scored yet · synced 3 days ago',
    });
  });

  it.each([
    ['red', 22, 'Red', 'danger', '#ba0517', 'error'],
    ['yellow', 55, 'Yellow', 'warning', '#8c4b02', 'warning'],
    ['green', 88, 'Green', 'success', '#2e844a', 'success'],
  ] as const)('band %s: headline, tone and both CRMs’ colour tokens', (band, score, label, tone, hex, tag) => {
    const card = scoredCard({
      health: { score, band, source: 'computed', computed: { score, band }, coverage: 1, modelVersion: 3 },
    });
    const headline = buildCardView(card, GB).headline;
    expect(headline).toEqual({
      scoreText: String(score),
      score,
      bandLabel: label,
      tone,
      sourceLabel: 'Computed',
      coverageText: '100% of signals have data',
    });
    expect(PALETTE[tone].foreground).toBe(hex);
    expect(PALETTE[tone].hubspotTag).toBe(tag);
  });

  it('shows the override as the source while it applies', () => {
    const card = scoredCard({
      health: {
        score: 30,
        band: 'red',
        source: 'override',
        computed: { score: 72.4, band: 'green' },
        coverage: 0.9,
        modelVersion: 3,
      },
    });
    expect(buildCardView(card, GB).headline).toMatchObject({
      scoreText: '30',
      bandLabel: 'Red',
      sourceLabel: 'Override',
    });
  });

  it.each([
    [
      'not scored',
      scoredCard({
        status: 'not_scored',
        health: null,
        trend: null,
        history: [],
        groups: [],
        drivers: [],
        measures: [],
      }),
      {
        title: 'Not scored yet',
        body: 'Bellwether scores this account after its next sync. Use "Rescore now" to score it sooner.',
      },
      null,
    ],
    [
      'insufficient data',
      scoredCard({
        status: 'insufficient_data',
        health: {
          score: null,
          band: null,
          source: 'computed',
          computed: { score: null, band: null },
          coverage: 0.3,
          modelVersion: 3,
        },
      }),
      { title: 'Not enough data to score', body: "Only 30% of the health model's signals have data for this account." },
      null,
    ],
    ['scored', scoredCard(), null, 'Green'],
  ])('%s: empty state and headline', (_name, card, empty, bandLabel) => {
    const built = buildCardView(card, GB);
    expect(built.empty).toEqual(empty);
    expect(built.headline?.bandLabel ?? null).toBe(bandLabel);
  });

  it('draws trend words with an arrow', () => {
    expect(view.trend).toEqual({ arrow: '↓', label: 'Declining', text: 'Down 6 points over 4 weeks', tone: 'danger' });
    expect(view.moved).toBe('Down 2.6 since yesterday: open tickets rose');
    expect(view.renewal).toBe('Renews 31 Mar 2027 · 82% likely · $12,400 at risk');
  });
});

describe('lifecycle line', () => {
  it.each<[NonNullable<AccountCard['stage']>['stage'], string, number, string, string]>([
    ['onboarding', 'Onboarding', 0, 'Onboarding · day 1', 'info'],
    ['adoption', 'Adoption', 11, 'Adoption · day 12', 'info'],
    ['value', 'Value', 200, 'Value · day 201', 'success'],
    ['renewal', 'Renewal', 3, 'Renewal · day 4', 'warning'],
    ['at_risk', 'At risk', 1, 'At risk · day 2', 'danger'],
    ['churned', 'Churned', 30, 'Churned · day 31', 'neutral'],
  ])('%s on whole day %s of its stay', (stage, label, daysInStage, text, tone) => {
    expect(lifecycleLine({ stage, label, reason: 'why', daysInStage })).toEqual({
      text,
      stageLabel: label,
      reason: 'why',
      tone,
    });
  });

  it('is absent before a stage is derived', () => expect(lifecycleLine(null)).toBeNull());
});

describe('success plan block', () => {
  it('writes each objective with its progress, status tone, reading, target and due day', () => {
    expect(planBlock(PLAN, GB)).toEqual({
      name: 'Mid-market onboarding',
      objectives: [
        {
          key: 'active_users',
          title: 'Half of licences in active use',
          statusLabel: 'Behind',
          tone: 'warning',
          percent: 42,
          percentText: '42%',
          detail: '31% · target ≥ 50% · due 20 Jan 2027',
        },
        {
          key: 'features_live',
          title: 'Two features in everyday use',
          statusLabel: 'Achieved',
          tone: 'success',
          percent: 100,
          percentText: '100%',
          detail: '2.4 features · target ≥ 2.0 features · due 20 Jan 2027',
        },
        {
          key: 'sponsor_nps',
          title: 'Executive sponsor rates us 8 or more',
          statusLabel: 'No data yet',
          tone: 'neutral',
          percent: null,
          percentText: null,
          detail: 'No reading yet · target ≥ 8 out of 10 · due 19 Feb 2027',
        },
      ],
      nextMilestone: {
        title: 'Onboarding review with the champion',
        dueText: 'Overdue since 3 Dec 2026',
        overdue: true,
        tone: 'warning',
      },
      milestonesText: '2 of 3 milestones reached',
    });
  });

  it.each([
    ['on_track', 'success'],
    ['achieved', 'success'],
    ['behind', 'warning'],
    ['missed', 'danger'],
    ['no_data', 'neutral'],
  ] as const)('gives status %s the %s tone', (status, tone) => {
    const objectives = [{ ...PLAN.objectives[0]!, status }];
    expect(planBlock({ ...PLAN, objectives }, GB)?.objectives[0]?.tone).toBe(tone);
  });

  type Next = NonNullable<AccountCard['plan']>['nextMilestone'];
  type NextView = NonNullable<ReturnType<typeof planBlock>>['nextMilestone'];
  it.each<[Next, NextView]>([
    [
      { title: 'Kickoff', dueOn: '2026-12-12', overdue: false },
      { title: 'Kickoff', dueText: 'Due 12 Dec 2026', overdue: false, tone: 'neutral' },
    ],
    [
      { title: 'Kickoff', dueOn: '2026-12-01', overdue: true },
      { title: 'Kickoff', dueText: 'Overdue since 1 Dec 2026', overdue: true, tone: 'warning' },
    ],
    [null, null],
  ])('writes the next milestone %j', (next, expected) => {
    expect(planBlock({ ...PLAN, nextMilestone: next }, GB)?.nextMilestone).toEqual(expected);
  });

  it.each([
    [0, 3, '0 of 3 milestones reached'],
    [1, 1, '1 of 1 milestone reached'],
    [0, 0, null],
  ])('%s of %s milestones → %s', (reached, total, text) => {
    expect(planBlock({ ...PLAN, milestonesReached: reached, milestonesTotal: total }, GB)?.milestonesText).toBe(text);
  });

  it('is absent without a plan, and the card view carries both parts', () => {
    expect(planBlock(null, GB)).toBeNull();
    const view = buildCardView(scoredCard(), GB);
    expect(view.lifecycle?.text).toBe('Onboarding · day 12');
    expect(view.plan).toEqual(planBlock(PLAN, GB));
    const bare = buildCardView(scoredCard({ stage: null, plan: null }), GB);
    expect([bare.lifecycle, bare.plan]).toEqual([null, null]);
  });
});
