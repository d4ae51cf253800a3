import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  evaluateBacktest,
  NO_SEGMENT,
  separationAuc,
  type BacktestCase,
} from '../../../../server/core/health/backtest.ts';
import { renewalProbability } from '../../../../server/core/health/renewal-prior.ts';
import { auc as sandboxAuc } from '../../../../sandbox/generator/auc.ts';

const META = { asOf: '2026-01-01', horizonDays: 182 };

/** Cases from [score, churned] pairs, ids a, b, c … in order. */
const cases = (rows: readonly (readonly [number | null, boolean])[], segment: string | null = 'smb'): BacktestCase[] =>
  rows.map(([score, churned], index) => ({
    accountId: String.fromCharCode(97 + index),
    segment,
    arr: 1_000,
    score,
    churned,
  }));

describe('evaluateBacktest: AUC', () => {
  it.each([
    // Worked by hand: count renewal–churn pairs where the renewal scores higher, ties one half.
    [
      'perfect separation',
      [
        [3, false],
        [4, false],
        [1, true],
        [2, true],
      ],
      1,
    ],
    [
      'perfectly backwards',
      [
        [1, false],
        [2, false],
        [3, true],
        [4, true],
      ],
      0,
    ],
    [
      'one of two pairs right',
      [
        [2, false],
        [1, true],
        [3, true],
      ],
      0.5,
    ],
    // Pairs (renewal, churn): (2,2) ½, (2,1) 1, (3,2) 1, (3,1) 1 → 3.5 / 4.
    [
      'a tie across the classes',
      [
        [2, false],
        [3, false],
        [2, true],
        [1, true],
      ],
      0.875,
    ],
    [
      'everything tied',
      [
        [5, false],
        [5, false],
        [5, true],
      ],
      0.5,
    ],
    // (5,2) (5,3) (4,2) (4,3) right, (1,2) (1,3) wrong → 4 / 6.
    [
      'mixed',
      [
        [5, false],
        [1, false],
        [4, false],
        [2, true],
        [3, true],
      ],
      4 / 6,
    ],
    [
      'no churn',
      [
        [1, false],
        [2, false],
      ],
      null,
    ],
    [
      'only churn',
      [
        [1, true],
        [2, true],
      ],
      null,
    ],
    [
      'nothing scored',
      [
        [null, true],
        [null, false],
      ],
      null,
    ],
  ] as const)('%s', (_what, rows, expected) => {
    const report = evaluateBacktest(cases(rows), META);
    if (expected === null) expect(report.auc).toBeNull();
    else expect(report.auc).toBeCloseTo(expected, 10);
  });

  it('leaves unscored accounts out of the AUC but counts them', () => {
    const report = evaluateBacktest(
      cases([
        [3, false],
        [1, true],
        [null, true],
        [null, false],
      ]),
      META,
    );
    expect(report).toMatchObject({ accounts: 4, scored: 2, churned: 2, auc: 1 });
    expect(report.bottom20.baseChurnRate).toBe(0.5);
  });

  it.each([
    [
      [0.3, 0.1, 0.7, 0.7, 0.2],
      [true, false, true, false, false],
    ],
    [
      [1, 2, 3, 4, 5, 6],
      [false, true, false, true, true, true],
    ],
    [
      [10, 10, 10, 20, 30, 5, 5],
      [true, true, false, false, true, false, true],
    ],
    [
      [1, 2],
      [true, true],
    ],
  ])('agrees with the sandbox generator’s AUC on %j', (scores, renewed) => {
    const ours = separationAuc(scores, renewed);
    const theirs = sandboxAuc(scores, renewed);
    if (Number.isNaN(theirs)) expect(ours).toBeNull();
    else expect(ours).toBeCloseTo(theirs, 12);
  });

  it('equals the share of correctly ordered pairs', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 20 }), fc.boolean()), { minLength: 2, maxLength: 40 }),
        (rows) => {
          const renewed = rows.filter(([, positive]) => positive).map(([score]) => score);
          const churned = rows.filter(([, positive]) => !positive).map(([score]) => score);
          let wins = 0;
          for (const r of renewed) for (const c of churned) wins += r > c ? 1 : r === c ? 0.5 : 0;
          const expected = renewed.length && churned.length ? wins / (renewed.length * churned.length) : null;
          const actual = separationAuc(
            rows.map(([score]) => score),
            rows.map(([, positive]) => positive),
          );
          return expected === null ? actual === null : Math.abs((actual ?? -1) - expected) < 1e-12;
        },
      ),
    );
  });

  it('refuses a score that is not a number', () => {
    expect(() => evaluateBacktest(cases([[Number.NaN, false]]), META)).toThrow(/account a has a score of NaN/);
  });
});

describe('evaluateBacktest: bottom 20%', () => {
  // Ten accounts with known ARR; c and d tie at 20 and the id puts c in the bottom two.
  const BOOK: BacktestCase[] = [
    ['a', 80, 100, false],
    ['b', 10, 200, true],
    ['d', 20, 400, true],
    ['c', 20, 300, false],
    ['e', 90, 500, false],
    ['f', 60, 600, true],
    ['g', 70, 700, false],
    ['h', 40, 800, false],
    ['i', 50, 900, false],
    ['j', 30, 1_000, false],
  ].map(([accountId, score, arr, churned]) => ({
    accountId: accountId as string,
    segment: 'mid_market',
    score: score as number,
    arr: arr as number,
    churned: churned as boolean,
  }));

  it('takes the two lowest scores, ties by account id', () => {
    // Bottom: b (churned, 200) and c (renewed); churned ARR of all: 200 + 400 + 600.
    expect(evaluateBacktest(BOOK, META).bottom20).toEqual({
      accounts: 2,
      churnedArrShare: 200 / 1_200,
      churnRate: 0.5,
      baseChurnRate: 0.3,
    });
  });

  it.each([
    ['no churn at all', BOOK.map((c) => ({ ...c, churned: false })), { churnedArrShare: null, churnRate: 0 }],
    ['all churn in the bottom', BOOK.map((c) => ({ ...c, churned: c.score! <= 10 })), { churnedArrShare: 1 }],
    ['nothing scored', BOOK.map((c) => ({ ...c, score: null })), { accounts: 0, churnRate: null, baseChurnRate: null }],
  ])('%s', (_what, book, expected) => {
    expect(evaluateBacktest(book, META).bottom20).toMatchObject(expected);
  });

  it.each([
    [1, 0],
    [3, 1],
    [7, 1],
    [8, 2],
    [100, 20],
  ])('of %d scored accounts, %d are the bottom', (count, bottom) => {
    const book = Array.from({ length: count }, (_, index) => ({
      accountId: `acc-${index}`,
      segment: null,
      arr: 1,
      score: index,
      churned: index % 2 === 0,
    }));
    expect(evaluateBacktest(book, META).bottom20.accounts).toBe(bottom);
  });
});

describe('evaluateBacktest: calibration and segments', () => {
  it('fills ten buckets with observed and predicted renewal', () => {
    const report = evaluateBacktest(
      cases([
        [5, true],
        [8, false],
        [10, false],
        [45, false],
        [95, true],
        [100, false],
      ]),
      META,
    );
    expect(report.calibration.map((bucket) => [bucket.from, bucket.to])).toEqual(
      Array.from({ length: 10 }, (_, index) => [index * 10, index * 10 + 10]),
    );
    const byFrom = (from: number) => report.calibration.find((bucket) => bucket.from === from);
    expect(byFrom(0)).toEqual({
      from: 0,
      to: 10,
      accounts: 2,
      churned: 1,
      observedRenewal: 0.5,
      predictedRenewal: (renewalProbability(5) + renewalProbability(8)) / 2,
    });
    expect(byFrom(10)).toMatchObject({ accounts: 1, churned: 0, observedRenewal: 1 });
    expect(byFrom(40)).toMatchObject({ accounts: 1, observedRenewal: 1 });
    // 100 belongs to the last bucket.
    expect(byFrom(90)).toMatchObject({ accounts: 2, churned: 1, observedRenewal: 0.5 });
    expect(byFrom(90)?.predictedRenewal).toBeCloseTo((renewalProbability(95) + 0.99) / 2, 12);
    expect(byFrom(20)).toEqual({
      from: 20,
      to: 30,
      accounts: 0,
      churned: 0,
      observedRenewal: null,
      predictedRenewal: null,
    });
  });

  it('reports each segment’s accounts, churn and AUC, accounts without a segment together', () => {
    const book = [
      ...cases([
        [80, false],
        [20, true],
        [null, true],
      ]),
      ...cases(
        [
          [30, false],
          [60, true],
        ],
        'enterprise',
      ),
      ...cases([[50, false]], null),
    ];
    expect(evaluateBacktest(book, META).bySegment).toEqual({
      [NO_SEGMENT]: { accounts: 1, churned: 0, auc: null },
      enterprise: { accounts: 2, churned: 1, auc: 0 },
      smb: { accounts: 3, churned: 2, auc: 1 },
    });
  });

  it('carries the backtest day and horizon', () => {
    expect(evaluateBacktest([], META)).toMatchObject({ ...META, accounts: 0, scored: 0, churned: 0, auc: null });
  });
});
