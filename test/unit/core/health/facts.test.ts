import { describe, expect, it } from 'vitest';
import {
  computeSignals,
  lookbackDays,
  lookbackOf,
  type Lookback,
  measureSpecs,
  type AccountFacts,
  type ContactFact,
  type DealFact,
  type FactsContext,
  type MeasureSpec,
  type TicketFact,
  type UsageDayFact,
} from '../../../../server/core/health/facts.ts';
import { DEFAULT_MODEL, parseModel, type HealthModel } from '../../../../server/core/health/model.ts';
import { DAY_MS, type Aggregation, type SignalName } from '../../../../server/core/health/signals.ts';
import { accountFacts } from './account-facts.ts';

/** Scored at the very end of 30 June, so "n days ago" at the same time of day is the end of a day. */
const TODAY = Date.UTC(2026, 5, 30);
const AS_OF = TODAY + DAY_MS - 1;
/** Midnight starting the day `n` days before today (negative: after). */
const dayStart = (n: number) => TODAY - n * DAY_MS;
/** The instant `n` days before asOf, at the same time of day. */
const ago = (n: number) => AS_OF - n * DAY_MS;
const HOUR_MS = 3_600_000;

const CONTEXT: FactsContext = { featuresOffered: 10 };

const account = accountFacts;

const spec = (signal: SignalName, windowDays: number, aggregation: Aggregation): MeasureSpec => ({
  signal,
  windowDays,
  aggregation,
});

function valueOf(facts: AccountFacts, measured: MeasureSpec, asOf = AS_OF, context = CONTEXT) {
  return computeSignals(facts, [measured], asOf, context)[measured.signal];
}

/** Numbers compared to 10 places; flags and null exactly. */
function expectValue(actual: unknown, expected: number | boolean | null) {
  if (typeof expected === 'number' && typeof actual === 'number') expect(actual).toBeCloseTo(expected, 10);
  else expect(actual).toBe(expected);
}

const usageDay = (daysAgo: number, values: Partial<UsageDayFact> = {}): UsageDayFact => ({
  day: dayStart(daysAgo),
  activeUsers: 0,
  licences: null,
  events: 0,
  featureUsers: [],
  ...values,
});

describe('usage signals: one point at the end of each usage day', () => {
  it.each<[string, SignalName, UsageDayFact[], number | null, MeasureSpec['aggregation'], number | null]>([
    [
      'active users over the day’s licences, averaged',
      'usage.active_user_ratio',
      [usageDay(1, { activeUsers: 3, licences: 10 }), usageDay(0, { activeUsers: 5, licences: 10 })],
      null,
      'mean',
      0.4,
    ],
    [
      'the account’s licences when the day has none',
      'usage.active_user_ratio',
      [usageDay(0, { activeUsers: 6 })],
      12,
      'mean',
      0.5,
    ],
    [
      'a day with no licences known is skipped',
      'usage.active_user_ratio',
      [usageDay(1, { activeUsers: 9 }), usageDay(0, { activeUsers: 5, licences: 10 })],
      null,
      'mean',
      0.5,
    ],
    [
      'a day with zero licences is skipped, not divided by',
      'usage.active_user_ratio',
      [usageDay(1, { activeUsers: 9, licences: 0 }), usageDay(0, { activeUsers: 2, licences: 8 })],
      null,
      'mean',
      0.25,
    ],
    [
      'the day ending exactly at the window start is out, today (ending at asOf) is in',
      'usage.active_user_ratio',
      [
        usageDay(7, { activeUsers: 10, licences: 10 }),
        usageDay(6, { activeUsers: 2, licences: 10 }),
        usageDay(0, { activeUsers: 4, licences: 10 }),
      ],
      null,
      'mean',
      0.3,
    ],
    [
      'no usage day in the window is no data',
      'usage.active_user_ratio',
      [usageDay(30, { activeUsers: 10, licences: 10 })],
      10,
      'mean',
      null,
    ],
    ['no usage at all is no data', 'usage.active_user_ratio', [], 10, 'mean', null],
    [
      'the aggregation of the spec: min',
      'usage.active_user_ratio',
      [usageDay(2, { activeUsers: 8, licences: 10 }), usageDay(1, { activeUsers: 1, licences: 10 })],
      null,
      'min',
      0.1,
    ],
    [
      'the aggregation of the spec: count of days with a value',
      'usage.active_user_ratio',
      [
        usageDay(2, { activeUsers: 8, licences: 10 }),
        usageDay(1, { activeUsers: 1 }),
        usageDay(0, { activeUsers: 1, licences: 10 }),
      ],
      null,
      'count',
      2,
    ],
    [
      'the aggregation of the spec: slope per week',
      'usage.active_user_ratio',
      [
        usageDay(2, { activeUsers: 1, licences: 10 }),
        usageDay(1, { activeUsers: 2, licences: 10 }),
        usageDay(0, { activeUsers: 3, licences: 10 }),
      ],
      null,
      'slope',
      0.7,
    ],
    [
      'events per licence',
      'usage.events_per_licence',
      [usageDay(1, { events: 30, licences: 10 }), usageDay(0, { events: 50 })],
      10,
      'mean',
      4,
    ],
    [
      'feature breadth: features a fifth of the day’s users used, over features offered',
      'usage.feature_breadth',
      // 10 active users: 2 users make a feature adopted, 1 does not.
      [
        usageDay(1, { activeUsers: 10, featureUsers: [5, 2, 1] }),
        usageDay(0, { activeUsers: 10, featureUsers: [9, 8, 3, 2, 1, 1] }),
      ],
      null,
      'mean',
      0.3,
    ],
    [
      'feature breadth never passes 1 (a feature used once and offered no longer)',
      'usage.feature_breadth',
      [usageDay(0, { activeUsers: 3, featureUsers: Array.from({ length: 12 }, () => 1) })],
      null,
      'latest',
      1,
    ],
  ])('%s', (_what, signal, usage, licences, aggregation, expected) => {
    expectValue(valueOf(account({ usage, licences }), spec(signal, 7, aggregation)), expected);
  });

  it('does not see a usage day that ends after asOf', () => {
    const facts = account({ usage: [usageDay(0, { activeUsers: 4, licences: 10 })] });
    expect(valueOf(facts, spec('usage.active_user_ratio', 7, 'latest'), TODAY + 12 * HOUR_MS)).toBeNull();
    expect(valueOf(facts, spec('usage.active_user_ratio', 7, 'latest'), AS_OF)).toBeCloseTo(0.4, 10);
  });

  it('has no feature breadth when the features offered are unknown', () => {
    const facts = account({ usage: [usageDay(0, { activeUsers: 3, featureUsers: [3, 3, 3] })] });
    expect(valueOf(facts, spec('usage.feature_breadth', 7, 'mean'), AS_OF, { featuresOffered: 0 })).toBeNull();
  });
});

const ticket = (createdDaysAgo: number, closedDaysAgo: number | null, priority: TicketFact['priority'] = 'medium') => ({
  createdAt: ago(createdDaysAgo),
  closedAt: closedDaysAgo === null ? null : ago(closedDaysAgo),
  priority,
});

describe('ticket state, read at asOf for `latest`', () => {
  it.each<[string, SignalName, TicketFact[], number]>([
    ['open tickets: created and not closed', 'support.open_tickets', [ticket(10, null), ticket(3, null)], 2],
    ['a ticket closed before asOf is not open', 'support.open_tickets', [ticket(10, 5), ticket(3, null)], 1],
    ['a ticket closed after asOf was open then', 'support.open_tickets', [ticket(10, -2)], 1],
    ['a ticket closed exactly at asOf is closed', 'support.open_tickets', [ticket(10, 0)], 0],
    ['a ticket created exactly at asOf is open', 'support.open_tickets', [ticket(0, null)], 1],
    ['a ticket created after asOf is not seen', 'support.open_tickets', [ticket(-1, null)], 0],
    ['no tickets is none open, not missing', 'support.open_tickets', [], 0],
    [
      'high-priority: only high and urgent',
      'support.high_priority_open',
      [
        ticket(4, null, 'high'),
        ticket(4, null, 'urgent'),
        ticket(4, null, 'low'),
        ticket(4, null, null),
        ticket(4, 1, 'urgent'),
      ],
      2,
    ],
    [
      'oldest open: whole days since the oldest open ticket was created',
      'support.oldest_open_days',
      [{ createdAt: ago(12) + 6 * HOUR_MS, closedAt: null, priority: 'low' }, ticket(30, 2), ticket(3, null)],
      11,
    ],
    ['oldest open: 0 when none is open', 'support.oldest_open_days', [ticket(30, 2)], 0],
    ['oldest open: a ticket created after asOf does not count', 'support.oldest_open_days', [ticket(-3, null)], 0],
  ])('%s', (_what, signal, tickets, expected) => {
    expect(valueOf(account({ tickets }), spec(signal, 1, 'latest'))).toBe(expected);
  });
});

describe('state signals over a window: sampled at each day end in it', () => {
  // Open from the end of 1 day ago: open at the last two of the four day ends (3, 2, 1 and 0 days ago).
  const lateTicket = account({ tickets: [ticket(1, null)] });
  it.each<[Aggregation, number | null]>([
    ['mean', 0.5],
    ['max', 1],
    ['min', 0],
    ['sum', 2],
    ['count', 4],
    ['latest', 1],
  ])('open tickets over 4 days, %s', (aggregation, expected) => {
    expectValue(valueOf(lateTicket, spec('support.open_tickets', 4, aggregation)), expected);
  });

  it('samples one instant per day of the window when asOf is not a day end', () => {
    const facts = account({ tickets: [ticket(10, null)] });
    expect(valueOf(facts, spec('support.open_tickets', 5, 'sum'), TODAY + 9 * HOUR_MS)).toBe(5);
  });

  it('leaves out instants with no value: days since the last engagement, averaged', () => {
    const facts = account({ contacts: [contact({ lastEngagedAt: ago(2) })] });
    // Samples 4, 3 and 2 days ago have no engagement yet; then 0, 1, 2 days since.
    expect(valueOf(facts, spec('engagement.days_since_last', 5, 'mean'))).toBeCloseTo(1, 10);
    expect(valueOf(facts, spec('engagement.days_since_last', 5, 'count'))).toBe(3);
  });
});

function contact(values: Partial<ContactFact> = {}): ContactFact {
  return { role: 'other', createdAt: null, departedOn: null, departed: false, lastEngagedAt: null, ...values };
}

describe('relationship state', () => {
  it.each<[string, SignalName, ContactFact[], boolean]>([
    [
      'a champion who is there',
      'relationship.champion_present',
      [contact({ role: 'champion', createdAt: ago(100) })],
      true,
    ],
    [
      'a champion of unknown creation counts as always there',
      'relationship.champion_present',
      [contact({ role: 'champion' })],
      true,
    ],
    [
      'only other contacts',
      'relationship.champion_present',
      [contact(), contact({ role: 'executive_sponsor' })],
      false,
    ],
    ['no contacts at all', 'relationship.champion_present', [], false],
    [
      'a champion created after asOf',
      'relationship.champion_present',
      [contact({ role: 'champion', createdAt: ago(-1) })],
      false,
    ],
    [
      'a champion who departed before asOf',
      'relationship.champion_present',
      [contact({ role: 'champion', departed: true, departedOn: dayStart(5) })],
      false,
    ],
    [
      'a champion who departed on the day of asOf',
      'relationship.champion_present',
      [contact({ role: 'champion', departed: true, departedOn: dayStart(0) })],
      false,
    ],
    [
      'a champion who departs after asOf was still there',
      'relationship.champion_present',
      [contact({ role: 'champion', departed: true, departedOn: dayStart(-3) })],
      true,
    ],
    [
      'a champion marked departed without a date is gone always',
      'relationship.champion_present',
      [contact({ role: 'champion', departed: true })],
      false,
    ],
    [
      'one departed champion and one still there',
      'relationship.champion_present',
      [contact({ role: 'champion', departed: true }), contact({ role: 'champion' })],
      true,
    ],
    [
      'an executive sponsor who is there',
      'relationship.sponsor_present',
      [contact({ role: 'executive_sponsor' })],
      true,
    ],
    [
      'an executive sponsor who left',
      'relationship.sponsor_present',
      [contact({ role: 'executive_sponsor', departed: true, departedOn: dayStart(40) })],
      false,
    ],
    ['a champion is not a sponsor', 'relationship.sponsor_present', [contact({ role: 'champion' })], false],
  ])('%s', (_what, signal, contacts, expected) => {
    expect(valueOf(account({ contacts }), spec(signal, 1, 'latest'))).toBe(expected);
  });

  it.each<[string, ContactFact[], number | null]>([
    [
      'whole days since the latest engagement',
      [contact({ lastEngagedAt: ago(3) - 5 * HOUR_MS }), contact({ lastEngagedAt: ago(20) })],
      3,
    ],
    ['an engagement earlier today is 0 days ago', [contact({ lastEngagedAt: AS_OF - 2 * HOUR_MS })], 0],
    [
      'an engagement after asOf is not known yet',
      [contact({ lastEngagedAt: ago(9) }), contact({ lastEngagedAt: ago(-1) })],
      9,
    ],
    ['no engagement is no data', [contact(), contact({ role: 'champion' })], null],
    ['only a later engagement is no data', [contact({ lastEngagedAt: ago(-1) })], null],
  ])('days since the last engagement: %s', (_what, contacts, expected) => {
    expect(valueOf(account({ contacts }), spec('engagement.days_since_last', 1, 'latest'))).toBe(expected);
  });
});

const deal = (
  kind: DealFact['kind'],
  stage: DealFact['stage'],
  closeDaysAgo: number | null,
  amount: number | null = null,
  createdDaysAgo: number | null = null,
): DealFact => ({
  kind,
  stage,
  amount,
  closeDate: closeDaysAgo === null ? null : dayStart(closeDaysAgo),
  createdAt: createdDaysAgo === null ? null : dayStart(createdDaysAgo),
});

describe('commercial state', () => {
  it.each<[string, DealFact[], number | null, number | null]>([
    ['the renewal deal closing 30 days from today', [deal('renewal', 'open', -30)], null, 30],
    ['the earliest renewal after asOf', [deal('renewal', 'open', -90), deal('renewal', 'open', -45)], null, 45],
    [
      'a renewal deal before asOf is past; the account’s renewal date then',
      [deal('renewal', 'won', 10)],
      dayStart(-60),
      60,
    ],
    ['a renewal deal comes before the account’s date', [deal('renewal', 'lost', -20)], dayStart(-5), 20],
    ['renewal deals of any stage: the one that closed later was ahead then', [deal('renewal', 'lost', -1)], null, 1],
    [
      'other kinds of deal are not renewals',
      [deal('expansion', 'open', -10), deal('new_business', 'open', -12)],
      null,
      null,
    ],
    ['a renewal date in the past is no renewal', [], dayStart(3), null],
    ['nothing is no data', [], null, null],
  ])('days to renewal: %s', (_what, deals, renewalDate, expected) => {
    expect(valueOf(account({ deals, renewalDate }), spec('commercial.days_to_renewal', 1, 'latest'))).toBe(expected);
  });

  it.each<[string, DealFact[], boolean]>([
    ['an open expansion', [deal('expansion', 'open', -30, 5_000, 10)], true],
    ['an open expansion of unknown creation', [deal('expansion', 'open', -30)], true],
    ['an open expansion past its expected close is still open', [deal('expansion', 'open', 20, null, 60)], true],
    ['an expansion won after asOf was open then', [deal('expansion', 'won', -5, 5_000, 30)], true],
    ['an expansion won before asOf', [deal('expansion', 'won', 5, 5_000, 30)], false],
    ['an expansion lost without a date', [deal('expansion', 'lost', null, null, 30)], false],
    ['an expansion created after asOf', [deal('expansion', 'open', -30, 5_000, -1)], false],
    ['an open renewal is not an expansion', [deal('renewal', 'open', -30)], false],
    ['no deals', [], false],
  ])('open expansion: %s', (_what, deals, expected) => {
    expect(valueOf(account({ deals }), spec('commercial.open_expansion', 1, 'latest'))).toBe(expected);
  });

  it.each<[string, DealFact[], number | null, number | null]>([
    ['renewed 20% up', [deal('new_business', 'won', 400, 100_000), deal('renewal', 'won', 35, 120_000)], null, 20],
    [
      'an expansion before the renewal is in the renewal amount already',
      [
        deal('new_business', 'won', 400, 100_000),
        deal('expansion', 'won', 200, 10_000),
        deal('renewal', 'won', 35, 120_000),
      ],
      null,
      20,
    ],
    [
      'an expansion after the latest renewal adds to it',
      [
        deal('new_business', 'won', 400, 100_000),
        deal('renewal', 'won', 35, 120_000),
        deal('expansion', 'won', 10, 30_000),
      ],
      null,
      50,
    ],
    [
      'expansions on the start ARR count too',
      [
        deal('new_business', 'won', 500, 100_000),
        deal('expansion', 'won', 380, 25_000),
        deal('expansion', 'won', 100, 25_000),
      ],
      null,
      20,
    ],
    [
      'an expansion closing the day of the renewal is in the renewal amount',
      [
        deal('new_business', 'won', 400, 100_000),
        deal('expansion', 'won', 35, 20_000),
        deal('renewal', 'won', 35, 120_000),
      ],
      null,
      20,
    ],
    [
      'a renewal lost after the base is ARR 0',
      [deal('new_business', 'won', 400, 100_000), deal('renewal', 'lost', 20, 100_000)],
      null,
      -100,
    ],
    [
      'a renewal lost before the base no longer counts',
      [
        deal('renewal', 'lost', 390, 90_000),
        deal('new_business', 'won', 380, 80_000),
        deal('renewal', 'won', 10, 60_000),
      ],
      null,
      -25,
    ],
    [
      'lost and open expansions add nothing',
      [
        deal('new_business', 'won', 400, 100_000),
        deal('expansion', 'lost', 40, 9_000),
        deal('expansion', 'open', 20, 9_000),
      ],
      null,
      0,
    ],
    [
      'deals closed after asOf are not seen',
      [deal('new_business', 'won', 400, 100_000), deal('renewal', 'won', -5, 150_000)],
      null,
      0,
    ],
    ['no won deal by the window start is no baseline', [deal('new_business', 'won', 200, 100_000)], 100_000, null],
    ['no won deal at all: the account’s ARR gives no baseline', [], 100_000, null],
    [
      'a baseline of 0 has no percentage',
      [deal('new_business', 'won', 400, 0), deal('renewal', 'won', 35, 100)],
      null,
      null,
    ],
    [
      'a baseline of unknown amount',
      [deal('new_business', 'won', 400, null), deal('renewal', 'won', 35, 100)],
      null,
      null,
    ],
  ])('ARR change over 365 days: %s', (_what, deals, arr, expected) => {
    expectValue(valueOf(account({ deals, arr }), spec('commercial.arr_change_pct', 365, 'latest')), expected);
  });

  it('counts a deal closed exactly at the window start in the start ARR', () => {
    const asOf = TODAY;
    const deals = [deal('new_business', 'won', 365, 100_000), deal('renewal', 'won', 0, 110_000)];
    expect(valueOf(account({ deals }), spec('commercial.arr_change_pct', 365, 'latest'), asOf)).toBeCloseTo(10, 10);
  });
});

describe('event signals', () => {
  const surveys = [
    { kind: 'nps' as const, score: 9, at: ago(200) },
    { kind: 'nps' as const, score: 3, at: ago(100) },
    { kind: 'nps' as const, score: 7, at: ago(10) },
    { kind: 'nps' as const, score: 10, at: ago(-1) },
    { kind: 'csat' as const, score: 4, at: ago(50) },
    { kind: 'csat' as const, score: 2, at: ago(5) },
    { kind: 'ces' as const, score: 6, at: ago(180) },
  ];
  it.each<[string, MeasureSpec, number | null]>([
    ['NPS: the mean of the window, nothing after asOf', spec('voice.nps', 180, 'mean'), 5],
    ['NPS: the latest', spec('voice.nps', 180, 'latest'), 7],
    ['NPS: count of answers', spec('voice.nps', 365, 'count'), 3],
    ['CSAT: the latest', spec('voice.csat', 90, 'latest'), 2],
    ['CSAT: the lowest', spec('voice.csat', 90, 'min'), 2],
    ['CES: an answer exactly at the window start is out', spec('voice.ces', 180, 'mean'), null],
    ['CES: one day longer takes it in', spec('voice.ces', 181, 'mean'), 6],
    ['detractor share: answers of 6 or less', spec('voice.detractor_share', 180, 'mean'), 0.5],
    ['detractor share over a year', spec('voice.detractor_share', 365, 'mean'), 1 / 3],
  ])('%s', (_what, measured, expected) => {
    expectValue(valueOf(account({ surveys }), measured), expected);
  });

  it('has no survey value with no answers, and counts none as 0', () => {
    expect(valueOf(account(), spec('voice.nps', 180, 'mean'))).toBeNull();
    expect(valueOf(account(), spec('voice.nps', 180, 'count'))).toBe(0);
  });

  const sentiment = [
    { sentiment: 'positive' as const, at: ago(120) },
    { sentiment: 'negative' as const, at: ago(60) },
    { sentiment: 'neutral' as const, at: ago(30) },
    { sentiment: 'positive' as const, at: ago(0) },
    { sentiment: 'negative' as const, at: ago(-2) },
  ];
  it.each<[string, MeasureSpec, number | null]>([
    ['the latest entry, made exactly at asOf', spec('sentiment.csm', 90, 'latest'), 1],
    ['the lowest in the window', spec('sentiment.csm', 90, 'min'), -1],
    ['the mean of +1, 0 and −1', spec('sentiment.csm', 90, 'mean'), 0],
    ['a short window sees only the entry at asOf', spec('sentiment.csm', 20, 'mean'), 1],
  ])('CSM sentiment: %s', (_what, measured, expected) => {
    expectValue(valueOf(account({ sentiment }), measured), expected);
  });

  it('has no CSM sentiment when the last entry is older than the window', () => {
    expect(valueOf(account({ sentiment: sentiment.slice(0, 2) }), spec('sentiment.csm', 30, 'latest'))).toBeNull();
  });

  it.each<[string, Partial<AccountFacts>, number | null]>([
    [
      'each ticket created in the window adds 100 ÷ licences',
      { licences: 50, tickets: [ticket(80, null), ticket(5, 2)] },
      4,
    ],
    [
      'a ticket created exactly at the window start is out, at asOf in',
      { licences: 50, tickets: [ticket(90, null), ticket(0, null)] },
      2,
    ],
    ['a ticket created after asOf is not seen', { licences: 50, tickets: [ticket(-1, null)] }, 0],
    ['no ticket with licences known is 0', { licences: 50 }, 0],
    ['no licences known is no data', { tickets: [ticket(5, null)] }, null],
    [
      'the licences last reported in usage come first',
      {
        licences: 50,
        usage: [usageDay(9, { licences: 25 }), usageDay(3, { licences: 20 }), usageDay(-2, { licences: 1 })],
        tickets: [ticket(5, null)],
      },
      5,
    ],
  ])('tickets per 100 licences: %s', (_what, facts, expected) => {
    expectValue(valueOf(account(facts), spec('support.tickets_per_100_licences', 90, 'sum')), expected);
  });

  it('counts no ticket as a rate of 0 whatever the aggregation, when licences are known', () => {
    expect(valueOf(account({ licences: 40 }), spec('support.tickets_per_100_licences', 90, 'max'))).toBe(0);
    expect(valueOf(account(), spec('support.tickets_per_100_licences', 90, 'max'))).toBeNull();
  });

  const champion = (departedOn: number | null, departed = true) => contact({ role: 'champion', departed, departedOn });
  it.each<[string, ContactFact[], number, boolean]>([
    ['a champion who left in the window', [champion(dayStart(10))], AS_OF, true],
    ['a champion who left before the window', [champion(dayStart(100))], AS_OF, false],
    ['a champion who leaves after asOf', [champion(dayStart(-1))], AS_OF, false],
    ['a departure without a date cannot be placed', [champion(null)], AS_OF, false],
    [
      'a sponsor leaving is not a champion leaving',
      [contact({ role: 'executive_sponsor', departed: true, departedOn: dayStart(3) })],
      AS_OF,
      false,
    ],
    ['nobody left: false, not missing', [], AS_OF, false],
    ['a departure exactly at the window start is out', [champion(TODAY - 90 * DAY_MS)], TODAY, false],
    ['a departure exactly at asOf is in', [champion(TODAY)], TODAY, true],
  ])('departed champion over 90 days: %s', (_what, contacts, asOf, expected) => {
    expect(valueOf(account({ contacts }), spec('relationship.departed_champion', 90, 'max'), asOf)).toBe(expected);
  });
});

describe('measureSpecs', () => {
  it('lists each signal of the default model once, with its window and aggregation', () => {
    const specs = measureSpecs(DEFAULT_MODEL);
    expect(specs).toHaveLength(17);
    expect(new Set(specs.map((measured) => measured.signal)).size).toBe(17);
    expect(specs).toContainEqual(spec('commercial.arr_change_pct', 365, 'latest'));
    expect(specs).toContainEqual(spec('relationship.departed_champion', 90, 'max'));
  });

  it('adds the measures of segments that replace the groups, and collapses repeats', () => {
    const base = DEFAULT_MODEL.groups[0] as HealthModel['groups'][number];
    const model = parseModel({
      ...DEFAULT_MODEL,
      groups: [{ ...base, weight: 100 }],
      segments: {
        smb: {
          groups: [
            {
              key: 'voice',
              label: 'Voice',
              weight: 100,
              measures: [
                { ...base.measures[0], key: 'active_again' },
                { ...base.measures[0], key: 'nps', signal: 'voice.nps', windowDays: 90, aggregation: 'latest' },
              ],
            },
          ],
        },
        enterprise: { groupWeights: { usage: 100 } },
      },
    });
    expect(measureSpecs(model)).toEqual([
      spec('usage.active_user_ratio', 28, 'mean'),
      spec('usage.events_per_licence', 28, 'mean'),
      spec('usage.feature_breadth', 28, 'mean'),
      spec('voice.nps', 90, 'latest'),
    ]);
  });
});

describe('lookbackDays', () => {
  it.each<[string, MeasureSpec[], number]>([
    ['nothing to measure', [], 1],
    ['one day', [spec('support.open_tickets', 1, 'latest')], 2],
    [
      'the longest window plus the day a usage day starts before it',
      [spec('voice.nps', 180, 'mean'), spec('voice.ces', 365, 'mean')],
      366,
    ],
  ])('%s', (_what, specs, expected) => {
    expect(lookbackDays(specs)).toBe(expected);
  });

  it('covers the default model', () => {
    expect(lookbackDays(measureSpecs(DEFAULT_MODEL))).toBe(366);
  });
});

describe('lookbackOf: how far back each kind of dated fact is read', () => {
  it.each<[string, MeasureSpec[], Lookback]>([
    ['nothing to measure', [], { usage: 0, tickets: 0, surveys: 0, sentiment: 0 }],
    [
      'each table as far as its longest window, CRM-only families reading none',
      [
        spec('usage.active_user_ratio', 28, 'mean'),
        spec('support.tickets_per_100_licences', 90, 'sum'),
        spec('voice.ces', 365, 'mean'),
        spec('sentiment.csm', 90, 'latest'),
        spec('commercial.arr_change_pct', 365, 'latest'),
        spec('engagement.days_since_last', 1, 'latest'),
      ],
      { usage: 29, tickets: 91, surveys: 366, sentiment: 91 },
    ],
  ])('%s', (_what, specs, expected) => {
    expect(lookbackOf(specs)).toEqual(expected);
  });

  it('reads a month of usage, not a year, for the default model', () => {
    expect(lookbackOf(measureSpecs(DEFAULT_MODEL))).toEqual({ usage: 29, tickets: 91, surveys: 366, sentiment: 91 });
  });
});

describe('computeSignals', () => {
  it('gives only the specs’ signals, keyed by name; with no facts, counts are 0 and flags false', () => {
    const values = computeSignals(account(), measureSpecs(DEFAULT_MODEL), AS_OF, CONTEXT);
    expect(values).toEqual({
      'usage.active_user_ratio': null,
      'usage.events_per_licence': null,
      'usage.feature_breadth': null,
      'support.high_priority_open': 0,
      'support.tickets_per_100_licences': null,
      'support.oldest_open_days': 0,
      'relationship.champion_present': false,
      'relationship.sponsor_present': false,
      'relationship.departed_champion': false,
      'engagement.days_since_last': null,
      'commercial.arr_change_pct': null,
      'commercial.open_expansion': false,
      'voice.nps': null,
      'voice.detractor_share': null,
      'voice.csat': null,
      'voice.ces': null,
      'sentiment.csm': null,
    });
  });

  it('computes the first spec of a signal that is repeated', () => {
    const facts = account({ surveys: [{ kind: 'nps', score: 8, at: ago(100) }] });
    const values = computeSignals(
      facts,
      [spec('voice.nps', 30, 'mean'), spec('voice.nps', 180, 'mean')],
      AS_OF,
      CONTEXT,
    );
    expect(values).toEqual({ 'voice.nps': null });
  });

  it('returns nothing for no specs', () => {
    expect(computeSignals(account(), [], AS_OF, CONTEXT)).toEqual({});
  });
});
