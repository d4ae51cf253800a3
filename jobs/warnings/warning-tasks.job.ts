import type { Job } from 'bullmq';
import type { CrmError } from '../../server/crm/errors.ts';
import { actionFor } from '../../server/crm/errors.ts';
import type { InstallationConnection } from '../../server/crm/connections.ts';
import { adapterFor, type Adapters } from '../../server/crm/registry.ts';
import type { CrmAdapter, CrmTask, RowOutcome } from '../../server/crm/types.ts';
import type { Installation } from '../../server/platform/db/installations.ts';
import type { InstallationKey } from '../../server/platform/db/sync-store.ts';
import type { WarningStore } from '../../server/platform/db/warning-store.ts';
import { withCrmRecovery, type CrmWorkDeps, type ReauthOutcome } from '../crm-recovery.ts';
import { runLeased, type LeasedRunDeps } from '../leased-run.ts';
import { enqueueWarningTasks, takeWarningTasksAgainRequest, type Queues, type WarningTasksJobData } from '../queues.ts';

/**
 * The `tasks` job of the `warnings` queue: puts the playbooks' tasks in the CRM exactly once and
 * closes them when their warning resolves. Each ledger row counts its attempt before the CRM call; a
 * row with an attempt and no CRM id is in doubt (the answer may have been lost) and is looked up by
 * its key before it is created again, once the CRM's search can see it. Closing appends why.
 */

export interface WarningTasksServices extends CrmWorkDeps, Omit<LeasedRunDeps, 'installations'> {
  store: WarningStore;
  adapters: Adapters;
  queues: Queues;
  now?: () => number;
}

export interface WarningTasksSummary {
  created: number;
  /** In-doubt rows found already in the CRM (not created twice). */
  found: number;
  closed: number;
  /** Rows of resolved warnings that never reached the CRM, closed without a call. */
  closedUnsent: number;
  failed: number;
  /** In-doubt rows left for a later run, until the CRM's search can see them. */
  waiting: number;
}

export type WarningTasksResult =
  { outcome: 'done'; summary: WarningTasksSummary } | { outcome: 'skipped'; reason: string } | ReauthOutcome;

const BATCH = 100;
/** Row errors after which the rest of the run would fail the same way. */
const STOPS: readonly CrmError['code'][] = ['RATE_LIMITED', 'QUOTA_EXHAUSTED', 'UNAUTHORIZED', 'MISSING_SCOPE'];

type JobLike = Pick<Job, 'updateProgress' | 'moveToDelayed'>;

export async function runWarningTasksJob(
  services: WarningTasksServices,
  data: WarningTasksJobData,
  job: JobLike,
  token: string | undefined,
): Promise<WarningTasksResult> {
  const result = await runLeased(
    services,
    data,
    { kind: 'warning-tasks', activeOnly: true, job, token },
    async (installation): Promise<WarningTasksResult> => {
      const work = await withCrmRecovery(
        services,
        installation,
        { job, token, actor: 'system:warning-tasks' },
        (conn) => syncTasks(services, installation, conn, job),
      );
      if (!('summary' in work)) return work;
      if (work.retryInMs !== null) await enqueueWarningTasks(services.queues, data, { delayMs: work.retryInMs });
      return { outcome: 'done', summary: work.summary };
    },
  );
  if (await takeWarningTasksAgainRequest(services.queues, data.installationId)) {
    await enqueueWarningTasks(services.queues, data);
  }
  return result;
}

function throwIfStop(outcomes: readonly RowOutcome[]): void {
  for (const outcome of outcomes) if (!outcome.ok && STOPS.includes(outcome.error.code)) throw outcome.error;
}

async function syncTasks(
  services: WarningTasksServices,
  installation: Installation,
  connection: InstallationConnection,
  job: JobLike,
): Promise<{ summary: WarningTasksSummary; retryInMs: number | null }> {
  const key: InstallationKey = { workspaceId: installation.workspaceId, installationId: installation.id };
  const adapter = adapterFor(services.adapters, installation.provider);
  const now = () => services.now?.() ?? Date.now();
  const summary: WarningTasksSummary = { created: 0, found: 0, closed: 0, closedUnsent: 0, failed: 0, waiting: 0 };
  const lag = adapter.activityLookupLagMs;
  let retryInMs: number | null = null;
  const waitFor = (attemptedAt: Date | null) => {
    const ms = (attemptedAt?.getTime() ?? 0) + lag - now();
    if (ms <= 0) return false;
    summary.waiting++;
    retryInMs = Math.max(retryInMs ?? 0, ms + 1_000);
    return true;
  };
  const recordErrors = async (keys: readonly string[], outcomes: readonly RowOutcome[]) => {
    for (const [index, outcome] of outcomes.entries()) {
      if (outcome.ok) continue;
      const final = actionFor(outcome.error) !== 'retry';
      if (final) summary.failed++;
      await services.store.recordError(key, keys[index]!, `${outcome.error.code}: ${outcome.error.message}`, final);
    }
  };

  // Close first: a resolved warning's open task is the more misleading row.
  for (let skip = new Set<string>(); ;) {
    const rows = (await services.store.tasksToClose(key, BATCH + skip.size)).filter((row) => !skip.has(row.taskKey));
    if (rows.length === 0) break;
    const inDoubt = rows.filter((row) => row.state === 'pending' && row.attempts > 0);
    const found = await findByKey(
      adapter,
      connection,
      inDoubt.map((row) => row.taskKey),
    );
    const unsent: string[] = [];
    const toClose: { taskKey: string; id: string; comment: string }[] = [];
    for (const row of rows) {
      const crmId = row.crmTaskId ?? found.get(row.taskKey)?.id;
      if (crmId !== undefined) {
        toClose.push({ taskKey: row.taskKey, id: crmId, comment: closingComment(row.title, row.resolution) });
      } else if (row.attempts === 0 || !waitFor(row.attemptedAt)) unsent.push(row.taskKey);
      else skip.add(row.taskKey);
    }
    await services.store.recordClosed(key, unsent, new Date(now()));
    summary.closedUnsent += unsent.length;
    if (toClose.length > 0) {
      const outcomes = await adapter.closeTasks(
        connection,
        toClose.map(({ id, comment }) => ({ id, comment })),
      );
      const done = toClose.filter((_, index) => {
        const outcome = outcomes[index];
        // Deleted in the CRM by someone: nothing left to close.
        return outcome?.ok === true || outcome?.error.code === 'NOT_FOUND';
      });
      await services.store.recordClosed(
        key,
        done.map((row) => row.taskKey),
        new Date(now()),
      );
      summary.closed += done.length;
      throwIfStop(outcomes);
      const failedKeys = toClose.filter((row) => !done.includes(row)).map((row) => row.taskKey);
      for (const taskKey of failedKeys) skip.add(taskKey);
      await recordErrors(
        failedKeys,
        outcomes.filter((outcome, index) => !done.includes(toClose[index]!) && !outcome.ok),
      );
    }
    await job.updateProgress({ ...summary });
    if (rows.length < BATCH) break;
  }

  for (let skip = new Set<string>(); ;) {
    const rows = (await services.store.tasksToCreate(key, BATCH + skip.size)).filter((row) => !skip.has(row.taskKey));
    if (rows.length === 0) break;
    const inDoubt = rows.filter((row) => row.attempts > 0 && !waitFor(row.attemptedAt));
    const waiting = rows.filter((row) => row.attempts > 0 && !inDoubt.includes(row));
    for (const row of waiting) skip.add(row.taskKey);
    const found = await findByKey(
      adapter,
      connection,
      inDoubt.map((row) => row.taskKey),
    );
    const already = [...found].map(([taskKey, task]) => ({ taskKey, crmTaskId: task.id }));
    await services.store.recordCreated(key, already, new Date(now()));
    summary.found += already.length;
    const toCreate = rows.filter((row) => !waiting.includes(row) && !found.has(row.taskKey));
    if (toCreate.length > 0) {
      const keys = toCreate.map((row) => row.taskKey);
      await services.store.markAttempt(key, keys, new Date(now()));
      const tasks: CrmTask[] = toCreate.map((row) => ({
        key: row.taskKey,
        accountId: row.accountExternalId,
        ownerId: row.assigneeExternalId,
        subject: row.subject,
        body: row.body,
        dueAt: row.dueAt.getTime(),
        priority: row.severity,
      }));
      const outcomes = await adapter.createTasks(connection, tasks);
      const created = toCreate.flatMap((row, index) => {
        const outcome = outcomes[index];
        return outcome?.ok ? [{ taskKey: row.taskKey, crmTaskId: outcome.id }] : [];
      });
      await services.store.recordCreated(key, created, new Date(now()));
      summary.created += created.length;
      throwIfStop(outcomes);
      const failed = toCreate.filter((_, index) => outcomes[index]?.ok !== true);
      for (const row of failed) skip.add(row.taskKey);
      await recordErrors(
        failed.map((row) => row.taskKey),
        outcomes.filter((outcome) => !outcome.ok),
      );
    }
    await job.updateProgress({ ...summary });
    if (rows.length < BATCH) break;
  }
  return { summary, retryInMs };
}

async function findByKey(adapter: CrmAdapter, connection: InstallationConnection, keys: readonly string[]) {
  return keys.length === 0
    ? new Map<string, { id: string; completed: boolean }>()
    : adapter.findTasksByKey(connection, keys);
}

/** What the closed task says about why: the warning resolved, and how. */
export function closingComment(title: string, resolution: string | null): string {
  return `Bellwether: the warning "${title}" resolved${resolution ? ` (${resolution})` : ''}; this task is no longer needed.`;
}
