import { describe, expect, it } from 'vitest';
import { DAY_MS } from '../../../../server/core/health/signals.ts';
import { evaluateRules } from '../../../../server/core/warnings/evaluate.ts';
import type { WarningContact, WarningInput, WarningTicket } from '../../../../server/core/warnings/input.ts';
import { DEFAULT_WARNING_RULES, type RuleId } from '../../../../server/core/warnings/rules-config.ts';
import { AT, daysAgo, inputWith } from './builders.ts';

const firing = (rule: RuleId, input: WarningInput) =>
  evaluateRules(input, DEFAULT_WARNING_RULES, AT).filter(
    (finding) => finding.rule === rule && finding.state === 'firing',
  );

const ticket = (id: string, createdAt: number, extra: Partial<WarningTicket> = {}): WarningTicket => ({
  id,
  createdAt,
  closedAt: null,
  priority: 'medium',
  ...extra,
});

describe('ticket_spike (defaults: 14 days vs the 90 before, twice the rate, at least 6 tickets)', () => {
  const tickets = (recent: number, baseline: number): WarningTicket[] => [
    ...Array.from({ length: recent }, (_, i) => ticket(`r${i}`, daysAgo((i % 13) + 0.5), { closedAt: daysAgo(0.1) })),
    ...Array.from({ length: baseline }, (_, i) => ticket(`b${i}`, daysAgo(15 + (i % 89)), { closedAt: daysAgo(14) })),
  ];

  it.each<[string, number, number, boolean]>([
    // 45 in 90 days is 0.5 a day; twice that over 14 days is 14.
    ['13 against a usual 7', 13, 45, false],
    ['14 against a usual 7 (at the ratio)', 14, 45, true],
    ['15 against a usual 7', 15, 45, true],
    ['5 with none before (below the count)', 5, 0, false],
    ['6 with none before (at the count)', 6, 0, true],
    ['7 against a usual 0.5', 7, 3, true],
  ])('%s → fires: %s', (_what, recent, baseline, fires) => {
    expect(firing('ticket_spike', inputWith({ tickets: tickets(recent, baseline) }))).toHaveLength(fires ? 1 : 0);
  });

  it('says how many and against what', () => {
    expect(firing('ticket_spike', inputWith({ tickets: tickets(14, 45) }))[0]).toMatchObject({
      title: '14 tickets in 14 days',
      evidence: { values: { recentTickets: 14, baselineTickets: 45, ratio: 2 } },
    });
  });
});

describe('stale_high_priority_ticket (defaults: high or urgent, open longer than 7 days)', () => {
  it.each<[string, WarningTicket, boolean]>([
    ['high, open 6.9 days', ticket('t1', daysAgo(6.9), { priority: 'high' }), false],
    ['high, open exactly 7 days', ticket('t1', daysAgo(7), { priority: 'high' }), false],
    ['high, open 7 days and a minute', ticket('t1', daysAgo(7) - 60_000, { priority: 'high' }), true],
    ['urgent, open 10 days', ticket('t1', daysAgo(10), { priority: 'urgent' }), true],
    ['medium, open 30 days', ticket('t1', daysAgo(30), { priority: 'medium' }), false],
    ['high, closed after 10 days', ticket('t1', daysAgo(12), { priority: 'high', closedAt: daysAgo(2) }), false],
  ])('%s → fires: %s', (_what, stale, fires) => {
    expect(firing('stale_high_priority_ticket', inputWith({ tickets: [stale] }))).toHaveLength(fires ? 1 : 0);
  });

  it('follows each ticket on its own key', () => {
    const findings = firing(
      'stale_high_priority_ticket',
      inputWith({
        tickets: [ticket('T-9', daysAgo(9), { priority: 'high' }), ticket('T-12', daysAgo(12), { priority: 'urgent' })],
      }),
    );
    expect(findings.map((finding) => [finding.dedupeKey, finding.title])).toEqual([
      ['stale_high_priority_ticket:acc-1:ticket:T-9', 'High ticket open 9 days'],
      ['stale_high_priority_ticket:acc-1:ticket:T-12', 'Urgent ticket open 12 days'],
    ]);
  });
});

describe('detractor (defaults: 2+ NPS answers averaging 5 or lower in 45 days, one answer at 1 or lower, or 2 negative readings in a row)', () => {
  const answers = (...scores: [number, number][]) => scores.map(([score, ago]) => ({ score, at: daysAgo(ago) }));

  it.each<[string, [number, number][], boolean]>([
    ['a single 3', [[3, 3]], false],
    [
      'a 6 and an 8',
      [
        [6, 3],
        [8, 10],
      ],
      false,
    ],
    [
      'a 5 and a 6 (averaging 5.5)',
      [
        [5, 3],
        [6, 10],
      ],
      false,
    ],
    [
      'two 5s (averaging 5: at the line)',
      [
        [5, 3],
        [5, 10],
      ],
      true,
    ],
    [
      'a 4 and a 5 (averaging 4.5)',
      [
        [4, 3],
        [5, 10],
      ],
      true,
    ],
    ['a single 2', [[2, 3]], false],
    ['a single 1 (severe)', [[1, 3]], true],
    [
      'two 5s, one of them 45 days old',
      [
        [5, 45],
        [5, 3],
      ],
      false,
    ],
    [
      'two 5s within 45 days',
      [
        [5, 44],
        [5, 3],
      ],
      true,
    ],
  ])('%s → fires: %s', (_what, scores, fires) => {
    expect(firing('detractor', inputWith({ nps: answers(...scores) }))).toHaveLength(fires ? 1 : 0);
  });

  it('says what the answers were', () => {
    expect(firing('detractor', inputWith({ nps: answers([4, 3], [5, 10], [6, 20]) }))[0]).toMatchObject({
      title: 'NPS averaging 5 over 3 answers',
      evidence: {
        text: 'In the last 45 days 3 NPS answers averaged 5 (3 at 6 or lower).',
        values: { responses: 3, detractors: 3, meanNps: 5, lowestNps: 4, negativeReadings: 0 },
      },
    });
  });

  it.each<[string, ('positive' | 'neutral' | 'negative')[], boolean]>([
    ['one negative reading', ['negative'], false],
    ['two negative readings', ['negative', 'negative'], true],
    ['negative, neutral, negative', ['negative', 'neutral', 'negative'], false],
    ['neutral, negative, negative', ['neutral', 'negative', 'negative'], true],
  ])('CSM sentiment %s → fires: %s', (_what, readings, fires) => {
    const sentiment = readings.map((value, index) => ({ sentiment: value, at: daysAgo(30 - index * 10) }));
    expect(firing('detractor', inputWith({ sentiment }))).toHaveLength(fires ? 1 : 0);
  });
});

describe('champion_lost (defaults: champion and sponsor, departures in the last 30 days or none left)', () => {
  const person = (name: string, role: WarningContact['role'], departedDaysAgo?: number): WarningContact => ({
    id: name.toLowerCase(),
    name,
    role,
    gone: departedDaysAgo !== undefined,
    departedOn: departedDaysAgo === undefined ? null : daysAgo(departedDaysAgo),
    lastEngagedAt: null,
  });

  it.each<[string, WarningContact[], [string, string][]]>([
    [
      'one of two champions left 10 days ago',
      [person('Ann', 'champion', 10), person('Bo', 'champion')],
      [['champion_lost:acc-1:champion', 'Champion left: Ann']],
    ],
    ['one of two champions left 40 days ago', [person('Ann', 'champion', 40), person('Bo', 'champion')], []],
    [
      'the only champion left 40 days ago',
      [person('Ann', 'champion', 40)],
      [['champion_lost:acc-1:champion', 'No champion left']],
    ],
    [
      'the champion and the sponsor both left',
      [person('Ann', 'champion', 5), person('Cy', 'executive_sponsor', 6)],
      [
        ['champion_lost:acc-1:champion', 'No champion left'],
        ['champion_lost:acc-1:executive_sponsor', 'No executive sponsor left'],
      ],
    ],
    ['an account that never had a sponsor', [person('Bo', 'champion')], []],
    ['a new champion after the old one left', [person('Ann', 'champion', 40), person('Di', 'champion')], []],
  ])('%s', (_what, contacts, expected) => {
    expect(
      firing('champion_lost', inputWith({ contacts })).map((finding) => [finding.dedupeKey, finding.title]),
    ).toEqual(expected);
  });

  it('counts a departure the CRM gives no date for', () => {
    const gone: WarningContact = { ...person('Ann', 'champion'), gone: true };
    expect(firing('champion_lost', inputWith({ contacts: [gone] }))[0]?.title).toBe('No champion left');
  });
});

describe('no_engagement (default: 30 days)', () => {
  const engaged = (ago: number | null): WarningContact => ({
    id: 'c1',
    name: null,
    role: 'other',
    gone: false,
    departedOn: null,
    lastEngagedAt: ago === null ? null : daysAgo(ago),
  });

  it.each<[number | null, boolean]>([
    [29, false],
    [29.99, false],
    [30, true],
    [31, true],
    [null, false], // nothing on record is not judged
  ])('last engaged %s days ago → fires: %s', (ago, fires) => {
    expect(firing('no_engagement', inputWith({ contacts: [engaged(ago)] }))).toHaveLength(fires ? 1 : 0);
  });

  it('judges high-touch segments only, by default', () => {
    const smb = inputWith({
      account: { id: 'acc-1', name: 'Acme', segment: 'smb', status: 'active' },
      contacts: [engaged(60)],
    });
    expect(firing('no_engagement', smb)).toEqual([]);
  });

  it('does not judge a past instant followed by an engagement it cannot date', () => {
    expect(firing('no_engagement', inputWith({ contacts: [engaged(60)], engagedLater: true }))).toEqual([]);
  });
});

describe('override_expiring (default: 7 days ahead)', () => {
  const expiringIn = (ms: number) =>
    inputWith({ override: { band: 'green', expiresAt: AT + ms, author: 'lead@example.com' } });

  it.each<[string, number, boolean]>([
    ['6 days', 6 * DAY_MS, true],
    ['exactly 7 days', 7 * DAY_MS, true],
    ['7 days and a minute', 7 * DAY_MS + 60_000, false],
  ])('ends in %s → fires: %s', (_what, ms, fires) => {
    expect(firing('override_expiring', expiringIn(ms))).toHaveLength(fires ? 1 : 0);
  });

  it('keys the warning on the expiry, so an extended override warns again later', () => {
    expect(firing('override_expiring', expiringIn(3 * DAY_MS))[0]?.dedupeKey).toBe(
      'override_expiring:acc-1:2026-07-03',
    );
    expect(firing('override_expiring', inputWith())).toEqual([]);
  });
});
