import { sql, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import type { Database } from '../../server/platform/db/database.ts';
import { healthScores, ingestBatches } from '../../server/platform/db/schema.ts';

/**
 * The daily `maintenance.prune` job: keeps storage growing with accounts, not with time
 * (DESIGN.md §2). Ingest answers are kept for retries only, a week; score history stays daily for
 * 90 days and one score per ISO week after. Each table is one set-based statement, so running it
 * twice (at-least-once delivery) deletes nothing more the second time.
 */

/** A scheduled prune carries no data; anything else is a producer bug worth failing loudly. */
export const pruneDataSchema = z.strictObject({});

/** Idempotency-Key answers older than this are forgotten: a resend after that is a new batch. */
export const INGEST_ANSWER_RETENTION_DAYS = 7;
/** Score history younger than this stays one row per day. */
export const DENSE_SCORE_DAYS = 90;

const DAY_MS = 86_400_000;

export interface PruneResult {
  /** Ingest batch answers deleted. */
  ingestBatches: number;
  /** Daily scores deleted because a later score of the same ISO week is kept. */
  healthScores: number;
}

const countSchema = z.object({ count: z.coerce.number().int().nonnegative() });

/** Runs a `delete … returning 1` and answers how many rows it deleted, on PGlite and Postgres alike. */
async function deleted(db: Database, statement: SQL): Promise<number> {
  const result: unknown = await db.execute(
    sql`with gone as (${statement} returning 1) select count(*) as count from gone`,
  );
  const [row] = (result as { rows: unknown[] }).rows;
  return countSchema.parse(row).count;
}

/** The UTC calendar day `days` before `now`, as YYYY-MM-DD. */
function dayBefore(now: Date, days: number): string {
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  return new Date(today - days * DAY_MS).toISOString().slice(0, 10);
}

export async function runPrune(db: Database, now: Date = new Date()): Promise<PruneResult> {
  const answersBefore = new Date(now.getTime() - INGEST_ANSWER_RETENTION_DAYS * DAY_MS);
  const ingest = await deleted(
    db,
    sql`delete from ${ingestBatches} where ${ingestBatches.createdAt} < ${answersBefore.toISOString()}`,
  );

  // A row older than the dense window goes when the same account has a later row in the same ISO
  // week (Monday to Sunday); the range on `day` keeps the lookup on the primary key.
  const denseFrom = dayBefore(now, DENSE_SCORE_DAYS);
  const scores = await deleted(
    db,
    sql`delete from health_scores as old
        where old.day < ${denseFrom}::date
          and exists (
            select 1 from ${healthScores} as later
            where later.workspace_id = old.workspace_id
              and later.installation_id = old.installation_id
              and later.account_external_id = old.account_external_id
              and later.day > old.day
              and later.day < (date_trunc('week', old.day) + interval '7 days')::date
          )`,
  );
  return { ingestBatches: ingest, healthScores: scores };
}
