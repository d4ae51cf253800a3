import type { Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { InstallationRepository } from '../../server/platform/db/installations.ts';
import { delayJob } from '../crm-recovery.ts';
import { runLeased } from '../leased-run.ts';
import {
  enqueueAnalytics,
  enqueueScore,
  takeAnalyticsAgainRequest,
  type AnalyticsJobData,
  type Queues,
} from '../queues.ts';
import { runAnalytics, type AnalyticsDeps, type AnalyticsSummary } from './analytics-run.ts';

/**
 * The `run` job of the `analytics` queue: one analytics run of one installation (analytics-run.ts)
 * under its lease. It reads only the database, so it runs while the installation needs
 * re-authorisation too. A new renewal model asks for a full score run, so every card and CRM record
 * gets the learned probability; that run asks for analytics again (without training) when it ends.
 */

export interface AnalyticsJobServices {
  analytics: AnalyticsDeps;
  installations: Pick<InstallationRepository, 'get'>;
  queues: Queues;
  redis: Redis;
  leaseMs?: number;
  busyDelayMs?: number;
}

export type AnalyticsJobResult =
  { outcome: 'computed'; summary: AnalyticsSummary; rescore: boolean } | { outcome: 'skipped'; reason: string };

const BUSY_DELAY_MS = 5_000;

export async function runAnalyticsJob(
  services: AnalyticsJobServices,
  data: AnalyticsJobData,
  job: Pick<Job, 'updateProgress' | 'moveToDelayed'>,
  token: string | undefined,
  stopping?: AbortSignal,
): Promise<AnalyticsJobResult> {
  const key = { workspaceId: data.workspaceId, installationId: data.installationId };
  const run = await runLeased(services, data, { kind: 'analytics', activeOnly: false, job, token }, async () => {
    try {
      return {
        summary: await runAnalytics(services.analytics, key, {
          train: data.train,
          signal: stopping,
          onProgress: (progress) => job.updateProgress({ ...progress }),
        }),
      };
    } catch (error) {
      // The workers are closing: the run goes back to the queue whole, without spending an attempt.
      if (stopping?.aborted) return await delayJob(job, token, BUSY_DELAY_MS);
      throw error;
    }
  });
  if ('outcome' in run) return run;
  const { summary } = run;
  const rescore = summary.trained?.rescore ?? false;
  if (rescore) await enqueueScore(services.queues, { ...key, full: true, reason: 'forecast' });
  const again = await takeAnalyticsAgainRequest(services.queues, data.installationId);
  if (again !== null) await enqueueAnalytics(services.queues, { ...key, train: again === 'train' });
  // A figure that failed is retried with the job; the ones computed are saved already.
  if (summary.failed.length > 0) {
    throw new Error(
      `analytics figures failed: ${summary.failed.map((entry) => `${entry.kind}: ${entry.message}`).join('; ')}`,
    );
  }
  return { outcome: 'computed', summary, rescore };
}
