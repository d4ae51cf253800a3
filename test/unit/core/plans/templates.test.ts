import { describe, expect, it } from 'vitest';
import { DAY_MS } from '../../../../server/core/health/signals.ts';
import { DEFAULT_PLAN_TEMPLATES } from '../../../../server/core/plans/default-templates.ts';
import {
  parsePlanTemplates,
  planFromTemplate,
  planTemplateSchema,
  segmentKey,
  templateFor,
  validateTemplates,
  type PlanTemplate,
} from '../../../../server/core/plans/plan-model.ts';
import { DEFAULT_STAGE_RULES, LIFECYCLE_STAGES, type LifecycleStage } from '../../../../server/core/plans/stages.ts';

const START = Date.UTC(2026, 2, 1);

/** The smallest template of a stage; a test names only what it is about. */
const template = (key: string, stage: LifecycleStage, segment: string | null): Record<string, unknown> => ({
  key,
  name: `Plan ${key}`,
  stage,
  segment,
  objectives: [],
  milestones: [],
});

describe('the shipped templates', () => {
  it('validate as a set', () => {
    expect(validateTemplates(DEFAULT_PLAN_TEMPLATES)).toEqual({ ok: true, templates: DEFAULT_PLAN_TEMPLATES });
  });

  it.each(DEFAULT_PLAN_TEMPLATES.map((shipped) => [shipped.key, shipped] as const))(
    '%s parses unchanged through the template schema',
    (_key, shipped) => {
      expect(planTemplateSchema.parse(shipped)).toEqual(shipped);
    },
  );

  it.each(DEFAULT_PLAN_TEMPLATES.map((shipped) => [shipped.key, shipped] as const))(
    '%s has objectives and milestones',
    (_key, shipped) => {
      expect(shipped.objectives.length).toBeGreaterThan(0);
      expect(shipped.milestones.length).toBeGreaterThan(0);
    },
  );

  it('finish the renewal plan before the renewal it starts for', () => {
    const renewal = DEFAULT_PLAN_TEMPLATES.find((shipped) => shipped.stage === 'renewal') as PlanTemplate;
    const dues = [...renewal.objectives, ...renewal.milestones].map((item) => item.dueDays);
    expect(Math.max(...dues)).toBeLessThan(DEFAULT_STAGE_RULES.renewalWindowDays);
  });

  it('run tech-touch onboarding on signals alone', () => {
    const techTouch = DEFAULT_PLAN_TEMPLATES.find((shipped) => shipped.key === 'tech_touch_onboarding');
    expect(techTouch?.milestones.every((milestone) => milestone.reachedWhen !== null)).toBe(true);
  });

  it.each<[string, LifecycleStage, string | null, string | null]>([
    [
      'an enterprise account in onboarding gets the high-touch plan',
      'onboarding',
      'enterprise',
      'enterprise_onboarding',
    ],
    ['the CRM’s spelling of the segment does not matter', 'onboarding', ' Enterprise ', 'enterprise_onboarding'],
    ['a mid-market account gets the lighter plan', 'onboarding', 'mid_market', 'mid_market_onboarding'],
    ['…however the CRM writes mid-market', 'onboarding', 'Mid-Market', 'mid_market_onboarding'],
    ['an SMB account gets tech-touch onboarding', 'onboarding', 'smb', 'tech_touch_onboarding'],
    ['an account without a segment gets tech-touch onboarding', 'onboarding', null, 'tech_touch_onboarding'],
    ['an unknown segment gets the plan for any segment', 'onboarding', 'public_sector', 'tech_touch_onboarding'],
    ['adoption has one plan for every segment', 'adoption', 'enterprise', 'adoption'],
    ['renewal has one plan for every segment', 'renewal', 'smb', 'renewal'],
    ['no plan ships for value', 'value', 'enterprise', null],
    ['no plan ships for at risk (the warnings’ playbooks cover it)', 'at_risk', 'enterprise', null],
    ['no plan for churned accounts', 'churned', null, null],
  ])('%s', (_name, stage, segment, expected) => {
    expect(templateFor(DEFAULT_PLAN_TEMPLATES, stage, segment)?.key ?? null).toBe(expected);
  });
});

describe('templateFor', () => {
  const templates = parsePlanTemplates([
    template('any_onboarding', 'onboarding', null),
    template('smb_onboarding', 'onboarding', 'SMB'),
    template('smb_adoption', 'adoption', 'smb'),
  ]);
  it.each<[string, string, string | null, string | null]>([
    ['the segment’s own template first', 'onboarding', 'smb', 'smb_onboarding'],
    ['the any-segment template otherwise', 'onboarding', 'enterprise', 'any_onboarding'],
    ['a stage with only a segment’s template has nothing for others', 'adoption', 'enterprise', null],
    ['…and nothing for an account without a segment', 'adoption', null, null],
    ['a stage without templates', 'renewal', 'smb', null],
  ])('%s', (_name, stage, segment, expected) => {
    expect(templateFor(templates, stage, segment)?.key ?? null).toBe(expected);
  });

  it('picks by segment whatever the order', () => {
    expect(templateFor([...templates].reverse(), 'onboarding', 'smb')?.key).toBe('smb_onboarding');
  });
});

describe('segmentKey', () => {
  it.each([
    ['Mid-Market', 'mid_market'],
    [' mid market ', 'mid_market'],
    ['ENTERPRISE', 'enterprise'],
  ])('%s → %s', (segment, expected) => {
    expect(segmentKey(segment)).toBe(expected);
  });
});

describe('validateTemplates', () => {
  it.each<[string, unknown, { path: string; message: RegExp }[]]>([
    [
      'two templates with one key',
      [template('onboarding', 'onboarding', null), template('onboarding', 'adoption', null)],
      [{ path: '$[1].key', message: /key "onboarding" is already used by the template at \$\[0\]/ }],
    ],
    [
      'two templates for one stage and segment, spelt differently',
      [template('a', 'onboarding', 'enterprise'), template('b', 'onboarding', ' Enterprise')],
      [{ path: '$[1].segment', message: /template "a" is already the onboarding plan for segment " ?Enterprise"/ }],
    ],
    [
      'two templates for one stage and any segment',
      [template('a', 'renewal', null), template('b', 'renewal', null)],
      [{ path: '$[1].segment', message: /template "a" is already the renewal plan for any segment/ }],
    ],
    [
      'both at once on a third template',
      [template('a', 'renewal', null), template('b', 'adoption', null), template('a', 'adoption', null)],
      [
        { path: '$[2].key', message: /key "a"/ },
        { path: '$[2].segment', message: /template "b"/ },
      ],
    ],
    [
      'a target that is not a number',
      [
        {
          ...template('a', 'onboarding', null),
          objectives: [
            {
              key: 'x',
              title: 'X',
              metric: { kind: 'features_live', windowDays: 28 },
              comparator: 'gte',
              target: 'three',
              dueDays: 60,
            },
          ],
        },
      ],
      [{ path: '$[0].objectives[0].target', message: /number/ }],
    ],
    [
      'a signal that does not exist',
      [
        {
          ...template('a', 'onboarding', null),
          milestones: [
            {
              key: 'x',
              title: 'X',
              dueDays: 5,
              reachedWhen: {
                metric: { kind: 'signal', signal: 'usage.happiness', windowDays: 7, aggregation: 'mean' },
                comparator: 'gte',
                target: 1,
              },
            },
          ],
        },
      ],
      [{ path: '$[0].milestones[0].reachedWhen.metric.signal', message: /./ }],
    ],
    [
      'one key for an objective and a milestone of a template',
      [
        {
          ...template('a', 'onboarding', null),
          objectives: [
            {
              key: 'x',
              title: 'X',
              metric: { kind: 'features_live', windowDays: 28 },
              comparator: 'gte',
              target: 3,
              dueDays: 60,
            },
          ],
          milestones: [{ key: 'x', title: 'Y', dueDays: 5 }],
        },
      ],
      [{ path: '$[0].milestones[0].key', message: /used twice/ }],
    ],
    ['an unknown stage', [template('a', 'expansion' as LifecycleStage, null)], [{ path: '$[0].stage', message: /./ }]],
    ['not a list', { onboarding: [] }, [{ path: '$', message: /array/ }]],
  ])('refuses %s, naming the path', (_name, input, expected) => {
    const result = validateTemplates(input);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems).toHaveLength(expected.length);
    result.problems.forEach((problem, index) => {
      expect(problem.path).toBe(expected[index]?.path);
      expect(problem.message).toMatch(expected[index]?.message as RegExp);
    });
  });

  it.each<[string, unknown]>([
    [
      'one stage for two segments and any',
      [
        template('a', 'onboarding', 'smb'),
        template('b', 'onboarding', 'enterprise'),
        template('c', 'onboarding', null),
      ],
    ],
    ['one segment in two stages', [template('a', 'onboarding', 'smb'), template('b', 'adoption', 'smb')]],
    ['no templates at all', []],
  ])('accepts %s', (_name, input) => {
    expect(validateTemplates(input).ok).toBe(true);
  });

  it('fills the defaults a stored template may leave out', () => {
    const result = validateTemplates([
      {
        key: 'a',
        name: 'A',
        stage: 'adoption',
        objectives: [],
        milestones: [{ key: 'call', title: 'Call', dueDays: 3 }],
      },
    ]);
    expect(result).toMatchObject({
      ok: true,
      templates: [{ segment: null, milestones: [{ owner: 'csm', reachedWhen: null }] }],
    });
  });

  it('parsePlanTemplates throws with every problem listed', () => {
    expect(() => parsePlanTemplates([template('a', 'renewal', null), template('a', 'renewal', null)])).toThrow(
      /\$\[1\]\.key: .*; \$\[1\]\.segment: /,
    );
  });
});

describe('planFromTemplate', () => {
  const enterprise = DEFAULT_PLAN_TEMPLATES.find((shipped) => shipped.key === 'enterprise_onboarding') as PlanTemplate;
  const renewal = DEFAULT_PLAN_TEMPLATES.find((shipped) => shipped.key === 'renewal') as PlanTemplate;

  it('dates every objective and milestone from the plan start, in template order', () => {
    const plan = planFromTemplate(enterprise, { startAt: START, csmId: 'csm-7', ownerId: 'ae-3' });
    expect(plan).toMatchObject({
      name: 'Enterprise onboarding',
      templateKey: 'enterprise_onboarding',
      stage: 'onboarding',
    });
    expect(plan.objectives.map((objective) => [objective.key, objective.position, objective.dueAt])).toEqual([
      ['active_users', 0, START + 90 * DAY_MS],
      ['features_live', 1, START + 90 * DAY_MS],
      ['sponsor_nps', 2, START + 120 * DAY_MS],
    ]);
    expect(plan.objectives.every((objective) => objective.startAt === START)).toBe(true);
    expect(plan.objectives[0]).toMatchObject({
      title: '60% of licences in active use',
      comparator: 'gte',
      target: 0.6,
      metric: { kind: 'signal', signal: 'usage.active_user_ratio', windowDays: 28, aggregation: 'mean' },
    });
    expect(plan.milestones.map((milestone) => [milestone.key, milestone.position, milestone.dueAt])).toEqual([
      ['kickoff', 0, START + 7 * DAY_MS],
      ['first_users', 1, START + 21 * DAY_MS],
      ['first_department', 2, START + 45 * DAY_MS],
      ['success_review', 3, START + 75 * DAY_MS],
    ]);
    expect(plan.milestones[0]?.reachedWhen).toBeNull();
    expect(plan.milestones[1]?.reachedWhen).toEqual(enterprise.milestones[1]?.reachedWhen);
  });

  it.each<[string, string | null, string | null, (string | null)[]]>([
    // value_summary, renewal_review (CSM); quote_sent, renewal_signed (owner)
    ['the CSM’s steps to the CSM, the owner’s to the owner', 'csm-7', 'ae-3', ['csm-7', 'csm-7', 'ae-3', 'ae-3']],
    ['no CSM: the owner takes the CSM’s steps', null, 'ae-3', ['ae-3', 'ae-3', 'ae-3', 'ae-3']],
    ['no owner: the owner’s steps have nobody', 'csm-7', null, ['csm-7', 'csm-7', null, null]],
    ['nobody on the account', null, null, [null, null, null, null]],
  ])('%s', (_name, csmId, ownerId, expected) => {
    const plan = planFromTemplate(renewal, { startAt: START, csmId, ownerId });
    expect(plan.milestones.map((milestone) => milestone.ownerExternalId)).toEqual(expected);
  });

  it('covers every stage name the template schema knows', () => {
    for (const stage of LIFECYCLE_STAGES) {
      const made = planFromTemplate(parsePlanTemplates([template('p', stage, null)])[0] as PlanTemplate, {
        startAt: START,
        csmId: null,
        ownerId: null,
      });
      expect(made).toEqual({ name: 'Plan p', templateKey: 'p', stage, objectives: [], milestones: [] });
    }
  });
});
