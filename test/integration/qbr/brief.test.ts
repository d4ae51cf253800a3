import { sql } from 'drizzle-orm';
import { PDFParse } from 'pdf-parse';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runScore } from '../../../jobs/score/score-run.ts';
import { runSync } from '../../../jobs/sync/run-sync.ts';
import { crmBook, generateBook } from '../../../sandbox/generator/generate-book.ts';
import type { Book } from '../../../sandbox/generator/book.ts';
import { ADOPTION_SHARE } from '../../../server/core/health/facts.ts';
import { parseBrief, type Brief } from '../../../server/core/qbr/brief.ts';
import { buildBrief } from '../../../server/core/qbr/build.ts';
import { planSection } from '../../../server/core/qbr/sections.ts';
import { addDays, qbrPeriod, type Period } from '../../../server/core/qbr/period.ts';
import type { DatabaseHandle } from '../../../server/platform/db/database.ts';
import { healthModelStore } from '../../../server/platform/db/health-model-store.ts';
import { healthScoreStore } from '../../../server/platform/db/health-score-store.ts';
import { overrideStore } from '../../../server/platform/db/override-store.ts';
import {
  briefById,
  latestBrief,
  listBriefs,
  qbrInputs,
  saveBriefVersion,
} from '../../../server/platform/db/qbr-store.ts';
import { healthScores, tickets, warnings } from '../../../server/platform/db/schema.ts';
import type { InstallationKey } from '../../../server/platform/db/sync-store.ts';
import { pdfText, renderPdf } from '../../../server/platform/qbr/pdf.ts';
import { silentLogger, testDatabases, type TestDatabase } from '../../support/databases.ts';
import { createSyncHarness, type SyncHarness } from '../../support/sync-harness.ts';
import { ingestBookSignals } from '../score/support.ts';
import { scoreHistoryRow } from './score-history.ts';

/**
 * QBR briefs on a synced HubSpot book with its usage and surveys ingested and a score run: every
 * number a brief shows equals an aggregate this test computes on its own (written differently from
 * the store's queries), every account with usage gets three opportunities, the PDF's text carries
 * every figure, and a brief is stored again only when its content changed.
 */

const DAY_MS = 86_400_000;
let database: TestDatabase;
let handle: DatabaseHandle;
let h: SyncHarness;
let book: Book;
let key: InstallationKey;
let now: Date;
let period: Period;
let qbrDate: string;
let accountIds: string[];

type Row = Record<string, string | number | boolean | null>;
const rows = (query: ReturnType<typeof sql>) => handle.rows<Row>(query);
const n = (value: unknown) => (value === null || value === undefined ? null : Number(value));

/** Every figure of a brief, computed independently: SQL over UTC calendar days, or JS over loaded rows. */
async function expectedNumbers(id: string): Promise<Record<string, number | null>> {
  const scope = sql`workspace_id = ${key.workspaceId} and installation_id = ${key.installationId}`;
  const mine = sql`${scope} and account_external_id = ${id}`;
  const firstEnd = addDays(period.start, 29);
  const lastStart = addDays(period.end, -29);
  const utcDay = (column: string) => sql.raw(`(${column} at time zone 'UTC')::date`);

  const [account] = await rows(
    sql`select arr, licences, renewal_date::text as renewal from accounts where ${scope} and external_id = ${id}`,
  );
  const [health] = await rows(
    sql`select score, explanation->'renewal'->>'probability' as probability,
          explanation->'renewal'->>'revenueAtRisk' as risk from account_health where ${mine}`,
  );
  const [start] = await rows(
    sql`select score from health_scores where ${mine} and day = (
          select max(day) from health_scores where ${mine} and day <= ${period.start})`,
  );
  const window = async (from: string, to: string) => {
    const [row] = await rows(
      sql`select avg(active_users) as average, count(*) as days from usage_daily
          where ${mine} and date >= ${from} and date <= ${to}`,
    );
    const adopted = await rows(
      sql`select f.key from usage_daily u, jsonb_each_text(u.features) f
          where u.workspace_id = ${key.workspaceId} and u.installation_id = ${key.installationId}
            and u.account_external_id = ${id} and u.date >= ${from} and u.date <= ${to}
          group by f.key
          having sum(f.value::numeric) >= ${ADOPTION_SHARE}::numeric * (
            select sum(active_users) from usage_daily where ${mine} and date >= ${from} and date <= ${to})`,
    );
    return { average: n(row?.average), days: Number(row?.days), adopted: adopted.length };
  };
  const first = await window(period.start, firstEnd);
  const last = await window(lastStart, period.end);
  const [usage] = await rows(
    sql`select count(*) as days, sum(events) as events, max(active_users) as peak from usage_daily
        where ${mine} and date >= ${period.start} and date <= ${period.end}`,
  );
  const [reported] = await rows(
    sql`select licences from usage_daily where ${mine} and date >= ${period.start} and date <= ${period.end}
          and licences is not null order by date desc limit 1`,
  );
  const [offered] = await rows(
    sql`select count(distinct k) as count from usage_daily, jsonb_object_keys(features) as k
        where ${scope} and date >= ${period.start} and date <= ${period.end}`,
  );
  const [ticketCounts] = await rows(
    sql`select
          sum(case when ${utcDay('created_at_crm')} between ${period.start}::date and ${period.end}::date then 1 else 0 end) as opened,
          sum(case when closed and ${utcDay('closed_at')} between ${period.start}::date and ${period.end}::date then 1 else 0 end) as closed,
          sum(case when ${utcDay('created_at_crm')} <= ${period.end}::date
                    and (closed = false or ${utcDay('closed_at')} > ${period.end}::date) then 1 else 0 end) as open_at_end,
          sum(case when ${utcDay('created_at_crm')} <= ${period.end}::date
                    and (closed = false or ${utcDay('closed_at')} > ${period.end}::date)
                    and priority in ('high', 'urgent') then 1 else 0 end) as high_open
        from tickets where ${mine} and archived = false`,
  );
  const surveys = await rows(
    sql`select score, to_char(responded_at at time zone 'UTC', 'YYYY-MM-DD') as day from survey_responses
        where ${mine} and kind = 'nps'`,
  );
  const nps = (from: string, to: string) => {
    const answers = surveys
      .filter((row) => String(row.day) >= from && String(row.day) <= to)
      .map((row) => Number(row.score));
    if (answers.length === 0) return { score: null, responses: 0 };
    const promoters = answers.filter((score) => score >= 9).length;
    const detractors = answers.filter((score) => score <= 6).length;
    return { score: (100 * (promoters - detractors)) / answers.length, responses: answers.length };
  };
  const contactRows = await rows(
    sql`select role, departed, departed_on::text as departed_on,
          to_char(created_at_crm at time zone 'UTC', 'YYYY-MM-DD') as created,
          to_char(last_engaged_at at time zone 'UTC', 'YYYY-MM-DD') as engaged
        from contacts where ${mine} and archived = false`,
  );
  const present = contactRows.filter(
    (row) =>
      (row.created === null || String(row.created) <= period.end) &&
      (row.departed_on !== null ? String(row.departed_on) > period.end : row.departed === false),
  );
  const engagedFrom = addDays(period.end, -29);
  const [openWarnings] = await rows(sql`select count(*) as count from warnings where ${mine} and status = 'open'`);
  const renewalDeals = await rows(
    sql`select close_date::text as close from deals
        where ${mine} and archived = false and kind = 'renewal' and stage = 'open'`,
  );
  const upcoming = renewalDeals
    .map((row) => String(row.close))
    .filter((day) => day > period.end)
    .sort();
  const renewal =
    upcoming[0] ??
    (account?.renewal !== null && String(account?.renewal) > period.end ? String(account?.renewal) : null);

  const licences = n(reported?.licences) ?? n(account?.licences);
  const nowScore = n(health?.score);
  const startScore = n(start?.score);
  const before = nps(addDays(period.start, -60), addDays(period.start, -1));
  const during = nps(period.start, period.end);
  return {
    'health.now': nowScore,
    'health.atStart': startScore,
    'health.change': nowScore === null || startScore === null ? null : nowScore - startScore,
    'usage.activeUsers.first': first.average,
    'usage.activeUsers.last': last.average,
    'usage.activeUsers.changePct':
      first.average && last.average !== null ? ((last.average - first.average) / first.average) * 100 : null,
    'usage.daysReported': Number(usage?.days),
    'usage.events': Number(usage?.events ?? 0),
    'adoption.featuresAdopted.first': first.days === 0 ? null : first.adopted,
    'adoption.featuresAdopted.last': last.days === 0 ? null : last.adopted,
    'adoption.featuresOffered': Number(offered?.count),
    'licences.count': licences,
    'licences.utilisation': licences && last.average !== null ? last.average / licences : null,
    'licences.peakActiveUsers': n(usage?.peak),
    'tickets.opened': Number(ticketCounts?.opened ?? 0),
    'tickets.closed': Number(ticketCounts?.closed ?? 0),
    'tickets.openAtEnd': Number(ticketCounts?.open_at_end ?? 0),
    'tickets.openHighPriority': Number(ticketCounts?.high_open ?? 0),
    'nps.period.score': during.score,
    'nps.period.responses': during.responses,
    'nps.before.score': before.score,
    'nps.before.responses': before.responses,
    'contacts.total': present.length,
    'contacts.champions': present.filter((row) => row.role === 'champion').length,
    'contacts.sponsors': present.filter((row) => row.role === 'executive_sponsor').length,
    'contacts.notEngaged': present.filter(
      (row) => row.engaged === null || String(row.engaged) < engagedFrom || String(row.engaged) > period.end,
    ).length,
    'warnings.open': Number(openWarnings?.count),
    'account.arr': n(account?.arr),
    'renewal.daysAway': renewal === null ? null : Math.round((Date.parse(renewal) - Date.parse(period.end)) / DAY_MS),
    'renewal.probability': n(health?.probability),
    'renewal.revenueAtRisk': n(health?.risk),
  };
}

async function briefFor(id: string, at = now.getTime()): Promise<Brief> {
  const inputs = await qbrInputs(handle.db, key, id, period);
  if (!inputs) throw new Error(`no QBR inputs for ${id}`);
  return buildBrief(inputs, at, qbrDate);
}

describe.each(testDatabases())('on $name', (each) => {
  beforeAll(async () => {
    database = each;
    handle = await database.open();
    await handle.migrate();
    now = new Date();
    const today = now.toISOString().slice(0, 10);
    book = generateBook({ seed: 23, accounts: 40, asOf: today }).book;
    h = await createSyncHarness({ db: handle, book: crmBook(book) });
    h.clock.set(now.getTime());
    key = { workspaceId: h.installations.hubspot.workspaceId, installationId: h.installations.hubspot.id };
    await runSync(h.deps, { ...key, mode: 'full' });
    await ingestBookSignals(handle.db, h, book, 'hubspot', now);
    await runScore(
      {
        db: handle.db,
        store: healthScoreStore(handle.db),
        models: healthModelStore(handle.db),
        overrides: overrideStore(handle.db),
        logger: silentLogger,
        now: () => now,
      },
      key,
      { full: true },
    );
    // The book's usage covers 60 days: a 60-day period ending today has usage in both halves.
    qbrDate = addDays(today, 1);
    period = qbrPeriod(qbrDate, now.getTime(), 60);
    const scored = await rows(
      sql`select account_external_id as id from account_health
        where workspace_id = ${key.workspaceId} and installation_id = ${key.installationId} order by 1`,
    );
    accountIds = scored.map((row) => String(row.id));

    // Score history before the period (the start's score), and one inside it that must not be taken for it.
    const history = (id: string, day: string, score: number) => scoreHistoryRow(key, id, day, score);
    await handle.db
      .insert(healthScores)
      .values(
        accountIds.flatMap((id, index) => [
          history(id, addDays(period.start, -3), 30 + index),
          history(id, addDays(period.start, 2), 90),
        ]),
      );
    const warning = (id: string, rule: string, severity: 'low' | 'medium' | 'high', status: 'open' | 'resolved') => ({
      ...key,
      accountExternalId: id,
      rule,
      dedupeKey: `${rule}:${id}`,
      severity,
      status,
      title: `${rule} on ${id}`,
      evidence: {},
      openedAt: new Date(now.getTime() - 5 * DAY_MS),
      lastSeenAt: now,
      ...(status === 'resolved' ? { resolvedAt: now, resolution: 'cleared' } : {}),
    });
    const first = accountIds[0]!;
    await handle.db
      .insert(warnings)
      .values([
        warning(first, 'usage_drop', 'medium', 'open'),
        warning(first, 'ticket_surge', 'high', 'open'),
        warning(first, 'nps_drop', 'low', 'resolved'),
      ]);
  }, 180_000);

  afterAll(async () => {
    await h?.close();
    await handle?.close();
    await database.cleanup();
  });

  describe('a QBR brief from the database', () => {
    it('shows only numbers that equal the aggregates they claim, for every account', async () => {
      expect(accountIds.length).toBeGreaterThan(20);
      let compared = 0;
      const seen: Record<string, number> = {};
      for (const id of accountIds) {
        const brief = await briefFor(id);
        const expected = await expectedNumbers(id);
        expect(Object.keys(brief.numbers).sort(), id).toEqual(Object.keys(expected).sort());
        for (const [name, value] of Object.entries(expected)) {
          const actual = brief.numbers[name];
          seen[name] = (seen[name] ?? 0) + (value === null ? 0 : 1);
          if (value === null) expect(actual, `${id} ${name}`).toBeNull();
          else expect(actual, `${id} ${name}`).toBeCloseTo(value, 2);
          compared += 1;
        }
      }
      expect(compared).toBe(accountIds.length * 31);
      // Every figure is known for some account, so no key passes only as null against null.
      for (const name of Object.keys(seen)) expect(seen[name], name).toBeGreaterThan(0);
    });

    it('takes what was planted: the start score before the period, open warnings only', async () => {
      const brief = await briefFor(accountIds[0]!);
      expect(brief.numbers['health.atStart']).toBe(30);
      expect(brief.numbers['warnings.open']).toBe(2);
      expect(brief.risks.filter((risk) => risk.kind === 'warning').map((risk) => risk.severity)).toEqual([
        'high',
        'medium',
      ]);
      expect(brief.period).toMatchObject({ start: period.start, end: period.end, days: 60 });
      expect(brief.figures.find((figure) => figure.key === 'tickets.opened')?.label).toBe(
        `Tickets opened ${brief.period.label}`,
      );
    });

    it('gives every account with usage three non-empty opportunities', async () => {
      const withUsage = await rows(
        sql`select distinct account_external_id as id from usage_daily
          where workspace_id = ${key.workspaceId} and installation_id = ${key.installationId}
            and date between ${period.start} and ${period.end}`,
      );
      const ids = withUsage.map((row) => String(row.id)).filter((id) => accountIds.includes(id));
      expect(ids.length).toBeGreaterThan(20);
      const kinds = new Set<string>();
      for (const id of ids) {
        const brief = await briefFor(id);
        expect(brief.opportunities, id).toHaveLength(3);
        for (const opportunity of brief.opportunities) {
          expect(opportunity.title.trim().length).toBeGreaterThan(0);
          expect(opportunity.detail.trim().length).toBeGreaterThan(0);
          kinds.add(opportunity.kind);
        }
        const gains = brief.opportunities.map((opportunity) => opportunity.expectedGain);
        expect(gains).toEqual([...gains].sort((a, b) => b - a));
      }
      // A generated book has accounts with each kind of gap, not one answer for all.
      expect(kinds.size).toBeGreaterThan(2);
    });

    it('survives storage and the schema', async () => {
      const brief = await briefFor(accountIds[1]!);
      expect(parseBrief(JSON.parse(JSON.stringify(brief)))).toEqual(brief);
    });
  });

  describe('the PDF', () => {
    it('is real text that carries every figure, the period and the opportunities', async () => {
      const brief = await briefFor(accountIds[0]!);
      const pdf = await renderPdf(brief, planSection(brief));
      expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
      const parser = new PDFParse({ data: new Uint8Array(pdf) });
      const text = (await parser.getText()).text.replace(/\s+/g, ' ');
      await parser.destroy();
      const squash = (value: string) => pdfText(value).replace(/\s+/g, ' ');
      expect(text).toContain(squash(brief.period.label));
      for (const figure of brief.figures) {
        expect(text, figure.key).toContain(squash(`${figure.label}: ${figure.text}`));
        expect(text, figure.key).toContain(squash(figure.definition));
      }
      for (const opportunity of brief.opportunities) expect(text).toContain(squash(opportunity.title));
      expect(text).toContain(squash(brief.renewal.text));
    });
  });

  describe('brief versions', () => {
    it('stores the same content once, and changed content as the next version', async () => {
      const id = accountIds[2]!;
      const input = (brief: Brief) => ({
        accountExternalId: id,
        qbrDate,
        period,
        brief,
        trigger: 'card' as const,
        requestedBy: 'csm-1',
      });
      const first = await saveBriefVersion(handle.db, key, input(await briefFor(id)));
      expect(first.created).toBe(true);
      expect(first.row).toMatchObject({
        version: 1,
        noteState: 'pending',
        trigger: 'card',
        requestedBy: 'csm-1',
        period,
      });

      // Regenerated an hour later from the same data: the same version answers.
      const again = await saveBriefVersion(handle.db, key, input(await briefFor(id, now.getTime() + 3_600_000)));
      expect(again.created).toBe(false);
      expect(again.row.id).toBe(first.row.id);
      expect(again.row.version).toBe(1);

      // A new high-priority ticket changes the figures: version 2.
      await handle.db.insert(tickets).values({
        ...key,
        externalId: `qbr-test-ticket-${id}`,
        modifiedAt: now,
        createdAtCrm: new Date(now.getTime() - 3_600_000),
        accountExternalId: id,
        subject: 'Cannot export',
        priority: 'urgent',
        closed: false,
      });
      const changedBrief = await briefFor(id);
      const changed = await saveBriefVersion(handle.db, key, input(changedBrief));
      expect(changed.created).toBe(true);
      expect(changed.row.version).toBe(2);
      expect(parseBrief(changed.row.brief).numbers['tickets.openHighPriority']).toBe(
        (parseBrief(first.row.brief).numbers['tickets.openHighPriority'] ?? 0) + 1,
      );

      expect((await latestBrief(handle.db, key, id))?.version).toBe(2);
      expect((await latestBrief(handle.db, key, id, qbrDate))?.id).toBe(changed.row.id);
      expect(await latestBrief(handle.db, key, id, addDays(qbrDate, 7))).toBeNull();
      expect((await briefById(handle.db, key, first.row.id))?.version).toBe(1);
      expect(await briefById(handle.db, key, 'not-a-uuid')).toBeNull();
      const otherInstallation = { ...key, installationId: h.installations.salesforce.id };
      expect(await briefById(handle.db, otherInstallation, first.row.id)).toBeNull();
      const listed = await listBriefs(handle.db, key, { accountExternalId: id });
      expect(listed.map((row) => row.version)).toEqual([2, 1]);
      expect(listed[0]).not.toHaveProperty('brief');
    });

    it('gives two writers of the same new content one version', async () => {
      const id = accountIds[3]!;
      const brief = await briefFor(id);
      const input = { accountExternalId: id, qbrDate, period, brief, trigger: 'schedule' as const, requestedBy: null };
      const results = await Promise.all([
        saveBriefVersion(handle.db, key, input),
        saveBriefVersion(handle.db, key, input),
      ]);
      const versions = await listBriefs(handle.db, key, { accountExternalId: id });
      expect(versions).toHaveLength(1);
      expect(results.map((result) => result.row.id)).toEqual([versions[0]!.id, versions[0]!.id]);
    });
  });
});
