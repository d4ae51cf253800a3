import { createHash, randomBytes } from 'node:crypto';
import { and, desc, eq, inArray, isNull, lt, sql } from 'drizzle-orm';
import { safeEqual } from '../crypto.ts';
import { AppError } from '../errors.ts';
import type { Database } from './database.ts';
import {
  accounts,
  csmSentiment,
  ingestApiKeys,
  ingestBatches,
  installations,
  surveyResponses,
  usageDaily,
  usageEvents,
  type SENTIMENTS,
  type SURVEY_KINDS,
} from './schema.ts';

/**
 * The ingest API's tables: keys (only a hash of the secret is kept), the signals it stores, and the
 * answers by idempotency key. Every query is scoped by workspace and installation.
 */

export interface IngestScope {
  workspaceId: string;
  installationId: string;
}

export type Transaction = Parameters<Parameters<Database['transaction']>[0]>[0];
type Queryable = Database | Transaction;

export interface IngestKey {
  id: string;
  prefix: string;
  label: string;
  createdAt: Date;
  revokedAt: Date | null;
}

const keyColumns = {
  id: ingestApiKeys.id,
  prefix: ingestApiKeys.prefix,
  label: ingestApiKeys.label,
  createdAt: ingestApiKeys.createdAt,
  revokedAt: ingestApiKeys.revokedAt,
};

const ofScope = (scope: IngestScope) =>
  and(eq(ingestApiKeys.workspaceId, scope.workspaceId), eq(ingestApiKeys.installationId, scope.installationId));

const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');

/** Compared against when a prefix is unknown, so a miss costs what a hit costs. */
const DECOY_HASH = sha256('decoy');

/** A new key; the whole key is returned here and never again. */
export async function createIngestKey(
  db: Database,
  scope: IngestScope,
  label: string,
): Promise<{ key: IngestKey; secret: string }> {
  const prefix = randomBytes(6).toString('hex');
  const secret = randomBytes(32).toString('base64url');
  const [row] = await db
    .insert(ingestApiKeys)
    .values({ ...scope, prefix, secretHash: sha256(secret), label })
    .returning(keyColumns);
  return { key: row as IngestKey, secret: `bw_${prefix}_${secret}` };
}

export function listIngestKeys(db: Database, scope: IngestScope): Promise<IngestKey[]> {
  return db
    .select(keyColumns)
    .from(ingestApiKeys)
    .where(ofScope(scope))
    .orderBy(desc(ingestApiKeys.createdAt), desc(ingestApiKeys.id));
}

/** Revokes at once; revoking again keeps the first time. Undefined when the installation has no such key. */
export async function revokeIngestKey(db: Database, scope: IngestScope, keyId: string): Promise<IngestKey | undefined> {
  await db
    .update(ingestApiKeys)
    .set({ revokedAt: new Date() })
    .where(and(ofScope(scope), eq(ingestApiKeys.id, keyId), isNull(ingestApiKeys.revokedAt)));
  const [row] = await db
    .select(keyColumns)
    .from(ingestApiKeys)
    .where(and(ofScope(scope), eq(ingestApiKeys.id, keyId)));
  return row;
}

/**
 * The installation a presented key (`prefix`, `secret` already split) belongs to, or undefined for an
 * unknown, wrong or revoked key. The secret's hash is compared in constant time.
 */
export async function authenticateIngestKey(
  db: Database,
  prefix: string,
  secret: string,
): Promise<(IngestScope & { keyId: string; installationStatus: string }) | undefined> {
  const [row] = await db
    .select({
      workspaceId: ingestApiKeys.workspaceId,
      installationId: ingestApiKeys.installationId,
      keyId: ingestApiKeys.id,
      secretHash: ingestApiKeys.secretHash,
      revokedAt: ingestApiKeys.revokedAt,
      installationStatus: installations.status,
    })
    .from(ingestApiKeys)
    .innerJoin(
      installations,
      and(eq(installations.workspaceId, ingestApiKeys.workspaceId), eq(installations.id, ingestApiKeys.installationId)),
    )
    .where(eq(ingestApiKeys.prefix, prefix));
  const matches = safeEqual(sha256(secret), row?.secretHash ?? DECOY_HASH);
  if (!row || !matches || row.revokedAt !== null) return undefined;
  return {
    workspaceId: row.workspaceId,
    installationId: row.installationId,
    keyId: row.keyId,
    installationStatus: row.installationStatus,
  };
}

/** Forgets stored answers older than `before` (a key is for retries, not forever); answers how many. */
export async function pruneIngestBatches(db: Database, before: Date): Promise<number> {
  const deleted = await db
    .delete(ingestBatches)
    .where(lt(ingestBatches.createdAt, before))
    .returning({ key: ingestBatches.idempotencyKey });
  return deleted.length;
}

export interface BatchRequest {
  kind: string;
  idempotencyKey: string;
  /** SHA-256 of the kind and body, computed by the caller. */
  requestHash: string;
}

export interface BatchAnswer<T> {
  answer: T;
  replayed: boolean;
}

/**
 * Runs one batch in one transaction under its idempotency key: a key seen before with the same
 * request answers the stored answer without running `work`; with another request it is refused
 * (409). If `work` throws, nothing of the batch is stored and the key stays unused.
 */
export async function runIngestBatch<T>(
  db: Database,
  scope: IngestScope,
  request: BatchRequest,
  work: (tx: Transaction) => Promise<T>,
): Promise<BatchAnswer<T>> {
  return db.transaction(async (tx) => {
    const claimed = await tx
      .insert(ingestBatches)
      .values({
        ...scope,
        idempotencyKey: request.idempotencyKey,
        kind: request.kind,
        requestHash: request.requestHash,
      })
      .onConflictDoNothing()
      .returning({ key: ingestBatches.idempotencyKey });
    if (claimed.length === 0) {
      const [earlier] = await tx
        .select({ requestHash: ingestBatches.requestHash, answer: ingestBatches.answer })
        .from(ingestBatches)
        .where(
          and(
            eq(ingestBatches.workspaceId, scope.workspaceId),
            eq(ingestBatches.installationId, scope.installationId),
            eq(ingestBatches.idempotencyKey, request.idempotencyKey),
          ),
        );
      if (!earlier || earlier.requestHash !== request.requestHash || earlier.answer === null) {
        throw new AppError(
          409,
          'IDEMPOTENCY_KEY_REUSED',
          'This Idempotency-Key was already used for a different request; send a new key for a new batch',
        );
      }
      return { answer: earlier.answer as T, replayed: true };
    }
    const answer = await work(tx);
    await tx
      .update(ingestBatches)
      .set({ answer })
      .where(
        and(
          eq(ingestBatches.workspaceId, scope.workspaceId),
          eq(ingestBatches.installationId, scope.installationId),
          eq(ingestBatches.idempotencyKey, request.idempotencyKey),
        ),
      );
    return { answer, replayed: false };
  });
}

export interface AccountMatches {
  /** CRM ids that exist (and are not deleted) in the installation. */
  ids: Set<string>;
  /** Normalised domain → the CRM ids of the installation's accounts with it. */
  domains: Map<string, string[]>;
}

/** Which of these account ids and domains the installation holds; nothing of another installation. */
export async function matchAccounts(
  tx: Queryable,
  scope: IngestScope,
  ids: readonly string[],
  domains: readonly string[],
): Promise<AccountMatches> {
  const inScope = and(
    eq(accounts.workspaceId, scope.workspaceId),
    eq(accounts.installationId, scope.installationId),
    eq(accounts.archived, false),
  );
  const found: AccountMatches = { ids: new Set(), domains: new Map() };
  if (ids.length > 0) {
    const rows = await tx
      .select({ id: accounts.externalId })
      .from(accounts)
      .where(and(inScope, inArray(accounts.externalId, [...ids])));
    for (const row of rows) found.ids.add(row.id);
  }
  if (domains.length > 0) {
    const rows = await tx
      .select({ id: accounts.externalId, domain: accounts.domain })
      .from(accounts)
      .where(and(inScope, inArray(accounts.domain, [...domains])));
    for (const row of rows) {
      if (row.domain === null) continue;
      found.domains.set(row.domain, [...(found.domains.get(row.domain) ?? []), row.id]);
    }
  }
  return found;
}

/** Rows in key order, so concurrent batches that share keys lock them in one order and never deadlock. */
const byKey = <T>(rows: T[], key: (row: T) => string): T[] =>
  [...rows].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));

export interface UsageDailyRow {
  accountExternalId: string;
  date: string;
  activeUsers: number;
  licences: number | null;
  events: number;
  features: Record<string, number>;
}

/**
 * Upserts days; answers how many rows were inserted or changed. A day sent again with the same
 * values is left alone (and is a duplicate to the caller). Rows must be unique by (account, date).
 */
export async function upsertUsageDaily(tx: Queryable, scope: IngestScope, rows: UsageDailyRow[]): Promise<number> {
  if (rows.length === 0) return 0;
  const written = await tx
    .insert(usageDaily)
    .values(byKey(rows, (row) => `${row.accountExternalId}\n${row.date}`).map((row) => ({ ...scope, ...row })))
    .onConflictDoUpdate({
      target: [usageDaily.workspaceId, usageDaily.installationId, usageDaily.accountExternalId, usageDaily.date],
      set: {
        activeUsers: sql`excluded.active_users`,
        licences: sql`excluded.licences`,
        events: sql`excluded.events`,
        features: sql`excluded.features`,
        receivedAt: sql`now()`,
      },
      setWhere: sql`(${usageDaily.activeUsers}, ${usageDaily.licences}, ${usageDaily.events}, ${usageDaily.features})
        is distinct from (excluded.active_users, excluded.licences, excluded.events, excluded.features)`,
    })
    .returning({ date: usageDaily.date });
  return written.length;
}

export interface UsageEventRow {
  clientId: string;
  accountExternalId: string;
  occurredAt: Date;
  userId: string | null;
  event: string;
  feature: string | null;
  properties: Record<string, unknown>;
}

/** Inserts events not seen before (by client id); answers how many were new. */
export async function insertUsageEvents(tx: Queryable, scope: IngestScope, rows: UsageEventRow[]): Promise<number> {
  if (rows.length === 0) return 0;
  const inserted = await tx
    .insert(usageEvents)
    .values(byKey(rows, (row) => row.clientId).map((row) => ({ ...scope, ...row })))
    .onConflictDoNothing()
    .returning({ id: usageEvents.clientId });
  return inserted.length;
}

export interface SurveyResponseRow {
  clientId: string;
  accountExternalId: string;
  kind: (typeof SURVEY_KINDS)[number];
  score: number;
  verbatim: string | null;
  contactExternalId: string | null;
  respondedAt: Date;
}

/** Inserts responses not seen before (by client id; the first copy wins); answers how many were new. */
export async function insertSurveyResponses(
  tx: Queryable,
  scope: IngestScope,
  rows: SurveyResponseRow[],
): Promise<number> {
  if (rows.length === 0) return 0;
  const inserted = await tx
    .insert(surveyResponses)
    .values(byKey(rows, (row) => row.clientId).map((row) => ({ ...scope, ...row })))
    .onConflictDoNothing()
    .returning({ id: surveyResponses.clientId });
  return inserted.length;
}

export interface SentimentRow {
  clientId: string;
  accountExternalId: string;
  sentiment: (typeof SENTIMENTS)[number];
  note: string | null;
  csmExternalId: string | null;
  recordedAt: Date;
}

/** Inserts sentiment entries not seen before (by client id); answers how many were new. */
export async function insertSentiment(tx: Queryable, scope: IngestScope, rows: SentimentRow[]): Promise<number> {
  if (rows.length === 0) return 0;
  const inserted = await tx
    .insert(csmSentiment)
    .values(byKey(rows, (row) => row.clientId).map((row) => ({ ...scope, ...row })))
    .onConflictDoNothing()
    .returning({ id: csmSentiment.clientId });
  return inserted.length;
}
