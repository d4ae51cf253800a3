import { describe, expect, it } from 'vitest';
import { evaluateRules } from '../../../../server/core/warnings/evaluate.ts';
import type { WarningInput } from '../../../../server/core/warnings/input.ts';
import {
  DEFAULT_WARNING_RULES,
  type RuleId,
  type WarningRules,
} from '../../../../server/core/warnings/rules-config.ts';
import { AT, inputWith, rulesWith, usageDays } from './builders.ts';

const of = (rule: RuleId, input: WarningInput, rules: WarningRules = DEFAULT_WARNING_RULES) =>
  evaluateRules(input, rules, AT).filter((finding) => finding.rule === rule);
const states = (rule: RuleId, input: WarningInput, rules?: WarningRules) =>
  of(rule, input, rules).map((finding) => finding.state);

describe('usage_drop (defaults: last 14 days vs the 56 before, 30% down, 7 days running, clears above 90%)', () => {
  /** `recent` active users a day for the last 14 days, 10 in the 56 before. */
  const dropTo = (recent: number) => inputWith({ usage: usageDays(90, (ago) => (ago <= 14 ? recent : 10)) });
  const oneDay = rulesWith({ usage_drop: { persistDays: 1 } });

  it.each<[number, string[]]>([
    [6.9, ['firing']], // 31% down
    [7, ['firing']], // 30% down: at the line
    [7.1, ['holding']], // 29% down: below the line, still under the 90% that clears it
    [8.9, ['holding']],
    [9, []], // back at 90% of the baseline
    [10, []],
  ])('recent %s against 10 → %j', (recent, expected) => {
    expect(states('usage_drop', dropTo(recent), oneDay)).toEqual(expected);
  });

  it('needs the drop on each of the last persistDays days: a fresh drop waits', () => {
    // Down for 5 days only: the 14-day mean is already 36% below, but a day earlier it was 29%.
    const fresh = inputWith({ usage: usageDays(90, (ago) => (ago <= 5 ? 0 : 10)) });
    expect(states('usage_drop', fresh, oneDay)).toEqual(['firing']);
    expect(states('usage_drop', fresh)).toEqual(['holding']);
    const held = inputWith({ usage: usageDays(90, (ago) => (ago <= 12 ? 2 : 10)) });
    expect(states('usage_drop', held)).toEqual(['firing']);
  });

  it('reports the recent and usual levels', () => {
    expect(of('usage_drop', dropTo(6), oneDay)[0]).toMatchObject({
      title: 'Active users down 40% on their usual level',
      evidence: { values: { recentUsers: 6, baselineUsers: 10, dropPct: 40 } },
    });
  });

  it('leaves out small accounts and gaps in the feed', () => {
    expect(of('usage_drop', inputWith({ usage: usageDays(90, (ago) => (ago <= 14 ? 1 : 2.9)) }), oneDay)).toEqual([]);
    const gap = usageDays(90, (ago) => (ago <= 14 ? 5 : 10)).filter((_, index) => index % 3 === 0);
    expect(of('usage_drop', inputWith({ usage: gap }), oneDay)).toEqual([]);
  });
});

describe('low_licence_use (defaults: under 25% of licences over 28 days, at each weekly check for 14 days)', () => {
  const using = (users: number, days = 60) => inputWith({ usage: usageDays(days, () => users, 100) });

  it.each<[number, string[]]>([
    [24, ['firing']],
    [25, ['holding']], // at the floor is not below it; under the 30% that clears
    [26, ['holding']],
    [30, []],
  ])('%i of 100 licences in use → %j', (users, expected) => {
    expect(states('low_licence_use', using(users))).toEqual(expected);
  });

  it('waits until use has been low for the persistence period', () => {
    // Low for the last 20 days only: the 28-day mean two weeks ago was still high.
    const recent = inputWith({ usage: usageDays(60, (ago) => (ago <= 20 ? 5 : 60), 100) });
    expect(states('low_licence_use', recent)).toEqual(['holding']);
  });

  it('ignores accounts with too few licences', () => {
    expect(of('low_licence_use', inputWith({ usage: usageDays(60, () => 0, 4) }))).toEqual([]);
  });
});
