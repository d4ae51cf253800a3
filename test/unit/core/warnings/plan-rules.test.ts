import { describe, expect, it } from 'vitest';
import { DAY_MS } from '../../../../server/core/health/signals.ts';
import { evaluateRules } from '../../../../server/core/warnings/evaluate.ts';
import { warningInputFrom, type WarningInput, type WarningPlan } from '../../../../server/core/warnings/input.ts';
import { tasksFor } from '../../../../server/core/warnings/playbooks.ts';
import {
  DEFAULT_WARNING_RULES,
  parseWarningRules,
  validateWarningRules,
  type RuleId,
  type WarningRules,
} from '../../../../server/core/warnings/rules-config.ts';
import { AT, daysAgo, inputWith, rulesWith } from './builders.ts';

const of = (rule: RuleId, input: WarningInput, rules: WarningRules = DEFAULT_WARNING_RULES) =>
  evaluateRules(input, rules, AT).filter((finding) => finding.rule === rule);
const states = (rule: RuleId, input: WarningInput, rules?: WarningRules) =>
  of(rule, input, rules).map((finding) => finding.state);

type Milestone = WarningPlan['milestones'][number];
type Objective = WarningPlan['objectives'][number];

const milestone = (key: string, dueAgo: number, reachedAgo: number | null = null): Milestone => ({
  key,
  title: `Milestone ${key}`,
  dueAt: daysAgo(dueAgo),
  reachedAt: reachedAgo === null ? null : daysAgo(reachedAgo),
});

const objective = (overrides: Partial<Objective> = {}): Objective => ({
  key: 'active_users',
  title: '60% of licences in active use',
  status: 'behind',
  statusSince: daysAgo(14),
  value: 0.3,
  expected: 0.45,
  target: 0.6,
  comparator: 'gte',
  dueAt: AT + 30 * DAY_MS,
  valueText: '30% of licences',
  expectedText: '45% of licences',
  targetText: '60% of licences',
  ...overrides,
});

function plan(overrides: Partial<WarningPlan> = {}): WarningPlan {
  return {
    id: 'plan-1',
    name: 'Enterprise onboarding',
    stage: 'onboarding',
    startedAt: daysAgo(40),
    milestones: [milestone('kickoff', 33), milestone('first_users', 19), milestone('review', -20)],
    objectives: [],
    ...overrides,
  };
}

const onboarding = (plans: WarningPlan[], stage: string = 'onboarding') =>
  inputWith({
    stage: { stage: stage as 'onboarding', enteredAt: daysAgo(40) },
    plans,
  });

describe('onboarding_stalled (default: no milestone reached in 21 days)', () => {
  it.each<[string, WarningPlan, string[]]>([
    ['started exactly 21 days ago, nothing reached', plan({ startedAt: daysAgo(21) }), ['firing']],
    ['started 20 days ago, nothing reached', plan({ startedAt: daysAgo(20) }), []],
    ['started a hair under 21 days ago', plan({ startedAt: daysAgo(21) + 1 }), []],
    ['started 40 days ago, nothing reached', plan(), ['firing']],
    [
      'last milestone reached exactly 21 days ago',
      plan({ milestones: [milestone('kickoff', 33, 21), milestone('first_users', 19)] }),
      ['firing'],
    ],
    [
      'a milestone reached 20 days ago resets the count',
      plan({ milestones: [milestone('kickoff', 33, 30), milestone('first_users', 19, 20), milestone('review', 5)] }),
      [],
    ],
    [
      'every milestone reached: nothing left to stall',
      plan({ milestones: [milestone('kickoff', 33, 39), milestone('first_users', 19, 35)] }),
      [],
    ],
    ['a plan without milestones', plan({ milestones: [] }), []],
    ['a plan made for another stage', plan({ stage: 'adoption' }), []],
  ])('%s → %j', (_, stalled, expected) => {
    expect(states('onboarding_stalled', onboarding([stalled]))).toEqual(expected);
  });

  it('needs the account to be in onboarding: leaving it clears the warning', () => {
    expect(states('onboarding_stalled', onboarding([plan()], 'adoption'))).toEqual([]);
    expect(states('onboarding_stalled', inputWith({ plans: [plan()], stage: null }))).toEqual([]);
  });

  it('counts from the plan start when a milestone was marked reached before it', () => {
    const early = plan({ startedAt: daysAgo(10), milestones: [milestone('kickoff', 3, 30), milestone('x', 1)] });
    expect(states('onboarding_stalled', onboarding([early]))).toEqual([]);
  });

  it('follows the configured number of days', () => {
    const rules = rulesWith({ onboarding_stalled: { stalledDays: 10 } });
    expect(states('onboarding_stalled', onboarding([plan({ startedAt: daysAgo(10) })]), rules)).toEqual(['firing']);
    expect(states('onboarding_stalled', onboarding([plan({ startedAt: daysAgo(9) })]), rules)).toEqual([]);
  });

  it('warns once per plan, with the evidence and playbook in plain words', () => {
    const second = plan({ id: 'plan-2', name: 'Pilot rollout' });
    const findings = of('onboarding_stalled', onboarding([plan(), second]));
    expect(findings.map((finding) => finding.dedupeKey)).toEqual([
      'onboarding_stalled:acc-1:plan-1',
      'onboarding_stalled:acc-1:plan-2',
    ]);
    expect(findings[0]).toMatchObject({
      severity: 'medium',
      title: 'Onboarding stalled: no milestone reached in 40 days',
      evidence: {
        values: {
          daysSinceProgress: 40,
          milestonesReached: 0,
          milestonesTotal: 3,
          nextMilestone: 'Milestone kickoff',
          planName: 'Enterprise onboarding',
        },
        thresholds: { stalledDays: 21 },
      },
    });
    expect(findings[0]!.evidence.text).toContain('the next is "Milestone kickoff", due 2026-05-28');
    expect(findings[0]!.nextSteps[0]).toMatchObject({
      subject: 'Restart onboarding at Acme',
      dueInDays: 2,
      assignee: 'csm',
      priority: 'high',
    });
    expect(findings[0]!.nextSteps[0]!.body).toContain(
      'No milestone of the plan "Enterprise onboarding" has been reached for 40 days (0 of 3 done). The next one is "Milestone kickoff".',
    );
  });

  it('names the next milestone by due date, not by position', () => {
    const late = plan({ milestones: [milestone('later', 2), milestone('sooner', 10), milestone('done', 30, 25)] });
    expect(of('onboarding_stalled', onboarding([late]))[0]?.evidence.values).toMatchObject({
      nextMilestone: 'Milestone sooner',
      milestonesReached: 1,
      daysSinceProgress: 25,
    });
  });
});

describe('objective_behind (default: behind 14 days, or missed within 14 days)', () => {
  const withObjective = (overrides: Partial<Objective>) =>
    inputWith({ plans: [plan({ objectives: [objective(overrides)] })] });

  it.each<[string, Partial<Objective>, string[]]>([
    ['behind exactly 14 days', { statusSince: daysAgo(14) }, ['firing']],
    ['behind 13 days', { statusSince: daysAgo(13) }, ['holding']],
    ['behind a hair under 14 days', { statusSince: daysAgo(14) + 1 }, ['holding']],
    ['behind 60 days', { statusSince: daysAgo(60) }, ['firing']],
    ['missed today', { status: 'missed', statusSince: AT, dueAt: daysAgo(0.5) }, ['firing']],
    ['missed 13 days ago', { status: 'missed', statusSince: daysAgo(13), dueAt: daysAgo(13) }, ['firing']],
    ['missed exactly 14 days ago', { status: 'missed', statusSince: daysAgo(14), dueAt: daysAgo(14) }, ['holding']],
    ['on track', { status: 'on_track', statusSince: daysAgo(40) }, []],
    ['achieved', { status: 'achieved', statusSince: daysAgo(40) }, []],
    ['no data', { status: 'no_data', statusSince: daysAgo(40), value: null }, []],
  ])('%s → %j', (_, overrides, expected) => {
    expect(states('objective_behind', withObjective(overrides))).toEqual(expected);
  });

  it('is more severe once missed', () => {
    expect(of('objective_behind', withObjective({}))[0]?.severity).toBe('medium');
    expect(
      of('objective_behind', withObjective({ status: 'missed', statusSince: daysAgo(1), dueAt: daysAgo(1) }))[0]
        ?.severity,
    ).toBe('high');
    const rules = rulesWith({ objective_behind: { missedSeverity: 'low', severity: 'high' } });
    expect(of('objective_behind', withObjective({}), rules)[0]?.severity).toBe('high');
    expect(
      of('objective_behind', withObjective({ status: 'missed', statusSince: AT, dueAt: AT }), rules)[0]?.severity,
    ).toBe('low');
  });

  it('warns once per objective, keyed by plan and objective', () => {
    const two = plan({
      objectives: [
        objective(),
        objective({ key: 'features_live', title: 'Three features live', statusSince: daysAgo(20) }),
      ],
    });
    const other = plan({ id: 'plan-9', objectives: [objective()] });
    expect(of('objective_behind', inputWith({ plans: [two, other] })).map((finding) => finding.dedupeKey)).toEqual([
      'objective_behind:acc-1:plan-1:active_users',
      'objective_behind:acc-1:plan-1:features_live',
      'objective_behind:acc-1:plan-9:active_users',
    ]);
  });

  it('reports the values in words and renders the playbook with them', () => {
    const [finding] = of('objective_behind', withObjective({ statusSince: daysAgo(16) }));
    expect(finding).toMatchObject({
      title: 'Plan objective behind: 60% of licences in active use',
      evidence: {
        values: {
          objective: '60% of licences in active use',
          value: '30% of licences',
          expected: '45% of licences',
          target: 'at least 60% of licences',
          dueOn: '2026-07-30',
          daysBehind: 16,
          planName: 'Enterprise onboarding',
        },
        thresholds: { persistDays: 14 },
      },
    });
    expect(finding!.evidence.text).toBe(
      '"60% of licences in active use" (Enterprise onboarding) has been behind its trajectory for 16 days: ' +
        '30% of licences against 45% of licences expected by now, target at least 60% of licences by 2026-07-30 ' +
        '(warns after 14 days behind; clears once on track).',
    );
    expect(finding!.nextSteps[0]).toEqual({
      step: 0,
      subject: 'Get "60% of licences in active use" back on track at Acme',
      body:
        'The objective "60% of licences in active use" of the plan "Enterprise onboarding" reads 30% of licences ' +
        'against 45% of licences expected by now (target at least 60% of licences by 2026-07-30), 16 days in this state. ' +
        'Find what holds it back and agree the next step with the customer.',
      dueInDays: 3,
      assignee: 'csm',
      priority: 'medium',
    });
    const tasks = tasksFor(
      finding!,
      { id: 'acc-1', name: 'Acme', ownerId: 'o-1', csmId: 'c-1' },
      DEFAULT_WARNING_RULES,
      AT,
    );
    expect(tasks[0]).toMatchObject({ assigneeId: 'c-1', dueAt: AT + 3 * DAY_MS });
    expect(tasks[0]!.body).toContain('rule objective_behind; persistDays 14');
  });

  it('says "at most" for an objective that must stay low', () => {
    const [finding] = of(
      'objective_behind',
      withObjective({ comparator: 'lte', target: 0, targetText: '0', valueText: '2', expectedText: '1' }),
    );
    expect(finding?.evidence.values.target).toBe('at most 0');
  });
});

describe('plan rules in the rule set', () => {
  it('ships both rules with defaults, and a stored set without them gets the defaults', () => {
    expect(DEFAULT_WARNING_RULES.onboarding_stalled).toMatchObject({
      enabled: true,
      severity: 'medium',
      stalledDays: 21,
      resolve: { afterQuietDays: 0 },
    });
    expect(DEFAULT_WARNING_RULES.objective_behind).toMatchObject({
      enabled: true,
      severity: 'medium',
      missedSeverity: 'high',
      persistDays: 14,
    });
    const stored = parseWarningRules({ usage_drop: { minDropPct: 40 } });
    expect(stored.onboarding_stalled).toEqual(DEFAULT_WARNING_RULES.onboarding_stalled);
    expect(stored.objective_behind).toEqual(DEFAULT_WARNING_RULES.objective_behind);
  });

  it('accepts the rules own placeholders in a playbook and refuses others', () => {
    const step = (subject: string) => ({ subject, dueInDays: 1, assignee: 'csm', priority: 'low' });
    expect(
      validateWarningRules({
        onboarding_stalled: { playbook: [step('{nextMilestone} at {account}: {daysSinceProgress} days')] },
        objective_behind: { playbook: [step('{objective} {value}/{target} by {dueOn} ({planName})')] },
      }).ok,
    ).toBe(true);
    expect(validateWarningRules({ objective_behind: { playbook: [step('{nextMilestone}')] } })).toEqual({
      ok: false,
      problems: [
        { path: '$.objective_behind.playbook[0].subject', message: expect.stringContaining('{nextMilestone}') },
      ],
    });
    expect(validateWarningRules({ onboarding_stalled: { stalledDays: 0 } })).toMatchObject({
      ok: false,
      problems: [{ path: '$.onboarding_stalled.stalledDays' }],
    });
  });

  it('are off when turned off or limited to other segments', () => {
    const input = onboarding([plan({ objectives: [objective()] })]);
    expect(states('onboarding_stalled', input, rulesWith({ onboarding_stalled: { enabled: false } }))).toEqual([]);
    expect(states('objective_behind', input, rulesWith({ objective_behind: { segments: ['smb'] } }))).toEqual([]);
  });
});

describe('plans in the warning input', () => {
  const source = (plans: WarningPlan[], stage: WarningInput['stage']) => ({
    account: { id: 'acc-1', name: 'Acme' },
    facts: {
      externalId: 'acc-1',
      segment: null,
      status: 'active' as const,
      arr: null,
      licences: null,
      renewalDate: null,
      createdAt: null,
      usage: [],
      tickets: [],
      contacts: [],
      deals: [],
      surveys: [],
      sentiment: [],
    },
    history: [],
    health: { score: null, band: null, trend: null },
    override: null,
    stage,
    plans,
  });

  it('keeps what was known at the instant: later plans, later milestones and a later stage are left out', () => {
    const known = plan({ milestones: [milestone('a', 30, 10), milestone('b', 20, -2)] });
    const later = plan({ id: 'later', startedAt: AT + DAY_MS });
    const input = warningInputFrom(source([known, later], { stage: 'onboarding', enteredAt: daysAgo(40) }), AT, 30);
    expect(input.plans.map((item) => item.id)).toEqual(['plan-1']);
    expect(input.plans[0]!.milestones.map((item) => item.reachedAt)).toEqual([daysAgo(10), null]);
    expect(input.stage).toEqual({ stage: 'onboarding', enteredAt: daysAgo(40) });
    expect(warningInputFrom(source([], { stage: 'adoption', enteredAt: AT + 1 }), AT, 30).stage).toBeNull();
  });

  it('has no plans and no stage when the source gives none', () => {
    const { stage: _stage, plans: _plans, ...bare } = source([], null);
    const input = warningInputFrom(bare, AT, 30);
    expect(input.plans).toEqual([]);
    expect(input.stage).toBeNull();
  });
});
