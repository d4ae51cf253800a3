import { and, asc, eq, gt, inArray, sql } from 'drizzle-orm';
import type { AnyPgColumn } from 'drizzle-orm/pg-core';
import { z } from 'zod';
import type { ManifestField } from '../manifest.ts';
import type { Database } from './database.ts';
import {
  accountHealthCurrent,
  installationCrmSchema,
  writeBackLedger,
  type HealthFieldValues,
  type StoredSchemaReport,
} from './schema.ts';
import type { InstallationKey } from './sync-store.ts';
import { fromExcluded } from './upsert.ts';

/**
 * The write-back job's persistence: which computed values differ from what the CRM was last given
 * (the ledger), the outcome of each write, and the CRM schema report per installation. Values are
 * compared as normalised text, so 42 and "42" are the same value and an unchanged book costs no call.
 *
 * A row the CRM refused for a reason that does not go away by itself (an invalid value, a record
 * that is gone) is held back: it is not sent again while its values are the ones refused, under the
 * same manifest fields, for a day (a customer may fix the record meanwhile). Any changed value sends
 * the row again. Transient failures are not held.
 */

export type FieldValue = number | string | null;

/** One account's changed fields, ready for the adapter, and their normalised text for the ledger. */
export interface PendingWrite {
  accountExternalId: string;
  values: HealthFieldValues;
  texts: Record<string, string>;
}

/** Why a row was not written. */
export interface RowFailure {
  /** The CRM layer's error code (VALIDATION, NOT_FOUND, TEMPORARY, …). */
  code: string;
  message: string;
  /** The CRM refused these values for good (not a blip): they are held back until they change. */
  refused: boolean;
}

export interface WriteOutcome {
  id: string;
  ok: boolean;
  /** Failed rows only. */
  error?: RowFailure;
}

export interface PendingPage {
  rows: PendingWrite[];
  /** Where the next call resumes (the last account looked at); null when every account was looked at. */
  next: string | null;
  /** Accounts held back: every value that differs is one the CRM refused (see `holds`). */
  held: number;
}

export interface PendingOptions {
  fields: readonly ManifestField[];
  limit: number;
  after?: string | null;
  /** The manifest fields' version (the job's fieldsHash): a refusal under another version is tried again. */
  fieldsHash?: string;
  now?: Date;
}

/** What a field's write was last refused with. */
export interface Refusal {
  /** The refused value, as ledger text. */
  text: string;
  code: string;
  fieldsHash: string | null;
  at: Date;
}

export interface CurrentHealthInput {
  accountExternalId: string;
  values: HealthFieldValues;
  scoredAt: Date;
  modelVersion: string;
}

export interface LedgerRow {
  accountExternalId: string;
  fieldKey: string;
  value: string | null;
  writtenAt: Date | null;
  /** `CODE: message` of the last failed write, null once written. */
  lastError: string | null;
  /** Set when that failure was a refusal of the value itself. */
  refusal: Refusal | null;
}

/** How long a refused value is held back before it is tried once more. */
export const REFUSAL_HOLD_MS = 24 * 3600 * 1000;

const refusalColumns = {
  lastError: writeBackLedger.lastError,
  errorCode: writeBackLedger.errorCode,
  refusedValue: writeBackLedger.refusedValue,
  refusedFieldsHash: writeBackLedger.refusedFieldsHash,
  refusedAt: writeBackLedger.refusedAt,
};

type RefusalColumns = { [K in keyof typeof refusalColumns]: (typeof writeBackLedger.$inferSelect)[K] };

function refusalOf(row: RefusalColumns): Refusal | null {
  if (row.refusedValue === null || row.refusedAt === null) return null;
  return {
    text: row.refusedValue,
    code: row.errorCode ?? 'UNKNOWN',
    fieldsHash: row.refusedFieldsHash,
    at: row.refusedAt,
  };
}

/** Whether a refusal still holds `text` back. */
function holds(refusal: Refusal | null, text: string, fieldsHash: string | null, now: number): boolean {
  return (
    refusal !== null &&
    refusal.text === text &&
    refusal.fieldsHash === fieldsHash &&
    now - refusal.at.getTime() < REFUSAL_HOLD_MS
  );
}

export interface SavedSchemaReport {
  fieldsHash: string;
  report: StoredSchemaReport;
  checkedAt: Date;
}

const schemaReportSchema = z.object({
  present: z.array(z.string()),
  created: z.array(z.string()),
  blocked: z.array(z.object({ key: z.string(), reason: z.string() })),
  missing: z.array(z.string()).optional(),
});

function asNumber(value: string | number): number {
  if (typeof value === 'number') return value;
  return value.trim() === '' ? Number.NaN : Number(value);
}

/**
 * A value as the ledger keeps it: null as '' (a cleared field), numbers in one canonical decimal
 * form, times as epoch milliseconds, the rest as text. A value that does not fit its type keeps its
 * raw text (the adapter refuses it and the row records why).
 */
export function ledgerText(field: Pick<ManifestField, 'type'>, value: FieldValue): string {
  if (value === null) return '';
  switch (field.type) {
    case 'number':
    case 'currency': {
      const number = asNumber(value);
      return Number.isFinite(number) ? String(number) : String(value);
    }
    case 'datetime': {
      const ms = typeof value === 'number' ? value : /^-?\d+$/.test(value) ? Number(value) : Date.parse(value);
      return Number.isFinite(ms) ? String(Math.round(ms)) : String(value);
    }
    case 'enumeration':
    case 'text':
      return String(value);
  }
}

const SCAN_SIZE = 1_000;
const INSERT_CHUNK = 1_000;

const scoped = (table: { workspaceId: AnyPgColumn; installationId: AnyPgColumn }, key: InstallationKey) =>
  and(eq(table.workspaceId, key.workspaceId), eq(table.installationId, key.installationId));

export function writeBackStore(db: Database) {
  return {
    /** Stores (replaces) accounts' current computed values: what the score job writes. */
    async saveCurrent(key: InstallationKey, rows: readonly CurrentHealthInput[]): Promise<void> {
      for (let start = 0; start < rows.length; start += INSERT_CHUNK) {
        const chunk = rows.slice(start, start + INSERT_CHUNK);
        await db
          .insert(accountHealthCurrent)
          .values(chunk.map((row) => ({ ...key, ...row })))
          .onConflictDoUpdate({
            target: [
              accountHealthCurrent.workspaceId,
              accountHealthCurrent.installationId,
              accountHealthCurrent.accountExternalId,
            ],
            set: fromExcluded(accountHealthCurrent, ['values', 'scoredAt', 'modelVersion']),
          });
      }
    },

    /**
     * Up to `limit` accounts after `after` (in account id order) with at least one of `fields` whose
     * value differs from the ledger, each with only its differing fields. A field the score job left
     * out is not written; a null is written only to clear a value the app wrote before.
     */
    async pending(key: InstallationKey, options: PendingOptions): Promise<PendingPage> {
      const rows: PendingWrite[] = [];
      let after = options.after ?? null;
      let held = 0;
      const now = (options.now ?? new Date()).getTime();
      const fieldsHash = options.fieldsHash ?? null;
      for (;;) {
        const current = await db
          .select({ accountExternalId: accountHealthCurrent.accountExternalId, values: accountHealthCurrent.values })
          .from(accountHealthCurrent)
          .where(
            and(
              scoped(accountHealthCurrent, key),
              after === null ? undefined : gt(accountHealthCurrent.accountExternalId, after),
            ),
          )
          .orderBy(asc(accountHealthCurrent.accountExternalId))
          .limit(SCAN_SIZE);
        if (current.length === 0) return { rows, next: null, held };
        const ledger = await db
          .select({
            accountExternalId: writeBackLedger.accountExternalId,
            fieldKey: writeBackLedger.fieldKey,
            value: writeBackLedger.value,
            ...refusalColumns,
          })
          .from(writeBackLedger)
          .where(
            and(
              scoped(writeBackLedger, key),
              inArray(
                writeBackLedger.accountExternalId,
                current.map((row) => row.accountExternalId),
              ),
            ),
          );
        const written = new Map(
          ledger.map((row) => [
            `${row.accountExternalId}\u0000${row.fieldKey}`,
            { value: row.value, refusal: refusalOf(row) },
          ]),
        );
        for (const account of current) {
          after = account.accountExternalId;
          const values: HealthFieldValues = {};
          const texts: Record<string, string> = {};
          // The CRM refuses a row, not a field: the row waits while every differing value is one it refused.
          let allRefused = true;
          for (const field of options.fields) {
            if (!Object.hasOwn(account.values, field.key)) continue;
            const value = account.values[field.key] ?? null;
            const text = ledgerText(field, value);
            const last = written.get(`${account.accountExternalId}\u0000${field.key}`);
            const lastValue = last?.value ?? null;
            if (lastValue === text || (lastValue === null && text === '')) continue;
            if (!holds(last?.refusal ?? null, text, fieldsHash, now)) allRefused = false;
            values[field.key] = value;
            texts[field.key] = text;
          }
          if (Object.keys(texts).length === 0) continue;
          if (allRefused) {
            held++;
            continue;
          }
          rows.push({ accountExternalId: account.accountExternalId, values, texts });
          if (rows.length >= options.limit) return { rows, next: after, held };
        }
        if (current.length < SCAN_SIZE) return { rows, next: null, held };
      }
    },

    /**
     * Records what happened to each row: a written row's fields take the written text and lose any
     * error; a failed row's fields keep their last written text and carry the error, and for a
     * refusal the refused text and the fields' version it was refused under.
     */
    async recordOutcomes(
      key: InstallationKey,
      rows: readonly PendingWrite[],
      outcomes: readonly WriteOutcome[],
      options: { at?: Date; fieldsHash?: string } = {},
    ): Promise<{ written: number; failed: number }> {
      const at = options.at ?? new Date();
      const byId = new Map(outcomes.map((outcome) => [outcome.id, outcome]));
      const ok: (typeof writeBackLedger.$inferInsert)[] = [];
      const failed: (typeof writeBackLedger.$inferInsert)[] = [];
      let writtenRows = 0;
      let failedRows = 0;
      for (const row of rows) {
        const outcome = byId.get(row.accountExternalId);
        const success = outcome?.ok === true;
        const error: RowFailure = outcome?.error ?? {
          code: 'UNKNOWN',
          message: 'no outcome for this row',
          refused: false,
        };
        if (success) writtenRows++;
        else failedRows++;
        for (const [fieldKey, text] of Object.entries(row.texts)) {
          const base = { ...key, accountExternalId: row.accountExternalId, fieldKey };
          if (success) ok.push({ ...base, value: text, writtenAt: at });
          else {
            failed.push({
              ...base,
              value: null,
              writtenAt: null,
              lastError: `${error.code}: ${error.message}`,
              errorCode: error.code,
              ...(error.refused
                ? { refusedValue: text, refusedFieldsHash: options.fieldsHash ?? null, refusedAt: at }
                : { refusedValue: null, refusedFieldsHash: null, refusedAt: null }),
            });
          }
        }
      }
      const target = [
        writeBackLedger.workspaceId,
        writeBackLedger.installationId,
        writeBackLedger.accountExternalId,
        writeBackLedger.fieldKey,
      ];
      await db.transaction(async (tx) => {
        for (let start = 0; start < ok.length; start += INSERT_CHUNK) {
          await tx
            .insert(writeBackLedger)
            .values(ok.slice(start, start + INSERT_CHUNK))
            .onConflictDoUpdate({
              target,
              set: {
                value: sql`excluded.value`,
                writtenAt: sql`excluded.written_at`,
                lastError: sql`null`,
                errorCode: sql`null`,
                refusedValue: sql`null`,
                refusedFieldsHash: sql`null`,
                refusedAt: sql`null`,
              },
            });
        }
        for (let start = 0; start < failed.length; start += INSERT_CHUNK) {
          await tx
            .insert(writeBackLedger)
            .values(failed.slice(start, start + INSERT_CHUNK))
            .onConflictDoUpdate({
              target,
              set: fromExcluded(writeBackLedger, [
                'lastError',
                'errorCode',
                'refusedValue',
                'refusedFieldsHash',
                'refusedAt',
              ]),
            });
        }
      });
      return { written: writtenRows, failed: failedRows };
    },

    /** The ledger of an installation (or of some of its accounts), for status pages and tests. */
    async ledger(key: InstallationKey, accountExternalIds?: readonly string[]): Promise<LedgerRow[]> {
      const rows = await db
        .select({
          accountExternalId: writeBackLedger.accountExternalId,
          fieldKey: writeBackLedger.fieldKey,
          value: writeBackLedger.value,
          writtenAt: writeBackLedger.writtenAt,
          ...refusalColumns,
        })
        .from(writeBackLedger)
        .where(
          and(
            scoped(writeBackLedger, key),
            accountExternalIds === undefined
              ? undefined
              : inArray(writeBackLedger.accountExternalId, [...accountExternalIds]),
          ),
        )
        .orderBy(asc(writeBackLedger.accountExternalId), asc(writeBackLedger.fieldKey));
      return rows.map(({ accountExternalId, fieldKey, value, writtenAt, lastError, ...columns }) => ({
        accountExternalId,
        fieldKey,
        value,
        writtenAt,
        lastError,
        refusal: refusalOf({ lastError, ...columns }),
      }));
    },

    async saveSchemaReport(
      key: InstallationKey,
      fieldsHash: string,
      report: StoredSchemaReport,
      at: Date = new Date(),
    ): Promise<void> {
      await db
        .insert(installationCrmSchema)
        .values({ ...key, fieldsHash, report, checkedAt: at })
        .onConflictDoUpdate({
          target: [installationCrmSchema.workspaceId, installationCrmSchema.installationId],
          set: { fieldsHash, report, checkedAt: at },
        });
    },

    async getSchemaReport(key: InstallationKey): Promise<SavedSchemaReport | undefined> {
      const [row] = await db
        .select({
          fieldsHash: installationCrmSchema.fieldsHash,
          report: installationCrmSchema.report,
          checkedAt: installationCrmSchema.checkedAt,
        })
        .from(installationCrmSchema)
        .where(scoped(installationCrmSchema, key));
      if (!row) return undefined;
      const parsed = schemaReportSchema.safeParse(row.report);
      // A report of an older shape is as good as none: the job checks the schema again.
      if (!parsed.success) return undefined;
      const { missing, ...rest } = parsed.data;
      return {
        fieldsHash: row.fieldsHash,
        report: missing === undefined ? rest : { ...rest, missing },
        checkedAt: row.checkedAt,
      };
    },
  };
}

export type WriteBackStore = ReturnType<typeof writeBackStore>;
