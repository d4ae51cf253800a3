import { describe, expect, it } from 'vitest';
import {
  trainingExamples,
  type AccountHistory,
  type AccountSnapshot,
  type RenewalDealFact,
} from '../../../../../server/core/revenue/forecast/training-examples.ts';

const DAY = 86_400_000;
const T0 = Date.UTC(2025, 0, 1);
const day = (n: number) => T0 + n * DAY;

const snapshot = (n: number, score = 60): AccountSnapshot => ({
  at: day(n),
  score,
  band: 'yellow',
  trend: 'stable',
  arr: 10_000,
  segment: 'smb',
  licenceUse: 0.5,
});

const deal = (kind: RenewalDealFact['kind'], stage: RenewalDealFact['stage'], n: number, amount = 12_000) => ({
  kind,
  stage,
  closeDate: day(n),
  amount,
});

const account: AccountHistory = {
  accountId: 'acc-1',
  snapshots: [snapshot(0, 50), snapshot(30, 55), snapshot(60, 58), snapshot(90, 62)],
  deals: [
    deal('new_business', 'won', -300),
    deal('renewal', 'won', 100),
    deal('expansion', 'won', 70),
    deal('renewal', 'open', 110),
    deal('renewal', 'lost', 140, 11_000),
  ],
};

describe('trainingExamples', () => {
  it.each([
    {
      name: 'a renewal is seen by the snapshots whose horizon (at, at + 60 days] holds its day',
      horizonDays: 60,
      knownBy: day(120),
      // day 100 lies in (60, 120] and (90, 150]; not in (30, 90]. The lost one on day 140 is not known by day 120.
      expected: [
        { at: day(60), decidedAt: day(100), renewed: true, weight: 0.5, daysToRenewal: 40, score: 58 },
        { at: day(90), decidedAt: day(100), renewed: true, weight: 0.5, daysToRenewal: 10, score: 62 },
      ],
    },
    {
      name: 'a decision known later adds its own examples, a renewal counted once however many see it',
      horizonDays: 60,
      knownBy: day(140),
      // day 140 lies only in (90, 150]: one example of weight 1
      expected: [
        { at: day(60), decidedAt: day(100), renewed: true, weight: 0.5, daysToRenewal: 40, score: 58 },
        { at: day(90), decidedAt: day(100), renewed: true, weight: 0.5, daysToRenewal: 10, score: 62 },
        { at: day(90), decidedAt: day(140), renewed: false, weight: 1, daysToRenewal: 50, score: 62 },
      ],
    },
    {
      name: 'the horizon end is inside, the snapshot day itself is not',
      horizonDays: 40,
      knownBy: day(400),
      // day 100: (60, 100] holds it (the end), (90, 130] too; day 140 is 50 days after day 90, beyond 40
      expected: [
        { at: day(60), decidedAt: day(100), renewed: true, weight: 0.5, daysToRenewal: 40, score: 58 },
        { at: day(90), decidedAt: day(100), renewed: true, weight: 0.5, daysToRenewal: 10, score: 62 },
      ],
    },
    {
      name: 'nothing is known by a day before every decision',
      horizonDays: 183,
      knownBy: day(99),
      expected: [],
    },
  ])('$name', ({ horizonDays, knownBy, expected }) => {
    const examples = trainingExamples([account], { horizonDays, knownBy });
    expect(
      examples.map((example) => ({
        at: example.at,
        decidedAt: example.decidedAt,
        renewed: example.renewed,
        weight: example.weight,
        daysToRenewal: example.input.daysToRenewal,
        score: example.input.score,
      })),
    ).toEqual(expected);
  });

  it('takes the ARR decided from the deal, else the snapshot, and keys the renewal by account and day', () => {
    const [first] = trainingExamples([account], { horizonDays: 60, knownBy: day(120) });
    expect(first).toMatchObject({ arr: 12_000, renewalKey: 'acc-1@2025-04-11', accountId: 'acc-1' });
    const unpriced = { ...account, deals: [{ ...deal('renewal', 'won', 100), amount: null }] };
    expect(trainingExamples([unpriced], { horizonDays: 60, knownBy: day(120) })[0]?.arr).toBe(10_000);
  });

  it('makes no example of a renewal no snapshot saw', () => {
    const unseen = { ...account, snapshots: [snapshot(0)] };
    expect(trainingExamples([unseen], { horizonDays: 30, knownBy: day(400) })).toEqual([]);
  });

  it('refuses a horizon that is not positive', () => {
    expect(() => trainingExamples([account], { horizonDays: 0, knownBy: day(1) })).toThrow(/horizon/);
  });
});
