import type { Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { InstallationRepository } from '../../server/platform/db/installations.ts';
import { delayJob } from '../crm-recovery.ts';
import {
  enqueueNotify,
  enqueueWarnings,
  enqueueWarningTasks,
  takeWarningsAgainRequest,
  type Queues,
  type WarningsJobData,
} from '../queues.ts';
import { DEFAULT_LEASE_MS, tryLease } from '../sync/lease.ts';
import { runWarnings, type WarningsDeps, type WarningsSummary } from './warnings-run.ts';

/**
 * The `run` job of the `warnings` queue: evaluates an installation's warning rules (warnings-run.ts),
 * then asks for the CRM tasks and the notifications the run made due. One run per installation at a
 * time; a run asked for meanwhile runs again in full when this one ends.
 */

export interface WarningsJobServices {
  warnings: WarningsDeps;
  installations: InstallationRepository;
  queues: Queues;
  redis: Redis;
  leaseMs?: number;
  busyDelayMs?: number;
  now?: () => number;
}

export type WarningsJobResult =
  { outcome: 'evaluated'; summary: WarningsSummary } | { outcome: 'skipped'; reason: string };

export const warningsLeaseKey = (installationId: string) => `bw:lock:{${installationId}}:warnings`;
const BUSY_DELAY_MS = 5_000;

export async function runWarningsJob(
  services: WarningsJobServices,
  data: WarningsJobData,
  job: Pick<Job, 'updateProgress' | 'moveToDelayed'>,
  token: string | undefined,
  stopping?: AbortSignal,
): Promise<WarningsJobResult> {
  const installation = await services.installations.get(data.workspaceId, data.installationId);
  if (installation?.status !== 'active') {
    return {
      outcome: 'skipped',
      reason: installation ? `installation is ${installation.status}` : 'installation not found',
    };
  }
  const lease = await tryLease(services.redis, warningsLeaseKey(installation.id), services.leaseMs ?? DEFAULT_LEASE_MS);
  if (!lease) return delayJob(job, token, services.busyDelayMs ?? BUSY_DELAY_MS);
  const key = { workspaceId: data.workspaceId, installationId: data.installationId };
  let summary: WarningsSummary;
  try {
    summary = await runWarnings(services.warnings, key, {
      full: data.full,
      scoredSince: data.scoredSince === undefined ? undefined : new Date(data.scoredSince),
      at: services.now?.() ?? Date.now(),
      signal: stopping,
      onProgress: (progress) => job.updateProgress({ ...progress }),
    });
  } catch (error) {
    // The workers are closing: the run goes back to the queue whole, without spending an attempt.
    if (stopping?.aborted) return await delayJob(job, token, BUSY_DELAY_MS);
    throw error;
  } finally {
    await lease.release();
  }
  if (summary.tasks > 0 || summary.resolved > 0) await enqueueWarningTasks(services.queues, key);
  if (summary.deliveries > 0) await enqueueNotify(services.queues, key);
  if (await takeWarningsAgainRequest(services.queues, data.installationId)) {
    await enqueueWarnings(services.queues, { ...key, full: true });
  }
  return { outcome: 'evaluated', summary };
}
