import { describe, expect, it } from 'vitest';
import {
  DEFAULT_WARNING_RULES,
  RULE_IDS,
  parseWarningRules,
  validateWarningRules,
} from '../../../../server/core/warnings/rules-config.ts';

describe('warning rule set', () => {
  it('ships every rule enabled, with a cooldown and a playbook', () => {
    expect(Object.keys(DEFAULT_WARNING_RULES)).toEqual([...RULE_IDS]);
    for (const rule of RULE_IDS) {
      expect(DEFAULT_WARNING_RULES[rule].enabled).toBe(true);
      expect(DEFAULT_WARNING_RULES[rule].playbook.length).toBeGreaterThan(0);
    }
    expect(DEFAULT_WARNING_RULES.usage_drop).toMatchObject({
      recentDays: 14,
      baselineDays: 56,
      minDropPct: 30,
      cooldownDays: 45,
      resolve: { recoverAbovePct: 90, afterQuietDays: 3 },
    });
  });

  it('fills what a stored set leaves out from the defaults', () => {
    const rules = parseWarningRules({ usage_drop: { minDropPct: 40, resolve: { afterQuietDays: 10 } } });
    expect(rules.usage_drop.minDropPct).toBe(40);
    expect(rules.usage_drop.resolve).toEqual({ afterQuietDays: 10, recoverAbovePct: 90 });
    expect(rules.usage_drop.playbook).toEqual(DEFAULT_WARNING_RULES.usage_drop.playbook);
    expect(rules.ticket_spike).toEqual(DEFAULT_WARNING_RULES.ticket_spike);
    expect(parseWarningRules(null)).toEqual(DEFAULT_WARNING_RULES);
  });

  it.each<[string, unknown, { path: string; message: RegExp }]>([
    [
      'an unknown severity',
      { band_drop: { severity: 'urgent' } },
      { path: '$.band_drop.severity', message: /low|medium|high/ },
    ],
    [
      'a negative cooldown',
      { detractor: { cooldownDays: -1 } },
      { path: '$.detractor.cooldownDays', message: />=\s*0/ },
    ],
    ['a rule that does not exist', { nps_drop: {} }, { path: '$', message: /nps_drop/ }],
    ['a loose field on a rule', { usage_drop: { dropPct: 30 } }, { path: '$.usage_drop', message: /dropPct/ }],
    [
      'a resolve line below the opening line',
      { usage_drop: { minDropPct: 30, resolve: { recoverAbovePct: 60 } } },
      { path: '$.usage_drop.resolve.recoverAbovePct', message: /100 − minDropPct/ },
    ],
    [
      'a persistence longer than the window',
      { declining_trend: { windowWeeks: 4, minWeeksDown: 5 } },
      { path: '$.declining_trend.minWeeksDown', message: /windowWeeks/ },
    ],
    [
      'a step without a subject',
      { no_engagement: { playbook: [{ subject: ' ', dueInDays: 1, assignee: 'csm', priority: 'low' }] } },
      { path: '$.no_engagement.playbook[0].subject', message: /subject/ },
    ],
    [
      'an assignee that is neither owner nor csm',
      { no_engagement: { playbook: [{ subject: 'Call', dueInDays: 1, assignee: 'manager', priority: 'low' }] } },
      { path: '$.no_engagement.playbook[0].assignee', message: /owner|csm/ },
    ],
    [
      'a placeholder the rule does not know',
      {
        ticket_spike: {
          playbook: [
            { subject: 'Call {account}', body: '{dropPct} down', dueInDays: 1, assignee: 'csm', priority: 'low' },
          ],
        },
      },
      { path: '$.ticket_spike.playbook[0].body', message: /unknown placeholder \{dropPct\}.*\{recentTickets\}/ },
    ],
  ])('reports %s with its path', (_what, input, expected) => {
    const result = validateWarningRules(input);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems).toContainEqual({ path: expected.path, message: expect.stringMatching(expected.message) });
  });

  it('lists every problem at once and throws them all from parse', () => {
    const input = { band_drop: { severity: 'urgent' }, detractor: { withinDays: 0 } };
    const result = validateWarningRules(input);
    expect(result.ok ? [] : result.problems.map((problem) => problem.path)).toEqual([
      '$.band_drop.severity',
      '$.detractor.withinDays',
    ]);
    expect(() => parseWarningRules(input)).toThrow(/\$\.band_drop\.severity: .*; \$\.detractor\.withinDays: /);
  });
});
