import { DelayedError, type Job } from 'bullmq';
import { recordAudit } from '../server/platform/db/audit.ts';
import type { Database } from '../server/platform/db/database.ts';
import type { Installation, InstallationRepository } from '../server/platform/db/installations.ts';
import type { Logger } from '../server/platform/logger.ts';
import type { Manifest } from '../server/platform/manifest.ts';
import type { Queues } from './queues.ts';
import { removeInstallationSchedulers } from './schedule.ts';

/**
 * What every job that talks to a CRM does with the errors it cannot work around: wait without
 * spending an attempt (rate limits, a spent allowance, a busy installation), or stop the installation
 * for re-authorisation when the CRM refuses its tokens for good.
 */

/** Puts the job back until `ms` from now without spending an attempt (BullMQ's DelayedError). */
export async function delayJob(job: Pick<Job, 'moveToDelayed'>, token: string | undefined, ms: number): Promise<never> {
  await job.moveToDelayed(Date.now() + Math.max(1, Math.ceil(ms)), token);
  throw new DelayedError();
}

export interface ReauthDeps {
  db: Database;
  installations: InstallationRepository;
  queues: Queues;
  manifest: Manifest;
  logger: Logger;
}

export type ReauthOutcome = { outcome: 'needs_reauth'; reason: string } | { outcome: 'skipped'; reason: string };

/**
 * The CRM refuses the installation's tokens for good: mark it, stop its schedules and say so in the
 * audit log. Nothing retries it; an admin reconnects.
 */
export async function pauseForReauth(
  deps: ReauthDeps,
  installation: Installation,
  reason: string,
  actor: string,
): Promise<ReauthOutcome> {
  const current = await deps.installations.get(installation.workspaceId, installation.id);
  // Uninstalled (or gone) meanwhile: nothing to pause.
  if (current === undefined || current.status === 'uninstalled') {
    return { outcome: 'skipped', reason: current ? 'installation is uninstalled' : 'installation not found' };
  }
  if (current.status === 'active') {
    await deps.installations.setStatus(installation.workspaceId, installation.id, 'needs_reauth', reason);
  }
  const removed = await removeInstallationSchedulers(deps.queues, deps.manifest, installation.id);
  await recordAudit(deps.db, {
    workspaceId: installation.workspaceId,
    installationId: installation.id,
    actor,
    action: 'installation.needs_reauth',
    details: { reason, schedulersRemoved: removed },
  });
  deps.logger.warn(
    { installationId: installation.id, reason },
    'installation needs re-authorisation; schedules paused',
  );
  return { outcome: 'needs_reauth', reason };
}
