import { randomUUID } from 'node:crypto';
import { Queue, type JobsOptions } from 'bullmq';
import { z } from 'zod';
import type { Redis } from 'ioredis';
import { QUEUE_NAMES, type QueueName } from '../server/platform/queue-names.ts';

export { QUEUE_NAMES, type QueueName } from '../server/platform/queue-names.ts';

/**
 * Retries with backoff for transient failures; finished jobs kept long enough to inspect, then
 * trimmed so Redis memory stays flat.
 */
export const DEFAULT_JOB_OPTIONS: JobsOptions = {
  attempts: 5,
  backoff: { type: 'exponential', delay: 5_000 },
  removeOnComplete: { age: 24 * 3600, count: 1_000 },
  removeOnFail: { age: 7 * 24 * 3600, count: 5_000 },
};

export interface Queues {
  /** The producer connection the queues share (flags and locks beside the queues). */
  redis: Redis;
  get(name: QueueName): Queue;
  all(): Queue[];
  close(): Promise<void>;
}

/**
 * One producer-side Queue per name on a shared connection. The prefix carries a Redis Cluster
 * hash tag ("{bellwether}") so each queue's keys land in one slot.
 */
export function createQueues(connection: Redis, prefix: string): Queues {
  const queues = new Map<QueueName, Queue>(
    QUEUE_NAMES.map((name) => [name, new Queue(name, { connection, prefix, defaultJobOptions: DEFAULT_JOB_OPTIONS })]),
  );
  return {
    redis: connection,
    get(name) {
      const queue = queues.get(name);
      if (!queue) throw new Error(`unknown queue ${name}`);
      return queue;
    },
    all: () => [...queues.values()],
    async close() {
      await Promise.all([...queues.values()].map((queue) => queue.close()));
    },
  };
}

export const SYNC_MODES = ['incremental', 'full', 'reconcile'] as const;
export const SYNC_REASONS = ['schedule', 'webhook', 'install', 'manual', 'rerun'] as const;

/** What a sync run job carries: ids only, never tokens or CRM data (DESIGN.md §2). */
export const syncJobDataSchema = z.strictObject({
  workspaceId: z.uuid(),
  installationId: z.uuid(),
  mode: z.enum(SYNC_MODES),
  reason: z.enum(SYNC_REASONS),
});
export type SyncJobData = z.infer<typeof syncJobDataSchema>;

/** The job name of a sync run on the `sync` queue (the schedulers' own jobs fan out into it). */
export const SYNC_RUN_JOB = 'run';

/** One deduplication id per installation: two runs of one installation never overlap. */
export const syncDeduplicationId = (installationId: string) => `sync.${installationId}`;

/** Set when a sync was asked for while one was already queued or running; the running one then goes again. */
export const syncAgainKey = (installationId: string) => `bw:sync-again:{${installationId}}`;

export interface EnqueuedSync {
  jobId: string;
  /** True when a run of this installation was already waiting or running and absorbed the request. */
  deduplicated: boolean;
}

/**
 * Asks for a sync of one installation. At most one run per installation is queued or running; a
 * request that arrives meanwhile is absorbed, and if the run is already under way it is flagged to go
 * again when it finishes, so a change that arrived after its window opened is not left for the next
 * schedule.
 */
export async function enqueueSync(
  queues: Queues,
  data: SyncJobData,
  options: { delayMs?: number; jobId?: string } = {},
): Promise<EnqueuedSync> {
  const queue = queues.get('sync');
  const jobId = options.jobId ?? `sync.${data.installationId}.${randomUUID()}`;
  const job = await queue.add(SYNC_RUN_JOB, syncJobDataSchema.parse(data), {
    jobId,
    deduplication: { id: syncDeduplicationId(data.installationId) },
    ...(options.delayMs ? { delay: options.delayMs } : {}),
  });
  const deduplicated = job.id !== jobId;
  if (deduplicated && job.id !== undefined && (await queue.getJobState(job.id)) === 'active') {
    await queues.redis.set(syncAgainKey(data.installationId), data.mode, 'EX', 3600);
  }
  return { jobId: job.id ?? jobId, deduplicated };
}

/** The job name of an uninstall on the `maintenance` queue. */
export const UNINSTALL_JOB = 'uninstall';

export const uninstallJobDataSchema = z.strictObject({
  workspaceId: z.uuid(),
  installationId: z.uuid(),
});
export type UninstallJobData = z.infer<typeof uninstallJobDataSchema>;

/**
 * Asks for an installation's schedules to be removed and its data purged (at once, or after the
 * retention period). One job per installation: asking twice while one is waiting changes nothing.
 */
export async function enqueueUninstall(
  queues: Queues,
  data: UninstallJobData,
  options: { delayMs?: number } = {},
): Promise<{ jobId: string }> {
  const jobId = `uninstall.${data.installationId}`;
  const queue = queues.get('maintenance');
  // A finished uninstall of an earlier installation of the same portal or org is kept for a day; it
  // must not absorb this one.
  const earlier = await queue.getJob(jobId);
  if (earlier && ((await earlier.isCompleted()) || (await earlier.isFailed()))) await earlier.remove();
  const job = await queue.add(UNINSTALL_JOB, uninstallJobDataSchema.parse(data), {
    jobId,
    ...(options.delayMs ? { delay: options.delayMs } : {}),
  });
  return { jobId: job.id ?? jobId };
}

/** The job name of a write-back run on the `write-back` queue. */
export const WRITE_BACK_JOB = 'run';

/** What a write-back job carries: ids only. */
export const writeBackJobDataSchema = z.strictObject({
  workspaceId: z.uuid(),
  installationId: z.uuid(),
});
export type WriteBackJobData = z.infer<typeof writeBackJobDataSchema>;

/** One write-back per installation queued or running at a time. */
export const writeBackDeduplicationId = (installationId: string) => `write-back.${installationId}`;

/** Set when a write-back was asked for while one ran; the running one then goes again. */
export const writeBackAgainKey = (installationId: string) => `bw:write-back-again:{${installationId}}`;

/**
 * Asks for the changed values of one installation to be written to its CRM. A request while a run
 * waits is absorbed by it; a request while one runs flags it to go again, so scores saved after its
 * scan began are not left for the next request.
 */
export async function enqueueWriteBack(
  queues: Queues,
  data: WriteBackJobData,
  options: { delayMs?: number } = {},
): Promise<{ jobId: string; deduplicated: boolean }> {
  const queue = queues.get('write-back');
  const jobId = `write-back.${data.installationId}.${randomUUID()}`;
  const job = await queue.add(WRITE_BACK_JOB, writeBackJobDataSchema.parse(data), {
    jobId,
    deduplication: { id: writeBackDeduplicationId(data.installationId) },
    ...(options.delayMs ? { delay: options.delayMs } : {}),
  });
  const deduplicated = job.id !== jobId;
  if (deduplicated && job.id !== undefined && (await queue.getJobState(job.id)) === 'active') {
    await queues.redis.set(writeBackAgainKey(data.installationId), '1', 'EX', 3600);
  }
  return { jobId: job.id ?? jobId, deduplicated };
}
