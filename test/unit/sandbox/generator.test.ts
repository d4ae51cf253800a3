import { describe, expect, it } from 'vitest';
import { bookSchema, type Book } from '../../../sandbox/generator/book.ts';
import { addMonths, formatDay, isHoliday, parseDay, weekday } from '../../../sandbox/generator/dates.ts';
import { renewalProbability, simulateLatent } from '../../../sandbox/generator/latent-health.ts';
import { LATENT } from '../../../sandbox/generator/parameters.ts';
import { Random } from '../../../sandbox/shared/random.ts';
import { crmBook, generateBook } from '../../../sandbox/generator/generate-book.ts';
import { SEGMENT_PROFILES, SIGNALS } from '../../../sandbox/generator/parameters.ts';
import { truthSchema } from '../../../sandbox/generator/truth.ts';

const AS_OF = '2026-06-30';
const { book, truth } = generateBook({ seed: 11, accounts: 200, asOf: AS_OF });

const byAccount = <T extends { accountId: string }>(items: readonly T[]) => {
  const map = new Map<string, T[]>();
  for (const item of items) map.set(item.accountId, [...(map.get(item.accountId) ?? []), item]);
  return map;
};

describe('generateBook determinism', () => {
  it('serialises byte-identically for the same seed and as-of day, differently for another seed', () => {
    const again = generateBook({ seed: 11, accounts: 200, asOf: AS_OF });
    expect(JSON.stringify(again.book)).toBe(JSON.stringify(book));
    expect(JSON.stringify(again.truth)).toBe(JSON.stringify(truth));
    const other = generateBook({ seed: 12, accounts: 200, asOf: AS_OF });
    expect(JSON.stringify(other.book)).not.toBe(JSON.stringify(book));
  });

  it('leaves existing accounts untouched when the book grows by one account', () => {
    const grown = generateBook({ seed: 11, accounts: 201, asOf: AS_OF }).book;
    const first = (b: Book, key: 'accounts' | 'contacts' | 'deals' | 'tickets' | 'usage' | 'surveys' | 'sentiment') =>
      JSON.stringify(
        (b[key] as { id?: string; accountId?: string }[]).filter((r) => (r.accountId ?? r.id) !== 'acc-00201'),
      );
    for (const key of ['accounts', 'contacts', 'deals', 'tickets', 'usage', 'surveys', 'sentiment'] as const) {
      expect(first(grown, key), key).toBe(first(book, key));
    }
  });

  it('rejects options it cannot honour', () => {
    expect(() => generateBook({ seed: 1, accounts: 0, asOf: AS_OF })).toThrow();
    expect(() => generateBook({ seed: 1, accounts: 5, asOf: '2026-02-30' })).toThrow(/calendar day/);
    expect(() => generateBook({ seed: -1, accounts: 5, asOf: AS_OF })).toThrow();
  });
});

describe('generateBook invariants', () => {
  const accounts = new Map(book.accounts.map((account) => [account.id, account]));
  const owners = new Map(book.owners.map((owner) => [owner.id, owner]));
  const contacts = new Map(book.contacts.map((contact) => [contact.id, contact]));
  const asOf = parseDay(AS_OF);
  const horizon = addMonths(asOf, 12);

  it('matches the book schema and the truth schema, with unique ids', () => {
    expect(bookSchema.safeParse(book).success).toBe(true);
    expect(truthSchema.safeParse(truth).success).toBe(true);
    for (const key of ['owners', 'accounts', 'contacts', 'deals', 'tickets', 'surveys', 'sentiment'] as const) {
      const ids = book[key].map((record) => record.id);
      expect(new Set(ids).size, key).toBe(ids.length);
    }
    expect(new Set(book.accounts.map((a) => a.domain)).size).toBe(book.accounts.length);
    expect(new Set(book.contacts.map((c) => c.email)).size).toBe(book.contacts.length);
    expect(book.accounts[41]?.id).toBe('acc-00042');
  });

  it('points every record at an existing account, contact and owner', () => {
    const records = [book.contacts, book.deals, book.tickets, book.usage, book.surveys, book.sentiment].flat();
    expect(records.filter((record) => !accounts.has(record.accountId))).toEqual([]);
    for (const ticket of book.tickets) {
      if (ticket.contactId !== null) expect(contacts.get(ticket.contactId)?.accountId).toBe(ticket.accountId);
    }
    for (const survey of book.surveys) expect(contacts.get(survey.contactId)?.accountId).toBe(survey.accountId);
    for (const deal of book.deals) expect(owners.has(deal.ownerId)).toBe(true);
    for (const note of book.sentiment) expect(owners.get(note.csmId)?.role).toBe('csm');
    for (const account of book.accounts) {
      expect(owners.get(account.csmId)?.role).toBe('csm');
      expect(owners.get(account.accountExecutiveId)?.role).toBe('account_executive');
      if (account.parentId !== null) expect(accounts.get(account.parentId)?.segment).toBe('enterprise');
    }
  });

  it('staffs CSMs within their segment capacity and has a CS leader', () => {
    const portfolios = byAccount(book.accounts.map((a) => ({ ...a, accountId: a.csmId })));
    for (const [csmId, portfolio] of portfolios) {
      const segments = new Set(portfolio.map((a) => a.segment));
      expect(segments.size, csmId).toBe(1);
      expect(portfolio.length).toBeLessThanOrEqual(SEGMENT_PROFILES[portfolio[0]!.segment].csmCapacity);
    }
    expect(book.owners.some((owner) => owner.role === 'cs_leader')).toBe(true);
  });

  it('gives active accounts one open renewal within 12 months and churned ones a lost renewal', () => {
    const deals = byAccount(book.deals);
    let churned = 0;
    for (const account of book.accounts) {
      const renewals = (deals.get(account.id) ?? []).filter((deal) => deal.type === 'renewal');
      const open = renewals.filter((deal) => deal.stage === 'open');
      expect((deals.get(account.id) ?? []).filter((deal) => deal.type === 'new_business')).toHaveLength(1);
      if (account.status === 'active') {
        expect(open).toHaveLength(1);
        const close = parseDay(open[0]!.closeDate);
        expect(close).toBeGreaterThan(asOf);
        expect(close).toBeLessThanOrEqual(horizon);
        expect(open[0]!.closeDate).toBe(account.contractEnd);
        expect(account.arr).toBeGreaterThan(0);
      } else {
        churned++;
        expect(open).toHaveLength(0);
        const lost = renewals.filter((deal) => deal.stage === 'lost');
        expect(lost).toHaveLength(1);
        expect(lost[0]!.closeDate).toBe(account.contractEnd);
        expect(parseDay(account.contractEnd)).toBeLessThanOrEqual(asOf);
        expect(account.arr).toBe(0);
      }
    }
    // A realistic book loses some customers and keeps most.
    expect(churned).toBeGreaterThan(book.accounts.length * 0.03);
    expect(churned).toBeLessThan(book.accounts.length * 0.2);
    expect(book.deals.some((deal) => deal.type === 'renewal' && deal.stage === 'won')).toBe(true);
    expect(book.deals.some((deal) => deal.type === 'expansion')).toBe(true);
  });

  it('stops every signal after churn and keeps them inside the history', () => {
    const start = book.meta.historyStart;
    const lastDay = (accountId: string) => {
      const account = accounts.get(accountId)!;
      return account.status === 'churned' ? account.contractEnd : AS_OF;
    };
    const endOf = (accountId: string) => `${lastDay(accountId)}T23:59:59.999Z`;
    expect(book.usage.filter((day) => day.date < start || day.date > lastDay(day.accountId))).toEqual([]);
    expect(book.tickets.filter((ticket) => ticket.createdAt > endOf(ticket.accountId))).toEqual([]);
    expect(book.surveys.filter((survey) => survey.respondedAt > endOf(survey.accountId))).toEqual([]);
    expect(book.sentiment.filter((note) => note.recordedAt > endOf(note.accountId))).toEqual([]);
    expect(book.accounts.some((account) => account.status === 'churned')).toBe(true);
  });

  it('keeps scores, usage and firmographics in range', () => {
    const ranges = { nps: [0, 10], csat: [1, 5], ces: [1, 7] } as const;
    for (const survey of book.surveys) {
      expect(survey.score).toBeGreaterThanOrEqual(ranges[survey.kind][0]);
      expect(survey.score).toBeLessThanOrEqual(ranges[survey.kind][1]);
    }
    expect(book.surveys.some((s) => s.kind === 'nps' && s.score <= 6)).toBe(true);
    expect(book.surveys.some((s) => s.kind === 'nps' && s.score >= 9)).toBe(true);
    const overUsed = book.usage.filter(
      (day) =>
        day.activeUsers > day.licences * SIGNALS.overageFactor ||
        Object.values(day.features).some((count) => count > day.activeUsers),
    );
    expect(overUsed).toEqual([]);
    for (const account of book.accounts) {
      expect(account.licences).toBeLessThanOrEqual(account.employees);
      const [minEmployees, maxEmployees] = SEGMENT_PROFILES[account.segment].employees;
      expect(account.employees).toBeGreaterThanOrEqual(minEmployees);
      expect(account.employees).toBeLessThanOrEqual(maxEmployees);
    }
    const weekday = book.usage.filter((u) => [1, 2, 3].includes(new Date(u.date).getUTCDay()));
    const weekend = book.usage.filter((u) => [0, 6].includes(new Date(u.date).getUTCDay()));
    const mean = (days: typeof book.usage) => days.reduce((s, u) => s + u.activeUsers, 0) / days.length;
    expect(mean(weekend)).toBeLessThan(mean(weekday) * 0.4);
  });

  it('gives contacts roles, champions who leave, and executive sponsors at enterprises', () => {
    const roles = byAccount(book.contacts);
    for (const account of book.accounts) {
      const people = roles.get(account.id) ?? [];
      expect(people.some((c) => c.role === 'champion')).toBe(true);
      if (account.segment === 'enterprise') expect(people.some((c) => c.role === 'executive_sponsor')).toBe(true);
    }
    expect(book.contacts.some((c) => c.role === 'champion' && c.leftAt !== null)).toBe(true);
  });

  it('records the truth of every renewal the book decided', () => {
    const planted = new Map(truth.accounts.map((t) => [t.accountId, t]));
    for (const deal of book.deals) {
      if (deal.type !== 'renewal' || deal.closeDate <= book.meta.historyStart) continue;
      const renewal = planted.get(deal.accountId)?.renewals.find((r) => r.date === deal.closeDate);
      expect(renewal, deal.id).toBeDefined();
      expect(renewal!.future).toBe(deal.stage === 'open');
      if (deal.stage !== 'open') expect(renewal!.outcome).toBe(deal.stage);
    }
    for (const account of book.accounts) {
      expect(planted.get(account.id)?.churnDate ?? null).toBe(
        account.status === 'churned' ? account.contractEnd : null,
      );
    }
  });

  it('hands the CRM stand-ins the CRM part only', () => {
    expect(Object.keys(crmBook(book)).sort()).toEqual(['accounts', 'contacts', 'deals', 'meta', 'owners', 'tickets']);
  });
});

describe('calendar days', () => {
  it('parses only real days and moves by calendar months, clamping to the month end', () => {
    expect(formatDay(parseDay('2024-02-29'))).toBe('2024-02-29');
    expect(() => parseDay('2025-02-29')).toThrow(/calendar day/);
    expect(formatDay(addMonths(parseDay('2026-03-31'), -1))).toBe('2026-02-28');
    expect(formatDay(addMonths(parseDay('2024-02-29'), 12))).toBe('2025-02-28');
    expect(weekday(parseDay('2026-11-23'))).toBe(1);
    expect(isHoliday(parseDay('2026-11-26'))).toBe(true);
    expect(isHoliday(parseDay('2026-11-25'))).toBe(false);
  });
});

describe('latent health', () => {
  it('stays in [0, 1], reverts toward its baseline and records its shocks in order', () => {
    const path = simulateLatent(new Random(3), { start: 0, end: 3_000, segmentBaseline: 0.65 });
    expect(Math.min(...path.values)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...path.values)).toBeLessThanOrEqual(1);
    const late = [...path.values.slice(1_000)];
    const mean = late.reduce((sum, h) => sum + h, 0) / late.length;
    // Shocks are mostly negative, so the long-run mean sits a little below the baseline.
    expect(mean).toBeLessThan(path.baseline + 0.02);
    expect(mean).toBeGreaterThan(path.baseline - 0.2);
    expect(path.shocks.length).toBeGreaterThan(10);
    expect(path.shocks.map((s) => s.day)).toEqual([...path.shocks.map((s) => s.day)].sort((a, b) => a - b));
  });

  it('wins renewals with the documented logistic', () => {
    expect(renewalProbability(LATENT.renewal.midpoint)).toBeCloseTo(0.5, 10);
    expect(renewalProbability(0.7)).toBeGreaterThan(0.99);
    expect(renewalProbability(0.2)).toBeLessThan(0.02);
  });
});
