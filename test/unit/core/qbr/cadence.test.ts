import { describe, expect, it } from 'vitest';
import { briefQbrDate, nextQbrDate, qbrNeedingBrief } from '../../../../server/core/qbr/cadence.ts';

describe('QBR cadence', () => {
  it.each([
    ['renewal far ahead: the quarter boundary next on or after today', '2027-06-30', '2026-12-05', '2027-01-01'],
    ['a QBR falling on today is today', '2027-03-05', '2026-12-05', '2026-12-05'],
    ['the day after a QBR: the next quarter', '2027-03-05', '2026-12-06', '2027-03-05'],
    ['renewal within a quarter: the renewal day itself', '2027-01-20', '2026-12-05', '2027-01-20'],
    ['renewal today', '2026-12-05', '2026-12-05', '2026-12-05'],
    ['renewal passed: no cadence', '2026-12-04', '2026-12-05', null],
    ['no renewal date', null, '2026-12-05', null],
  ] as const)('%s', (_name, renewal, today, expected) => {
    expect(nextQbrDate(renewal, today)).toBe(expected);
  });

  it.each([
    ['14 days ahead: due', '2027-03-19', '2026-12-05', '2026-12-19', '2026-12-19'],
    ['15 days ahead: not yet', '2027-03-20', '2026-12-05', '2026-12-20', null],
    ['today: still due (a missed day is caught up)', '2027-03-05', '2026-12-05', '2026-12-05', '2026-12-05'],
  ] as const)('the scheduled brief is %s', (_name, renewal, today, next, due) => {
    expect(nextQbrDate(renewal, today)).toBe(next);
    expect(qbrNeedingBrief(renewal, today)).toBe(due);
  });

  it('a brief asked for without a cadence is for today', () => {
    expect(briefQbrDate(null, Date.parse('2026-12-05T15:00:00Z'))).toBe('2026-12-05');
    expect(briefQbrDate('2027-06-30', Date.parse('2026-12-05T15:00:00Z'))).toBe('2027-01-01');
  });
});
