import type { Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Installation, InstallationRepository } from '../server/platform/db/installations.ts';
import { delayJob } from './crm-recovery.ts';
import { DEFAULT_LEASE_MS, tryLease } from './sync/lease.ts';

/**
 * How a job does its work for one installation: not at all when the installation is gone (or, for
 * work that calls the CRM, not active), and under the installation's lease for that kind of work, so
 * two workers never run it at once; a job that finds the lease taken waits without spending an attempt.
 */

export interface LeasedRunDeps {
  installations: Pick<InstallationRepository, 'get'>;
  redis: Redis;
  leaseMs?: number;
  busyDelayMs?: number;
}

export type Skipped = { outcome: 'skipped'; reason: string };

const BUSY_DELAY_MS = 5_000;

export const leaseKeyOf = (installationId: string, kind: string) => `bw:lock:{${installationId}}:${kind}`;

export async function runLeased<T>(
  deps: LeasedRunDeps,
  data: { workspaceId: string; installationId: string },
  options: {
    /** The kind of work, named in the lease key: `score`, `write-back`, … */
    kind: string;
    /** Work that calls the CRM runs for active installations only; database work also while one needs re-authorisation. */
    activeOnly: boolean;
    job: Pick<Job, 'moveToDelayed'>;
    token: string | undefined;
  },
  work: (installation: Installation) => Promise<T>,
): Promise<T | Skipped> {
  const installation = await deps.installations.get(data.workspaceId, data.installationId);
  if (
    !installation ||
    installation.status === 'uninstalled' ||
    (options.activeOnly && installation.status !== 'active')
  ) {
    return {
      outcome: 'skipped',
      reason: installation ? `installation is ${installation.status}` : 'installation not found',
    };
  }
  const lease = await tryLease(deps.redis, leaseKeyOf(installation.id, options.kind), deps.leaseMs ?? DEFAULT_LEASE_MS);
  if (!lease) return delayJob(options.job, options.token, deps.busyDelayMs ?? BUSY_DELAY_MS);
  try {
    return await work(installation);
  } finally {
    await lease.release();
  }
}
