import { and, asc, eq, gt, gte, inArray, or, sql } from 'drizzle-orm';
import type { AnyPgColumn } from 'drizzle-orm/pg-core';
import type { Database } from './database.ts';
import {
  accountHealth,
  accountHealthCurrent,
  accounts,
  accountSignals,
  contacts,
  csmSentiment,
  deals,
  healthOverrides,
  healthScores,
  scoreState,
  surveyResponses,
  tickets,
  usageDaily,
  type HealthFieldValues,
} from './schema.ts';
import type { InstallationKey } from './sync-store.ts';
import { fromExcluded } from './upsert.ts';

/**
 * The score job's persistence: each account's latest signals (the peers of a partial rescore), the
 * score history (one row per account and day), the full current health the card reads, and the
 * values the write-back job puts on the CRM record — the last three saved together, so a reader never
 * sees a score without its explanation.
 */

export type StoredSignalValues = Record<string, number | boolean | null>;

export interface SignalRow {
  accountExternalId: string;
  segment: string | null;
  values: StoredSignalValues;
}

export interface HistoryPoint {
  day: string;
  score: number;
}

export interface CurrentHealth {
  day: string;
  explanation: unknown;
  previous: unknown;
  values: HealthFieldValues | null;
}

export interface FamilyMember {
  id: string;
  score: number | null;
  arr: number;
}

export interface Family {
  parent: FamilyMember;
  children: FamilyMember[];
}

export interface ScoredAccountRow {
  accountExternalId: string;
  day: string;
  scoredAt: Date;
  modelVersion: number;
  status: 'scored' | 'insufficient_data';
  score: number | null;
  band: 'red' | 'yellow' | 'green' | null;
  trend: 'improving' | 'stable' | 'declining' | null;
  coverage: number;
  contributions: unknown;
  explanation: unknown;
  previous: unknown;
  values: HealthFieldValues;
}

const scoped = (table: { workspaceId: AnyPgColumn; installationId: AnyPgColumn }, key: InstallationKey) =>
  and(eq(table.workspaceId, key.workspaceId), eq(table.installationId, key.installationId));

const CHUNK = 500;

function chunks<T>(rows: readonly T[], size = CHUNK): T[][] {
  const out: T[][] = [];
  for (let start = 0; start < rows.length; start += size) out.push(rows.slice(start, start + size));
  return out;
}

export function healthScoreStore(db: Database) {
  return {
    /** The database's clock: what synced_at and received_at are stamped with, so watermarks compare alike. */
    async databaseNow(): Promise<Date> {
      const result: unknown = await db.execute(sql`select now() as now`);
      const value = (result as { rows: { now: string | Date }[] }).rows[0]?.now;
      if (value === undefined) throw new Error('the database did not answer its time');
      return new Date(value);
    },

    /**
     * When the last score run that finished started, or null before the first: a run stopped half way
     * leaves it where it was, so the next run looks again at everything it did not get to.
     */
    async watermark(key: InstallationKey): Promise<Date | null> {
      const [row] = await db.select({ at: scoreState.watermark }).from(scoreState).where(scoped(scoreState, key));
      return row?.at ?? null;
    },

    async finishRun(key: InstallationKey, startedAt: Date, summary: unknown): Promise<void> {
      const finishedAt = new Date();
      await db
        .insert(scoreState)
        .values({ ...key, watermark: startedAt, finishedAt, summary })
        .onConflictDoUpdate({
          target: [scoreState.workspaceId, scoreState.installationId],
          set: { watermark: startedAt, finishedAt, summary },
        });
    },

    /**
     * Accounts whose inputs arrived since `since`: their own record, a contact, deal or ticket of
     * theirs synced, usage, a survey answer or sentiment received, or an override set or cleared.
     */
    async changedAccountsSince(key: InstallationKey, since: Date): Promise<string[]> {
      const linked = (table: typeof contacts | typeof deals | typeof tickets) =>
        db
          .selectDistinct({ id: sql<string>`${table.accountExternalId}` })
          .from(table)
          .where(and(scoped(table, key), gt(table.syncedAt, since), sql`${table.accountExternalId} is not null`));
      const received = (table: typeof usageDaily | typeof surveyResponses | typeof csmSentiment) =>
        db
          .selectDistinct({ id: table.accountExternalId })
          .from(table)
          .where(and(scoped(table, key), gt(table.receivedAt, since)));
      const results = await Promise.all([
        db
          .select({ id: accounts.externalId })
          .from(accounts)
          .where(and(scoped(accounts, key), gt(accounts.syncedAt, since))),
        linked(contacts),
        linked(deals),
        linked(tickets),
        received(usageDaily),
        received(surveyResponses),
        received(csmSentiment),
        db
          .selectDistinct({ id: healthOverrides.accountExternalId })
          .from(healthOverrides)
          .where(
            and(
              scoped(healthOverrides, key),
              or(gt(healthOverrides.setAt, since), gt(healthOverrides.clearedAt, since)),
            ),
          ),
      ]);
      const ids = new Set<string>();
      for (const rows of results) for (const row of rows) ids.add(row.id);
      return [...ids].sort();
    },

    async saveSignals(key: InstallationKey, rows: readonly SignalRow[], computedAt: Date): Promise<void> {
      for (const chunk of chunks(rows)) {
        await db
          .insert(accountSignals)
          .values(chunk.map((row) => ({ ...key, ...row, computedAt })))
          .onConflictDoUpdate({
            target: [accountSignals.workspaceId, accountSignals.installationId, accountSignals.accountExternalId],
            set: fromExcluded(accountSignals, ['segment', 'values', 'computedAt']),
          });
      }
    },

    /** The stored signals of every live account of the installation: the peers percentile measures rank against. */
    async peerSignals(key: InstallationKey): Promise<SignalRow[]> {
      return db
        .select({
          accountExternalId: accountSignals.accountExternalId,
          segment: accountSignals.segment,
          values: accountSignals.values,
        })
        .from(accountSignals)
        .innerJoin(
          accounts,
          and(
            eq(accounts.workspaceId, accountSignals.workspaceId),
            eq(accounts.installationId, accountSignals.installationId),
            eq(accounts.externalId, accountSignals.accountExternalId),
          ),
        )
        .where(and(scoped(accountSignals, key), eq(accounts.archived, false)));
    },

    /** Scores of days from `fromDay` on (inclusive), per account, oldest first: what the trend reads. */
    async history(
      key: InstallationKey,
      accountIds: readonly string[],
      fromDay: string,
    ): Promise<Map<string, HistoryPoint[]>> {
      const found = new Map<string, HistoryPoint[]>();
      if (accountIds.length === 0) return found;
      const rows = await db
        .select({ id: healthScores.accountExternalId, day: healthScores.day, score: healthScores.score })
        .from(healthScores)
        .where(
          and(
            scoped(healthScores, key),
            inArray(healthScores.accountExternalId, [...accountIds]),
            gte(healthScores.day, fromDay),
          ),
        )
        .orderBy(asc(healthScores.accountExternalId), asc(healthScores.day));
      for (const row of rows) {
        if (row.score === null) continue;
        let points = found.get(row.id);
        if (!points) found.set(row.id, (points = []));
        points.push({ day: row.day, score: row.score });
      }
      return found;
    },

    async current(key: InstallationKey, accountIds: readonly string[]): Promise<Map<string, CurrentHealth>> {
      const found = new Map<string, CurrentHealth>();
      if (accountIds.length === 0) return found;
      const rows = await db
        .select({
          id: accountHealth.accountExternalId,
          day: accountHealth.day,
          explanation: accountHealth.explanation,
          previous: accountHealth.previous,
          values: accountHealthCurrent.values,
        })
        .from(accountHealth)
        .leftJoin(
          accountHealthCurrent,
          and(
            eq(accountHealthCurrent.workspaceId, accountHealth.workspaceId),
            eq(accountHealthCurrent.installationId, accountHealth.installationId),
            eq(accountHealthCurrent.accountExternalId, accountHealth.accountExternalId),
          ),
        )
        .where(and(scoped(accountHealth, key), inArray(accountHealth.accountExternalId, [...accountIds])));
      for (const row of rows) {
        found.set(row.id, { day: row.day, explanation: row.explanation, previous: row.previous, values: row.values });
      }
      return found;
    },

    /**
     * Every parent account with subsidiaries, with each member's current score and ARR: what the
     * roll-up reads. Members not scored (or no longer live) come with a null score.
     */
    async families(key: InstallationKey): Promise<Family[]> {
      const rows = await db
        .select({
          id: accounts.externalId,
          parentId: accounts.parentExternalId,
          arr: accounts.arr,
          score: accountHealth.score,
        })
        .from(accounts)
        .leftJoin(
          accountHealth,
          and(
            eq(accountHealth.workspaceId, accounts.workspaceId),
            eq(accountHealth.installationId, accounts.installationId),
            eq(accountHealth.accountExternalId, accounts.externalId),
          ),
        )
        .where(and(scoped(accounts, key), eq(accounts.archived, false)));
      const byId = new Map(rows.map((row) => [row.id, row]));
      const families = new Map<string, Family>();
      const member = (row: (typeof rows)[number]): FamilyMember => ({
        id: row.id,
        score: row.score,
        arr: row.arr === null ? 0 : Number(row.arr),
      });
      for (const row of rows) {
        const parent = row.parentId === null ? undefined : byId.get(row.parentId);
        if (!parent) continue;
        let family = families.get(parent.id);
        if (!family) families.set(parent.id, (family = { parent: member(parent), children: [] }));
        family.children.push(member(row));
      }
      return [...families.values()];
    },

    /** Puts each parent's roll-up into its current explanation (`rollup`), beside its own score. */
    async saveRollups(key: InstallationKey, rollups: readonly { accountExternalId: string; rollup: unknown }[]) {
      for (const chunk of chunks(rollups)) {
        await db.transaction(async (tx) => {
          for (const row of chunk) {
            await tx
              .update(accountHealth)
              .set({
                explanation: sql`jsonb_set(${accountHealth.explanation}, '{rollup}', ${JSON.stringify(row.rollup)}::jsonb)`,
              })
              .where(and(scoped(accountHealth, key), eq(accountHealth.accountExternalId, row.accountExternalId)));
          }
        });
      }
    },

    /**
     * Sets one written field on these accounts' current values where it differs (an account never
     * scored has none, so nothing to write); returns how many changed, what the write-back has to do.
     */
    async setWrittenField(
      key: InstallationKey,
      accountIds: readonly string[],
      field: string,
      value: number | string | null,
    ): Promise<number> {
      let changed = 0;
      const json = JSON.stringify(value);
      for (const chunk of chunks(accountIds)) {
        const rows = await db
          .update(accountHealthCurrent)
          .set({
            values: sql`jsonb_set(${accountHealthCurrent.values}, array[${field}::text], ${json}::jsonb)`,
          })
          .where(
            and(
              scoped(accountHealthCurrent, key),
              inArray(accountHealthCurrent.accountExternalId, [...chunk]),
              sql`(${accountHealthCurrent.values} -> ${field}::text) is distinct from ${json}::jsonb`,
            ),
          )
          .returning({ id: accountHealthCurrent.accountExternalId });
        changed += rows.length;
      }
      return changed;
    },

    /** The day's history row, the full current health and the values to write, in one transaction. */
    async saveScores(key: InstallationKey, rows: readonly ScoredAccountRow[]): Promise<void> {
      if (rows.length === 0) return;
      const scored = ['scoredAt', 'modelVersion', 'status', 'score', 'band', 'trend'] as const;
      await db.transaction(async (tx) => {
        for (const chunk of chunks(rows)) {
          const base = chunk.map((row) => ({ ...key, ...row }));
          await tx
            .insert(healthScores)
            .values(base)
            .onConflictDoUpdate({
              target: [
                healthScores.workspaceId,
                healthScores.installationId,
                healthScores.accountExternalId,
                healthScores.day,
              ],
              set: fromExcluded(healthScores, [...scored, 'coverage', 'contributions']),
            });
          await tx
            .insert(accountHealth)
            .values(base)
            .onConflictDoUpdate({
              target: [accountHealth.workspaceId, accountHealth.installationId, accountHealth.accountExternalId],
              set: fromExcluded(accountHealth, [...scored, 'day', 'explanation', 'previous']),
            });
          await tx
            .insert(accountHealthCurrent)
            .values(chunk.map((row) => ({ ...key, ...row, modelVersion: String(row.modelVersion) })))
            .onConflictDoUpdate({
              target: [
                accountHealthCurrent.workspaceId,
                accountHealthCurrent.installationId,
                accountHealthCurrent.accountExternalId,
              ],
              set: fromExcluded(accountHealthCurrent, ['values', 'scoredAt', 'modelVersion']),
            });
        }
      });
    },
  };
}

export type HealthScoreStore = ReturnType<typeof healthScoreStore>;
