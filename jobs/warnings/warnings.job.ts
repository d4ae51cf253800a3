import type { Job } from 'bullmq';
import { delayJob } from '../crm-recovery.ts';
import {
  enqueueNotify,
  enqueueWarnings,
  enqueueWarningTasks,
  takeWarningsAgainRequest,
  type Queues,
  type WarningsJobData,
} from '../queues.ts';
import { runLeased, type LeasedRunDeps } from '../leased-run.ts';
import { runWarnings, type WarningsDeps, type WarningsSummary } from './warnings-run.ts';

/**
 * The `run` job of the `warnings` queue: evaluates an installation's warning rules (warnings-run.ts),
 * then asks for the CRM tasks and the notifications the run made due. One run per installation at a
 * time; a run asked for meanwhile runs again in full when this one ends.
 */

export interface WarningsJobServices extends LeasedRunDeps {
  warnings: WarningsDeps;
  queues: Queues;
  now?: () => number;
}

const STOPPING_DELAY_MS = 5_000;

export type WarningsJobResult =
  { outcome: 'evaluated'; summary: WarningsSummary } | { outcome: 'skipped'; reason: string };

export async function runWarningsJob(
  services: WarningsJobServices,
  data: WarningsJobData,
  job: Pick<Job, 'updateProgress' | 'moveToDelayed'>,
  token: string | undefined,
  stopping?: AbortSignal,
): Promise<WarningsJobResult> {
  const key = { workspaceId: data.workspaceId, installationId: data.installationId };
  const result = await runLeased(
    services,
    data,
    { kind: 'warnings', activeOnly: true, job, token },
    async (): Promise<WarningsJobResult> => {
      try {
        const summary = await runWarnings(services.warnings, key, {
          full: data.full,
          scoredSince: data.scoredSince === undefined ? undefined : new Date(data.scoredSince),
          at: services.now?.() ?? Date.now(),
          signal: stopping,
          onProgress: (progress) => job.updateProgress({ ...progress }),
        });
        return { outcome: 'evaluated', summary };
      } catch (error) {
        // The workers are closing: the run goes back to the queue whole, without spending an attempt.
        if (stopping?.aborted) return await delayJob(job, token, STOPPING_DELAY_MS);
        throw error;
      }
    },
  );
  if (result.outcome === 'evaluated') {
    if (result.summary.tasks > 0 || result.summary.resolved > 0) await enqueueWarningTasks(services.queues, key);
    if (result.summary.deliveries > 0) await enqueueNotify(services.queues, key);
  }
  if (await takeWarningsAgainRequest(services.queues, data.installationId)) {
    await enqueueWarnings(services.queues, { ...key, full: true });
  }
  return result;
}
