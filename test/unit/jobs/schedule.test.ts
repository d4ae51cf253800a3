import { CronExpressionParser } from 'cron-parser';
import { describe, expect, it } from 'vitest';
import { installationSchedulerId, staggerPattern } from '../../../jobs/schedule.ts';

describe('staggerPattern', () => {
  it.each([
    ['*/15 * * * *', /^(\d|1[0-4])\/15 \* \* \* \*$/],
    ['0 2 * * *', /^([0-5]?\d) 2 \* \* \*$/],
    ['0 * * * *', /^([0-5]?\d) \* \* \* \*$/],
    ['* * * * *', /^\* \* \* \* \*$/],
    ['*/1 * * * *', /^\*\/1 \* \* \* \*$/],
    ['5,35 * * * *', /^5,35 \* \* \* \*$/],
  ])('%s → %s', (pattern, expected) => {
    const staggered = staggerPattern(pattern, 'installation-1');
    expect(staggered).toMatch(expected);
    expect(() => CronExpressionParser.parse(staggered, { tz: 'UTC' })).not.toThrow();
  });

  it('is stable for one installation and spreads many installations over the window', () => {
    expect(staggerPattern('*/15 * * * *', 'a')).toBe(staggerPattern('*/15 * * * *', 'a'));
    const minutes = new Set(
      Array.from({ length: 200 }, (_, i) => staggerPattern('0 3 * * *', `installation-${i}`).split(' ')[0]),
    );
    // 200 installations over 60 minutes: a hash that spreads fills nearly every minute.
    expect(minutes.size).toBeGreaterThan(50);
  });

  it('keeps the interval of a stepped pattern', () => {
    const next = CronExpressionParser.parse(staggerPattern('*/15 * * * *', 'x'), {
      tz: 'UTC',
      currentDate: new Date('2026-01-01T00:00:00Z'),
    });
    const a = next.next().getTime();
    const b = next.next().getTime();
    expect(b - a).toBe(15 * 60 * 1000);
  });
});

describe('installationSchedulerId', () => {
  it('joins schedule and installation so global schedulers never collide with them', () => {
    expect(installationSchedulerId('sync.incremental', 'inst-9')).toBe('sync.incremental@inst-9');
  });
});
