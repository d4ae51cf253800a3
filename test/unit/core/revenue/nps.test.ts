import { describe, expect, it } from 'vitest';
import {
  latestPerContactPerWave,
  npsReport,
  npsSummary,
  type NpsResponse,
} from '../../../../server/core/revenue/nps.ts';
import { NPS_THEMES, themesOf } from '../../../../server/core/revenue/nps-themes.ts';
import { at } from './fixtures.ts';

const answer = (
  contactId: string | null,
  accountId: string,
  score: number,
  day: string,
  verbatim: string | null,
  extra: Partial<NpsResponse> = {},
): NpsResponse => ({
  accountId,
  contactId,
  segment: 'mid_market',
  touch: 'low_touch',
  csm: 'csm-1',
  score,
  verbatim,
  respondedAt: at(day),
  ...extra,
});

const answers: NpsResponse[] = [
  answer('c1', 'a1', 3, '2026-01-10', 'Support is slow to respond'),
  answer('c1', 'a1', 9, '2026-02-20', 'Great support team'),
  answer('c2', 'a1', 10, '2026-01-15', 'Love the dashboards and reporting'),
  answer('c3', 'a2', 7, '2026-02-01', null, { segment: 'enterprise', csm: 'csm-2' }),
  answer('c4', 'a2', 0, '2026-04-02', 'Too expensive for what we get, and the Salesforce sync breaks', {
    segment: 'enterprise',
    csm: 'csm-2',
  }),
  answer(null, 'a3', 6, '2026-04-10', 'Onboarding took forever', { segment: null, csm: null }),
  answer(null, 'a3', 6, '2026-04-11', 'Onboarding was confusing', { segment: null, csm: null }),
];
const window = { from: at('2026-01-01'), to: at('2026-06-30') };

describe('npsSummary', () => {
  it.each([
    // scores, promoters, passives, detractors, NPS
    [[10, 9, 8, 7, 6, 0], 2, 2, 2, 0], // (2 − 2)/6 = 0
    [[10, 10, 10, 6], 3, 0, 1, 50], // (3 − 1)/4 = 50
    [[9, 7, 7], 1, 2, 0, 33.3], // (1 − 0)/3 = 33.3
    [[0, 1, 2], 0, 0, 3, -100],
  ])('%j → %d promoters, %d passives, %d detractors, NPS %d', (scores, promoters, passives, detractors, score) => {
    const summary = npsSummary(scores.map((value, index) => answer(`c${index}`, 'a', value, '2026-01-01', null)));
    expect(summary).toMatchObject({ promoters, passives, detractors, score, responses: scores.length });
  });

  it('has no score without answers', () => {
    expect(npsSummary([])).toMatchObject({ responses: 0, score: null, promoterShare: 0 });
  });
});

describe('latest answer per contact per wave', () => {
  it('keeps the latest of a contact within a quarter, every answer without a contact, and separate accounts apart', () => {
    const counted = latestPerContactPerWave(
      [...answers, answer('c1', 'other-account', 5, '2026-01-11', null)],
      'quarter',
    );
    // c1 answered twice in Q1: only the 9 of 20 Feb counts; c1 of another account is another person.
    expect(counted.filter((response) => response.contactId === 'c1').map((response) => response.score)).toEqual([5, 9]);
    expect(counted).toHaveLength(7);
  });

  it('counts both when the waves are months', () => {
    expect(latestPerContactPerWave(answers, 'month')).toHaveLength(7);
  });
});

describe('npsReport', () => {
  const report = npsReport(answers, { ...window, settings: { wave: 'quarter' } });

  it('scores the counted answers', () => {
    // Counted: 9, 10, 7, 0, 6, 6 → 2 promoters, 1 passive, 3 detractors: (2 − 3)/6 = −16.7.
    expect(report.overall).toMatchObject({ responses: 6, promoters: 2, passives: 1, detractors: 3, score: -16.7 });
    expect(report.overall.detractorShare).toBe(0.5);
    expect(report).toMatchObject({ answersRead: 7, duplicatesDropped: 1 });
  });

  it('monthly waves count the repeat answer: 2 promoters, 4 detractors of 7 → −28.6', () => {
    expect(npsReport(answers, { ...window, settings: { wave: 'month' } }).overall.score).toBe(-28.6);
  });

  it('trends by quarter and month', () => {
    // Q1: 9, 10, 7 → (2 − 0)/3 = 66.7; Q2: 0, 6, 6 → −100.
    expect(report.byQuarter.map((row) => [row.period, row.score])).toEqual([
      ['2026-Q1', 66.7],
      ['2026-Q2', -100],
    ]);
    expect(report.byMonth.map((row) => [row.period, row.responses])).toEqual([
      ['2026-01', 1],
      ['2026-02', 2],
      ['2026-04', 3],
    ]);
  });

  it('groups by segment and CSM, unknowns last', () => {
    // mid_market: 9, 10 → 100; enterprise: 7, 0 → −50; no segment: 6, 6 → −100.
    expect(report.bySegment.map((row) => [row.key, row.score])).toEqual([
      ['enterprise', -50],
      ['mid_market', 100],
      [null, -100],
    ]);
    expect(report.byCsm.map((row) => row.key)).toEqual(['csm-1', 'csm-2', null]);
  });

  it('finds themes and quotes them', () => {
    const theme = (key: string) => report.themes.find((entry) => entry.theme === key)!;
    // Two onboarding answers, both 6: NPS −100; detractors who wrote something: c4, and the two → 2/3.
    expect(theme('onboarding')).toMatchObject({
      mentions: 2,
      detractorMentions: 2,
      detractorShare: 1,
      shareOfDetractorComments: 0.6667,
      nps: -100,
      examples: ['Onboarding was confusing', 'Onboarding took forever'],
    });
    // The slow-support answer was replaced by c1's later one, so support is only praise.
    expect(theme('support')).toMatchObject({ mentions: 1, promoterMentions: 1, nps: 100, promoterShare: 1 });
    expect(theme('pricing').mentions).toBe(1);
    expect(theme('integrations').mentions).toBe(1);
    expect(theme('reliability').mentions).toBe(1);
    expect(theme('reporting')).toMatchObject({ mentions: 1, shareOfPromoterComments: 0.5 });
    expect(theme('security')).toMatchObject({ mentions: 0, nps: null, examples: [] });
    expect(report.themes).toHaveLength(NPS_THEMES.length);
  });

  it('reads only the window', () => {
    expect(
      npsReport(answers, { from: at('2026-04-01'), to: at('2026-04-30'), settings: { wave: 'quarter' } }).overall
        .responses,
    ).toBe(3);
  });
});

describe('themesOf', () => {
  it.each([
    ['The UI is intuitive', ['ease_of_use']],
    ['We built a workaround', []],
    ['The API docs are outdated', ['integrations', 'documentation']],
    ['Reports take forever to load', ['performance', 'reporting']],
    ['Our CSM runs a great QBR', ['account_management']],
    ['Renewal price went up 30%, hard to justify the cost', ['pricing']],
    ['Constant outages and errors last month', ['reliability']],
    ['Implementation and training were smooth', ['onboarding']],
    ['We need SSO and role permissions for audit', ['integrations', 'security']],
    ['Missing a bulk edit feature', ['features']],
    ['Support tickets get resolved fast', ['support', 'performance']],
    ['', []],
  ])('%j → %j', (verbatim, themes) => {
    expect(themesOf(verbatim)).toEqual(themes);
  });

  it('offers 8 to 12 themes with distinct keys', () => {
    expect(NPS_THEMES.length).toBeGreaterThanOrEqual(8);
    expect(NPS_THEMES.length).toBeLessThanOrEqual(12);
    expect(new Set(NPS_THEMES.map((theme) => theme.key)).size).toBe(NPS_THEMES.length);
  });
});
