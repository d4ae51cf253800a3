import type { Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { InstallationRepository } from '../../server/platform/db/installations.ts';
import { delayJob } from '../crm-recovery.ts';
import {
  enqueueAnalytics,
  enqueueScore,
  enqueueWarnings,
  enqueueWriteBack,
  takeScoreAgainRequest,
  type Queues,
  type ScoreJobData,
} from '../queues.ts';
import { runLeased } from '../leased-run.ts';
import { runPlans, type PlansSummary } from '../plans/plans-run.ts';
import { runScore, type ScoreDeps, type ScoreSummary } from './score-run.ts';

/**
 * The `run` job of the `score` queue: one score run of one installation (score-run.ts) and the plans
 * step after it (plans-run.ts: plans for new stage stays, objectives read from the signals), then a
 * write-back when a written value changed. Scoring reads only the database, so it runs for an
 * installation that needs re-authorisation too (the card stays current); the write-back job itself
 * refuses to write for it.
 *
 * When the plans step fails, the score run's result stands: its write-back, warnings and analytics
 * are asked for, then the error fails the job, which BullMQ retries. The retry scores again (the score
 * run is idempotent) and, being a second start, reads every active plan: the accounts the failed
 * attempt scored may not be among those the retry scores.
 */

export interface ScoreJobServices {
  score: ScoreDeps;
  installations: InstallationRepository;
  queues: Queues;
  redis: Redis;
  leaseMs?: number;
  busyDelayMs?: number;
}

export type ScoreJobResult =
  | { outcome: 'scored'; summary: ScoreSummary; plans: PlansSummary; writeBack: boolean }
  | { outcome: 'skipped'; reason: string };

const BUSY_DELAY_MS = 5_000;

export async function runScoreJob(
  services: ScoreJobServices,
  data: ScoreJobData,
  /** `attemptsStarted` (BullMQ counts every start, a delayed one too): above 1, the run is a rerun. */
  job: Pick<Job, 'updateProgress' | 'moveToDelayed'> & Partial<Pick<Job, 'attemptsStarted'>>,
  token: string | undefined,
  stopping?: AbortSignal,
): Promise<ScoreJobResult> {
  // A margin for the database's clock, which dates the scores: re-evaluating an account changes nothing.
  const startedAt = new Date(Date.now() - 60_000);
  // Scoring reads only the database: it runs while the installation needs re-authorisation too.
  const run = await runLeased(
    services,
    data,
    { kind: 'score', activeOnly: false, job, token },
    async (installation) => {
      const key = { workspaceId: data.workspaceId, installationId: data.installationId };
      let covered: readonly string[] = [];
      let summary: ScoreSummary;
      try {
        summary = await runScore(services.score, key, {
          full: data.full,
          accounts: data.accounts,
          signal: stopping,
          onProgress: (progress) => job.updateProgress({ ...progress }),
          onAccounts: (ids) => {
            covered = ids;
          },
        });
      } catch (error) {
        // The workers are closing: the run goes back to the queue whole, without spending an attempt.
        // Awaited here: a rejection returned un-awaited would go unhandled while the lease is released.
        if (stopping?.aborted) return await delayJob(job, token, BUSY_DELAY_MS);
        throw error;
      }
      // Under the same lease: two plans steps of one installation never read at once.
      const at = services.score.now?.() ?? new Date();
      try {
        const rerun = (job.attemptsStarted ?? 1) > 1;
        const plans = await runPlans(
          { ...services.score, logger: services.score.logger.child({ part: 'plans' }) },
          key,
          {
            at,
            ...(summary.full || rerun ? {} : { accountIds: covered }),
            signal: stopping,
            onProgress: (progress) => job.updateProgress({ ...progress }),
          },
        );
        return { installation, summary, plans };
      } catch (error) {
        services.score.logger.error(
          { ...key, err: error, summary },
          stopping?.aborted ? 'plans step stopped; the scores stand' : 'plans step failed; the scores stand',
        );
        return { installation, summary, failure: error };
      }
    },
  );
  if ('outcome' in run) return run;
  const { installation, summary } = run;
  const writeBack = summary.changedValues > 0 && installation.status === 'active';
  if (writeBack) {
    await enqueueWriteBack(services.queues, { workspaceId: data.workspaceId, installationId: data.installationId });
  }
  // Warnings follow the scores: every account after a full run, the scored ones after a partial one.
  if (installation.status === 'active' && (data.full || summary.accounts > 0)) {
    await enqueueWarnings(services.queues, {
      workspaceId: data.workspaceId,
      installationId: data.installationId,
      full: data.full,
      ...(data.full ? {} : { scoredSince: startedAt.toISOString() }),
    });
  }
  // The forecast and the dashboard's figures follow the scores (no training: the daily schedule trains).
  if (summary.accounts > 0) {
    await enqueueAnalytics(services.queues, {
      workspaceId: data.workspaceId,
      installationId: data.installationId,
      train: false,
    });
  }
  if ('failure' in run) {
    // The workers are closing: back to the queue without spending an attempt; its rerun reads every plan.
    if (stopping?.aborted) return await delayJob(job, token, BUSY_DELAY_MS);
    throw run.failure;
  }
  const again = await takeScoreAgainRequest(services.queues, data.installationId);
  if (again !== null) {
    await enqueueScore(services.queues, {
      workspaceId: data.workspaceId,
      installationId: data.installationId,
      full: again === 'full',
      reason: 'rerun',
    });
  }
  return { outcome: 'scored', summary, plans: run.plans, writeBack };
}
