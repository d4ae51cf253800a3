import { describe, expect, it } from 'vitest';
import type {
  AccountFacts,
  ContactFact,
  FactsContext,
  SurveyFact,
  TicketFact,
  UsageDayFact,
} from '../../../../server/core/health/facts.ts';
import { DAY_MS } from '../../../../server/core/health/signals.ts';
import { conditionHolds, metricValue, type Metric } from '../../../../server/core/plans/plan-model.ts';
import { accountFacts } from '../health/account-facts.ts';

/** Read at the very end of 30 June, so a usage day `n` days ago ends exactly `n` days before AT. */
const TODAY = Date.UTC(2026, 5, 30);
const AT = TODAY + DAY_MS - 1;
const ago = (n: number) => AT - n * DAY_MS;
const CONTEXT: FactsContext = { featuresOffered: 6 };

const usageDay = (n: number, activeUsers: number, featureUsers: number[] = [], licences = 10): UsageDayFact => ({
  day: TODAY - n * DAY_MS,
  activeUsers,
  licences,
  events: 0,
  featureUsers,
});
const ticket = (createdDaysAgo: number, priority: TicketFact['priority'], closedDaysAgo: number | null = null) => ({
  createdAt: ago(createdDaysAgo),
  closedAt: closedDaysAgo === null ? null : ago(closedDaysAgo),
  priority,
});
const nps = (daysAgo: number, score: number, respondentRole?: SurveyFact['respondentRole']): SurveyFact => ({
  kind: 'nps',
  score,
  at: ago(daysAgo),
  ...(respondentRole === undefined ? {} : { respondentRole }),
});
const contact = (role: ContactFact['role'], departedOn: number | null = null): ContactFact => ({
  role,
  createdAt: null,
  departedOn,
  departed: departedOn !== null,
  lastEngagedAt: null,
});

const signal = (
  name: Extract<Metric, { kind: 'signal' }>['signal'],
  windowDays: number,
  aggregation: 'mean' | 'latest' | 'max',
): Metric => ({
  kind: 'signal',
  signal: name,
  windowDays,
  aggregation,
});

describe('metricValue: a signal', () => {
  it.each<[string, Metric, Partial<AccountFacts>, number | null]>([
    [
      'active users ÷ licences, mean over the window',
      signal('usage.active_user_ratio', 7, 'mean'),
      { usage: [usageDay(8, 10), usageDay(1, 3), usageDay(0, 5)] },
      0.4,
    ],
    [
      'no usage in the window is no data',
      signal('usage.active_user_ratio', 7, 'mean'),
      { usage: [usageDay(8, 10)] },
      null,
    ],
    [
      'open high-priority tickets now',
      signal('support.high_priority_open', 1, 'latest'),
      { tickets: [ticket(10, 'high'), ticket(5, 'urgent'), ticket(3, 'low'), ticket(20, 'high', 2)] },
      2,
    ],
    ['none open is 0, not no data', signal('support.high_priority_open', 1, 'latest'), {}, 0],
    [
      'a flag that holds reads 1',
      signal('relationship.sponsor_present', 1, 'latest'),
      { contacts: [contact('executive_sponsor')] },
      1,
    ],
    [
      'a flag that does not hold reads 0',
      signal('relationship.sponsor_present', 1, 'latest'),
      { contacts: [contact('executive_sponsor', ago(3)), contact('champion')] },
      0,
    ],
    [
      'the NPS answers of everyone, averaged',
      signal('voice.nps', 180, 'mean'),
      { surveys: [nps(10, 9), nps(20, 6, 'champion'), nps(200, 0)] },
      7.5,
    ],
  ])('%s', (_name, metric, facts, expected) => {
    const value = metricValue(metric, accountFacts(facts), AT, CONTEXT);
    if (expected === null) expect(value).toBeNull();
    else expect(value).toBeCloseTo(expected, 12);
  });
});

describe('metricValue: features live', () => {
  const LIVE: Metric = { kind: 'features_live', windowDays: 7 };
  it.each<[string, UsageDayFact[], number | null]>([
    // A feature is live on a day when a fifth of the day's active users used it (and at least one).
    ['a fifth of the day’s users makes a feature live', [usageDay(0, 10, [2, 1, 5, 0])], 2],
    ['one user on a tiny day is enough', [usageDay(0, 2, [1, 0])], 1],
    ['the mean over the window’s days', [usageDay(2, 10, [5, 5, 5]), usageDay(1, 10, [5]), usageDay(0, 10, [5, 5])], 2],
    ['rounded to one decimal', [usageDay(2, 10, [5, 5]), usageDay(1, 10, [5]), usageDay(0, 10, [5])], 1.3],
    ['the day ending on the window start is outside it', [usageDay(7, 10, [5, 5, 5, 5, 5]), usageDay(0, 10, [5])], 1],
    ['a day after the instant is not seen', [usageDay(-1, 10, [5, 5, 5, 5, 5]), usageDay(0, 10, [5])], 1],
    ['a day with users but no feature live counts as 0', [usageDay(1, 10, [1]), usageDay(0, 10, [5, 5])], 1],
    ['no usage day in the window is no data', [usageDay(9, 10, [5])], null],
  ])('%s', (_name, usage, expected) => {
    expect(metricValue(LIVE, accountFacts({ usage }), AT, CONTEXT)).toBe(expected);
  });
});

describe('metricValue: NPS from a role', () => {
  const SPONSOR: Metric = { kind: 'nps_from_role', role: 'executive_sponsor', windowDays: 180 };
  it.each<[string, SurveyFact[], number | null]>([
    ['the latest answer of the role', [nps(90, 6, 'executive_sponsor'), nps(10, 9, 'executive_sponsor')], 9],
    ['the latest by date, not by position', [nps(10, 9, 'executive_sponsor'), nps(90, 6, 'executive_sponsor')], 9],
    [
      'other roles and unknown respondents are not asked',
      [nps(90, 7, 'executive_sponsor'), nps(5, 2, 'champion'), nps(3, 1)],
      7,
    ],
    ['an answer exactly now counts', [nps(0, 10, 'executive_sponsor')], 10],
    ['an answer after now is not seen', [nps(-1, 10, 'executive_sponsor'), nps(30, 4, 'executive_sponsor')], 4],
    ['an answer on the window start is outside it', [nps(180, 8, 'executive_sponsor')], null],
    [
      'a CSAT from the role is no NPS',
      [{ kind: 'csat', score: 5, at: ago(3), respondentRole: 'executive_sponsor' }],
      null,
    ],
    ['nobody in the role answered', [nps(3, 9, 'champion')], null],
  ])('%s', (_name, surveys, expected) => {
    expect(metricValue(SPONSOR, accountFacts({ surveys }), AT, CONTEXT)).toBe(expected);
  });

  it('asks the role the metric names', () => {
    const facts = accountFacts({ surveys: [nps(3, 9, 'champion'), nps(2, 4, 'executive_sponsor')] });
    expect(metricValue({ kind: 'nps_from_role', role: 'champion', windowDays: 30 }, facts, AT, CONTEXT)).toBe(9);
  });
});

describe('conditionHolds', () => {
  const usage = Array.from({ length: 28 }, (_, n) => usageDay(n, 6));
  it.each<[string, 'gte' | 'lte', number, Partial<AccountFacts>, boolean]>([
    // 28 daily shares of 0.6 average to 0.5999999999999999: the milestone is reached all the same.
    ['a month exactly on the target', 'gte', 0.6, { usage }, true],
    ['a month below the target', 'gte', 0.61, { usage }, false],
    ['no data never reaches a milestone', 'gte', 0, {}, false],
    ['lte on the target', 'lte', 0.6, { usage }, true],
  ])('%s', (_name, comparator, target, facts, expected) => {
    const condition = { metric: signal('usage.active_user_ratio', 28, 'mean'), comparator, target };
    expect(conditionHolds(condition, accountFacts(facts), AT, CONTEXT)).toBe(expected);
  });
});
