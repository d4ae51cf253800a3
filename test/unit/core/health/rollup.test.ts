import { describe, expect, it } from 'vitest';
import { rollup, type RollupMember } from '../../../../server/core/health/rollup.ts';

const member = (id: string, score: number | null, arr: number): RollupMember => ({ id, score, arr });

describe('rollup', () => {
  it.each<[string, RollupMember, RollupMember[], number | null, string | null]>([
    // (80×100k + 30×300k) / 400k
    ['weights by ARR', member('p', 80, 100_000), [member('c1', 30, 300_000)], 42.5, 'yellow'],
    [
      'includes the parent’s own score',
      member('p', 90, 100_000),
      [member('c1', 90, 50_000), member('c2', 0, 50_000)],
      67.5,
      'yellow',
    ],
    [
      'a large red child pulls a green parent to red',
      member('p', 90, 10_000),
      [member('c1', 20, 990_000)],
      20.7,
      'red',
    ],
    [
      'leaves out members without a score',
      member('p', null, 500_000),
      [member('c1', 75, 10_000), member('c2', 85, 30_000)],
      82.5,
      'green',
    ],
    ['counts members equally when none has ARR', member('p', 40, 0), [member('c1', 80, 0)], 60, 'yellow'],
    ['has no score when no member has one', member('p', null, 1), [member('c1', null, 2)], null, null],
    ['a parent without children keeps its own score', member('p', 65, 1), [], 65, 'yellow'],
  ])('%s', (_what, parent, children, score, band) => {
    const result = rollup(parent, children);
    if (score === null) expect(result.score).toBeNull();
    else expect(result.score).toBeCloseTo(score, 10);
    expect(result.band).toBe(band);
  });

  it('reports the ARR covered and the ARR left out', () => {
    expect(rollup(member('p', null, 500_000), [member('c1', 75, 10_000), member('c2', 85, 30_000)])).toMatchObject({
      members: 2,
      arr: 40_000,
      arrWithoutScore: 500_000,
    });
  });
});
