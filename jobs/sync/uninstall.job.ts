import type { Redis } from 'ioredis';
import { z } from 'zod';
import { forgetApiUsage, hubspotRules } from '../../server/crm/call-gate.ts';
import { recordAudit } from '../../server/platform/db/audit.ts';
import type { Database } from '../../server/platform/db/database.ts';
import type { InstallationRepository } from '../../server/platform/db/installations.ts';
import { purgeInstallation } from '../../server/platform/db/purge.ts';
import type { Logger } from '../../server/platform/logger.ts';
import type { Manifest } from '../../server/platform/manifest.ts';
import type { RateLimiter } from '../../server/platform/rate-limit.ts';
import { withLock } from '../../server/platform/redis-lock.ts';
import { UNINSTALL_JOB, uninstallJobDataSchema, type Queues } from '../queues.ts';
import { removeInstallationSchedulers } from '../schedule.ts';
import { syncLeaseKey } from './lease.ts';

/**
 * The `uninstall` job of the `maintenance` queue: the installation stops at once (schedules
 * removed, tokens deleted, rate-limit state forgotten) and its data is purged at once, or after the
 * retention period by a delayed job of its own. A re-install within the retention period keeps the
 * data: the delayed purge then finds the installation active again and leaves it.
 */

/** A delayed purge carries when it is due; the first job (without it) stops the installation. */
export const uninstallRunDataSchema = uninstallJobDataSchema.extend({ purgeAt: z.int().nonnegative().optional() });
export type UninstallRunData = z.infer<typeof uninstallRunDataSchema>;

export interface UninstallServices {
  db: Database;
  installations: InstallationRepository;
  queues: Queues;
  redis: Redis;
  manifest: Manifest;
  limiter: RateLimiter;
  logger: Logger;
  /** Days the data is kept after an uninstall (env DATA_RETENTION_DAYS); 0 purges at once. */
  retentionDays: number;
  now?: () => number;
}

export type UninstallResult =
  | { outcome: 'purged'; rows: Record<string, number> }
  | { outcome: 'purge_scheduled'; purgeAt: number }
  | { outcome: 'kept'; reason: string };

const DAY_MS = 86_400_000;
const ACTOR = 'system:uninstall';

export async function runUninstall(services: UninstallServices, data: UninstallRunData): Promise<UninstallResult> {
  const now = services.now ?? Date.now;
  const { workspaceId, installationId } = data;
  const key = { workspaceId, installationId };
  const installation = await services.installations.get(workspaceId, installationId);

  if (data.purgeAt !== undefined) {
    if (installation?.status === 'active') return { outcome: 'kept', reason: 'installed again before the purge' };
    return purge(services, key);
  }

  await removeInstallationSchedulers(services.queues, services.manifest, installationId);
  const rules = Object.values(hubspotRules()).flat();
  await services.limiter.reset(installationId, rules);
  await forgetApiUsage(services.redis, installationId);
  if (installation) {
    // A disconnect already said why; keep its reason.
    const reason = installation.status === 'uninstalled' ? (installation.statusReason ?? 'uninstalled') : 'uninstalled';
    await services.installations.setStatus(workspaceId, installationId, 'uninstalled', reason);
    // Tokens go now, whatever the retention: nothing may call the CRM for this installation again.
    await services.installations.clearTokens(workspaceId, installationId);
  }
  await recordAudit(services.db, {
    workspaceId,
    installationId,
    actor: ACTOR,
    // What the request was (disconnected, uninstalled in the CRM) is audited by whoever made it.
    action: 'installation.stopped',
    details: { retentionDays: services.retentionDays },
  });

  if (services.retentionDays <= 0) return purge(services, key);
  const purgeAt = now() + services.retentionDays * DAY_MS;
  // A purge still pending from an earlier uninstall gives way to this one's date.
  await services.queues.get('maintenance').remove(`uninstall.${installationId}.purge`);
  await services.queues
    .get('maintenance')
    .add(
      UNINSTALL_JOB,
      { workspaceId, installationId, purgeAt },
      { jobId: `uninstall.${installationId}.purge`, delay: purgeAt - now() },
    );
  return { outcome: 'purge_scheduled', purgeAt };
}

async function purge(
  services: UninstallServices,
  key: { workspaceId: string; installationId: string },
): Promise<UninstallResult> {
  // A sync of this installation still running finishes (or fails) first; none starts after.
  const rows = await withLock(
    services.redis,
    syncLeaseKey(key.installationId),
    () => purgeInstallation(services.db, key),
    {
      ttlMs: 60_000,
      waitMs: 60_000,
    },
  );
  await recordAudit(services.db, {
    workspaceId: key.workspaceId,
    installationId: key.installationId,
    actor: ACTOR,
    action: 'installation.purged',
    details: { rows },
  });
  services.logger.info({ installationId: key.installationId, rows }, 'installation data purged');
  return { outcome: 'purged', rows };
}
