import { index, integer, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

/**
 * One schema for PGlite and Postgres. Tenant tables carry workspace_id first in their key
 * (DESIGN.md §2); operational tables such as heartbeats belong to no tenant.
 */

/** One row per worker process, refreshed by the scheduled maintenance job it processes. */
export const workerHeartbeats = pgTable(
  'worker_heartbeats',
  {
    workerId: text('worker_id').primaryKey(),
    hostname: text('hostname').notNull(),
    pid: integer('pid').notNull(),
    queues: text('queues').array().notNull(),
    startedAt: timestamp('started_at', { withTimezone: true }).notNull(),
    lastBeatAt: timestamp('last_beat_at', { withTimezone: true }).notNull(),
    lastJobId: text('last_job_id').notNull(),
    beats: integer('beats').notNull().default(1),
  },
  (table) => [index('worker_heartbeats_last_beat_at_idx').on(table.lastBeatAt)],
);
