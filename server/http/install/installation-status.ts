import type { Job } from 'bullmq';
import { syncDeduplicationId, syncJobDataSchema, type Queues } from '../../../jobs/queues.ts';
import {
  installationStatusSchema,
  SYNC_RUN_STATES,
  type InstallationStatusBody,
  type ObjectSyncStatus,
  type SyncRunStatus,
} from '../../contracts/installations.ts';
import type { Database } from '../../platform/db/database.ts';
import type { Installation } from '../../platform/db/installations.ts';
import { syncStore } from '../../platform/db/sync-store.ts';
import { APP_OBJECTS } from '../../platform/manifest.ts';

/**
 * One installation's status from its three sources: the installation row, the sync store (records
 * and last runs per object) and the sync queue (the run queued or under way, and the schedulers
 * whose id ends in `@<installationId>`).
 */

type Instant = Date | string | number | null | undefined;

const iso = (value: Instant): string | null => {
  if (value === null || value === undefined) return null;
  const date = value instanceof Date ? value : new Date(value);
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
};

/** Owners first, as the sync reads them; objects the sync has not reached yet show as empty. */
async function objectStatuses(db: Database, installation: Installation): Promise<ObjectSyncStatus[]> {
  const rows = await syncStore(db).status({ workspaceId: installation.workspaceId, installationId: installation.id });
  const byType = new Map(rows.map((row) => [row.objectType, row]));
  const order = ['owners', ...APP_OBJECTS.filter((object) => object !== 'owners')];
  const extra = rows.map((row) => row.objectType).filter((type) => !order.includes(type));
  return [...order, ...extra].map((objectType) => {
    const row = byType.get(objectType);
    return {
      objectType,
      records: row?.records ?? 0,
      lastStartedAt: iso(row?.lastStartedAt),
      lastFinishedAt: iso(row?.lastFinishedAt),
      lastError: row?.lastError ?? null,
      recordsSeen: row?.recordsSeen ?? 0,
      callsSpent: row?.callsSpent ?? 0,
    };
  });
}

function progressOf(job: Job): SyncRunStatus['progress'] {
  const progress: unknown = job.progress;
  if (typeof progress === 'number' || typeof progress === 'string' || typeof progress === 'boolean') return progress;
  if (progress && typeof progress === 'object' && !Array.isArray(progress)) return progress as Record<string, unknown>;
  return null;
}

async function currentRun(queues: Queues, installationId: string): Promise<SyncRunStatus | null> {
  const queue = queues.get('sync');
  const jobId = await queue.getDeduplicationJobId(syncDeduplicationId(installationId));
  const job = jobId ? await queue.getJob(jobId) : undefined;
  if (!job?.id) return null;
  const rawState: string = await job.getState();
  const state = SYNC_RUN_STATES.find((known) => known === rawState) ?? 'unknown';
  const data = syncJobDataSchema.safeParse(job.data);
  return {
    jobId: job.id,
    state,
    mode: data.success ? data.data.mode : null,
    reason: data.success ? data.data.reason : null,
    progress: progressOf(job),
    attemptsMade: job.attemptsMade,
    queuedAt: iso(job.timestamp),
    startedAt: iso(job.processedOn),
    dueAt: state === 'delayed' ? iso(job.timestamp + (job.delay ?? 0)) : null,
    failedReason: job.failedReason ? job.failedReason : null,
  };
}

async function schedules(queues: Queues, installationId: string) {
  const suffix = `@${installationId}`;
  const all = await queues.get('sync').getJobSchedulers(0, -1, true);
  return all
    .filter((scheduler) => scheduler.key.endsWith(suffix))
    .map((scheduler) => ({
      id: scheduler.key,
      pattern: scheduler.pattern ?? null,
      nextRunAt: iso(scheduler.next),
    }));
}

export async function installationStatus(
  deps: { db: Database; queues: Queues },
  installation: Installation,
): Promise<InstallationStatusBody> {
  const [objects, run, scheduled] = await Promise.all([
    objectStatuses(deps.db, installation),
    currentRun(deps.queues, installation.id),
    schedules(deps.queues, installation.id),
  ]);
  // Parsed on the way out: the page and other clients rely on this contract.
  return installationStatusSchema.parse({
    installation: {
      id: installation.id,
      workspaceId: installation.workspaceId,
      provider: installation.provider,
      externalId: installation.externalId,
      displayName: installation.displayName,
      status: installation.status,
      statusReason: installation.statusReason,
      scopes: installation.scopes,
      installedAt: installation.installedAt.toISOString(),
      updatedAt: installation.updatedAt.toISOString(),
    },
    objects,
    run,
    schedules: scheduled,
  });
}
