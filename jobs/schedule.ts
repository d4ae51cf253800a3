import { createHash } from 'node:crypto';
import type { Logger } from '../server/platform/logger.ts';
import type { Manifest, ManifestSchedule } from '../server/platform/manifest.ts';
import type { Queues } from './queues.ts';

/**
 * Job schedulers come from manifest.json. Global ones run once for the whole deployment;
 * installation ones run per installation, staggered by a hash of its id so that tenants do not
 * all start at the top of the hour. All patterns are UTC.
 */

const INSTALLATION_SEPARATOR = '@';

export function installationSchedulerId(scheduleId: string, installationId: string): string {
  return `${scheduleId}${INSTALLATION_SEPARATOR}${installationId}`;
}

function hashToInt(value: string): number {
  return createHash('sha256').update(value).digest().readUInt32BE(0);
}

/**
 * Moves the minute field of a five-field cron pattern by a hash of `seed`:
 * `*\/15 * * * *` → `7/15 * * * *`, `0 2 * * *` → `37 2 * * *`. Every-minute and
 * hand-written minute lists are left as they are.
 */
export function staggerPattern(pattern: string, seed: string): string {
  const fields = pattern.trim().split(/\s+/);
  const minute = fields[0] ?? '*';
  const hash = hashToInt(seed);
  const step = /^\*\/(\d+)$/.exec(minute);
  if (step) {
    const every = Number(step[1]);
    if (every <= 1) return fields.join(' ');
    fields[0] = `${hash % every}/${every}`;
  } else if (/^\d+$/.test(minute)) {
    fields[0] = String(hash % 60);
  }
  return fields.join(' ');
}

function template(schedule: ManifestSchedule, data: Record<string, unknown>) {
  return { name: schedule.job, data };
}

/** Creates or updates every global scheduler and removes global ones the manifest no longer lists. */
export async function upsertGlobalSchedulers(queues: Queues, manifest: Manifest, logger: Logger): Promise<string[]> {
  const wanted = manifest.schedules.filter((schedule) => schedule.scope === 'global');
  for (const schedule of wanted) {
    await queues
      .get(schedule.queue)
      .upsertJobScheduler(schedule.id, { pattern: schedule.pattern, tz: 'UTC' }, template(schedule, {}));
  }
  const wantedIds = new Set(wanted.map((schedule) => schedule.id));
  for (const queue of queues.all()) {
    for (const existing of await queue.getJobSchedulers()) {
      const id = existing.key;
      if (!id.includes(INSTALLATION_SEPARATOR) && !wantedIds.has(id)) {
        await queue.removeJobScheduler(id);
        logger.info({ scheduler: id, queue: queue.name }, 'removed a scheduler that manifest.json no longer lists');
      }
    }
  }
  return [...wantedIds];
}

/** Which installation a scheduler's jobs are for: ids only, as every job's data (DESIGN.md §2). */
export interface ScheduledInstallation {
  workspaceId: string;
  installationId: string;
}

/** Creates or updates the installation's schedulers, staggered by its id. Idempotent. */
export async function upsertInstallationSchedulers(
  queues: Queues,
  manifest: Manifest,
  installation: ScheduledInstallation,
): Promise<{ id: string; pattern: string }[]> {
  const created: { id: string; pattern: string }[] = [];
  const { workspaceId, installationId } = installation;
  for (const schedule of manifest.schedules.filter((item) => item.scope === 'installation')) {
    const id = installationSchedulerId(schedule.id, installationId);
    const pattern = staggerPattern(schedule.pattern, installationId);
    await queues
      .get(schedule.queue)
      .upsertJobScheduler(id, { pattern, tz: 'UTC' }, template(schedule, { workspaceId, installationId }));
    created.push({ id, pattern });
  }
  return created;
}

/** Removes every scheduler of an installation (uninstall, or paused for re-authorisation). */
export async function removeInstallationSchedulers(
  queues: Queues,
  manifest: Manifest,
  installationId: string,
): Promise<number> {
  let removed = 0;
  for (const schedule of manifest.schedules.filter((item) => item.scope === 'installation')) {
    if (await queues.get(schedule.queue).removeJobScheduler(installationSchedulerId(schedule.id, installationId)))
      removed++;
  }
  return removed;
}

/** The installation ids that have at least one scheduler in Redis. */
export async function scheduledInstallationIds(queues: Queues): Promise<Set<string>> {
  const ids = new Set<string>();
  for (const queue of queues.all()) {
    for (const scheduler of await queue.getJobSchedulers()) {
      const at = scheduler.key.indexOf(INSTALLATION_SEPARATOR);
      if (at >= 0) ids.add(scheduler.key.slice(at + 1));
    }
  }
  return ids;
}

/**
 * At worker start: every active installation has its schedulers (updated to the manifest's
 * patterns), every other one (needs_reauth, uninstalled) has none, and schedulers of installations
 * that no longer exist are removed.
 */
export async function reconcileInstallationSchedulers(
  queues: Queues,
  manifest: Manifest,
  installations: readonly { workspaceId: string; id: string; status: string }[],
): Promise<{ active: number; removed: number }> {
  const known = new Set(installations.map((installation) => installation.id));
  let active = 0;
  let removed = 0;
  for (const installation of installations) {
    if (installation.status === 'active') {
      await upsertInstallationSchedulers(queues, manifest, {
        workspaceId: installation.workspaceId,
        installationId: installation.id,
      });
      active++;
    } else {
      removed += await removeInstallationSchedulers(queues, manifest, installation.id);
    }
  }
  for (const queue of queues.all()) {
    for (const scheduler of await queue.getJobSchedulers()) {
      const at = scheduler.key.indexOf(INSTALLATION_SEPARATOR);
      if (at >= 0 && !known.has(scheduler.key.slice(at + 1)) && (await queue.removeJobScheduler(scheduler.key)))
        removed++;
    }
  }
  return { active, removed };
}
