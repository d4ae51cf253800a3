import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { pathToFileURL } from 'node:url';
import { UnrecoverableError, Worker, type Job } from 'bullmq';
import type { z } from 'zod';
import type { Sealer } from '../server/platform/crypto.ts';
import type { Database } from '../server/platform/db/database.ts';
import type { Logger } from '../server/platform/logger.ts';
import type { Manifest } from '../server/platform/manifest.ts';
import { jsonPath } from '../server/platform/manifest.ts';
import { createWorkerConnection, type Redis } from '../server/platform/redis.ts';
import { bootRuntime, runProcess } from '../server/platform/runtime.ts';
import { heartbeatDataSchema, runHeartbeat, type WorkerIdentity } from './maintenance/heartbeat.job.ts';
import { pruneDataSchema, runPrune } from './maintenance/prune.job.ts';
import {
  ANALYTICS_JOB,
  analyticsJobDataSchema,
  MATCH_JOB,
  matchJobDataSchema,
  enqueueAnalytics,
  BACKTEST_JOB,
  backtestJobDataSchema,
  createQueues,
  enqueueScore,
  QUEUE_NAMES,
  SCORE_JOB,
  scoreJobDataSchema,
  SYNC_RUN_JOB,
  syncJobDataSchema,
  WRITE_BACK_JOB,
  writeBackJobDataSchema,
  WARNINGS_JOB,
  warningsJobDataSchema,
  WARNING_TASKS_JOB,
  warningTasksJobDataSchema,
  NOTIFY_JOB,
  notifyJobDataSchema,
  enqueueNotify,
  takeNotifyAgainRequest,
  QBR_BRIEF_JOB,
  qbrBriefJobDataSchema,
  QBR_NOTE_JOB,
  qbrNoteJobDataSchema,
  type QueueName,
  type Queues,
} from './queues.ts';
import { reconcileInstallationSchedulers, upsertGlobalSchedulers } from './schedule.ts';
import {
  buildJobServices,
  type JobServices,
  type JobServicesOptions,
  type JobServicesRuntime,
} from './sync/services.ts';
import { runAnalyticsJob, type AnalyticsJobServices } from './analytics/analytics.job.ts';
import { runMatchJob } from './match/match.job.ts';
import { runBacktestJob } from './score/backtest.job.ts';
import { runScoreJob } from './score/score.job.ts';
import { runSyncJob } from './sync/sync-run.job.ts';
import { runSyncTick, syncTickDataSchema } from './sync/sync-tick.job.ts';
import { runUninstall, uninstallRunDataSchema } from './sync/uninstall.job.ts';
import { runWriteBackJob } from './write-back/write-back.job.ts';
import { deliverNotifications } from './notify/deliver.ts';
import { runQbrBriefJob, runQbrDaily, runQbrNoteJob } from './qbr/qbr.jobs.ts';
import { runWarningsJob } from './warnings/warnings.job.ts';
import { runWarningTasksJob } from './warnings/warning-tasks.job.ts';

export interface WorkerDeps {
  db: Database;
  connection: Redis;
  prefix: string;
  concurrency: number;
  logger: Logger;
  /** The sync and uninstall jobs' services; without them only maintenance heartbeats are served. */
  services?: JobServices;
  /** BullMQ's job lock and stalled-job check (ms); a killed worker's job is picked up again after them. */
  lockDurationMs?: number;
  stalledIntervalMs?: number;
}

/** `stopping` is aborted when the workers close: long jobs put themselves back rather than hold up a shutdown. */
interface JobHandler<T> {
  schema: z.ZodType<T>;
  run(data: T, job: Job, token: string | undefined, stopping: AbortSignal): Promise<unknown>;
}

const handler = <T>(
  schema: z.ZodType<T>,
  run: (data: T, job: Job, token: string | undefined, stopping: AbortSignal) => Promise<unknown>,
): JobHandler<unknown> => ({
  schema,
  run,
});

/** Which handler serves each job name on each queue. */
function handlers(deps: WorkerDeps, identity: WorkerIdentity): Record<QueueName, Record<string, JobHandler<unknown>>> {
  const heartbeat = handler(heartbeatDataSchema, (_data, job) => runHeartbeat(deps.db, identity, job.id ?? 'unknown'));
  const services = deps.services;
  if (!services)
    return {
      maintenance: { heartbeat },
      sync: {},
      score: {},
      'write-back': {},
      warnings: {},
      notify: {},
      qbr: {},
      analytics: {},
    };
  const writeBack = services.writeBack;
  const analytics = analyticsServices(services);
  return {
    maintenance: {
      heartbeat,
      // The first job (enqueueUninstall) and its delayed purge (with purgeAt) share one schema.
      uninstall: handler(uninstallRunDataSchema, (data) => runUninstall(services.uninstall, data)),
      prune: handler(pruneDataSchema, () => runPrune(deps.db, new Date())),
    },
    sync: {
      [SYNC_RUN_JOB]: handler(syncJobDataSchema, (data, job, token, stopping) =>
        runSyncJob(services.sync, data, job, token, stopping),
      ),
      incremental: handler(syncTickDataSchema, (data, job) =>
        runSyncTick(services.sync.queues, 'incremental', data, job),
      ),
      reconcile: handler(syncTickDataSchema, (data, job) => runSyncTick(services.sync.queues, 'reconcile', data, job)),
      [MATCH_JOB]: handler(matchJobDataSchema, (data, job) =>
        runMatchJob(
          { db: deps.db, queues: services.sync.queues, logger: services.sync.sync.logger.child({ part: 'match' }) },
          data,
          job,
        ),
      ),
    },
    score: {
      ...(services.score
        ? {
            [SCORE_JOB]: handler(scoreJobDataSchema, (data, job, token, stopping) =>
              runScoreJob(services.score!, data, job, token, stopping),
            ),
            // The installation scheduler's daily tick: windows move with the calendar, so every account.
            daily: handler(syncTickDataSchema, (data) =>
              enqueueScore(services.score!.queues, { ...data, full: true, reason: 'schedule' }),
            ),
          }
        : {}),
      ...(services.backtest
        ? {
            [BACKTEST_JOB]: handler(backtestJobDataSchema, (data, job) =>
              runBacktestJob(services.backtest!, data, job),
            ),
          }
        : {}),
    },
    'write-back': writeBack
      ? {
          [WRITE_BACK_JOB]: handler(writeBackJobDataSchema, (data, job, token) =>
            runWriteBackJob(writeBack, data, job, token),
          ),
        }
      : {},
    warnings: {
      ...(services.warnings
        ? {
            [WARNINGS_JOB]: handler(warningsJobDataSchema, (data, job, token, stopping) =>
              runWarningsJob(services.warnings!, data, job, token, stopping),
            ),
          }
        : {}),
      ...(services.warningTasks
        ? {
            [WARNING_TASKS_JOB]: handler(warningTasksJobDataSchema, (data, job, token) =>
              runWarningTasksJob(services.warningTasks!, data, job, token),
            ),
          }
        : {}),
    },
    notify: services.notify
      ? {
          [NOTIFY_JOB]: handler(notifyJobDataSchema, async (data) => {
            const result = await deliverNotifications(services.notify!, data);
            // Events saved while this delivery ran were absorbed by it: send them now.
            if (await takeNotifyAgainRequest(services.sync.queues, data.installationId)) {
              await enqueueNotify(services.sync.queues, data);
            }
            return result;
          }),
        }
      : {},
    qbr: services.qbr
      ? {
          [QBR_BRIEF_JOB]: handler(qbrBriefJobDataSchema, (data) => runQbrBriefJob(services.qbr!, data)),
          [QBR_NOTE_JOB]: handler(qbrNoteJobDataSchema, (data, job, token) =>
            runQbrNoteJob(services.qbr!, data, job, token),
          ),
          // The installation scheduler's daily tick: briefs for the QBRs due within the lead time.
          daily: handler(syncTickDataSchema, (data) => runQbrDaily(services.qbr!, data)),
        }
      : {},
    analytics: analytics
      ? {
          [ANALYTICS_JOB]: handler(analyticsJobDataSchema, (data, job, token, stopping) =>
            runAnalyticsJob(analytics, data, job, token, stopping),
          ),
          // The installation scheduler's daily tick: the renewal model learns from the renewals decided since.
          daily: handler(syncTickDataSchema, (data) => enqueueAnalytics(analytics.queues, { ...data, train: true })),
        }
      : {},
  };
}

/** The analytics job reads what the score job reads: it is served wherever scoring is. */
function analyticsServices(services: JobServices): AnalyticsJobServices | null {
  const score = services.score;
  if (!score) return null;
  return {
    analytics: {
      db: score.score.db,
      models: score.score.models,
      logger: score.score.logger.child({ part: 'analytics' }),
    },
    installations: score.installations,
    queues: score.queues,
    redis: score.redis,
    ...(score.leaseMs === undefined ? {} : { leaseMs: score.leaseMs }),
    ...(score.busyDelayMs === undefined ? {} : { busyDelayMs: score.busyDelayMs }),
  };
}

export interface RunningWorkers {
  identity: WorkerIdentity;
  workers: Worker[];
  close(): Promise<void>;
}

/** Starts one BullMQ Worker per queue. Job data is parsed before any handler sees it. */
export function startWorkers(deps: WorkerDeps): RunningWorkers {
  const identity: WorkerIdentity = {
    workerId: `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`,
    hostname: hostname(),
    pid: process.pid,
    queues: [...QUEUE_NAMES],
    startedAt: new Date(),
  };
  const table = handlers(deps, identity);
  const stopping = new AbortController();
  const workers = QUEUE_NAMES.map((queueName) => {
    const worker = new Worker(
      queueName,
      async (job, token) => {
        const jobHandler = table[queueName][job.name];
        if (!jobHandler) throw new UnrecoverableError(`no handler for job "${job.name}" on queue "${queueName}"`);
        const parsed = jobHandler.schema.safeParse(job.data);
        if (!parsed.success) {
          const issues = parsed.error.issues.map((issue) => `${jsonPath(issue.path)}: ${issue.message}`);
          throw new UnrecoverableError(`invalid data for job "${job.name}": ${issues.join('; ')}`);
        }
        return jobHandler.run(parsed.data, job, token, stopping.signal);
      },
      {
        connection: deps.connection,
        prefix: deps.prefix,
        concurrency: deps.concurrency,
        ...(deps.lockDurationMs === undefined ? {} : { lockDuration: deps.lockDurationMs }),
        ...(deps.stalledIntervalMs === undefined ? {} : { stalledInterval: deps.stalledIntervalMs }),
      },
    );
    const log = deps.logger.child({ queue: queueName });
    worker.on('failed', (job, error) =>
      log.warn({ jobId: job?.id, job: job?.name, attempt: job?.attemptsMade, err: error }, 'job failed'),
    );
    worker.on('completed', (job) => log.debug({ jobId: job.id, job: job.name }, 'job completed'));
    // Without a listener an 'error' event would throw and take the process down.
    worker.on('error', (error) => log.error({ err: error }, 'worker error'));
    return worker;
  });
  deps.logger.info({ workerId: identity.workerId, queues: identity.queues }, 'workers started');
  return {
    identity,
    workers,
    async close() {
      stopping.abort();
      await Promise.all(workers.map((worker) => worker.close()));
    },
  };
}

export interface StartJobsOptions extends JobServicesOptions {
  lockDurationMs?: number;
  stalledIntervalMs?: number;
}

/** Workers plus the schedulers they serve, on the runtime's connections. */
export async function startJobs(
  runtime: {
    env: { redisUrl: string; QUEUE_PREFIX: string; WORKER_CONCURRENCY: number } & JobServicesRuntime['env'];
    redis: { url: string };
    database: { db: Database };
    producer: Redis;
    manifest: Manifest;
    sealer: Sealer;
    logger: Logger;
    onClose(name: string, close: () => Promise<void>): void;
  },
  options: StartJobsOptions = {},
): Promise<{ queues: Queues; workers: RunningWorkers; services: JobServices }> {
  // Closers run in reverse: workers, then queues, then the worker connection.
  const connection = createWorkerConnection(runtime.redis.url, runtime.logger);
  runtime.onClose('redis worker connection', async () => {
    await connection.quit().catch(() => connection.disconnect());
  });
  const queues = createQueues(runtime.producer, runtime.env.QUEUE_PREFIX);
  runtime.onClose('queues', () => queues.close());
  const services = buildJobServices(runtime, queues, options);
  const workers = startWorkers({
    db: runtime.database.db,
    connection,
    prefix: runtime.env.QUEUE_PREFIX,
    concurrency: runtime.env.WORKER_CONCURRENCY,
    logger: runtime.logger,
    services,
    ...(options.lockDurationMs === undefined ? {} : { lockDurationMs: options.lockDurationMs }),
    ...(options.stalledIntervalMs === undefined ? {} : { stalledIntervalMs: options.stalledIntervalMs }),
  });
  runtime.onClose('workers', () => workers.close());
  const schedulers = await upsertGlobalSchedulers(queues, runtime.manifest, runtime.logger);
  // Every active installation has its schedules, every other one none (a crash may have left either).
  const installations = await services.sync.sync.installations.listAllForScheduling();
  const reconciled = await reconcileInstallationSchedulers(queues, runtime.manifest, installations);
  runtime.logger.info({ schedulers, installations: reconciled }, 'schedulers up to date');
  return { queues, workers, services };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  runProcess(async () => {
    const runtime = await bootRuntime('worker');
    try {
      await startJobs(runtime);
    } catch (error) {
      await runtime.close();
      throw error;
    }
    return { shutdown: runtime.close, logger: runtime.logger };
  });
}
