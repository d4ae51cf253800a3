import { describe, expect, it } from 'vitest';
import { DAY_MS } from '../../../../server/core/health/signals.ts';
import { tasksFor, type PlaybookAccount, type PlaybookWarning } from '../../../../server/core/warnings/playbooks.ts';
import { DEFAULT_WARNING_RULES } from '../../../../server/core/warnings/rules-config.ts';
import { AT, rulesWith } from './builders.ts';

const championWarning: PlaybookWarning = {
  rule: 'champion_lost',
  title: 'Champion left: Ann Lee',
  severity: 'high',
  evidence: {
    text: 'Ann Lee left in the last 30 days; 1 champion remains.',
    values: { role: 'champion', departed: 'Ann Lee', remaining: 1 },
    thresholds: { recentDays: 30 },
  },
};
const account: PlaybookAccount = { id: 'acc-1', name: 'Acme', ownerId: 'owner-7', csmId: 'csm-3' };

describe('tasksFor', () => {
  it('renders each playbook step for the account, says why, and dates and assigns it', () => {
    expect(tasksFor(championWarning, account, DEFAULT_WARNING_RULES, AT)).toEqual([
      {
        step: 0,
        subject: 'Find a new champion at Acme',
        body:
          'Ann Lee left. Ask the remaining contacts who now owns the relationship and meet them.\n\n' +
          'Why: Ann Lee left in the last 30 days; 1 champion remains.\n' +
          'Warning: Champion left: Ann Lee (high, rule champion_lost; recentDays 30).',
        dueAt: AT + 3 * DAY_MS,
        assigneeId: 'csm-3',
        priority: 'high',
      },
      {
        step: 1,
        subject: 'Review the account plan for Acme',
        body: expect.stringContaining('Why: Ann Lee left in the last 30 days'),
        dueAt: AT + 10 * DAY_MS,
        assigneeId: 'owner-7',
        priority: 'medium',
      },
    ]);
  });

  it.each<[string, Partial<PlaybookAccount>, [string | null, string | null]]>([
    ['both people known', {}, ['csm-3', 'owner-7']],
    ['no CSM: the owner takes the CSM steps', { csmId: null }, ['owner-7', 'owner-7']],
    ['no owner: the CSM takes the owner steps', { ownerId: null }, ['csm-3', 'csm-3']],
    ['nobody', { csmId: null, ownerId: null }, [null, null]],
  ])('assigns with %s', (_what, people, expected) => {
    const tasks = tasksFor(championWarning, { ...account, ...people }, DEFAULT_WARNING_RULES, AT);
    expect(tasks.map((task) => task.assigneeId)).toEqual(expected);
  });

  it("uses the installation's own playbook, with the common placeholders and numbers rounded", () => {
    const rules = rulesWith({
      usage_drop: {
        playbook: [
          {
            subject: '{severity}: {title}',
            body: 'At {account}: {why} Drop {dropPct}%.',
            dueInDays: 0,
            assignee: 'owner',
            priority: 'low',
          },
        ],
      },
    });
    const warning: PlaybookWarning = {
      rule: 'usage_drop',
      title: 'Active users down 33% on their usual level',
      severity: 'medium',
      evidence: { text: 'Users fell.', values: { dropPct: 33.333 }, thresholds: {} },
    };
    const [task] = tasksFor(warning, { ...account, name: null }, rules, AT);
    expect(task).toMatchObject({
      subject: 'medium: Active users down 33% on their usual level',
      body: 'At acc-1: Users fell. Drop 33.3%.\n\nWhy: Users fell.\nWarning: Active users down 33% on their usual level (medium, rule usage_drop).',
      dueAt: AT,
      assigneeId: 'owner-7',
    });
  });

  it('keeps subjects short for the CRM', () => {
    const [task] = tasksFor(championWarning, { ...account, name: 'A'.repeat(300) }, DEFAULT_WARNING_RULES, AT);
    expect(task?.subject).toHaveLength(200);
    expect(task?.subject.endsWith('…')).toBe(true);
  });

  it('refuses a warning of a rule it does not know', () => {
    expect(() => tasksFor({ ...championWarning, rule: 'nps_drop' }, account, DEFAULT_WARNING_RULES, AT)).toThrow(
      /"nps_drop" is not one of declining_trend/,
    );
  });
});
