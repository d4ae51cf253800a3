import { and, asc, eq, gt, inArray, lte, or, sql } from 'drizzle-orm';
import type { AnyPgColumn } from 'drizzle-orm/pg-core';
import type {
  Lookback,
  AccountFacts,
  ContactFact,
  DealFact,
  FactsContext,
  SentimentFact,
  SurveyFact,
  TicketFact,
  UsageDayFact,
} from '../../core/health/facts.ts';
import type { Database } from './database.ts';
import { accounts, contacts, csmSentiment, deals, surveyResponses, tickets, usageDaily } from './schema.ts';
import type { InstallationKey } from './sync-store.ts';

/**
 * Reads what the signal computation needs about a batch of accounts: one query per table for the
 * whole batch (never one per account), every one scoped to the installation, archived records left out. Dated rows are read
 * only as far back as the model's windows reach and never past `asOf`, so a backtest sees what was
 * known on its day.
 */

export interface FactsQuery {
  asOf: Date;
  /** Days of each kind of dated fact before asOf (core `lookbackOf`); one number for all of them. */
  lookbackDays: number | Lookback;
  accountIds?: readonly string[] | undefined;
}

const DAY_MS = 86_400_000;
/** How far back usage tells which features the product offers. */
const FEATURES_OFFERED_DAYS = 90;

const dayOf = (instant: number) => new Date(instant).toISOString().slice(0, 10);
/** A `date` column ('YYYY-MM-DD') as the epoch ms of its midnight UTC. */
const dayStart = (day: string) => Date.parse(`${day}T00:00:00Z`);
const dayOrNull = (day: string | null) => (day === null ? null : dayStart(day));
const msOrNull = (instant: Date | null) => (instant === null ? null : instant.getTime());
/** `numeric` columns arrive as strings. */
const numberOrNull = (value: string | null) => (value === null ? null : Number(value));

const ofInstallation = (table: { workspaceId: AnyPgColumn; installationId: AnyPgColumn }, key: InstallationKey) =>
  and(eq(table.workspaceId, key.workspaceId), eq(table.installationId, key.installationId));

/** Non-archived accounts of the installation (or the given ids) with their facts; dated facts after asOf are left out. */
export async function loadAccountFacts(db: Database, key: InstallationKey, query: FactsQuery): Promise<AccountFacts[]> {
  if (query.accountIds?.length === 0) return [];
  const accountRows = await db
    .select({
      externalId: accounts.externalId,
      segment: accounts.segment,
      status: accounts.customerStatus,
      arr: accounts.arr,
      licences: accounts.licences,
      renewalDate: accounts.renewalDate,
      createdAt: accounts.createdAtCrm,
    })
    .from(accounts)
    .where(
      and(
        ofInstallation(accounts, key),
        eq(accounts.archived, false),
        query.accountIds ? inArray(accounts.externalId, [...query.accountIds]) : undefined,
      ),
    )
    .orderBy(asc(accounts.externalId));
  if (accountRows.length === 0) return [];

  // The whole installation is read without an id list (it could pass the driver's parameter limit);
  // rows of accounts not loaded (archived ones) are then simply not looked up.
  const ids = query.accountIds ? accountRows.map((row) => row.externalId) : undefined;
  const asOf = query.asOf.getTime();
  const days = query.lookbackDays;
  const from = (source: keyof Lookback) => asOf - (typeof days === 'number' ? days : days[source]) * DAY_MS;
  const [usage, ticketFacts, contactFacts, dealFacts, surveys, sentiment] = await Promise.all([
    loadUsage(db, key, ids, from('usage'), asOf),
    loadTickets(db, key, ids, from('tickets'), asOf),
    loadContacts(db, key, ids),
    loadDeals(db, key, ids),
    loadSurveys(db, key, ids, from('surveys'), asOf),
    loadSentiment(db, key, ids, from('sentiment'), asOf),
  ]);
  return accountRows.map((row) => ({
    externalId: row.externalId,
    segment: row.segment,
    status: row.status,
    arr: numberOrNull(row.arr),
    licences: row.licences,
    renewalDate: dayOrNull(row.renewalDate),
    createdAt: msOrNull(row.createdAt),
    usage: usage.get(row.externalId) ?? [],
    tickets: ticketFacts.get(row.externalId) ?? [],
    contacts: contactFacts.get(row.externalId) ?? [],
    deals: dealFacts.get(row.externalId) ?? [],
    surveys: surveys.get(row.externalId) ?? [],
    sentiment: sentiment.get(row.externalId) ?? [],
  }));
}

/** Rows grouped by account id, in the order the query gave them. */
function byAccount<Row extends { accountExternalId: string | null }, Fact>(
  rows: readonly Row[],
  toFact: (row: Row) => Fact,
): Map<string, Fact[]> {
  const grouped = new Map<string, Fact[]>();
  for (const row of rows) {
    if (row.accountExternalId === null) continue;
    let list = grouped.get(row.accountExternalId);
    if (!list) grouped.set(row.accountExternalId, (list = []));
    list.push(toFact(row));
  }
  return grouped;
}

/** Usage days in (from, asOf]: a day is in when its midnight is. */
async function loadUsage(
  db: Database,
  key: InstallationKey,
  ids: readonly string[] | undefined,
  from: number,
  asOf: number,
) {
  const rows = await db
    .select({
      accountExternalId: usageDaily.accountExternalId,
      date: usageDaily.date,
      activeUsers: usageDaily.activeUsers,
      licences: usageDaily.licences,
      events: usageDaily.events,
      features: usageDaily.features,
    })
    .from(usageDaily)
    .where(
      and(
        ofInstallation(usageDaily, key),
        ofAccounts(usageDaily.accountExternalId, ids),
        gt(usageDaily.date, dayOf(from)),
        lte(usageDaily.date, dayOf(asOf)),
      ),
    )
    .orderBy(asc(usageDaily.accountExternalId), asc(usageDaily.date));
  return byAccount(rows, (row): UsageDayFact => ({
    day: dayStart(row.date),
    activeUsers: row.activeUsers,
    licences: row.licences,
    events: row.events,
    // Largest first: jsonb keeps its own key order, and the order means nothing here.
    featureUsers: Object.values(row.features).sort((a, b) => b - a),
  }));
}

/**
 * Tickets created by asOf that were still open at the start of the lookback. A ticket marked closed
 * without a close time cannot be placed in time and is left out, as closed long ago; one created
 * at an unknown time likewise.
 */
async function loadTickets(
  db: Database,
  key: InstallationKey,
  ids: readonly string[] | undefined,
  from: number,
  asOf: number,
) {
  const rows = await db
    .select({
      accountExternalId: tickets.accountExternalId,
      createdAt: tickets.createdAtCrm,
      closed: tickets.closed,
      closedAt: tickets.closedAt,
      priority: tickets.priority,
    })
    .from(tickets)
    .where(
      and(
        ofInstallation(tickets, key),
        eq(tickets.archived, false),
        ofAccounts(tickets.accountExternalId, ids),
        lte(tickets.createdAtCrm, new Date(asOf)),
        or(eq(tickets.closed, false), gt(tickets.closedAt, new Date(from))),
      ),
    )
    .orderBy(asc(tickets.accountExternalId), asc(tickets.createdAtCrm), asc(tickets.externalId));
  return byAccount(rows, (row): TicketFact => ({
    createdAt: (row.createdAt as Date).getTime(),
    closedAt: row.closed ? msOrNull(row.closedAt) : null,
    priority: row.priority,
  }));
}

async function loadContacts(db: Database, key: InstallationKey, ids: readonly string[] | undefined) {
  const rows = await db
    .select({
      accountExternalId: contacts.accountExternalId,
      email: contacts.email,
      role: contacts.role,
      createdAt: contacts.createdAtCrm,
      departed: contacts.departed,
      departedOn: contacts.departedOn,
      lastEngagedAt: contacts.lastEngagedAt,
    })
    .from(contacts)
    .where(
      and(ofInstallation(contacts, key), eq(contacts.archived, false), ofAccounts(contacts.accountExternalId, ids)),
    )
    .orderBy(asc(contacts.accountExternalId), asc(contacts.externalId));
  return byAccount(rows, (row): ContactFact => ({
    // Lower-case, so one person held in two CRMs is one contact when a workspace's facts are merged.
    email: row.email?.trim().toLowerCase() || null,
    role: row.role,
    createdAt: msOrNull(row.createdAt),
    departedOn: dayOrNull(row.departedOn),
    departed: row.departed,
    lastEngagedAt: msOrNull(row.lastEngagedAt),
  }));
}

async function loadDeals(db: Database, key: InstallationKey, ids: readonly string[] | undefined) {
  const rows = await db
    .select({
      accountExternalId: deals.accountExternalId,
      id: deals.externalId,
      connectorId: deals.connectorExternalId,
      kind: deals.kind,
      stage: deals.stage,
      amount: deals.amount,
      closeDate: deals.closeDate,
      createdAt: deals.createdAtCrm,
    })
    .from(deals)
    .where(and(ofInstallation(deals, key), eq(deals.archived, false), ofAccounts(deals.accountExternalId, ids)))
    .orderBy(asc(deals.accountExternalId), asc(deals.closeDate), asc(deals.externalId));
  return byAccount(rows, (row): DealFact => ({
    // A connector's mirror of a deal names the original: merging two CRMs' facts keeps one of them.
    id: row.id,
    connectorId: row.connectorId,
    kind: row.kind,
    stage: row.stage,
    amount: numberOrNull(row.amount),
    closeDate: dayOrNull(row.closeDate),
    createdAt: msOrNull(row.createdAt),
  }));
}

async function loadSurveys(
  db: Database,
  key: InstallationKey,
  ids: readonly string[] | undefined,
  from: number,
  asOf: number,
) {
  // The respondent's role comes in the same query: a plan may ask what the executive sponsor says.
  // A contact since archived keeps its role here: it was the role of whoever answered.
  const rows = await db
    .select({
      accountExternalId: surveyResponses.accountExternalId,
      kind: surveyResponses.kind,
      score: surveyResponses.score,
      respondedAt: surveyResponses.respondedAt,
      role: contacts.role,
    })
    .from(surveyResponses)
    .leftJoin(
      contacts,
      and(
        eq(contacts.workspaceId, surveyResponses.workspaceId),
        eq(contacts.installationId, surveyResponses.installationId),
        eq(contacts.externalId, surveyResponses.contactExternalId),
      ),
    )
    .where(
      and(
        ofInstallation(surveyResponses, key),
        ofAccounts(surveyResponses.accountExternalId, ids),
        inRange(surveyResponses.respondedAt, from, asOf),
      ),
    )
    .orderBy(asc(surveyResponses.accountExternalId), asc(surveyResponses.respondedAt));
  return byAccount(rows, (row): SurveyFact => ({
    kind: row.kind,
    score: row.score,
    at: row.respondedAt.getTime(),
    ...(row.role === null ? {} : { respondentRole: row.role }),
  }));
}

async function loadSentiment(
  db: Database,
  key: InstallationKey,
  ids: readonly string[] | undefined,
  from: number,
  asOf: number,
) {
  const rows = await db
    .select({
      accountExternalId: csmSentiment.accountExternalId,
      sentiment: csmSentiment.sentiment,
      recordedAt: csmSentiment.recordedAt,
    })
    .from(csmSentiment)
    .where(
      and(
        ofInstallation(csmSentiment, key),
        ofAccounts(csmSentiment.accountExternalId, ids),
        inRange(csmSentiment.recordedAt, from, asOf),
      ),
    )
    .orderBy(asc(csmSentiment.accountExternalId), asc(csmSentiment.recordedAt));
  return byAccount(rows, (row): SentimentFact => ({ sentiment: row.sentiment, at: row.recordedAt.getTime() }));
}

const ofAccounts = (column: AnyPgColumn, ids: readonly string[] | undefined) =>
  ids === undefined ? undefined : inArray(column, [...ids]);

/** (from, asOf], as the signal windows count. */
const inRange = (column: AnyPgColumn, from: number, asOf: number) =>
  and(gt(column, new Date(from)), lte(column, new Date(asOf)));

/** Every account id of the installation, non-archived, ascending, in pages (for batching). */
export async function listAccountIds(
  db: Database,
  key: InstallationKey,
  page: { after: string | null; limit: number },
): Promise<string[]> {
  const rows = await db
    .select({ externalId: accounts.externalId })
    .from(accounts)
    .where(
      and(
        ofInstallation(accounts, key),
        eq(accounts.archived, false),
        page.after === null ? undefined : gt(accounts.externalId, page.after),
      ),
    )
    .orderBy(asc(accounts.externalId))
    .limit(page.limit);
  return rows.map((row) => row.externalId);
}

/** The features the installation's product offers: every feature key its usage named in the last 90 days. */
export async function loadFactsContext(db: Database, key: InstallationKey): Promise<FactsContext> {
  const [row] = await db
    .select({ featuresOffered: sql<number>`count(distinct feature.key)::int` })
    .from(sql`${usageDaily} cross join lateral jsonb_object_keys(${usageDaily.features}) as feature(key)`)
    .where(
      and(
        ofInstallation(usageDaily, key),
        sql`${usageDaily.date} > current_date - ${sql.raw(String(FEATURES_OFFERED_DAYS))}`,
      ),
    );
  return { featuresOffered: row?.featuresOffered ?? 0 };
}
