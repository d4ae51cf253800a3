import { describe, expect, it } from 'vitest';
import { briefAgenda, type AgendaParts } from '../../../../server/core/qbr/agenda.ts';

const figure = (key: string, text: string, value: number | null = 1) => ({
  key,
  group: 'health' as const,
  label: key,
  value,
  text,
  definition: `${key} defined`,
});

const parts = (change: Partial<AgendaParts> = {}): AgendaParts => ({
  wins: [],
  risks: [],
  opportunities: [],
  renewal: { date: null, daysAway: null, band: null, probability: null, revenueAtRisk: null, text: 'none' },
  figures: [],
  ...change,
});

const risk = (title: string) => ({ kind: 'warning' as const, severity: 'high' as const, title, detail: 'd' });
const opportunity = (title: string) => ({
  kind: 'adoption' as const,
  title,
  detail: 'd',
  expectedGain: 1,
  measures: [],
});

describe('briefAgenda', () => {
  it.each([
    {
      name: 'an empty brief still has a meeting: welcome, value, review, next steps',
      given: parts(),
      titles: [
        'Welcome and goals for the next quarter',
        'Value delivered',
        'Health, usage and adoption review',
        'Next steps',
      ],
    },
    {
      name: 'risks and opportunities get their own items',
      given: parts({ risks: [risk('r1')], opportunities: [opportunity('o1')] }),
      titles: [
        'Welcome and goals for the next quarter',
        'Value delivered',
        'Health, usage and adoption review',
        'Risks and how we address them',
        'Opportunities',
        'Next steps',
      ],
    },
    {
      name: 'a renewal within 180 days closes the meeting',
      given: parts({ renewal: { ...parts().renewal, date: '2026-12-01', daysAway: 64 } }),
      titles: [
        'Welcome and goals for the next quarter',
        'Value delivered',
        'Health, usage and adoption review',
        'Renewal and next steps',
      ],
    },
  ])('$name', ({ given, titles }) => {
    const agenda = briefAgenda(given);
    expect(agenda.map((item) => item.title)).toEqual(titles);
    for (const item of agenda) {
      expect(item.minutes).toBeGreaterThan(0);
      expect(item.notes.length).toBeGreaterThan(0);
    }
  });

  it('names the brief’s own items, at most three risks', () => {
    const agenda = briefAgenda(
      parts({
        wins: [{ title: 'NPS up', detail: 'd' }],
        risks: ['a', 'b', 'c', 'd'].map(risk),
        opportunities: [opportunity('Adoption: api')],
        figures: [figure('health.now', '63'), figure('licences.utilisation', 'no data', null)],
        renewal: { ...parts().renewal, date: '2026-12-01', daysAway: 64 },
      }),
    );
    const notes = Object.fromEntries(agenda.map((item) => [item.title, item.notes]));
    expect(notes['Value delivered']).toEqual(['NPS up']);
    expect(notes['Risks and how we address them']).toEqual(['a', 'b', 'c']);
    expect(notes['Opportunities']).toEqual(['Adoption: api']);
    // A figure without data is not a talking point.
    expect(notes['Health, usage and adoption review']).toEqual(['health.now: 63']);
    expect(notes['Renewal and next steps']?.[0]).toBe(
      'Renewal on 1 Dec 2026, 64 days away: agree the path to signature',
    );
  });
});
