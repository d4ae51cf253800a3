import type { Job } from 'bullmq';
import { z } from 'zod';
import { enqueueSync, type EnqueuedSync, type Queues } from '../queues.ts';

/**
 * The installation schedulers' own jobs ("incremental" every few minutes, "reconcile" daily) fan out
 * into one sync run. The run's job id is derived from the scheduler slot, so a tick delivered twice
 * queues one run; the run queue's deduplication absorbs a tick while a run is already waiting.
 */

export const syncTickDataSchema = z.strictObject({
  workspaceId: z.uuid(),
  installationId: z.uuid(),
});
export type SyncTickData = z.infer<typeof syncTickDataSchema>;

export const SYNC_TICK_JOBS = ['incremental', 'reconcile'] as const;
export type SyncTickJob = (typeof SYNC_TICK_JOBS)[number];

/** The scheduler slot a tick belongs to: BullMQ names scheduler jobs `repeat:<scheduler>:<slot ms>`. */
export function tickSlot(job: Pick<Job, 'id' | 'timestamp'>): string {
  const last = job.id?.split(':').at(-1);
  return last !== undefined && /^\d+$/.test(last) ? last : String(job.timestamp);
}

export async function runSyncTick(
  queues: Queues,
  mode: SyncTickJob,
  data: SyncTickData,
  job: Pick<Job, 'id' | 'timestamp'>,
): Promise<EnqueuedSync> {
  return enqueueSync(
    queues,
    { workspaceId: data.workspaceId, installationId: data.installationId, mode, reason: 'schedule' },
    { jobId: `sync.${data.installationId}.${mode}.${tickSlot(job)}` },
  );
}
