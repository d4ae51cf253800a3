import { describe, expect, it } from 'vitest';
import { DAY_MS } from '../../../../server/core/health/signals.ts';
import { metricValue, type Metric } from '../../../../server/core/plans/plan-model.ts';
import { parseBrief, type Brief } from '../../../../server/core/qbr/brief.ts';
import { buildBrief } from '../../../../server/core/qbr/build.ts';
import type { PlanInput, PlanObjectiveInput, QbrInputs } from '../../../../server/core/qbr/inputs.ts';
import { metricValueText as metricText } from '../../../../server/core/plans/metric-text.ts';
import { briefObjective, briefPlans, planInstants } from '../../../../server/core/qbr/plans.ts';
import { escapeHtml, renderHtml } from '../../../../server/core/qbr/render-html.ts';
import { escapeMarkdown, renderMarkdown } from '../../../../server/core/qbr/render-markdown.ts';
import { EMPTY, planSection } from '../../../../server/core/qbr/sections.ts';
import { accountFacts } from '../health/account-facts.ts';
import { inputs } from './fixture.ts';

const AT = Date.parse('2026-09-29T08:00:00Z');
/** The end of the fixture period's last day. */
const AS_OF = Date.parse('2026-09-29T00:00:00Z') - 1;
const PERIOD = { start: '2026-07-01', end: '2026-09-28' };
const activeUsers: Metric = { kind: 'signal', signal: 'usage.active_user_ratio', windowDays: 28, aggregation: 'mean' };

const objective = (overrides: Partial<PlanObjectiveInput> = {}): PlanObjectiveInput => ({
  key: 'active_users',
  title: '60% of licences in active use',
  metric: activeUsers,
  comparator: 'gte',
  target: 0.6,
  startAt: '2026-06-01T00:00:00.000Z',
  dueAt: '2026-10-30T00:00:00.000Z',
  status: 'behind',
  statusSince: '2026-09-01T06:00:00.000Z',
  startValue: 0.2,
  achievedAt: null,
  ...overrides,
});

const milestone = (
  key: string,
  dueAt: string,
  reachedAt: string | null = null,
  owner: string | null = 'Dana Scully',
) => ({
  key,
  title: `Milestone ${key}`,
  dueAt,
  reachedAt,
  owner,
});

const plan = (overrides: Partial<PlanInput> = {}): PlanInput => ({
  id: 'plan-1',
  name: 'Enterprise onboarding',
  stage: 'onboarding',
  startedAt: '2026-06-01T00:00:00.000Z',
  objectives: [objective()],
  milestones: [],
  ...overrides,
});

/**
 * Usage of 40 licences every day from 1 May: 12 active users a day before the period, 17 during it,
 * so the 28-day active share reads 30% at the period's start and 42.5% at its end; the executive
 * sponsor answered NPS 6 in May and 9 in September.
 */
const facts = accountFacts({
  licences: 40,
  usage: Array.from({ length: 151 }, (_, index) => {
    const day = Date.parse('2026-05-01T00:00:00Z') + index * DAY_MS;
    const activeUsers = day < Date.parse('2026-07-01T00:00:00Z') ? 12 : 17;
    return { day, activeUsers, licences: null, events: activeUsers * 10, featureUsers: [activeUsers, 5, 1] };
  }),
  surveys: [
    { kind: 'nps', score: 6, at: Date.parse('2026-05-20T10:00:00Z'), respondentRole: 'executive_sponsor' },
    { kind: 'nps', score: 9, at: Date.parse('2026-09-10T10:00:00Z'), respondentRole: 'executive_sponsor' },
    { kind: 'nps', score: 2, at: Date.parse('2026-09-12T10:00:00Z'), respondentRole: 'other' },
  ],
});

const withPlans = (active: PlanInput[], lastQbrDay: string | null = null): QbrInputs =>
  inputs({ plans: { active, lastQbrDay, facts } });

const shown = (
  overrides: Partial<PlanObjectiveInput>,
  values: { now: number | null; before: number | null },
  metric: Metric | null = activeUsers,
) => briefObjective(objective(overrides), metric, values, AS_OF);

describe('planInstants', () => {
  it.each<[string | null, { kind: string; day: string }]>([
    [null, { kind: 'period_start', day: '2026-07-01' }],
    ['2026-06-20', { kind: 'last_qbr', day: '2026-06-20' }],
    ['2026-08-15', { kind: 'last_qbr', day: '2026-08-15' }],
    ['2026-09-28', { kind: 'last_qbr', day: '2026-09-28' }],
    ['2026-09-29', { kind: 'period_start', day: '2026-07-01' }], // not before this brief's end: not a past QBR
    ['2025-09-27', { kind: 'last_qbr', day: '2025-09-27' }], // 366 days before the end
    ['2025-09-26', { kind: 'period_start', day: '2026-07-01' }], // older: the period's start
  ])('last QBR %s → %j', (lastQbr, since) => {
    const instants = planInstants(PERIOD, lastQbr);
    expect(instants.asOf).toBe(Date.parse('2026-09-29T00:00:00Z') - 1);
    expect(instants.since).toEqual({ ...since, at: Date.parse(`${since.day}T00:00:00Z`) });
  });
});

describe('metricText', () => {
  it.each<[Metric, number | null, string]>([
    [activeUsers, 0.4234, '42% of licences'],
    [activeUsers, null, 'no data'],
    [{ kind: 'features_live', windowDays: 28 }, 3, '3.0 features'],
    [{ kind: 'features_live', windowDays: 28 }, 1, '1.0 features'],
    [{ kind: 'features_live', windowDays: 28 }, 2.46, '2.5 features'],
    [{ kind: 'nps_from_role', role: 'executive_sponsor', windowDays: 180 }, 8, '8 out of 10'],
    [{ kind: 'signal', signal: 'support.high_priority_open', windowDays: 1, aggregation: 'latest' }, 0, '0'],
  ])('%j at %s → %s', (metric, value, text) => {
    expect(metricText(metric, value)).toBe(text);
  });
});

describe('briefObjective', () => {
  it('shows the values given, the stored status and the progress from the start value', () => {
    expect(shown({}, { now: 0.4234, before: 0.3 })).toEqual({
      key: 'active_users',
      title: '60% of licences in active use',
      status: 'behind',
      statusText: 'Behind',
      value: 0.423,
      valueText: '42% of licences',
      before: 0.3,
      beforeText: '30% of licences',
      comparator: 'gte',
      target: 0.6,
      targetText: 'at least 60% of licences',
      dueOn: '2026-10-30',
      // (0.4234 − 0.2) ÷ (0.6 − 0.2)
      progress: 0.559,
      progressText: '56% of the way',
    });
  });

  const lowTickets: Metric = {
    kind: 'signal',
    signal: 'support.high_priority_open',
    windowDays: 1,
    aggregation: 'latest',
  };
  const sponsorNps: Metric = { kind: 'nps_from_role', role: 'executive_sponsor', windowDays: 180 };

  it.each<
    [
      string,
      Partial<PlanObjectiveInput>,
      { now: number | null; before: number | null },
      Metric | null,
      Record<string, unknown>,
    ]
  >([
    [
      'no reading',
      {},
      { now: null, before: null },
      activeUsers,
      { value: null, valueText: 'no data', beforeText: 'no data', progress: null, progressText: 'no data' },
    ],
    [
      'achieved stays complete after a dip',
      { achievedAt: '2026-08-01T00:00:00.000Z', status: 'achieved' },
      { now: 0.5, before: 0.3 },
      activeUsers,
      { progress: 1, progressText: '100% of the way', statusText: 'Achieved' },
    ],
    ['the target met now', {}, { now: 0.61, before: 0.3 }, activeUsers, { progress: 1 }],
    [
      'below the start value',
      {},
      { now: 0.1, before: 0.3 },
      activeUsers,
      { progress: 0, progressText: '0% of the way' },
    ],
    [
      'the first reading starts the line',
      { startValue: null },
      { now: 0.4, before: null },
      activeUsers,
      { progress: 0, beforeText: 'no data' },
    ],
    [
      'an objective that must stay low',
      { comparator: 'lte', target: 0, startValue: 4, status: 'on_track' },
      { now: 1, before: 3 },
      lowTickets,
      { targetText: 'at most 0', valueText: '1', beforeText: '3', progress: 0.75, statusText: 'On track' },
    ],
    [
      'a sponsor NPS',
      { target: 8, startValue: 7, status: 'no_data' },
      { now: 7, before: null },
      sponsorNps,
      {
        valueText: '7 out of 10',
        beforeText: 'no data',
        targetText: 'at least 8 out of 10',
        statusText: 'No data yet',
        progress: 0,
      },
    ],
    [
      'a metric that no longer parses',
      {},
      { now: 0.4234, before: null },
      null,
      { valueText: '0.42', beforeText: 'no data', targetText: 'at least 0.6' },
    ],
  ])('%s', (_, overrides, values, metric, expected) => {
    expect(shown(overrides, values, metric)).toMatchObject(expected);
  });
});

describe('briefPlans', () => {
  it("reads each objective's value now and at the period start from the facts, as metricValue does", () => {
    const features: Metric = { kind: 'features_live', windowDays: 28 };
    const sponsor: Metric = { kind: 'nps_from_role', role: 'executive_sponsor', windowDays: 180 };
    const section = briefPlans(
      withPlans([
        plan({
          objectives: [
            objective({ startValue: 0.25 }),
            objective({ key: 'features', title: 'Two features live', metric: features, target: 2, startValue: 1 }),
            objective({ key: 'sponsor', title: 'Sponsor NPS 8+', metric: sponsor, target: 8, startValue: 6 }),
            objective({ key: 'broken', title: 'Broken metric', metric: { kind: 'signal', signal: 'no.such' } }),
          ],
        }),
      ]),
    );
    expect(section.asOf).toBe('2026-09-28');
    expect(section.since).toEqual({ kind: 'period_start', day: '2026-07-01' });
    expect(section.plans).toHaveLength(1);
    expect(section.plans[0]).toMatchObject({
      name: 'Enterprise onboarding',
      stage: 'onboarding',
      stageText: 'Onboarding',
      startedOn: '2026-06-01',
    });
    const start = Date.parse('2026-07-01T00:00:00Z');
    const context = { featuresOffered: 3 };
    const [users, live, nps, broken] = section.plans[0]!.objectives;
    expect(users).toMatchObject({
      value: 0.425,
      valueText: '43% of licences',
      before: 0.3,
      beforeText: '30% of licences',
    });
    expect(users!.value).toBeCloseTo(metricValue(activeUsers, facts, AS_OF, context)!, 3);
    expect(users!.before).toBeCloseTo(metricValue(activeUsers, facts, start, context)!, 3);
    // (0.425 − 0.25) ÷ (0.6 − 0.25)
    expect(users).toMatchObject({ progress: 0.5, progressText: '50% of the way' });
    expect(live).toMatchObject({
      value: metricValue(features, facts, AS_OF, context),
      before: metricValue(features, facts, start, context),
    });
    expect(live!.value).toBeGreaterThan(0);
    expect(nps).toMatchObject({ value: 9, valueText: '9 out of 10', before: 6, beforeText: '6 out of 10' });
    expect(broken).toMatchObject({ value: null, valueText: 'no data', before: null });
  });

  it('reads at the start of the last QBR day when there was one', () => {
    const section = briefPlans(withPlans([plan()], '2026-08-15'));
    expect(section.since).toEqual({ kind: 'last_qbr', day: '2026-08-15' });
    // The window ending 14 Aug: every day at 17 of 40.
    expect(section.plans[0]!.objectives[0]).toMatchObject({ before: 0.425, beforeText: '43% of licences' });
  });

  it('shows no values without facts', () => {
    const section = briefPlans(inputs({ plans: { active: [plan()], lastQbrDay: null, facts: null } }));
    expect(section.plans[0]!.objectives[0]).toMatchObject({ value: null, before: null, statusText: 'Behind' });
  });

  it('lists up to five milestones not reached, soonest first, and those reached in the period', () => {
    const section = briefPlans(
      withPlans([
        plan({
          milestones: [
            milestone('before_period', '2026-06-10T00:00:00.000Z', '2026-06-20T00:00:00.000Z'),
            milestone('in_period', '2026-07-10T00:00:00.000Z', '2026-07-15T09:00:00.000Z'),
            milestone('overdue', '2026-09-01T00:00:00.000Z', null, null),
            milestone('after_end', '2026-09-20T00:00:00.000Z', '2026-09-29T09:00:00.000Z'),
            milestone('m1', '2026-11-01T00:00:00.000Z'),
            milestone('m2', '2026-10-01T00:00:00.000Z'),
            milestone('m3', '2026-12-01T00:00:00.000Z'),
            milestone('m4', '2027-01-01T00:00:00.000Z'),
          ],
        }),
      ]),
    );
    const [shown] = section.plans;
    expect(shown!.next).toEqual([
      { title: 'Milestone overdue', owner: null, dueOn: '2026-09-01', overdue: true },
      // Reached after the period's end: still ahead as of the brief.
      { title: 'Milestone after_end', owner: 'Dana Scully', dueOn: '2026-09-20', overdue: true },
      { title: 'Milestone m2', owner: 'Dana Scully', dueOn: '2026-10-01', overdue: false },
      { title: 'Milestone m1', owner: 'Dana Scully', dueOn: '2026-11-01', overdue: false },
      { title: 'Milestone m3', owner: 'Dana Scully', dueOn: '2026-12-01', overdue: false },
    ]);
    expect(shown!.reached).toEqual([{ title: 'Milestone in_period', reachedOn: '2026-07-15' }]);
  });

  it('names the last QBR when there was one', () => {
    const brief = buildBrief(withPlans([plan()], '2026-06-20'), AT);
    expect(brief.plans?.since).toEqual({ kind: 'last_qbr', day: '2026-06-20' });
    expect(planSection(brief)!.tables[0]!.columns).toContain('At last QBR (20 Jun 2026)');
    expect(planSection(buildBrief(withPlans([plan()]), AT))!.tables[0]!.columns).toContain(
      'At period start (1 Jul 2026)',
    );
  });
});

describe('the success plan in the brief and its renderings', () => {
  const brief = buildBrief(
    withPlans([
      plan({
        milestones: [
          milestone('kickoff', '2026-06-08T00:00:00.000Z', '2026-07-02T10:00:00.000Z'),
          milestone('rollout', '2026-10-15T00:00:00.000Z'),
        ],
      }),
    ]),
    AT,
  );

  it('passes its own schema', () => {
    expect(parseBrief(JSON.parse(JSON.stringify(brief)))).toEqual(brief);
  });

  it('puts the plan on the agenda with what is off course and what is next', () => {
    expect(brief.agenda.find((item) => item.title === 'Success plan: progress and what is next')?.notes).toEqual([
      '60% of licences in active use: behind at 43% of licences, target at least 60% of licences',
      'Enterprise onboarding: 0 of 1 objective achieved or on track',
      'Next: Milestone rollout, due 15 Oct 2026',
    ]);
    const without = buildBrief(withPlans([]), AT);
    expect(without.agenda.some((item) => item.title.startsWith('Success plan'))).toBe(false);
  });

  it.each([
    { format: 'Markdown', render: renderMarkdown, escape: escapeMarkdown },
    { format: 'HTML', render: renderHtml, escape: escapeHtml },
  ])('$format shows every objective figure and milestone', ({ render, escape }) => {
    const out = render(brief);
    expect(out).toContain('Success plan');
    const section = planSection(brief)!;
    expect(section.empty).toBeNull();
    const [table] = section.tables;
    for (const text of [
      section.title,
      table!.title,
      table!.meta,
      ...table!.columns,
      ...table!.rows.flat(),
      ...table!.lists.flatMap((list) => [list.title, ...list.items]),
    ]) {
      expect(out).toContain(escape(text));
    }
    expect(out).toContain(escape('Milestone rollout: Dana Scully, due 15 Oct 2026'));
    expect(out).toContain(escape('Milestone kickoff: reached 2 Jul 2026'));
    expect(out).toContain('56% of the way');
  });

  it.each([
    { format: 'Markdown', render: renderMarkdown },
    { format: 'HTML', render: renderHtml },
  ])('$format says when there is no plan, and a brief from before plans has no such section', ({ render }) => {
    expect(render(buildBrief(withPlans([]), AT))).toContain(EMPTY.plans);
    const { plans: _plans, ...old } = buildBrief(withPlans([]), AT);
    const oldBrief: Brief = parseBrief(old);
    expect(oldBrief.plans).toBeUndefined();
    expect(render(oldBrief)).not.toContain('Success plan');
    expect(render(oldBrief)).not.toContain(EMPTY.plans);
  });
});

describe('plan text from the CRM is inert in every rendering', () => {
  const hostile = '<img src=x onerror=alert(1)> | *plan* _x_';
  const brief = buildBrief(
    withPlans([
      plan({
        name: hostile,
        objectives: [objective({ title: hostile })],
        milestones: [milestone('m', '2026-10-01T00:00:00.000Z', null, hostile)],
      }),
    ]),
    AT,
  );

  it('HTML escapes it', () => {
    const html = renderHtml(brief);
    expect(html).not.toContain('<img');
    expect(html).toContain(escapeHtml(hostile));
  });

  it('Markdown keeps it in its table cell', () => {
    const row = renderMarkdown(brief)
      .split('\n')
      .find((line) => line.startsWith(`| ${escapeMarkdown(hostile)} |`));
    expect(row?.split(/(?<!\\)\|/).length).toBe(9);
  });
});
