import { describe, expect, it } from 'vitest';
import { parseBrief } from '../../../../server/core/qbr/brief.ts';
import { buildBrief } from '../../../../server/core/qbr/build.ts';
import { inputs } from './fixture.ts';

const AT = Date.parse('2026-09-29T08:00:00Z');

/** The stable keys readers rely on; a brief must carry every one of them. */
const KEYS = [
  'health.now',
  'health.atStart',
  'health.change',
  'usage.activeUsers.first',
  'usage.activeUsers.last',
  'usage.activeUsers.changePct',
  'usage.daysReported',
  'usage.events',
  'adoption.featuresAdopted.first',
  'adoption.featuresAdopted.last',
  'adoption.featuresOffered',
  'licences.count',
  'licences.utilisation',
  'licences.peakActiveUsers',
  'tickets.opened',
  'tickets.closed',
  'tickets.openAtEnd',
  'tickets.openHighPriority',
  'nps.period.score',
  'nps.period.responses',
  'nps.before.score',
  'nps.before.responses',
  'contacts.total',
  'contacts.champions',
  'contacts.sponsors',
  'contacts.notEngaged',
  'warnings.open',
  'account.arr',
  'renewal.daysAway',
  'renewal.probability',
  'renewal.revenueAtRisk',
];

describe('buildBrief', () => {
  const brief = buildBrief(inputs(), AT);

  it('carries every figure under its stable key, with the value it shows', () => {
    expect(Object.keys(brief.numbers).sort()).toEqual([...KEYS].sort());
    for (const figure of brief.figures) expect(brief.numbers[figure.key]).toBe(figure.value);
  });

  it.each([
    ['health.now', 78.4, '78'],
    ['health.change', 2.4, '+2.4'],
    ['usage.activeUsers.changePct', 2, '+2%'],
    ['adoption.featuresAdopted.last', 3, '3'],
    ['licences.utilisation', 0.51, '51%'],
    ['tickets.opened', 4, '4'],
    // (2 promoters − 1 detractor) ÷ 4 answers
    ['nps.period.score', 25, '25'],
    ['nps.before.score', 50, '50'],
    ['renewal.daysAway', 275, '275'],
    ['renewal.probability', 0.96, '96%'],
    ['renewal.revenueAtRisk', 1_920, '1,920'],
  ])('%s is %d, shown as %s', (key, value, text) => {
    const figure = brief.figures.find((item) => item.key === key);
    expect(figure?.value).toBeCloseTo(value, 6);
    expect(figure?.text).toBe(text);
  });

  it('states its period and the days behind every figure', () => {
    expect(brief.period).toEqual({ start: '2026-07-01', end: '2026-09-28', label: '1 Jul–28 Sep 2026', days: 90 });
    expect(brief.qbrDate).toBe('2026-09-29');
    expect(brief.figures.find((item) => item.key === 'tickets.opened')?.label).toBe('Tickets opened 1 Jul–28 Sep 2026');
    for (const figure of brief.figures) expect(figure.definition.length).toBeGreaterThan(10);
  });

  it('shows "no data" for what was not measured, and keeps the value null', () => {
    const empty = buildBrief(
      inputs({
        health: { now: null, atStart: null, renewal: { probability: null, revenueAtRisk: null } },
        usage: {
          daysReported: 0,
          peakActiveUsers: null,
          reportedLicences: null,
          first: { ...inputs().usage.first, daysReported: 0, avgActiveUsers: null, featureShares: {} },
          last: { ...inputs().usage.last, daysReported: 0, avgActiveUsers: null, featureShares: {} },
        },
        nps: { period: { ...inputs().nps.period, responses: 0, promoters: 0, detractors: 0 } },
      }),
      AT,
    );
    for (const key of [
      'health.now',
      'health.change',
      'usage.activeUsers.last',
      'adoption.featuresAdopted.last',
      'nps.period.score',
      'renewal.probability',
    ]) {
      expect(empty.numbers[key], key).toBeNull();
      expect(empty.figures.find((item) => item.key === key)?.text, key).toBe('no data');
    }
    // Licences fall back to the CRM record's.
    expect(empty.numbers['licences.count']).toBe(100);
    expect(empty.summary).toMatch(/has no health score yet/);
  });

  it('passes its own schema, and the schema names what is wrong', () => {
    expect(parseBrief(JSON.parse(JSON.stringify(brief)))).toEqual(brief);
    expect(() => parseBrief({ ...brief, period: { ...brief.period, start: '1 July' } })).toThrow(/period\.start/);
    expect(() => parseBrief({ ...brief, extra: 1 })).toThrow(/invalid QBR brief/);
  });

  it('is the same brief for the same inputs and moment', () => {
    expect(buildBrief(inputs(), AT)).toEqual(brief);
    expect(buildBrief(inputs(), AT + 60_000).generatedAt).not.toBe(brief.generatedAt);
  });
});
