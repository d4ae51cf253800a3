import { DelayedError, UnrecoverableError, type Job } from 'bullmq';
import type { ConnectionFactory, InstallationConnection } from '../server/crm/connections.ts';
import { actionFor, CrmError } from '../server/crm/errors.ts';
import type { TokenService } from '../server/crm/token-service.ts';
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

/** A limit without a stated wait still backs off this long. */
const DEFAULT_LIMIT_DELAY_MS = 10_000;

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

export interface RecoveryContext {
  job: Pick<Job, 'moveToDelayed'>;
  token: string | undefined;
  tokens: TokenService;
  installation: Installation;
  reauth: ReauthDeps;
  actor: string;
  /** The access token the failed attempt sent, when it got as far as sending one. */
  rejectedToken: string | undefined;
  /** Whether this job already refreshed after a rejection: a second rejection is final. */
  refreshed: boolean;
}

/**
 * What a job does with a CrmError (server/crm/errors.ts actionFor): a rate limit or a spent
 * allowance delays the job without spending an attempt (this throws BullMQ's DelayedError); a token
 * the CRM refuses is refreshed once ('refreshed': try again), and if it is still refused the
 * installation is paused for re-authorisation; a cursor that no longer decodes is the caller's to
 * resync ('resync'); a blip is rethrown for BullMQ's backoff; a bug fails the job for good.
 */
export async function recoverFromCrmError(
  error: CrmError,
  ctx: RecoveryContext,
): Promise<'refreshed' | 'resync' | ReauthOutcome> {
  switch (actionFor(error)) {
    case 'delay':
    case 'pause':
      return delayJob(ctx.job, ctx.token, error.retryAfterMs ?? DEFAULT_LIMIT_DELAY_MS);
    case 'reauth': {
      if (!ctx.refreshed && ctx.rejectedToken !== undefined && error.code === 'UNAUTHORIZED') {
        try {
          await ctx.tokens.refreshAfterRejection(ctx.installation, ctx.rejectedToken);
          return 'refreshed';
        } catch (refreshError) {
          if (!(refreshError instanceof CrmError) || refreshError.code !== 'UNAUTHORIZED') throw refreshError;
          return pauseForReauth(ctx.reauth, ctx.installation, refreshError.message, ctx.actor);
        }
      }
      return pauseForReauth(ctx.reauth, ctx.installation, error.message, ctx.actor);
    }
    case 'resync':
      return 'resync';
    case 'fail':
      throw new UnrecoverableError(`${error.code}: ${error.message}`);
    case 'retry':
      throw error;
  }
}

export interface CrmWorkDeps extends ReauthDeps {
  connections: ConnectionFactory;
  tokens: TokenService;
}

/**
 * Runs a job's CRM work on a fresh connection, recovering as recoverFromCrmError says: once more
 * after a refreshed token, or the reauth/skip outcome. A cursor to resync is a bug here: fails for good.
 */
export async function withCrmRecovery<T>(
  deps: CrmWorkDeps,
  installation: Installation,
  context: { job: Pick<Job, 'moveToDelayed'>; token: string | undefined; actor: string },
  work: (connection: InstallationConnection) => Promise<T>,
): Promise<T | ReauthOutcome> {
  let refreshed = false;
  for (;;) {
    const connection = deps.connections(installation);
    try {
      return await work(connection);
    } catch (error) {
      if (!(error instanceof CrmError)) throw error;
      const next = await recoverFromCrmError(error, {
        ...context,
        tokens: deps.tokens,
        installation,
        reauth: deps,
        rejectedToken: connection.lastAccessToken(),
        refreshed,
      });
      if (next === 'resync') throw new UnrecoverableError(`${error.code}: ${error.message}`);
      if (next !== 'refreshed') return next;
      refreshed = true;
    }
  }
}
