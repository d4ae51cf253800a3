import { createHash } from 'node:crypto';
import { and, desc, eq, inArray, isNull, ne, or, sql, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import type { AccountFacts, FactsContext } from '../../core/health/facts.ts';
import type { Brief } from '../../core/qbr/brief.ts';
import type {
  BriefMeasure,
  NpsWindow,
  OpenWarning,
  PeerFeatureUse,
  PlanInput,
  QbrInputs,
  UsageWindow,
} from '../../core/qbr/inputs.ts';
import type { Period } from '../../core/qbr/period.ts';
import type { Database } from './database.ts';
import { loadAccountFacts, loadFactsContext } from './health-facts-store.ts';
import { planStore } from './plan-store.ts';
import { accounts, qbrBriefs } from './schema.ts';
import type { InstallationKey } from './sync-store.ts';

/**
 * The QBR brief's aggregates and its versions. Every aggregate is one query over a set of accounts of
 * one installation, grouped by account, and states its days: a period is whole UTC days, both ends included, so instants are
 * counted from the start day's midnight (inclusive) to the midnight after the end day (exclusive).
 * Archived CRM records are left out. Versions: a brief is stored again only when its content changed.
 */

const DAY_MS = 86_400_000;

const daySchema = z.iso.date();
const periodSchema = z
  .strictObject({ start: daySchema, end: daySchema })
  .refine((period) => period.start <= period.end, { message: 'the period must start on or before its end' });

const dayStart = (day: string) => Date.parse(`${day}T00:00:00Z`);
const isoDay = (at: number) => new Date(at).toISOString().slice(0, 10);
const addDays = (day: string, days: number) => isoDay(dayStart(day) + days * DAY_MS);
const dayCount = (period: Period) => Math.round((dayStart(period.end) - dayStart(period.start)) / DAY_MS) + 1;

/** The first and last days of a period the usage trend compares (the core's `periodWindows`). */
function windowsOf(period: Period): { first: Period; last: Period } {
  const days = Math.max(1, Math.min(30, Math.floor(dayCount(period) / 2)));
  return {
    first: { start: period.start, end: addDays(period.start, days - 1) },
    last: { start: addDays(period.end, -(days - 1)), end: period.end },
  };
}

/** [midnight of the start day, midnight after the end day). */
const instants = (period: Period) => ({
  from: new Date(dayStart(period.start)).toISOString(),
  to: new Date(dayStart(period.end) + DAY_MS).toISOString(),
});

async function rowsOf<T>(db: Database, query: SQL): Promise<T[]> {
  const result: unknown = await db.execute(query);
  return (result as { rows: T[] }).rows;
}

/** Aggregates arrive as numbers, strings (numeric, bigint) or null, depending on the driver. */
const num = (value: unknown): number => (value === null || value === undefined ? 0 : Number(value));
const numOrNull = (value: unknown): number | null => (value === null || value === undefined ? null : Number(value));
const dayText = (value: unknown): string =>
  value instanceof Date ? value.toISOString().slice(0, 10) : String(value).slice(0, 10);
const instantText = (value: unknown): string =>
  value instanceof Date ? value.toISOString() : new Date(String(value)).toISOString();

const bandSchema = z.enum(['red', 'yellow', 'green']).nullable();

/** The parts of account_health.explanation a brief reads; the score job writes it, older shapes may linger. */
const explanationSchema = z.looseObject({
  score: z
    .looseObject({
      neutral: z.number().default(50),
      measures: z
        .array(
          z.looseObject({
            key: z.string(),
            group: z.string(),
            signal: z.string(),
            label: z.string(),
            direction: z.enum(['higher_is_better', 'lower_is_better']),
            raw: z.union([z.number(), z.boolean()]).nullable(),
            subScore: z.number().nullable(),
            weight: z.number(),
            nominalWeight: z.number(),
            target: z.number().nullable().default(null),
          }),
        )
        .default([]),
    })
    .optional(),
  trend: z.looseObject({ text: z.string() }).nullable().optional(),
  health: z.looseObject({ effective: z.looseObject({ band: bandSchema }) }).optional(),
  renewal: z.looseObject({ probability: z.number().nullable(), revenueAtRisk: z.number().nullable() }).optional(),
});

const ofInstallation = (alias: string, key: InstallationKey) =>
  sql`${sql.raw(alias)}.workspace_id = ${key.workspaceId} and ${sql.raw(alias)}.installation_id = ${key.installationId}`;
const idList = (ids: readonly string[]) =>
  sql.join(
    ids.map((id) => sql`${id}`),
    sql`, `,
  );
/** Scoped to the installation and a set of its accounts: `alias` is the table's alias in the query. */
const ofAccounts = (alias: string, key: InstallationKey, ids: readonly string[]) =>
  sql`${ofInstallation(alias, key)} and ${sql.raw(alias)}.account_external_id in (${idList(ids)})`;

type Row = Record<string, unknown>;
const byAccount = (rows: Row[]): Map<string, Row> => new Map(rows.map((row) => [String(row.id), row]));

/** Accounts per statement: a bound list this long keeps every statement's plan and parameters small. */
const ACCOUNTS_PER_QUERY = 500;

/**
 * Everything a brief of `accountExternalId` for `period` is built from, or null when the installation
 * has no such (non-archived) account.
 */
export async function qbrInputs(
  db: Database,
  key: InstallationKey,
  accountExternalId: string,
  period: Period,
): Promise<QbrInputs | null> {
  return (await qbrInputsForAccounts(db, key, [accountExternalId], period)).get(accountExternalId) ?? null;
}

/**
 * The inputs of many accounts' briefs of one period, read with a fixed number of statements per 500
 * accounts (each aggregate grouped by account) rather than a dozen per account. Accounts the
 * installation does not have, or has archived, are absent from the map.
 */
export async function qbrInputsForAccounts(
  db: Database,
  key: InstallationKey,
  accountExternalIds: readonly string[],
  period: Period,
): Promise<Map<string, QbrInputs>> {
  const parsed = periodSchema.safeParse(period);
  if (!parsed.success) {
    throw new Error(`invalid QBR period ${JSON.stringify(period)}: ${parsed.error.issues[0]?.message ?? 'bad period'}`);
  }
  const out = new Map<string, QbrInputs>();
  const ids = [...new Set(accountExternalIds)];
  const windows = windowsOf(period);
  const before = { start: addDays(period.start, -dayCount(period)), end: addDays(period.start, -1) };
  // The same for every account of the installation; read once, and only when some account exists.
  let shared: Promise<[string[], PeerFeatureUse[]]> | undefined;
  for (let start = 0; start < ids.length; start += ACCOUNTS_PER_QUERY) {
    const accountRows = await rowsOf<Row>(
      db,
      sql`select a.external_id as id, a.name, a.segment, a.arr, a.licences, a.renewal_date
          from accounts a
          where ${ofInstallation('a', key)} and a.external_id in (${idList(ids.slice(start, start + ACCOUNTS_PER_QUERY))})
            and not a.archived`,
    );
    if (accountRows.length === 0) continue;
    const found = accountRows.map((row) => String(row.id));
    shared ??= Promise.all([featuresOfferedIn(db, key, period), peerFeatureUse(db, key, windows.last)]);
    const [
      health,
      usage,
      first,
      last,
      tickets,
      nps,
      npsBefore,
      contacts,
      deals,
      warnings,
      plans,
      [featuresOffered, peers],
    ] = await Promise.all([
      healthOf(db, key, found, period),
      usageOf(db, key, found, period),
      usageWindow(db, key, found, windows.first),
      usageWindow(db, key, found, windows.last),
      ticketsOf(db, key, found, period),
      npsOf(db, key, found, period),
      npsOf(db, key, found, before),
      contactsOf(db, key, found, period),
      dealsOf(db, key, found, period),
      warningsOf(db, key, found),
      plansOf(db, key, found, period),
      shared,
    ]);
    for (const account of accountRows) {
      const id = String(account.id);
      out.set(id, {
        account: {
          externalId: id,
          name: (account.name as string | null) ?? null,
          segment: (account.segment as string | null) ?? null,
          arr: numOrNull(account.arr),
          licences: numOrNull(account.licences),
          renewalDate: account.renewal_date === null ? null : dayText(account.renewal_date),
        },
        period: { start: period.start, end: period.end },
        health: health(id),
        // Copies: each account's inputs stand alone, as when read one at a time.
        usage: {
          ...usage(id),
          first: first(id),
          last: last(id),
          featuresOffered: [...featuresOffered],
          peers: peers.map((peer) => ({ ...peer })),
        },
        tickets: tickets(id),
        nps: { period: nps(id), before: npsBefore(id) },
        contacts: contacts(id),
        deals: deals(id),
        warnings: warnings(id),
        plans: plans(id),
      });
    }
  }
  return out;
}

/*
 * Each aggregate below reads a set of accounts at once, grouped by account, and answers with a
 * function of the account id: an account without rows gets what an empty aggregate gives.
 */

/** The latest score with its explanation, and the last daily score on or before the start day. */
async function healthOf(db: Database, key: InstallationKey, ids: readonly string[], period: Period) {
  const [nowRows, startRows] = await Promise.all([
    rowsOf<Row>(
      db,
      sql`select h.account_external_id as id, h.day, h.scored_at, h.status, h.score, h.band, h.trend, h.explanation
          from account_health h where ${ofAccounts('h', key, ids)}`,
    ),
    rowsOf<Row>(
      db,
      sql`select distinct on (s.account_external_id) s.account_external_id as id, s.day, s.score, s.band
          from health_scores s
          where ${ofAccounts('s', key, ids)} and s.day <= ${period.start}
          order by s.account_external_id, s.day desc`,
    ),
  ]);
  const nows = byAccount(nowRows);
  const starts = byAccount(startRows);
  const band = (value: unknown) => bandSchema.parse(value ?? null);
  return (id: string): QbrInputs['health'] => {
    const now = nows.get(id);
    const atStart = starts.get(id);
    const explanation = now ? explanationSchema.safeParse(now.explanation) : null;
    const stored = explanation?.success ? explanation.data : null;
    const measures: BriefMeasure[] = (stored?.score?.measures ?? []).map((measure) => ({
      key: measure.key,
      group: measure.group,
      signal: measure.signal,
      label: measure.label,
      direction: measure.direction,
      raw: measure.raw,
      subScore: measure.subScore,
      weight: measure.weight,
      nominalWeight: measure.nominalWeight,
      target: measure.target,
    }));
    return {
      now: now
        ? {
            day: dayText(now.day),
            scoredAt: instantText(now.scored_at),
            status: now.status === 'scored' ? ('scored' as const) : ('insufficient_data' as const),
            score: numOrNull(now.score),
            band: band(now.band),
            effectiveBand: stored?.health ? stored.health.effective.band : band(now.band),
            trend: z
              .enum(['improving', 'stable', 'declining'])
              .nullable()
              .parse(now.trend ?? null),
            trendText: stored?.trend?.text ?? null,
          }
        : null,
      atStart: atStart
        ? { day: dayText(atStart.day), score: numOrNull(atStart.score), band: band(atStart.band) }
        : null,
      measures,
      neutral: stored?.score?.neutral ?? 50,
      renewal: {
        probability: stored?.renewal?.probability ?? null,
        revenueAtRisk: stored?.renewal?.revenueAtRisk ?? null,
      },
    };
  };
}

/** Usage days of the period: how many, their events, the busiest day and the licences last reported. */
async function usageOf(db: Database, key: InstallationKey, ids: readonly string[], period: Period) {
  const rows = byAccount(
    await rowsOf<Row>(
      db,
      sql`select u.account_external_id as id, count(*)::int as days, coalesce(sum(u.events), 0)::float8 as events,
            max(u.active_users)::int as peak,
            (array_agg(u.licences order by u.date desc) filter (where u.licences is not null))[1] as licences
          from usage_daily u
          where ${ofAccounts('u', key, ids)} and u.date between ${period.start} and ${period.end}
          group by 1`,
    ),
  );
  return (id: string) => {
    const row = rows.get(id);
    return {
      period,
      daysReported: num(row?.days),
      events: num(row?.events),
      peakActiveUsers: numOrNull(row?.peak),
      reportedLicences: numOrNull(row?.licences),
    };
  };
}

/** Days reported in the window, their mean active users, and each feature's users ÷ active users. */
async function usageWindow(db: Database, key: InstallationKey, ids: readonly string[], window: Period) {
  const [totalRows, featureRows] = await Promise.all([
    rowsOf<Row>(
      db,
      sql`select u.account_external_id as id, count(*)::int as days, avg(u.active_users)::float8 as average,
            coalesce(sum(u.active_users), 0)::float8 as active
          from usage_daily u
          where ${ofAccounts('u', key, ids)} and u.date between ${window.start} and ${window.end}
          group by 1`,
    ),
    rowsOf<{ id: string; feature: string; users: unknown }>(
      db,
      sql`select u.account_external_id as id, f.key as feature, sum(f.value::float8)::float8 as users
          from usage_daily u cross join lateral jsonb_each_text(u.features) as f(key, value)
          where ${ofAccounts('u', key, ids)} and u.date between ${window.start} and ${window.end}
          group by 1, 2 order by 1, 2`,
    ),
  ]);
  const totals = byAccount(totalRows);
  const features = new Map<string, { feature: string; users: unknown }[]>();
  for (const row of featureRows) {
    const list = features.get(row.id) ?? [];
    list.push(row);
    features.set(row.id, list);
  }
  return (id: string): UsageWindow => {
    const row = totals.get(id);
    const active = num(row?.active);
    const featureShares: Record<string, number> = {};
    if (active > 0)
      for (const feature of features.get(id) ?? []) featureShares[feature.feature] = num(feature.users) / active;
    return {
      period: window,
      daysReported: num(row?.days),
      avgActiveUsers: numOrNull(row?.average),
      featureShares,
    };
  };
}

/** Every feature named in the installation's usage during the period. */
async function featuresOfferedIn(db: Database, key: InstallationKey, period: Period): Promise<string[]> {
  const rows = await rowsOf<{ feature: string }>(
    db,
    sql`select distinct f.key as feature
        from usage_daily u cross join lateral jsonb_object_keys(u.features) as f(key)
        where ${ofInstallation('u', key)} and u.date between ${period.start} and ${period.end}
        order by 1`,
  );
  return rows.map((row) => row.feature);
}

/**
 * Per feature, the mean share of active users using it over `window` at the installation's current
 * customers that are green now and at those that are not (accounts with no active user in the
 * window are left out; a feature an account did not use counts as 0 for it).
 */
async function peerFeatureUse(db: Database, key: InstallationKey, window: Period): Promise<PeerFeatureUse[]> {
  const rows = await rowsOf<{ feature: string; side: string; accounts: unknown; share: unknown }>(
    db,
    sql`with per_account as (
          select u.account_external_id as id, sum(u.active_users)::float8 as active
          from usage_daily u
          where ${ofInstallation('u', key)} and u.date between ${window.start} and ${window.end}
          group by 1 having sum(u.active_users) > 0
        ), per_feature as (
          select u.account_external_id as id, f.key as feature, sum(f.value::float8) as users
          from usage_daily u cross join lateral jsonb_each_text(u.features) as f(key, value)
          where ${ofInstallation('u', key)} and u.date between ${window.start} and ${window.end}
          group by 1, 2
        ), banded as (
          select p.id, p.active, case when h.band = 'green' then 'healthy' else 'other' end as side
          from per_account p
          join account_health h on ${ofInstallation('h', key)} and h.account_external_id = p.id
          join accounts a on ${ofInstallation('a', key)} and a.external_id = p.id
          where h.band is not null and not a.archived and a.customer_status is distinct from 'churned'
        )
        select fo.feature, b.side, count(*)::int as accounts, avg(coalesce(pf.users, 0) / b.active)::float8 as share
        from banded b
        cross join (select distinct feature from per_feature) fo
        left join per_feature pf on pf.id = b.id and pf.feature = fo.feature
        group by fo.feature, b.side
        order by fo.feature, b.side`,
  );
  const byFeature = new Map<string, PeerFeatureUse>();
  for (const row of rows) {
    let peer = byFeature.get(row.feature);
    if (!peer) {
      peer = { feature: row.feature, healthyAccounts: 0, healthyShare: null, otherAccounts: 0, otherShare: null };
      byFeature.set(row.feature, peer);
    }
    if (row.side === 'healthy') {
      peer.healthyAccounts = num(row.accounts);
      peer.healthyShare = numOrNull(row.share);
    } else {
      peer.otherAccounts = num(row.accounts);
      peer.otherShare = numOrNull(row.share);
    }
  }
  return [...byFeature.values()];
}

/**
 * Tickets opened and closed in the period, and open at its end: created before the midnight after
 * the end day and not closed by then. A ticket marked closed without a time counts as closed.
 */
async function ticketsOf(db: Database, key: InstallationKey, ids: readonly string[], period: Period) {
  const { from, to } = instants(period);
  const rows = byAccount(
    await rowsOf<Row>(
      db,
      sql`select t.account_external_id as id,
            count(*) filter (where t.created_at_crm >= ${from} and t.created_at_crm < ${to})::int as opened,
            count(*) filter (where t.closed and t.closed_at >= ${from} and t.closed_at < ${to})::int as closed,
            count(*) filter (where t.created_at_crm < ${to} and (not t.closed or t.closed_at >= ${to}))::int as open_at_end,
            count(*) filter (where t.created_at_crm < ${to} and (not t.closed or t.closed_at >= ${to})
                             and t.priority in ('high', 'urgent'))::int as high_open_at_end
          from tickets t
          where ${ofAccounts('t', key, ids)} and not t.archived
          group by 1`,
    ),
  );
  return (id: string) => {
    const row = rows.get(id);
    return {
      period,
      opened: num(row?.opened),
      closed: num(row?.closed),
      openAtEnd: num(row?.open_at_end),
      openHighPriorityAtEnd: num(row?.high_open_at_end),
    };
  };
}

/** NPS answers received in the period: all, promoters (9–10), detractors (0–6). */
async function npsOf(db: Database, key: InstallationKey, ids: readonly string[], period: Period) {
  const { from, to } = instants(period);
  const rows = byAccount(
    await rowsOf<Row>(
      db,
      sql`select s.account_external_id as id, count(*)::int as responses,
            count(*) filter (where s.score >= 9)::int as promoters,
            count(*) filter (where s.score <= 6)::int as detractors
          from survey_responses s
          where ${ofAccounts('s', key, ids)} and s.kind = 'nps' and s.responded_at >= ${from} and s.responded_at < ${to}
          group by 1`,
    ),
  );
  return (id: string): NpsWindow => {
    const row = rows.get(id);
    return {
      period,
      responses: num(row?.responses),
      promoters: num(row?.promoters),
      detractors: num(row?.detractors),
    };
  };
}

/**
 * Contacts at the account at the end of the period (created by then, not gone by then: a dated
 * departure counts from its day, an undated one always) and those of them with no engagement in
 * the period's last 30 days.
 */
async function contactsOf(db: Database, key: InstallationKey, ids: readonly string[], period: Period) {
  const engagementWindow = { start: addDays(period.end, -29), end: period.end };
  const { to } = instants(period);
  const engagedFrom = instants(engagementWindow).from;
  const rows = byAccount(
    await rowsOf<Row>(
      db,
      sql`with present as (
            select c.account_external_id as id, c.role, c.last_engaged_at from contacts c
            where ${ofAccounts('c', key, ids)} and not c.archived
              and (c.created_at_crm is null or c.created_at_crm < ${to})
              and (case when c.departed_on is not null then c.departed_on > ${period.end} else not c.departed end)
          )
          select id, count(*)::int as total,
            count(*) filter (where role = 'champion')::int as champions,
            count(*) filter (where role = 'executive_sponsor')::int as sponsors,
            count(*) filter (where last_engaged_at is null or last_engaged_at < ${engagedFrom}
                             or last_engaged_at >= ${to})::int as not_engaged
          from present
          group by id`,
    ),
  );
  return (id: string) => {
    const row = rows.get(id);
    return {
      total: num(row?.total),
      champions: num(row?.champions),
      sponsors: num(row?.sponsors),
      notEngaged: num(row?.not_engaged),
      engagementWindow,
    };
  };
}

/** The next open renewal after the period, whether an expansion is open, and deals won in the period. */
async function dealsOf(db: Database, key: InstallationKey, ids: readonly string[], period: Period) {
  const [nextRows, totalRows] = await Promise.all([
    rowsOf<Row>(
      db,
      sql`select distinct on (d.account_external_id) d.account_external_id as id, d.close_date, d.amount
          from deals d
          where ${ofAccounts('d', key, ids)} and not d.archived and d.kind = 'renewal' and d.stage = 'open'
            and d.close_date > ${period.end}
          order by d.account_external_id, d.close_date, d.external_id`,
    ),
    rowsOf<Row>(
      db,
      sql`select d.account_external_id as id,
            bool_or(d.kind = 'expansion' and d.stage = 'open') as open_expansion,
            count(*) filter (where d.kind = 'expansion' and d.stage = 'won'
                             and d.close_date between ${period.start} and ${period.end})::int as won_expansions,
            coalesce(sum(d.amount) filter (where d.kind = 'expansion' and d.stage = 'won'
                             and d.close_date between ${period.start} and ${period.end}), 0)::float8 as won_expansion_amount,
            count(*) filter (where d.kind = 'renewal' and d.stage = 'won'
                             and d.close_date between ${period.start} and ${period.end})::int as won_renewals
          from deals d
          where ${ofAccounts('d', key, ids)} and not d.archived
          group by 1`,
    ),
  ]);
  const nexts = byAccount(nextRows);
  const totals = byAccount(totalRows);
  return (id: string) => {
    const next = nexts.get(id);
    const row = totals.get(id);
    return {
      nextRenewal: next ? { closeDate: dayText(next.close_date), amount: numOrNull(next.amount) } : null,
      openExpansion: row?.open_expansion === true,
      wonExpansions: { count: num(row?.won_expansions), amount: num(row?.won_expansion_amount) },
      wonRenewals: num(row?.won_renewals),
    };
  };
}

/** Early warnings open now, most severe first, oldest first within a severity. */
async function warningsOf(db: Database, key: InstallationKey, ids: readonly string[]) {
  const rows = await rowsOf<Row>(
    db,
    sql`select w.account_external_id as id, w.rule, w.severity, w.title, w.opened_at from warnings w
        where ${ofAccounts('w', key, ids)} and w.status = 'open'
        order by w.account_external_id, case w.severity when 'high' then 0 when 'medium' then 1 else 2 end,
          w.opened_at, w.id`,
  );
  const byId = new Map<string, OpenWarning[]>();
  for (const row of rows) {
    const list = byId.get(String(row.id)) ?? [];
    list.push({
      rule: String(row.rule),
      severity: z.enum(['low', 'medium', 'high']).parse(row.severity),
      title: String(row.title),
      openedAt: instantText(row.opened_at),
    });
    byId.set(String(row.id), list);
  }
  return (id: string): OpenWarning[] => byId.get(id) ?? [];
}

/**
 * The day of each account's last QBR on or before the period's last day (any stored brief's QBR
 * date), no more than a year back: the core's `planInstants` reads an older one as no last QBR.
 */
async function lastQbrDays(db: Database, key: InstallationKey, ids: readonly string[], period: Period) {
  const rows = await rowsOf<Row>(
    db,
    sql`select b.account_external_id as id, max(b.qbr_date) as day from qbr_briefs b
        where ${ofAccounts('b', key, ids)} and b.qbr_date <= ${period.end}
          and b.qbr_date >= ${addDays(period.end, -LAST_QBR_MAX_DAYS)}
        group by 1`,
  );
  return new Map(rows.map((row) => [String(row.id), dayText(row.day)]));
}

const LAST_QBR_MAX_DAYS = 366;
/** The longest window a stored metric may have (an NPS answer up to two years back). */
const LONGEST_WINDOW_DAYS = 730;
const windowSchema = z.looseObject({ windowDays: z.int().positive() });

/** Owners' names by CRM id: the name the CRM gives, else first and last name, else the email. */
async function ownerNames(db: Database, key: InstallationKey, ids: readonly string[]) {
  if (ids.length === 0) return new Map<string, string>();
  const rows = await rowsOf<Row>(
    db,
    sql`select o.external_id as id, o.name, o.first_name, o.last_name, o.email from owners o
        where ${ofInstallation('o', key)} and o.external_id in (${idList(ids)})`,
  );
  return new Map(
    rows.map((row) => {
      const full = [row.first_name, row.last_name].filter((part) => typeof part === 'string' && part !== '').join(' ');
      const name = (row.name as string | null) || full || (row.email as string | null) || String(row.id);
      return [String(row.id), name];
    }),
  );
}

/**
 * The accounts' active success plans as stored, with what the brief reads their objectives from: the
 * account's facts up to the end of the period, reaching back over the longest objective window before
 * the last QBR (or the period's start), and the installation's facts context — the same facts the
 * plans step reads. Facts are loaded once for the batch, and only for accounts with a plan.
 */
async function plansOf(db: Database, key: InstallationKey, ids: readonly string[], period: Period) {
  const active = await planStore(db).activePlans(key, ids);
  const withPlans = [...new Set(active.map((plan) => plan.accountExternalId))];
  const lastQbr = withPlans.length === 0 ? new Map<string, string>() : await lastQbrDays(db, key, withPlans, period);

  const facts = new Map<string, AccountFacts>();
  let context: FactsContext = { featuresOffered: 0 };
  if (withPlans.length > 0) {
    // A metric whose window cannot be read is given the longest any metric may have.
    const longest = Math.max(
      1,
      ...active.flatMap((plan) =>
        plan.objectives.map(
          (objective) => windowSchema.safeParse(objective.metric).data?.windowDays ?? LONGEST_WINDOW_DAYS,
        ),
      ),
    );
    const earliest = [...lastQbr.values(), period.start].reduce((first, day) => (day < first ? day : first));
    const lookbackDays = dayCount({ start: earliest, end: period.end }) + longest + 1;
    const [loaded, loadedContext] = await Promise.all([
      loadAccountFacts(db, key, {
        asOf: new Date(dayStart(period.end) + DAY_MS - 1),
        lookbackDays,
        accountIds: withPlans,
      }),
      loadFactsContext(db, key),
    ]);
    for (const accountFacts of loaded) facts.set(accountFacts.externalId, accountFacts);
    context = loadedContext;
  }
  const owners = await ownerNames(db, key, [
    ...new Set(active.flatMap((plan) => plan.milestones.flatMap((milestone) => milestone.ownerExternalId ?? []))),
  ]);

  const byAccount = new Map<string, PlanInput[]>();
  for (const plan of active) {
    const list = byAccount.get(plan.accountExternalId) ?? [];
    list.push({
      id: plan.id,
      name: plan.name,
      stage: plan.stage,
      startedAt: plan.startedAt.toISOString(),
      objectives: plan.objectives.map((objective) => ({
        key: objective.key,
        title: objective.title,
        metric: objective.metric,
        comparator: objective.comparator,
        target: objective.target,
        startAt: objective.startAt.toISOString(),
        dueAt: objective.dueAt.toISOString(),
        status: objective.status,
        statusSince: objective.statusSince.toISOString(),
        startValue: objective.startValue,
        achievedAt: objective.achievedAt?.toISOString() ?? null,
      })),
      milestones: plan.milestones.map((milestone) => ({
        key: milestone.key,
        title: milestone.title,
        dueAt: milestone.dueAt.toISOString(),
        reachedAt: milestone.reachedAt?.toISOString() ?? null,
        owner:
          milestone.ownerExternalId === null
            ? null
            : (owners.get(milestone.ownerExternalId) ?? milestone.ownerExternalId),
      })),
    });
    byAccount.set(plan.accountExternalId, list);
  }
  return (id: string): QbrInputs['plans'] => ({
    lastQbrDay: lastQbr.get(id) ?? null,
    active: byAccount.get(id) ?? [],
    facts: facts.get(id) ?? null,
    context: { ...context },
  });
}

// ---- versions ----------------------------------------------------------------------------------

export type BriefTrigger = 'schedule' | 'card' | 'api';

export interface StoredBrief {
  id: string;
  accountExternalId: string;
  qbrDate: string;
  period: Period;
  version: number;
  contentHash: string;
  /** The brief as stored; read it with the core's `parseBrief`. */
  brief: unknown;
  trigger: BriefTrigger;
  requestedBy: string | null;
  generatedAt: Date;
  noteState: 'pending' | 'written' | 'failed';
  noteAttempts: number;
  crmNoteId: string | null;
  noteWrittenAt: Date | null;
  noteError: string | null;
}

/** A version without its brief: what a list shows. */
export type BriefSummary = Omit<StoredBrief, 'brief'>;

/** JSON with keys sorted at every level, so equal content always hashes alike. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, item]) => item !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([name, item]) => `${JSON.stringify(name)}:${canonical(item)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** SHA-256 of the brief's content: everything but when it was generated. */
export function briefContentHash(brief: Brief): string {
  const { generatedAt: _generatedAt, ...content } = brief;
  return createHash('sha256').update(canonical(content)).digest('hex');
}

const summaryColumns = {
  id: qbrBriefs.id,
  accountExternalId: qbrBriefs.accountExternalId,
  qbrDate: qbrBriefs.qbrDate,
  periodStart: qbrBriefs.periodStart,
  periodEnd: qbrBriefs.periodEnd,
  version: qbrBriefs.version,
  contentHash: qbrBriefs.contentHash,
  trigger: qbrBriefs.trigger,
  requestedBy: qbrBriefs.requestedBy,
  generatedAt: qbrBriefs.generatedAt,
  noteState: qbrBriefs.noteState,
  noteAttempts: qbrBriefs.noteAttempts,
  crmNoteId: qbrBriefs.crmNoteId,
  noteWrittenAt: qbrBriefs.noteWrittenAt,
  noteError: qbrBriefs.noteError,
};
const allColumns = { ...summaryColumns, brief: qbrBriefs.brief };

type SummaryRow = Omit<BriefSummary, 'period'> & { periodStart: string; periodEnd: string };

function toSummary(row: SummaryRow): BriefSummary {
  const { periodStart, periodEnd, ...rest } = row;
  return { ...rest, period: { start: periodStart, end: periodEnd } };
}

const toStored = (row: SummaryRow & { brief: unknown }): StoredBrief => ({ ...toSummary(row), brief: row.brief });

const ofKey = (key: InstallationKey) =>
  and(eq(qbrBriefs.workspaceId, key.workspaceId), eq(qbrBriefs.installationId, key.installationId));

export interface BriefVersionInput {
  accountExternalId: string;
  qbrDate: string;
  period: Period;
  brief: Brief;
  trigger: BriefTrigger;
  requestedBy: string | null;
}

/**
 * Stores the brief as the next version of its account and QBR date, unless the latest version has the
 * same content: then that version is the answer and nothing is written. Two writers racing for the
 * same version number meet the unique index; the loser looks again.
 */
export async function saveBriefVersion(
  db: Database,
  key: InstallationKey,
  input: BriefVersionInput,
): Promise<{ row: StoredBrief; created: boolean }> {
  const period = periodSchema.parse(input.period);
  const qbrDate = daySchema.parse(input.qbrDate);
  const contentHash = briefContentHash(input.brief);
  const generatedAt = new Date(input.brief.generatedAt);
  for (let attempt = 0; attempt < 5; attempt += 1) {
    const [latest] = await db
      .select(allColumns)
      .from(qbrBriefs)
      .where(and(ofKey(key), eq(qbrBriefs.accountExternalId, input.accountExternalId), eq(qbrBriefs.qbrDate, qbrDate)))
      .orderBy(desc(qbrBriefs.version))
      .limit(1);
    if (latest && latest.contentHash === contentHash) return { row: toStored(latest), created: false };
    const [inserted] = await db
      .insert(qbrBriefs)
      .values({
        ...key,
        accountExternalId: input.accountExternalId,
        qbrDate,
        periodStart: period.start,
        periodEnd: period.end,
        version: (latest?.version ?? 0) + 1,
        contentHash,
        brief: input.brief,
        trigger: input.trigger,
        requestedBy: input.requestedBy,
        generatedAt,
        noteState: 'pending',
      })
      .onConflictDoNothing()
      .returning(allColumns);
    if (inserted) return { row: toStored(inserted), created: true };
  }
  throw new Error(
    `could not store a new QBR brief version for account ${input.accountExternalId} on ${qbrDate}: other writers kept taking the version number`,
  );
}

/** The latest version for the account (of that QBR date when given; else of the latest generated brief). */
export async function latestBrief(
  db: Database,
  key: InstallationKey,
  accountExternalId: string,
  qbrDate?: string,
): Promise<StoredBrief | null> {
  const [row] = await db
    .select(allColumns)
    .from(qbrBriefs)
    .where(
      and(
        ofKey(key),
        eq(qbrBriefs.accountExternalId, accountExternalId),
        qbrDate === undefined ? undefined : eq(qbrBriefs.qbrDate, daySchema.parse(qbrDate)),
      ),
    )
    .orderBy(desc(qbrBriefs.generatedAt), desc(qbrBriefs.version))
    .limit(1);
  return row ? toStored(row) : null;
}

const uuidSchema = z.uuid();

/** One version by id; null when the installation has none by that id (or the id is not a uuid). */
export async function briefById(db: Database, key: InstallationKey, id: string): Promise<StoredBrief | null> {
  if (!uuidSchema.safeParse(id).success) return null;
  const [row] = await db
    .select(allColumns)
    .from(qbrBriefs)
    .where(and(ofKey(key), eq(qbrBriefs.id, id)));
  return row ? toStored(row) : null;
}

/** Versions of the installation's briefs, newest first, optionally of one account and QBR date. */
export async function listBriefs(
  db: Database,
  key: InstallationKey,
  filter: { accountExternalId?: string; qbrDate?: string; limit?: number } = {},
): Promise<BriefSummary[]> {
  const limit = Math.min(Math.max(filter.limit ?? 50, 1), 500);
  const rows = await db
    .select(summaryColumns)
    .from(qbrBriefs)
    .where(
      and(
        ofKey(key),
        filter.accountExternalId === undefined ? undefined : eq(qbrBriefs.accountExternalId, filter.accountExternalId),
        filter.qbrDate === undefined ? undefined : eq(qbrBriefs.qbrDate, daySchema.parse(filter.qbrDate)),
      ),
    )
    .orderBy(desc(qbrBriefs.generatedAt), desc(qbrBriefs.version))
    .limit(limit);
  return rows.map(toSummary);
}

// ---- the CRM note of a version -----------------------------------------------------------------

/** Counts a note attempt before the CRM call: a lost answer leaves the version in doubt (attempts > 0). */
export async function markNoteAttempt(db: Database, key: InstallationKey, id: string, at: Date): Promise<void> {
  await db
    .update(qbrBriefs)
    .set({ noteAttempts: sql`${qbrBriefs.noteAttempts} + 1`, noteAttemptedAt: at })
    .where(and(ofKey(key), eq(qbrBriefs.id, id)));
}

export async function recordNoteWritten(
  db: Database,
  key: InstallationKey,
  id: string,
  crmNoteId: string,
  at: Date,
): Promise<void> {
  await db
    .update(qbrBriefs)
    .set({ noteState: 'written', crmNoteId, noteWrittenAt: at, noteError: null })
    .where(and(ofKey(key), eq(qbrBriefs.id, id)));
}

export async function recordNoteError(
  db: Database,
  key: InstallationKey,
  id: string,
  message: string,
  final: boolean,
): Promise<void> {
  await db
    .update(qbrBriefs)
    .set({ noteError: message.slice(0, 2000), ...(final ? { noteState: 'failed' as const } : {}) })
    .where(and(ofKey(key), eq(qbrBriefs.id, id)));
}

/** When the version's last note attempt was sent (for the CRM's search lag), or null. */
export async function noteAttemptedAt(db: Database, key: InstallationKey, id: string): Promise<Date | null> {
  const [row] = await db
    .select({ at: qbrBriefs.noteAttemptedAt })
    .from(qbrBriefs)
    .where(and(ofKey(key), eq(qbrBriefs.id, id)));
  return row?.at ?? null;
}

// ---- the schedule ------------------------------------------------------------------------------

/** Current customers (not archived, not churned) with their renewal dates: what the daily QBR schedule reads. */
export async function customerRenewals(
  db: Database,
  key: InstallationKey,
): Promise<{ accountExternalId: string; renewalDate: string | null; name: string | null }[]> {
  return db
    .select({ accountExternalId: accounts.externalId, renewalDate: accounts.renewalDate, name: accounts.name })
    .from(accounts)
    .where(
      and(
        eq(accounts.workspaceId, key.workspaceId),
        eq(accounts.installationId, key.installationId),
        eq(accounts.archived, false),
        or(isNull(accounts.customerStatus), ne(accounts.customerStatus, 'churned')),
      ),
    );
}

/** The (account, QBR date) pairs that already have a brief, of these QBR dates. */
export async function briefsForDates(
  db: Database,
  key: InstallationKey,
  qbrDates: readonly string[],
): Promise<Set<string>> {
  if (qbrDates.length === 0) return new Set();
  const rows = await db
    .selectDistinct({ account: qbrBriefs.accountExternalId, qbrDate: qbrBriefs.qbrDate })
    .from(qbrBriefs)
    .where(and(ofKey(key), inArray(qbrBriefs.qbrDate, [...qbrDates])));
  return new Set(rows.map((row) => `${row.account}|${row.qbrDate}`));
}
