import { describe, expect, it } from 'vitest';
import {
  formatPeriod,
  periodBefore,
  periodDays,
  periodWindows,
  qbrPeriod,
} from '../../../../server/core/qbr/period.ts';

const at = (iso: string) => Date.parse(iso);

describe('qbrPeriod', () => {
  it.each([
    {
      name: 'a past QBR covers the 90 days before it',
      qbr: '2026-09-30',
      now: '2026-12-05T08:00:00Z',
      start: '2026-07-02',
      end: '2026-09-29',
    },
    {
      name: 'a QBR ahead stops at today',
      qbr: '2026-12-20',
      now: '2026-12-05T08:00:00Z',
      start: '2026-09-07',
      end: '2026-12-05',
    },
    {
      name: 'a QBR today ends yesterday',
      qbr: '2026-12-05',
      now: '2026-12-05T23:59:00Z',
      start: '2026-09-06',
      end: '2026-12-04',
    },
    {
      name: 'across a year end',
      qbr: '2026-01-15',
      now: '2026-03-01T00:00:00Z',
      start: '2025-10-17',
      end: '2026-01-14',
    },
  ])('$name', ({ qbr, now, start, end }) => {
    const period = qbrPeriod(qbr, at(now));
    expect(period).toEqual({ start, end });
    expect(periodDays(period)).toBe(90);
  });

  it('refuses a period without days', () => {
    expect(() => qbrPeriod('2026-09-30', at('2026-12-05T00:00:00Z'), 0)).toThrow(/at least one day/);
  });
});

describe('period arithmetic', () => {
  it.each([
    {
      period: { start: '2026-07-01', end: '2026-09-28' },
      before: { start: '2026-04-02', end: '2026-06-30' },
      days: 30,
      first: '2026-07-30',
      last: '2026-08-30',
    },
    {
      period: { start: '2026-07-01', end: '2026-07-20' },
      before: { start: '2026-06-11', end: '2026-06-30' },
      days: 10,
      first: '2026-07-10',
      last: '2026-07-11',
    },
    {
      period: { start: '2026-07-01', end: '2026-07-01' },
      before: { start: '2026-06-30', end: '2026-06-30' },
      days: 1,
      first: '2026-07-01',
      last: '2026-07-01',
    },
  ])('$period.start–$period.end', ({ period, before, days, first, last }) => {
    expect(periodBefore(period)).toEqual(before);
    const windows = periodWindows(period);
    expect(windows.days).toBe(days);
    expect(windows.first).toEqual({ start: period.start, end: first });
    expect(windows.last).toEqual({ start: last, end: period.end });
  });
});

describe('formatPeriod', () => {
  it.each([
    { period: { start: '2026-07-01', end: '2026-09-29' }, text: '1 Jul–29 Sep 2026' },
    { period: { start: '2025-12-15', end: '2026-03-14' }, text: '15 Dec 2025–14 Mar 2026' },
    { period: { start: '2026-07-03', end: '2026-07-03' }, text: '3 Jul 2026' },
  ])('$text', ({ period, text }) => {
    expect(formatPeriod(period)).toBe(text);
  });
});
