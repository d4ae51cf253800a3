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

export const SCORE_REASONS = [
  'sync',
  'schedule',
  'model',
  'override',
  'ingest',
  'manual',
  'rerun',
  'card',
  // A new renewal model: every account's probability and revenue at risk move with it.
  'forecast',
  // New stage rules or plan templates: every account's stage and plans are judged again.
  'plans',
] as const;

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

/** The job name of a warnings evaluation on the `warnings` queue. */
export const WARNINGS_JOB = 'run';
const WARNINGS_RUN: OnePerInstallation = { queue: 'warnings', job: WARNINGS_JOB, kind: 'warnings' };

/**
 * What a warnings run carries: ids only. `full` evaluates every active account (the daily run, where
 * time alone moves renewals, engagement and expiries); otherwise only accounts scored since `scoredSince`.
 */
export const warningsJobDataSchema = z.strictObject({
  workspaceId: z.uuid(),
  installationId: z.uuid(),
  full: z.boolean(),
  scoredSince: z.iso.datetime().optional(),
});
export type WarningsJobData = z.infer<typeof warningsJobDataSchema>;

/** Asks for warnings to be evaluated, one run per installation at a time; one asked for meanwhile runs in full. */
export async function enqueueWarnings(queues: Queues, data: WarningsJobData): Promise<EnqueuedRun> {
  return addOnePerInstallation(queues, WARNINGS_RUN, data.installationId, warningsJobDataSchema.parse(data), {
    again: 'full',
  });
}

export const takeWarningsAgainRequest = async (queues: Queues, installationId: string) =>
  (await takeAgainRequest(queues, WARNINGS_RUN, installationId)) !== null;

/** The job name of the CRM task run on the `warnings` queue: create the playbooks' tasks, close resolved ones. */
export const WARNING_TASKS_JOB = 'tasks';
const WARNING_TASKS_RUN: OnePerInstallation = { queue: 'warnings', job: WARNING_TASKS_JOB, kind: 'warning-tasks' };

export const warningTasksJobDataSchema = z.strictObject({ workspaceId: z.uuid(), installationId: z.uuid() });
export type WarningTasksJobData = z.infer<typeof warningTasksJobDataSchema>;

export async function enqueueWarningTasks(
  queues: Queues,
  data: WarningTasksJobData,
  options: { delayMs?: number } = {},
): Promise<EnqueuedRun> {
  return addOnePerInstallation(queues, WARNING_TASKS_RUN, data.installationId, warningTasksJobDataSchema.parse(data), {
    ...options,
    again: '1',
  });
}

export const takeWarningTasksAgainRequest = async (queues: Queues, installationId: string) =>
  (await takeAgainRequest(queues, WARNING_TASKS_RUN, installationId)) !== null;

/** The job name of notification delivery on the `notify` queue: an installation's pending deliveries. */
export const NOTIFY_JOB = 'deliver';
const NOTIFY_RUN: OnePerInstallation = { queue: 'notify', job: NOTIFY_JOB, kind: 'notify' };

export const notifyJobDataSchema = z.strictObject({ workspaceId: z.uuid(), installationId: z.uuid() });
export type NotifyJobData = z.infer<typeof notifyJobDataSchema>;

export async function enqueueNotify(queues: Queues, data: NotifyJobData): Promise<EnqueuedRun> {
  return addOnePerInstallation(queues, NOTIFY_RUN, data.installationId, notifyJobDataSchema.parse(data), {
    again: '1',
  });
}

export const takeNotifyAgainRequest = async (queues: Queues, installationId: string) =>
  (await takeAgainRequest(queues, NOTIFY_RUN, installationId)) !== null;

/** The job names of the `qbr` queue: one brief, and writing a brief version's note to the CRM. */
export const QBR_BRIEF_JOB = 'brief';
export const QBR_NOTE_JOB = 'note';
export const QBR_TRIGGERS = ['schedule', 'card', 'api'] as const;

export const qbrBriefJobDataSchema = z.strictObject({
  workspaceId: z.uuid(),
  installationId: z.uuid(),
  accountExternalId: z.string().min(1).max(255),
  qbrDate: z.iso.date(),
  trigger: z.enum(QBR_TRIGGERS),
  requestedBy: z.string().min(1).max(200).optional(),
});
export type QbrBriefJobData = z.infer<typeof qbrBriefJobDataSchema>;

/** One brief job per account and QBR date waiting at a time: asking twice meanwhile changes nothing. */
export async function enqueueQbrBrief(queues: Queues, data: QbrBriefJobData): Promise<{ jobId: string }> {
  const parsed = qbrBriefJobDataSchema.parse(data);
  const account = Buffer.from(parsed.accountExternalId).toString('base64url');
  const jobId = `qbr.${parsed.installationId}.${account}.${parsed.qbrDate}`;
  const queue = queues.get('qbr');
  const earlier = await queue.getJob(jobId);
  if (earlier && ((await earlier.isCompleted()) || (await earlier.isFailed()))) await earlier.remove();
  const job = await queue.add(QBR_BRIEF_JOB, parsed, { jobId });
  return { jobId: job.id ?? jobId };
}

export const qbrNoteJobDataSchema = z.strictObject({
  workspaceId: z.uuid(),
  installationId: z.uuid(),
  briefId: z.uuid(),
});
export type QbrNoteJobData = z.infer<typeof qbrNoteJobDataSchema>;

/** The CRM note of one brief version: one job per version, so it is written once. */
export async function enqueueQbrNote(queues: Queues, data: QbrNoteJobData): Promise<{ jobId: string }> {
  const parsed = qbrNoteJobDataSchema.parse(data);
  const jobId = `qbr-note.${parsed.briefId}`;
  const job = await queues.get('qbr').add(QBR_NOTE_JOB, parsed, { jobId });
  return { jobId: job.id ?? jobId };
}

/** The job name of an analytics run on the `analytics` queue. */
export const ANALYTICS_JOB = 'run';
const ANALYTICS_RUN: OnePerInstallation = { queue: 'analytics', job: ANALYTICS_JOB, kind: 'analytics' };

/**
 * What an analytics run carries: ids only. `train` learns the renewal model again from the
 * installation's decided renewals first (the daily run); otherwise the latest model predicts, and it
 * is trained only when the installation has none yet.
 */
export const analyticsJobDataSchema = z.strictObject({
  workspaceId: z.uuid(),
  installationId: z.uuid(),
  train: z.boolean(),
});
export type AnalyticsJobData = z.infer<typeof analyticsJobDataSchema>;

/** One analytics run per installation queued or running at a time (addOnePerInstallation). */
export const analyticsDeduplicationId = (installationId: string) => deduplicationIdOf(ANALYTICS_RUN, installationId);

/** Set when analytics were asked for while a run was under way ('train' or 'predict'). */
export const analyticsAgainKey = (installationId: string) => againKeyOf(ANALYTICS_RUN, installationId);

/**
 * Asks for an installation's forecast and dashboard figures to be computed again, one run per
 * installation at a time: scores saved after a running one read its inputs are not left for the next.
 */
export async function enqueueAnalytics(
  queues: Queues,
  data: AnalyticsJobData,
  options: { delayMs?: number } = {},
): Promise<EnqueuedRun> {
  return addOnePerInstallation(queues, ANALYTICS_RUN, data.installationId, analyticsJobDataSchema.parse(data), {
    ...options,
    again: data.train ? 'train' : 'predict',
  });
}

/** What an analytics run asked for during this installation's run wants: 'train', 'predict', or null. */
export const takeAnalyticsAgainRequest = (queues: Queues, installationId: string) =>
  takeAgainRequest(queues, ANALYTICS_RUN, installationId);

/** The job name of a matching run on the `sync` queue: which accounts of a workspace's two CRMs are one customer. */
export const MATCH_JOB = 'match';
const MATCH_RUN: OnePerInstallation = { queue: 'sync', job: MATCH_JOB, kind: 'match' };

/** A matching run carries the workspace only: it reads both of its CRMs' accounts. */
export const matchJobDataSchema = z.strictObject({ workspaceId: z.uuid() });
export type MatchJobData = z.infer<typeof matchJobDataSchema>;

/**
 * Asks for a workspace's accounts to be matched again (after a sync of either CRM, or an admin's
 * decision), one run per workspace at a time; one asked for during a run makes it go again.
 */
export async function enqueueMatch(queues: Queues, data: MatchJobData): Promise<EnqueuedRun> {
  return addOnePerInstallation(queues, MATCH_RUN, data.workspaceId, matchJobDataSchema.parse(data), {
    again: 'match',
  });
}

/** Whether matching was asked for while this workspace's run was under way. */
export const takeMatchAgainRequest = async (queues: Queues, workspaceId: string) =>
  (await takeAgainRequest(queues, MATCH_RUN, workspaceId)) !== null;
