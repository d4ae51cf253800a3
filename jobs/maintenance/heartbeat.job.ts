import { lt, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Database } from '../../server/platform/db/database.ts';
import { workerHeartbeats } from '../../server/platform/db/schema.ts';

/** A scheduled heartbeat carries no data; anything else is a producer bug worth failing loudly. */
export const heartbeatDataSchema = z.strictObject({});

/** Heartbeats older than this are from workers that are gone. */
export const HEARTBEAT_RETENTION_MS = 24 * 3600 * 1000;

export interface WorkerIdentity {
  workerId: string;
  hostname: string;
  pid: number;
  queues: string[];
  startedAt: Date;
}

export interface HeartbeatResult {
  workerId: string;
  purged: number;
}

/**
 * Records that this worker processed a scheduled job (proving scheduler → queue → worker → database)
 * and purges heartbeats of workers gone for a day. Safe to run twice: it is an upsert and a delete.
 */
export async function runHeartbeat(
  db: Database,
  worker: WorkerIdentity,
  jobId: string,
  now: Date = new Date(),
): Promise<HeartbeatResult> {
  return db.transaction(async (tx) => {
    await tx
      .insert(workerHeartbeats)
      .values({ ...worker, lastBeatAt: now, lastJobId: jobId })
      .onConflictDoUpdate({
        target: workerHeartbeats.workerId,
        set: { lastBeatAt: now, lastJobId: jobId, queues: worker.queues, beats: sql`${workerHeartbeats.beats} + 1` },
      });
    const purged = await tx
      .delete(workerHeartbeats)
      .where(lt(workerHeartbeats.lastBeatAt, new Date(now.getTime() - HEARTBEAT_RETENTION_MS)))
      .returning({ workerId: workerHeartbeats.workerId });
    return { workerId: worker.workerId, purged: purged.length };
  });
}
