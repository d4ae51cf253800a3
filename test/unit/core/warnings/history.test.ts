import { describe, expect, it } from 'vitest';
import type { HistoryPoint } from '../../../../server/core/warnings/input.ts';
import { bandAt, pointAt } from '../../../../server/core/warnings/rules/history.ts';

const history: HistoryPoint[] = [
  { day: '2026-03-01', score: 80, band: 'green' },
  { day: '2026-03-02', score: 60, band: 'yellow' },
  { day: '2026-03-05', score: 30, band: 'red' },
];
const at = (iso: string) => Date.parse(iso);

describe('pointAt', () => {
  it.each([
    ['before the first day', '2026-02-28T23:59:59.999Z', undefined],
    ['the first instant of the first day', '2026-03-01T00:00:00.000Z', '2026-03-01'],
    ['the last instant of a day', '2026-03-02T23:59:59.999Z', '2026-03-02'],
    ['a gap: the latest day before it', '2026-03-04T12:00:00.000Z', '2026-03-02'],
    ['after the last day', '2026-04-01T00:00:00.000Z', '2026-03-05'],
  ])('%s', (_, instant, day) => {
    expect(pointAt(history, at(instant))?.day).toBe(day);
  });

  it('finds nothing in an empty history', () => {
    expect(pointAt([], at('2026-03-01T00:00:00.000Z'))).toBeUndefined();
  });

  it('reads the band of the day found', () => {
    expect(bandAt(history, at('2026-03-04T00:00:00.000Z'))).toBe('yellow');
  });
});
