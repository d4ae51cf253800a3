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

/**
 * One run per installation queued or running at a time, for the jobs that work through a whole
 * installation (sync, write-back). A request that arrives while a run waits is absorbed by it; one
 * that arrives while a run is under way flags it to go again when it finishes (takeAgainRequest), so
 * work that arrived after the run began is not left for the next request.
 */
interface OnePerInstallation {
  queue: QueueName;
  job: string;
  /** Names the deduplication id, the "go again" key and the job ids: `sync`, `write-back`. */
  kind: string;
}

const deduplicationIdOf = (run: OnePerInstallation, installationId: string) => `${run.kind}.${installationId}`;
const againKeyOf = (run: OnePerInstallation, installationId: string) => `bw:${run.kind}-again:{${installationId}}`;

export interface EnqueuedRun {
  jobId: string;
  /** True when a run of this installation was already waiting or running and absorbed the request. */
  deduplicated: boolean;
}

async function addOnePerInstallation(
  queues: Queues,
  run: OnePerInstallation,
  installationId: string,
  data: Record<string, unknown>,
  options: { delayMs?: number | undefined; jobId?: string | undefined; again: string },
): Promise<EnqueuedRun> {
  const queue = queues.get(run.queue);
  const jobId = options.jobId ?? `${run.kind}.${installationId}.${randomUUID()}`;
  const job = await queue.add(run.job, data, {
    jobId,
    deduplication: { id: deduplicationIdOf(run, installationId) },
    ...(options.delayMs ? { delay: options.delayMs } : {}),
  });
  const deduplicated = job.id !== jobId;
  if (deduplicated && job.id !== undefined && (await queue.getJobState(job.id)) === 'active') {
    await queues.redis.set(againKeyOf(run, installationId), options.again, 'EX', 3600);
  }
  return { jobId: job.id ?? jobId, deduplicated };
}

/**
 * For a run that has finished its work: the request that arrived meanwhile (what it asked for), or
 * null. The finishing job still holds the deduplication id, so it is freed here for the next run.
 */
async function takeAgainRequest(
  queues: Queues,
  run: OnePerInstallation,
  installationId: string,
): Promise<string | null> {
  const again = await queues.redis.getdel(againKeyOf(run, installationId));
  if (again !== null) await queues.get(run.queue).removeDeduplicationKey(deduplicationIdOf(run, installationId));
  return again;
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
const SYNC_RUN: OnePerInstallation = { queue: 'sync', job: SYNC_RUN_JOB, kind: 'sync' };

/** One deduplication id per installation: two runs of one installation never overlap. */
export const syncDeduplicationId = (installationId: string) => deduplicationIdOf(SYNC_RUN, installationId);

/** Set when a sync was asked for while one was already queued or running; the running one then goes again. */
export const syncAgainKey = (installationId: string) => againKeyOf(SYNC_RUN, installationId);

export type EnqueuedSync = EnqueuedRun;

/**
 * Asks for a sync of one installation, one run per installation at a time (addOnePerInstallation):
 * a change that arrived after a running sync opened its window is not left for the next schedule.
 */
export async function enqueueSync(
  queues: Queues,
  data: SyncJobData,
  options: { delayMs?: number; jobId?: string } = {},
): Promise<EnqueuedSync> {
  return addOnePerInstallation(queues, SYNC_RUN, data.installationId, syncJobDataSchema.parse(data), {
    ...options,
    again: data.mode,
  });
}

/** The mode of a sync asked for while this installation's run was under way, or null. */
export const takeSyncAgainRequest = (queues: Queues, installationId: string) =>
  takeAgainRequest(queues, SYNC_RUN, installationId);

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
const WRITE_BACK_RUN: OnePerInstallation = { queue: 'write-back', job: WRITE_BACK_JOB, kind: 'write-back' };

/** What a write-back job carries: ids only. */
export const writeBackJobDataSchema = z.strictObject({
  workspaceId: z.uuid(),
  installationId: z.uuid(),
});
export type WriteBackJobData = z.infer<typeof writeBackJobDataSchema>;

/** One write-back per installation queued or running at a time. */
export const writeBackDeduplicationId = (installationId: string) => deduplicationIdOf(WRITE_BACK_RUN, installationId);

/** Set when a write-back was asked for while one ran; the running one then goes again. */
export const writeBackAgainKey = (installationId: string) => againKeyOf(WRITE_BACK_RUN, installationId);

/**
 * Asks for the changed values of one installation to be written to its CRM, one run per
 * installation at a time (addOnePerInstallation): scores saved after a running scan began are not
 * left for the next request.
 */
export async function enqueueWriteBack(
  queues: Queues,
  data: WriteBackJobData,
  options: { delayMs?: number } = {},
): Promise<EnqueuedRun> {
  return addOnePerInstallation(queues, WRITE_BACK_RUN, data.installationId, writeBackJobDataSchema.parse(data), {
    ...options,
    again: '1',
  });
}

/** Whether a write-back was asked for while this installation's run was under way. */
export const takeWriteBackAgainRequest = async (queues: Queues, installationId: string) =>
  (await takeAgainRequest(queues, WRITE_BACK_RUN, installationId)) !== null;

/** The job name of a score run on the `score` queue. */
export const SCORE_JOB = 'run';
const SCORE_RUN: OnePerInstallation = { queue: 'score', job: SCORE_JOB, kind: 'score' };

export const SCORE_REASONS = ['sync', 'schedule', 'model', 'override', 'ingest', 'manual', 'rerun', 'card'] as const;

/**
 * What a score job carries: ids only. `full` rescores every account (a new model, the daily run,
 * where windows move with the calendar); otherwise only accounts whose inputs changed since the
 * installation's last score run.
 */
export const scoreJobDataSchema = z.strictObject({
  workspaceId: z.uuid(),
  installationId: z.uuid(),
  full: z.boolean(),
  reason: z.enum(SCORE_REASONS),
  /** "Rescore now" from a card: these accounts as well as the changed ones. */
  accounts: z.array(z.string().min(1).max(255)).max(100).optional(),
});
export type ScoreJobData = z.infer<typeof scoreJobDataSchema>;

/** Set when a score was asked for while one ran; the running one then goes again ('full' or 'changed'). */
export const scoreAgainKey = (installationId: string) => againKeyOf(SCORE_RUN, installationId);

/** Asks for an installation's accounts to be scored, one run per installation at a time (addOnePerInstallation). */
export async function enqueueScore(
  queues: Queues,
  data: ScoreJobData,
  options: { delayMs?: number } = {},
): Promise<EnqueuedRun> {
  return addOnePerInstallation(queues, SCORE_RUN, data.installationId, scoreJobDataSchema.parse(data), {
    ...options,
    again: data.full ? 'full' : 'changed',
  });
}

/** What a score asked for during this installation's run wants: 'full', 'changed', or null for nothing. */
export const takeScoreAgainRequest = (queues: Queues, installationId: string) =>
  takeAgainRequest(queues, SCORE_RUN, installationId);

/** The job name of a model backtest on the `score` queue. */
export const BACKTEST_JOB = 'backtest';

/**
 * A backtest of one model version of a workspace: score every account as of `asOf` (default: the
 * horizon before today) and compare with the renewals decided in the `horizonDays` after it.
 */
export const backtestJobDataSchema = z.strictObject({
  workspaceId: z.uuid(),
  version: z.int().min(1),
  asOf: z.iso.date().optional(),
  horizonDays: z.int().min(30).max(730).default(182),
  requestedBy: z.string().min(1).max(200),
});
export type BacktestJobData = z.infer<typeof backtestJobDataSchema>;
export type BacktestJobInput = z.input<typeof backtestJobDataSchema>;

/** Asks for a backtest; asking again for the same version and settings while one waits or runs changes nothing. */
export async function enqueueBacktest(queues: Queues, input: BacktestJobInput): Promise<{ jobId: string }> {
  const data = backtestJobDataSchema.parse(input);
  const jobId = `backtest.${data.workspaceId}.${data.version}.${data.asOf ?? 'auto'}.${data.horizonDays}`;
  const queue = queues.get('score');
  const earlier = await queue.getJob(jobId);
  if (earlier && ((await earlier.isCompleted()) || (await earlier.isFailed()))) await earlier.remove();
  const job = await queue.add(BACKTEST_JOB, data, { jobId, attempts: 2 });
  return { jobId: job.id ?? jobId };
}
