import { UnrecoverableError, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { InstallationConnection } from '../../server/crm/connections.ts';
import { CrmError } from '../../server/crm/errors.ts';
import type { TokenService } from '../../server/crm/token-service.ts';
import type { Installation } from '../../server/platform/db/installations.ts';
import { matchStore } from '../../server/platform/db/match-store.ts';
import type { Manifest } from '../../server/platform/manifest.ts';
import {
  enqueueMatch,
  enqueueScore,
  enqueueSync,
  takeSyncAgainRequest,
  SYNC_MODES,
  type Queues,
  type SyncJobData,
} from '../queues.ts';
import { delayJob, recoverFromCrmError } from '../crm-recovery.ts';
import { upsertInstallationSchedulers } from '../schedule.ts';
import { DEFAULT_LEASE_MS, syncLeaseKey, tryLease } from './lease.ts';
import { runSync, type SyncDeps, type SyncMode, type SyncSummary } from './run-sync.ts';

/**
 * The `run` job of the `sync` queue: one sync of one installation. CRM errors map to what the job
 * does (server/crm/errors.ts actionFor): a rate limit or a spent allowance delays the job without
 * spending an attempt; a token the CRM refuses is refreshed once, and if it is still refused the
 * installation needs re-authorisation and its schedules stop; a cursor that no longer decodes starts
 * a full sync; a blip is retried with backoff; a bug fails for good.
 */

export interface SyncJobServices {
  sync: SyncDeps;
  queues: Queues;
  redis: Redis;
  manifest: Manifest;
  tokens: TokenService;
  /** How long a run's lease lives without renewal (a dead worker's run resumes after it). */
  leaseMs?: number;
  /** How long a run waits when another run of the installation holds the lease. */
  busyDelayMs?: number;
}

export type SyncJobResult =
  | { outcome: 'synced'; summary: SyncSummary }
  | { outcome: 'skipped'; reason: string }
  | { outcome: 'needs_reauth'; reason: string };

const BUSY_DELAY_MS = 5_000;
const ACTOR = 'system:sync';

const reauthDeps = (services: SyncJobServices) => ({
  db: services.sync.db,
  installations: services.sync.installations,
  queues: services.queues,
  manifest: services.manifest,
  logger: services.sync.logger,
});

export async function runSyncJob(
  services: SyncJobServices,
  data: SyncJobData,
  job: Job,
  token: string | undefined,
  stopping?: AbortSignal,
): Promise<SyncJobResult> {
  const { sync } = services;
  const installation = await sync.installations.get(data.workspaceId, data.installationId);
  if (installation?.status !== 'active') {
    return {
      outcome: 'skipped',
      reason: installation ? `installation is ${installation.status}` : 'installation not found',
    };
  }
  // A new (or reconnected) installation gets its schedules here: the HTTP side may only enqueue.
  if (data.reason === 'install') {
    await upsertInstallationSchedulers(services.queues, services.manifest, {
      workspaceId: data.workspaceId,
      installationId: data.installationId,
    });
  }
  const lease = await tryLease(services.redis, syncLeaseKey(data.installationId), services.leaseMs ?? DEFAULT_LEASE_MS);
  if (!lease) return delayJob(job, token, services.busyDelayMs ?? BUSY_DELAY_MS);

  let result: SyncJobResult;
  try {
    result = await syncWithRecovery(services, installation, data, job, token, stopping);
  } catch (error) {
    // The workers are closing: the run resumes from its checkpoint later, without spending an attempt.
    // Awaited here: a rejection returned un-awaited would go unhandled while `finally` releases the lease.
    if (stopping?.aborted) return await delayJob(job, token, services.busyDelayMs ?? BUSY_DELAY_MS);
    throw error;
  } finally {
    await lease.release();
  }
  if (result.outcome === 'synced') {
    // Scores follow every sync: the run itself finds which accounts' inputs changed (ingested data included).
    await enqueueScore(services.queues, {
      workspaceId: data.workspaceId,
      installationId: data.installationId,
      full: data.reason === 'install' || data.mode === 'full',
      reason: 'sync',
    });
    // A workspace with both CRMs matches their accounts again: a record may have gained a connector id or a domain.
    if (await matchStore(services.sync.db).pair(data.workspaceId)) {
      await enqueueMatch(services.queues, { workspaceId: data.workspaceId });
    }
    await goAgainIfAsked(services, data);
  }
  return result;
}

/**
 * One sync with the job's recovery (refresh once, re-authorisation, resync, delays), without the
 * lease: callers make sure no other run of the installation is under way.
 */
export async function syncWithRecovery(
  services: SyncJobServices,
  installation: Installation,
  data: SyncJobData,
  job: Pick<Job, 'updateProgress' | 'updateData' | 'moveToDelayed'>,
  token: string | undefined,
  stopping?: AbortSignal,
): Promise<SyncJobResult> {
  let mode: SyncMode = data.mode;
  let refreshed = false;
  let resynced = false;
  for (;;) {
    // Remember the connection the run used, to refresh exactly the token the CRM refused.
    let connection: InstallationConnection | undefined;
    const deps: SyncDeps = {
      ...services.sync,
      connections: (target) => (connection = services.sync.connections(target)),
    };
    try {
      const summary = await runSync(
        deps,
        { workspaceId: data.workspaceId, installationId: data.installationId, mode },
        {
          onProgress: (progress) => job.updateProgress({ ...progress }),
          ...(stopping ? { signal: stopping } : {}),
          // A restarted full run resumes its backfill instead of resetting it again.
          onCursorsReset: async () => {
            await job.updateData({ ...data, mode: 'incremental' });
          },
        },
      );
      if (summary.skipped) return { outcome: 'skipped', reason: summary.skipped };
      return { outcome: 'synced', summary };
    } catch (error) {
      if (!(error instanceof CrmError)) throw error;
      const next = await recoverFromCrmError(error, {
        job,
        token,
        tokens: services.tokens,
        installation,
        reauth: reauthDeps(services),
        actor: ACTOR,
        rejectedToken: connection?.lastAccessToken(),
        refreshed,
      });
      if (next === 'refreshed') {
        refreshed = true;
      } else if (next === 'resync') {
        if (resynced) throw new UnrecoverableError(`the cursor is still invalid after a full resync: ${error.message}`);
        resynced = true;
        mode = 'full';
      } else {
        return next;
      }
    }
  }
}

/** A sync asked for while this one ran: run once more, now that this one is done. */
async function goAgainIfAsked(services: SyncJobServices, data: SyncJobData): Promise<void> {
  const again = await takeSyncAgainRequest(services.queues, data.installationId);
  if (again === null) return;
  const mode = (SYNC_MODES as readonly string[]).includes(again) ? (again as SyncMode) : 'incremental';
  await enqueueSync(services.queues, {
    workspaceId: data.workspaceId,
    installationId: data.installationId,
    mode,
    reason: 'rerun',
  });
}
