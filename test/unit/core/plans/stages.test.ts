import { describe, expect, it } from 'vitest';
import type { DealFact, UsageDayFact } from '../../../../server/core/health/facts.ts';
import { DAY_MS } from '../../../../server/core/health/signals.ts';
import {
  DEFAULT_STAGE_RULES,
  daysInStage,
  deriveStage,
  stageInputOf,
  validateStageRules,
  type StageInput,
  type StageRules,
} from '../../../../server/core/plans/stages.ts';
import { accountFacts } from '../health/account-facts.ts';

/** Judged at the very end of 30 June, so a usage day `n` days ago ends exactly `n` days before AT. */
const TODAY = Date.UTC(2026, 5, 30);
const AT = TODAY + DAY_MS - 1;
const daysAgo = (n: number) => AT - n * DAY_MS;
const daysAhead = (n: number) => AT + n * DAY_MS;

const usageDay = (n: number, activeUsers: number, licences: number | null = 10): UsageDayFact => ({
  day: TODAY - n * DAY_MS,
  activeUsers,
  licences,
  events: 0,
  featureUsers: [],
});
/** `count` consecutive days ending today, each with the same users of 10 licences. */
const usageDays = (count: number, activeUsers: number, from = 0) =>
  Array.from({ length: count }, (_, i) => usageDay(from + count - 1 - i, activeUsers));

const deal = (partial: Partial<DealFact>): DealFact => ({
  kind: 'new_business',
  stage: 'won',
  amount: 10_000,
  closeDate: null,
  createdAt: null,
  ...partial,
});

describe('stageInputOf: contract start', () => {
  it.each<[string, DealFact[], number | null, number | null]>([
    [
      'the earliest won new-business deal closed by now',
      [deal({ closeDate: daysAgo(100) }), deal({ closeDate: daysAgo(400) })],
      daysAgo(1000),
      daysAgo(400),
    ],
    [
      'open, lost and other kinds of deal do not start a contract',
      [
        deal({ closeDate: daysAgo(500), stage: 'open' }),
        deal({ closeDate: daysAgo(600), stage: 'lost' }),
        deal({ closeDate: daysAgo(700), kind: 'renewal' }),
      ],
      daysAgo(50),
      daysAgo(50),
    ],
    [
      'a deal closing after now is not seen; the account’s creation is',
      [deal({ closeDate: daysAhead(1) })],
      daysAgo(20),
      daysAgo(20),
    ],
    ['a deal closing exactly now counts', [deal({ closeDate: AT })], daysAgo(20), AT],
    ['no deal and no creation date: unknown', [], null, null],
    ['an account created after now is not known yet', [], daysAhead(3), null],
  ])('%s', (_name, deals, createdAt, expected) => {
    const input = stageInputOf(accountFacts({ deals, createdAt }), DEFAULT_STAGE_RULES, AT, null);
    expect(input.contractStart).toBe(expected);
  });
});

describe('stageInputOf: next renewal', () => {
  it.each<[string, DealFact[], number | null, number | null]>([
    [
      'the earliest renewal deal still open after now, before the account’s renewal date',
      [
        deal({ kind: 'renewal', stage: 'open', closeDate: daysAhead(60) }),
        deal({ kind: 'renewal', stage: 'open', closeDate: daysAhead(40) }),
      ],
      daysAhead(20),
      daysAhead(40),
    ],
    [
      'a renewal deal closed by now is history; the renewal date applies',
      [deal({ kind: 'renewal', stage: 'won', closeDate: daysAgo(5) })],
      daysAhead(360),
      daysAhead(360),
    ],
    ['a renewal date in the past is no next renewal', [], daysAgo(1), null],
    ['a renewal date exactly now has passed', [], AT, null],
    [
      'an expansion deal is no renewal',
      [deal({ kind: 'expansion', stage: 'open', closeDate: daysAhead(10) })],
      null,
      null,
    ],
  ])('%s', (_name, deals, renewalDate, expected) => {
    const input = stageInputOf(accountFacts({ deals, renewalDate }), DEFAULT_STAGE_RULES, AT, null);
    expect(input.renewalOn).toBe(expected);
  });
});

describe('stageInputOf: active users ÷ licences over the usage window (28 days)', () => {
  it.each<[string, UsageDayFact[], number | null, number | null]>([
    ['28 days at 6 of 10', usageDays(28, 6), null, 0.6],
    [
      'each day over its own licences, then averaged',
      Array.from({ length: 14 }, (_, n) => (n % 2 === 0 ? usageDay(n, 2, 10) : usageDay(n, 12, 20))),
      null,
      0.4,
    ],
    ['exactly half the window has usage: still a value', usageDays(14, 4), null, 0.4],
    ['one day short of half the window: a feed gap, not low usage', usageDays(13, 4), null, null],
    [
      'a day without licences takes the account’s',
      usageDays(28, 3).map((day) => ({ ...day, licences: null })),
      12,
      0.25,
    ],
    [
      'days with no licences anywhere are skipped (so too few remain)',
      usageDays(28, 3).map((day) => ({ ...day, licences: null })),
      null,
      null,
    ],
    ['zero licences are skipped like unknown ones', usageDays(28, 3).map((day) => ({ ...day, licences: 0 })), 0, null],
    ['the day ending exactly at the window start is outside it', [usageDay(28, 10), ...usageDays(14, 5)], null, 0.5],
    ['a day after now is not seen', [...usageDays(14, 5), usageDay(-1, 10)], null, 0.5],
    ['no usage at all', [], 100, null],
  ])('%s', (_name, usage, licences, expected) => {
    const input = stageInputOf(accountFacts({ usage, licences }), DEFAULT_STAGE_RULES, AT, null);
    if (expected === null) expect(input.activeRatio).toBeNull();
    else expect(input.activeRatio).toBeCloseTo(expected, 12);
  });

  it('follows the window the rules set', () => {
    const rules: StageRules = { ...DEFAULT_STAGE_RULES, usageWindowDays: 7 };
    const usage = [...usageDays(21, 9, 7), ...usageDays(7, 2)];
    expect(stageInputOf(accountFacts({ usage }), rules, AT, null).activeRatio).toBeCloseTo(0.2, 12);
  });

  it('passes the status and the band through', () => {
    const input = stageInputOf(accountFacts({ status: 'churned' }), DEFAULT_STAGE_RULES, AT, 'yellow');
    expect(input).toMatchObject({ at: AT, status: 'churned', band: 'yellow' });
  });
});

const input = (partial: Partial<StageInput>): StageInput => ({
  at: AT,
  status: 'active',
  contractStart: daysAgo(400),
  renewalOn: daysAhead(200),
  activeRatio: 0.72,
  band: 'green',
  ...partial,
});

describe('deriveStage', () => {
  it.each<[string, Partial<StageInput>, Partial<StageRules>, string, string]>([
    ['a healthy, well-used account is in value', {}, {}, 'value', 'Active users 72% of licences'],
    [
      'churned beats everything',
      { status: 'churned', band: 'red', renewalOn: daysAhead(10), contractStart: daysAgo(5), activeRatio: 0 },
      {},
      'churned',
      'Churned in the CRM',
    ],
    ['a red band is at risk', { band: 'red' }, {}, 'at_risk', 'Health band red'],
    ['at risk beats renewal', { band: 'red', renewalOn: daysAhead(30) }, {}, 'at_risk', 'Health band red'],
    [
      'at risk beats onboarding',
      { band: 'red', contractStart: daysAgo(3), activeRatio: 0.1 },
      {},
      'at_risk',
      'Health band red',
    ],
    ['yellow is not at risk by default', { band: 'yellow' }, {}, 'value', 'Active users 72% of licences'],
    [
      '…unless the rules say so',
      { band: 'yellow' },
      { atRiskBands: ['red', 'yellow'] },
      'at_risk',
      'Health band yellow',
    ],
    ['an unscored account is never at risk', { band: null }, {}, 'value', 'Active users 72% of licences'],
    ['renewal in 42 days', { renewalOn: daysAhead(42) }, {}, 'renewal', 'Renewal in 42 days'],
    [
      'renewal exactly at the window (90 days) is in it',
      { renewalOn: daysAhead(90) },
      {},
      'renewal',
      'Renewal in 90 days',
    ],
    [
      'a millisecond past the window is not',
      { renewalOn: daysAhead(90) + 1 },
      {},
      'value',
      'Active users 72% of licences',
    ],
    ['part of a day counts as a day', { renewalOn: AT + 1 }, {}, 'renewal', 'Renewal in 1 day'],
    [
      'renewal beats onboarding',
      { renewalOn: daysAhead(30), contractStart: daysAgo(10), activeRatio: 0.1 },
      {},
      'renewal',
      'Renewal in 30 days',
    ],
    [
      'renewal whatever the usage',
      { renewalOn: daysAhead(60), activeRatio: null },
      {},
      'renewal',
      'Renewal in 60 days',
    ],
    [
      'the rules set the renewal window',
      { renewalOn: daysAhead(100) },
      { renewalWindowDays: 120 },
      'renewal',
      'Renewal in 100 days',
    ],
    [
      'onboarding: day 12 of 90',
      { contractStart: daysAgo(11), activeRatio: 0.3 },
      {},
      'onboarding',
      'Onboarding: day 12 of 90',
    ],
    [
      'the contract’s first day is day 1',
      { contractStart: AT, activeRatio: null },
      {},
      'onboarding',
      'Onboarding: day 1 of 90',
    ],
    [
      'a millisecond before the end of onboarding',
      { contractStart: daysAgo(90) + 1, activeRatio: 0.3 },
      {},
      'onboarding',
      'Onboarding: day 90 of 90',
    ],
    [
      'exactly onboardingDays after the start, onboarding is over',
      { contractStart: daysAgo(90), activeRatio: 0.3 },
      {},
      'adoption',
      'Active users 30% of licences (value from 60%)',
    ],
    [
      'leaves onboarding early with the exit share exactly reached',
      { contractStart: daysAgo(20), activeRatio: 0.5 },
      {},
      'adoption',
      'Active users 50% of licences (value from 60%)',
    ],
    [
      'leaves onboarding straight for value when usage is there',
      { contractStart: daysAgo(20), activeRatio: 0.8 },
      {},
      'value',
      'Active users 80% of licences',
    ],
    [
      'just below the exit share stays onboarding',
      { contractStart: daysAgo(20), activeRatio: 0.49 },
      {},
      'onboarding',
      'Onboarding: day 21 of 90',
    ],
    [
      'onboarding with no usage yet',
      { contractStart: daysAgo(20), activeRatio: null },
      {},
      'onboarding',
      'Onboarding: day 21 of 90',
    ],
    [
      'an unknown contract start is never onboarding',
      { contractStart: null, activeRatio: 0.1 },
      {},
      'adoption',
      'Active users 10% of licences (value from 60%)',
    ],
    [
      'the rules set the onboarding length',
      { contractStart: daysAgo(100), activeRatio: 0.1 },
      { onboardingDays: 120 },
      'onboarding',
      'Onboarding: day 101 of 120',
    ],
    [
      'adoption below the value share',
      { activeRatio: 0.35 },
      {},
      'adoption',
      'Active users 35% of licences (value from 60%)',
    ],
    ['no usage is adoption', { activeRatio: null }, {}, 'adoption', 'No usage in the last 28 days'],
    [
      'the reason names the window the rules set',
      { activeRatio: null },
      { usageWindowDays: 14 },
      'adoption',
      'No usage in the last 14 days',
    ],
    ['exactly on the value share is value', { activeRatio: 0.6 }, {}, 'value', 'Active users 60% of licences'],
    [
      'a rounding hair below the share is on it',
      { activeRatio: 0.6 - 1e-15 },
      {},
      'value',
      'Active users 60% of licences',
    ],
    [
      'just below the share reads below it, not as the 60% it rounds to',
      { activeRatio: 0.5996 },
      {},
      'adoption',
      'Active users 59% of licences (value from 60%)',
    ],
    [
      'the rules set the value share',
      { activeRatio: 0.72 },
      { valueActiveRatio: 0.75 },
      'adoption',
      'Active users 72% of licences (value from 75%)',
    ],
  ])('%s', (_name, partial, rules, stage, reason) => {
    expect(deriveStage({ ...DEFAULT_STAGE_RULES, ...rules }, input(partial))).toEqual({ stage, reason });
  });

  it('reads a month of usage exactly on the value line as value, from the facts', () => {
    // 28 daily shares of 0.6 do not sum to exactly 16.8 in floating point.
    const facts = accountFacts({ usage: usageDays(28, 6), createdAt: daysAgo(500) });
    const decision = deriveStage(DEFAULT_STAGE_RULES, stageInputOf(facts, DEFAULT_STAGE_RULES, AT, 'green'));
    expect(decision).toEqual({ stage: 'value', reason: 'Active users 60% of licences' });
  });

  it('reads a feed gap as no usage, not as low usage', () => {
    const facts = accountFacts({ usage: usageDays(13, 9), createdAt: daysAgo(500) });
    const decision = deriveStage(DEFAULT_STAGE_RULES, stageInputOf(facts, DEFAULT_STAGE_RULES, AT, 'green'));
    expect(decision).toEqual({ stage: 'adoption', reason: 'No usage in the last 28 days' });
  });
});

describe('daysInStage', () => {
  it.each<[string, number, number]>([
    ['the instant of entry', AT, 0],
    ['a millisecond short of a day', AT - DAY_MS + 1, 0],
    ['exactly a day', AT - DAY_MS, 1],
    ['ten and a half days', AT - 10.5 * DAY_MS, 10],
    ['an entry after the instant is never negative', AT + 5 * DAY_MS, 0],
  ])('%s', (_name, enteredAt, expected) => {
    expect(daysInStage(enteredAt, AT)).toBe(expected);
  });
});

describe('validateStageRules', () => {
  it('fills every default from an empty or missing set', () => {
    expect(validateStageRules(undefined)).toEqual({ ok: true, rules: DEFAULT_STAGE_RULES });
    expect(validateStageRules({ onboardingDays: 60 })).toEqual({
      ok: true,
      rules: { ...DEFAULT_STAGE_RULES, onboardingDays: 60 },
    });
  });

  it.each<[string, unknown, string]>([
    ['a zero-day onboarding', { onboardingDays: 0 }, '$.onboardingDays'],
    ['a share above 1', { valueActiveRatio: 1.5 }, '$.valueActiveRatio'],
    ['an unknown band', { atRiskBands: ['purple'] }, '$.atRiskBands[0]'],
  ])('names the path of %s', (_name, rules, path) => {
    const result = validateStageRules(rules);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.problems.map((problem) => problem.path)).toEqual([path]);
  });

  it('refuses a field it does not know', () => {
    const result = validateStageRules({ onboardingWeeks: 12 });
    expect(result.ok).toBe(false);
  });
});
