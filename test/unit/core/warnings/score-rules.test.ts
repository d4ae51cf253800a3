import { describe, expect, it } from 'vitest';
import { evaluateRules } from '../../../../server/core/warnings/evaluate.ts';
import type { Finding } from '../../../../server/core/warnings/finding.ts';
import type { WarningInput } from '../../../../server/core/warnings/input.ts';
import { DEFAULT_WARNING_RULES, type RuleId } from '../../../../server/core/warnings/rules-config.ts';
import { AT, dailyHistory, inputWith, weeklyHistory } from './builders.ts';

const of = (rule: RuleId, input: WarningInput, rules = DEFAULT_WARNING_RULES): Finding[] =>
  evaluateRules(input, rules, AT).filter((finding) => finding.rule === rule);
const firing = (rule: RuleId, input: WarningInput) => of(rule, input).filter((finding) => finding.state === 'firing');

describe('declining_trend (defaults: 3 weekly falls, 10 points, −1.5 a week over 6 weeks)', () => {
  it.each<[string, number[], boolean]>([
    ['a flat line', [75, 75, 75, 75, 75, 75, 75], false],
    ['one noisy dip, however deep', [75, 75, 75, 75, 75, 75, 55], false],
    ['two weeks down', [75, 75, 75, 75, 75, 69, 63], false],
    ['three weeks down, 12 points', [75, 75, 75, 75, 71, 67, 63], true],
    ['three weeks down, 9 points (just below the drop)', [75, 75, 75, 75, 72, 69, 66], false],
    ['three weeks down, 10 points (at the drop)', [75, 75, 75, 75, 72, 69, 65], true],
    ['three weeks down, 11 points (just above the drop)', [75, 75, 75, 75, 72, 69, 64], true],
    ['three falls within the flat band (1 point each)', [75, 75, 75, 75, 74, 73, 72], false],
    ['a long fall that just ticked up', [80, 76, 72, 68, 64, 60, 61], false],
    ['noise without direction', [75, 68, 76, 69, 75, 68, 74], false],
  ])('%s → fires: %s', (_what, scores, fires) => {
    expect(firing('declining_trend', inputWith({ history: weeklyHistory(scores) }))).toHaveLength(fires ? 1 : 0);
  });

  it('says how far and how long health fell', () => {
    const [finding] = firing('declining_trend', inputWith({ history: weeklyHistory([75, 75, 75, 75, 71, 67, 63]) }));
    expect(finding).toMatchObject({
      dedupeKey: 'declining_trend:acc-1',
      title: 'Health down 12 points over 3 weeks',
      evidence: { values: { score: 63, weeksDown: 3, dropPoints: 12, slopePerWeek: -2 } },
    });
  });

  it('holds an open warning while the slope is still negative, and lets go once it is not', () => {
    const stillFalling = of('declining_trend', inputWith({ history: weeklyHistory([80, 76, 72, 68, 64, 60, 61]) }));
    expect(stillFalling.map((finding) => finding.state)).toEqual(['holding']);
    expect(of('declining_trend', inputWith({ history: weeklyHistory([60, 60, 61, 62, 63, 64, 65]) }))).toEqual([]);
  });

  it('does not bridge a missing week', () => {
    const history = weeklyHistory([75, 75, 75, 75, 71, 67, 63]).filter(
      (point) => point.day < '2026-06-10' || point.day > '2026-06-16',
    );
    expect(firing('declining_trend', inputWith({ history }))).toEqual([]);
  });
});

describe('band_drop (defaults: against 14 days ago, held 3 days)', () => {
  /** Green, then yellow for the last `yellowDays` days. */
  const fell = (yellowDays: number) => inputWith({ history: dailyHistory(40, (ago) => (ago < yellowDays ? 60 : 75)) });

  it.each<[number, boolean]>([
    [1, false],
    [2, false], // just below the persistence
    [3, true],
    [4, true],
    [14, true],
    [15, false], // 14 days ago it was already yellow
  ])('yellow for the last %i days → fires: %s', (yellowDays, fires) => {
    expect(firing('band_drop', fell(yellowDays))).toHaveLength(fires ? 1 : 0);
  });

  it('names both bands and scores', () => {
    expect(firing('band_drop', fell(5))[0]).toMatchObject({
      title: 'Health fell from green to yellow',
      evidence: { values: { band: 'yellow', previousBand: 'green', score: 60, previousScore: 75 } },
    });
  });

  it.each<[number, number, boolean]>([
    [72, 68, false], // 4 points across the green line: hovering, not dropping
    [73, 68, true], // 5 points
  ])('from %i to %i → fires: %s', (before, after, fires) => {
    const input = inputWith({ history: dailyHistory(40, (ago) => (ago < 5 ? after : before)) });
    expect(firing('band_drop', input)).toHaveLength(fires ? 1 : 0);
  });

  it('does not fire on a rise or without history that old', () => {
    expect(firing('band_drop', inputWith({ history: dailyHistory(40, (ago) => (ago < 5 ? 75 : 60)) }))).toEqual([]);
    expect(firing('band_drop', inputWith({ history: dailyHistory(10, (ago) => (ago < 5 ? 60 : 75)) }))).toEqual([]);
  });
});

describe('renewal_at_risk (defaults: within 90 days, red or yellow for 7 days)', () => {
  const yellowFor = (days: number) => dailyHistory(30, (ago) => (ago < days ? 55 : 75));
  const renewalIn = (days: number) => ({ on: AT + days * 86_400_000, daysTo: days });

  it.each<[string, number, number, 'green' | 'yellow' | 'red', boolean]>([
    ['89 days out, yellow 10 days', 89, 10, 'yellow', true],
    ['90 days out (at the window)', 90, 10, 'yellow', true],
    ['91 days out (just outside)', 91, 10, 'yellow', false],
    ['yellow 6 days (just below persistence)', 60, 6, 'yellow', false],
    ['yellow 7 days (at persistence)', 60, 7, 'yellow', true],
    ['green now', 60, 0, 'green', false],
  ])('%s → fires: %s', (_what, renewalDays, yellowDays, band, fires) => {
    const input = inputWith({
      health: { score: band === 'green' ? 75 : 55, band, trend: 'stable' },
      history: yellowFor(yellowDays),
      renewal: renewalIn(renewalDays),
    });
    expect(firing('renewal_at_risk', input)).toHaveLength(fires ? 1 : 0);
  });

  it('keeps one key per account, so an edited renewal date is the same warning', () => {
    const input = inputWith({
      health: { score: 30, band: 'red', trend: 'declining' },
      history: dailyHistory(30, () => 30),
      renewal: renewalIn(45),
    });
    const moved = { ...input, renewal: renewalIn(50) };
    expect(firing('renewal_at_risk', input)[0]?.dedupeKey).toBe('renewal_at_risk:acc-1');
    expect(firing('renewal_at_risk', moved)[0]?.dedupeKey).toBe('renewal_at_risk:acc-1');
    expect(firing('renewal_at_risk', moved)[0]?.evidence.values).toMatchObject({
      renewalOn: '2026-08-19',
      daysToRenewal: 50,
    });
  });

  it('takes an active override at its word, without waiting for persistence', () => {
    const input = inputWith({
      health: { score: null, band: 'red', trend: 'stable' },
      history: dailyHistory(30, () => 80),
      renewal: renewalIn(30),
      override: { band: 'red', expiresAt: AT + 20 * 86_400_000, author: 'csm@example.com' },
    });
    expect(firing('renewal_at_risk', input)).toHaveLength(1);
  });
});
