import { describe, expect, it } from 'vitest';
import type { FactsContext, UsageDayFact } from '../../../../server/core/health/facts.ts';
import { DAY_MS } from '../../../../server/core/health/signals.ts';
import {
  meets,
  metricValue,
  milestoneStatus,
  readObjective,
  type Comparator,
  type Metric,
  type MilestoneStatus,
  type ObjectiveReading,
  type ObjectiveState,
  type ObjectiveStatus,
} from '../../../../server/core/plans/plan-model.ts';
import { accountFacts } from '../health/account-facts.ts';

const START = Date.UTC(2026, 0, 5);
const DUE = START + 90 * DAY_MS;
const day = (n: number) => START + n * DAY_MS;

/** Active users ≥ 50% of licences in 90 days, from a 10% start. */
const state = (partial: Partial<ObjectiveState> = {}): ObjectiveState => ({
  comparator: 'gte',
  target: 0.5,
  startAt: START,
  dueAt: DUE,
  startValue: 0.1,
  achievedAt: null,
  ...partial,
});

/** Three high-priority tickets open at the start, none by the due date. */
const fewerTickets = (partial: Partial<ObjectiveState> = {}) =>
  state({ comparator: 'lte', target: 0, startValue: 3, ...partial });

describe('meets', () => {
  it.each<[Comparator, number, number, boolean]>([
    ['gte', 0.6, 0.6, true],
    ['gte', 0.61, 0.6, true],
    ['gte', 0.59, 0.6, false],
    ['lte', 0, 0, true],
    ['lte', -1, 0, true],
    ['lte', 1, 0, false],
  ])('%s %s against %s: %s', (comparator, value, target, expected) => {
    expect(meets(comparator, value, target)).toBe(expected);
  });
});

type Expected = Partial<ObjectiveReading> & { status: ObjectiveStatus };

describe('readObjective', () => {
  it.each<[string, ObjectiveState, number | null, number, Expected]>([
    // 0.1 + (0.5 − 0.1) × ½ is 0.30000000000000004 in floating point: 0.3 is on the line all the same.
    ['exactly on the line halfway', state(), 0.3, day(45), { status: 'on_track', expected: 0.3, progress: 0.5 }],
    // Halfway the slack is half of a tenth of the way (0.4): on track down to 0.3 − 0.02.
    ['short of the line within the slack is on track', state(), 0.285, day(45), { status: 'on_track', expected: 0.3 }],
    ['exactly on the slack line halfway', state(), 0.28, day(45), { status: 'on_track' }],
    ['a hair below the slack line is behind', state(), 0.28 - 1e-6, day(45), { status: 'behind' }],
    // The line moves at once and the signal does not: an objective is not behind the day after it starts.
    ['unchanged the day after the start is on track', state(), 0.1, day(1), { status: 'on_track' }],
    ['a whole slack short at the start is still on track', state(), 0.06, START, { status: 'on_track' }],
    ['more than the slack short at the start is behind', state(), 0.059, START, { status: 'behind' }],
    ['above the line is on track', state(), 0.45, day(45), { status: 'on_track', achievedAt: null }],
    ['well below the line is behind', state(), 0.15, day(45), { status: 'behind', progress: 0.125 }],
    [
      'at the start the line is the start value',
      state(),
      0.1,
      START,
      { status: 'on_track', expected: 0.1, progress: 0 },
    ],
    ['before the start the line has not moved', state(), 0.1, START - DAY_MS, { status: 'on_track', expected: 0.1 }],
    ['below the start value: progress stops at 0', state(), 0.05, day(10), { status: 'behind', progress: 0 }],
    ['target met on the due instant', state(), 0.5, DUE, { status: 'achieved', achievedAt: DUE, progress: 1 }],
    ['target met early', state(), 0.55, day(40), { status: 'achieved', achievedAt: day(40), progress: 1 }],
    [
      'a mean a rounding hair short of the target meets it',
      state(),
      0.5 - 1e-15,
      day(80),
      { status: 'achieved', achievedAt: day(80) },
    ],
    ['not met on the due instant is still behind, not missed', state(), 0.49, DUE, { status: 'behind', expected: 0.5 }],
    [
      'not met one millisecond after due is missed',
      state(),
      0.49,
      DUE + 1,
      { status: 'missed', achievedAt: null, progress: 0.975 },
    ],
    ['met only after the due date is still missed', state(), 0.6, DUE + 1, { status: 'missed', progress: 1 }],
    ['no reading after due is missed', state(), null, DUE + 1, { status: 'missed', progress: null }],
    [
      'achieved stays achieved after the value falls',
      state({ achievedAt: day(60) }),
      0.2,
      day(75),
      { status: 'achieved', achievedAt: day(60), progress: 1, value: 0.2 },
    ],
    [
      'achieved stays achieved past the due date',
      state({ achievedAt: day(60) }),
      0.2,
      DUE + 30 * DAY_MS,
      { status: 'achieved', achievedAt: day(60) },
    ],
    [
      'achieved stays achieved without data',
      state({ achievedAt: day(60) }),
      null,
      day(70),
      { status: 'achieved', progress: 1 },
    ],
    [
      'no reading: no data, the line still known',
      state(),
      null,
      day(45),
      { status: 'no_data', progress: null, startValue: 0.1 },
    ],
    [
      'the first reading starts the line',
      state({ startValue: null }),
      0.25,
      START,
      { status: 'on_track', startValue: 0.25, expected: 0.25, progress: 0 },
    ],
    [
      'a first reading after the start is measured against its own line',
      state({ startValue: null }),
      0.25,
      day(30),
      { status: 'behind', startValue: 0.25, progress: 0 },
    ],
    [
      'no reading yet: no start, no line',
      state({ startValue: null }),
      null,
      day(10),
      { status: 'no_data', startValue: null, expected: null },
    ],
    ['lte: on the line down', fewerTickets(), 1.5, day(45), { status: 'on_track', expected: 1.5, progress: 0.5 }],
    ['lte: fewer than the line is on track', fewerTickets(), 1, day(45), { status: 'on_track' }],
    ['lte: above the line within the slack is on track', fewerTickets(), 1.65, day(45), { status: 'on_track' }],
    ['lte: past the slack is behind', fewerTickets(), 1.66, day(45), { status: 'behind' }],
    ['lte: more than the line is behind', fewerTickets(), 2, day(45), { status: 'behind', progress: 1 / 3 }],
    ['lte: more than at the start, progress stops at 0', fewerTickets(), 5, day(45), { status: 'behind', progress: 0 }],
    ['lte: target reached', fewerTickets(), 0, day(20), { status: 'achieved', achievedAt: day(20) }],
    ['lte: missed after due', fewerTickets(), 1, DUE + 1, { status: 'missed', progress: 2 / 3 }],
    [
      'lte: met from the first reading',
      fewerTickets({ startValue: null }),
      0,
      START,
      { status: 'achieved', startValue: 0 },
    ],
    [
      'a target equal to the start value, not met: behind with no progress',
      state({ startValue: 0.5, target: 0.5, achievedAt: null }),
      0.45,
      day(10),
      { status: 'behind', progress: 0 },
    ],
    [
      'a due date on the start: the line is the target at once',
      state({ dueAt: START }),
      0.3,
      START,
      { status: 'behind', expected: 0.5 },
    ],
    ['a due date on the start: missed right after it', state({ dueAt: START }), 0.3, START + 1, { status: 'missed' }],
  ])('%s', (_name, objective, value, at, expected) => {
    const reading = readObjective(objective, value, at);
    const { expected: line, progress, ...rest } = expected;
    expect(reading).toMatchObject(rest);
    if (line !== undefined) {
      if (line === null) expect(reading.expected).toBeNull();
      else expect(reading.expected).toBeCloseTo(line, 12);
    }
    if (progress !== undefined) {
      if (progress === null) expect(reading.progress).toBeNull();
      else expect(reading.progress).toBeCloseTo(progress, 12);
    }
  });

  it('always reports the value it read', () => {
    expect(readObjective(state(), 0.42, day(50)).value).toBe(0.42);
  });
});

describe('milestoneStatus', () => {
  it.each<[string, number | null, number, MilestoneStatus]>([
    ['reached before due', day(5), day(3), 'reached'],
    ['reached late is still reached', day(40), day(50), 'reached'],
    ['not reached, due later', null, day(9), 'upcoming'],
    ['not reached on the due instant', null, day(10), 'upcoming'],
    ['not reached one millisecond after due', null, day(10) + 1, 'overdue'],
  ])('%s', (_name, reachedAt, at, expected) => {
    expect(milestoneStatus({ dueAt: day(10), reachedAt }, at)).toBe(expected);
  });
});

describe('an objective read from a signal history, as the daily job carries it forward', () => {
  const CONTEXT: FactsContext = { featuresOffered: 6 };
  const ACTIVE_USERS: Metric = {
    kind: 'signal',
    signal: 'usage.active_user_ratio',
    windowDays: 28,
    aggregation: 'mean',
  };

  /** Daily usage of 100 licences from `from` to `to` (days from the plan start), `users` active each day. */
  const usage = (from: number, to: number, users: number): UsageDayFact[] =>
    Array.from({ length: to - from + 1 }, (_, i) => ({
      day: day(from + i),
      activeUsers: users,
      licences: 100,
      events: 0,
      featureUsers: [],
    }));

  /** 60% of licences active by day 90, from the 30% the account runs at when the plan starts. */
  function replay(history: UsageDayFact[], readDays: readonly number[]) {
    const facts = accountFacts({ usage: history, licences: 100 });
    let objective: ObjectiveState = state({ target: 0.6, startValue: null });
    return readDays.map((n) => {
      const at = day(n);
      const reading = readObjective(objective, metricValue(ACTIVE_USERS, facts, at, CONTEXT), at);
      objective = { ...objective, startValue: reading.startValue, achievedAt: reading.achievedAt };
      // In percent to one decimal, as a card would show it.
      const value = reading.value === null ? null : Math.round(reading.value * 1000) / 10;
      return { day: n, status: reading.status, value };
    });
  }

  // A reading at the start of day n sees the days before it: the 28 days n − 28 … n − 1.
  const READ_DAYS = [0, 30, 60, 90, 91, 120] as const;

  it('starts on the line, falls behind, catches up, achieves on the due day and stays achieved', () => {
    const history = [
      ...usage(-60, -1, 30),
      ...usage(0, 29, 35), // day 30: 35% against a line at 40%
      ...usage(30, 59, 55), // day 60: 55% against 50%
      ...usage(60, 89, 62), // day 90 (the due instant): 62% against the 60% target
      ...usage(90, 130, 20), // then usage collapses
    ];
    expect(replay(history, READ_DAYS)).toEqual([
      { day: 0, status: 'on_track', value: 30 },
      { day: 30, status: 'behind', value: 35 },
      { day: 60, status: 'on_track', value: 55 },
      { day: 90, status: 'achieved', value: 62 },
      { day: 91, status: 'achieved', value: 60.5 },
      { day: 120, status: 'achieved', value: 20 },
    ]);
  });

  it('a near miss is behind on the due day and missed the millisecond after', () => {
    const history = [...usage(-60, -1, 30), ...usage(0, 59, 50), ...usage(60, 130, 58)];
    expect(replay(history, READ_DAYS)).toEqual([
      { day: 0, status: 'on_track', value: 30 },
      { day: 30, status: 'on_track', value: 50 },
      { day: 60, status: 'on_track', value: 50 },
      { day: 90, status: 'behind', value: 58 },
      { day: 91, status: 'missed', value: 58 },
      { day: 120, status: 'missed', value: 58 },
    ]);
  });

  it('a gap in the usage feed is no data, and the start value set before it holds', () => {
    const history = [...usage(-60, -1, 40), ...usage(0, 29, 50), ...usage(60, 130, 65)];
    const readings = replay(history, [0, 30, 45, 60, 75, 90]);
    expect(readings).toEqual([
      { day: 0, status: 'on_track', value: 40 },
      { day: 30, status: 'on_track', value: 50 },
      // Days 17…29 are still in the window at day 45: the mean of what there is, exactly on the line.
      { day: 45, status: 'on_track', value: 50 },
      { day: 60, status: 'no_data', value: null },
      { day: 75, status: 'achieved', value: 65 },
      { day: 90, status: 'achieved', value: 65 },
    ]);
  });

  it('an account with no usage before the plan has no start until its first reading', () => {
    const history = usage(10, 130, 45);
    const facts = accountFacts({ usage: history, licences: 100 });
    const first = readObjective(
      state({ target: 0.6, startValue: null }),
      metricValue(ACTIVE_USERS, facts, day(0), CONTEXT),
      day(0),
    );
    expect(first).toMatchObject({ status: 'no_data', startValue: null, expected: null });
    const second = readObjective(
      state({ target: 0.6, startValue: first.startValue }),
      metricValue(ACTIVE_USERS, facts, day(20), CONTEXT),
      day(20),
    );
    expect(second.startValue).toBeCloseTo(0.45, 12);
  });
});
