import { createHash } from 'node:crypto';
import type { Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { ConnectionFactory, InstallationConnection } from '../../server/crm/connections.ts';
import type { CrmError } from '../../server/crm/errors.ts';
import { actionFor } from '../../server/crm/errors.ts';
import { adapterFor, type Adapters } from '../../server/crm/registry.ts';
import type { TokenService } from '../../server/crm/token-service.ts';
import type { CrmAdapter, Provider, RowOutcome, SchemaReport } from '../../server/crm/types.ts';
import type { Installation, InstallationRepository } from '../../server/platform/db/installations.ts';
import type { InstallationKey } from '../../server/platform/db/sync-store.ts';
import type { PendingWrite, WriteBackStore, WriteOutcome } from '../../server/platform/db/write-back-store.ts';
import type { Logger } from '../../server/platform/logger.ts';
import type { ManifestField } from '../../server/platform/manifest.ts';
import { enqueueWriteBack, takeWriteBackAgainRequest, type Queues, type WriteBackJobData } from '../queues.ts';
import { withCrmRecovery, type ReauthDeps } from '../crm-recovery.ts';
import { runLeased } from '../leased-run.ts';

/**
 * The `run` job of the `write-back` queue: puts an installation's computed values on its CRM
 * records, changing only what differs from the write-back ledger. The CRM schema is checked once
 * per version of the manifest's fields (and on every run while fields are missing or blocked, so
 * an admin's fix is noticed); only fields the CRM can take are written. Rows go out in the CRM's
 * batch size; rows that fail with a transient error get one more pass, the rest keep their error
 * in the ledger for the next run. Values the CRM refused (invalid, or the record is gone) are not
 * sent again while they stay the same, under the same manifest fields, for a day. A rate limit
 * delays the job without spending an attempt, after the rows already written are recorded.
 */

export interface WriteBackServices extends ReauthDeps {
  installations: InstallationRepository;
  store: WriteBackStore;
  adapters: Adapters;
  connections: ConnectionFactory;
  tokens: TokenService;
  queues: Queues;
  redis: Redis;
  fields: readonly ManifestField[];
  logger: Logger;
  leaseMs?: number;
  busyDelayMs?: number;
  /** Batches read from the store per pass (default 10). */
  batchesPerPage?: number;
  /** The clock refusals are dated and held by (epoch ms; default Date.now). */
  now?: () => number;
}

export interface WriteBackSummary {
  /** Accounts with at least one changed value. */
  rows: number;
  written: number;
  /** Rows still failed after the second pass (their ledger rows carry the error). */
  failed: number;
  /** Of the failed rows, those the CRM refused for good (held back until their values change). */
  refused: number;
  /** Accounts not sent because their only changes are values the CRM refused before. */
  held: number;
  /** Rows sent again in the second pass. */
  retried: number;
  /** adapter.writeBack calls (each one CRM batch). */
  batches: number;
  /** Whether ensureSchema ran in this job. */
  schemaChecked: boolean;
  /** Fields written; the others are missing or blocked in the CRM. */
  fields: string[];
}

export type WriteBackResult =
  | { outcome: 'written'; summary: WriteBackSummary }
  | { outcome: 'skipped'; reason: string }
  | { outcome: 'needs_reauth'; reason: string };

/** Rows per CRM call (DESIGN.md §4: HubSpot batch update 100, Salesforce sObject collections 200). */
export const WRITE_BATCH_SIZE: Record<Provider, number> = { hubspot: 100, salesforce: 200 };

/** Row errors after which the rest of the run would fail the same way. */
const STOPS: readonly CrmError['code'][] = ['RATE_LIMITED', 'QUOTA_EXHAUSTED', 'UNAUTHORIZED', 'MISSING_SCOPE'];
/** Row errors about the values or the record themselves: sending the same values again fails the same way. */
const REFUSALS: readonly CrmError['code'][] = ['VALIDATION', 'NOT_FOUND'];

/** Identifies one version of the manifest's fields: a change means the schema is checked again. */
export function fieldsHash(fields: readonly ManifestField[]): string {
  return createHash('sha256').update(JSON.stringify(fields)).digest('hex');
}

type JobLike = Pick<Job, 'updateProgress' | 'moveToDelayed'>;

export async function runWriteBackJob(
  services: WriteBackServices,
  data: WriteBackJobData,
  job: JobLike,
  token: string | undefined,
): Promise<WriteBackResult> {
  // Never write for an installation that needs re-authorisation or is gone.
  const result = await runLeased(services, data, { kind: 'write-back', activeOnly: true, job, token }, (installation) =>
    withCrmRecovery(services, installation, { job, token, actor: 'system:write-back' }, (connection) =>
      writeChanged(services, installation, connection, job),
    ),
  );
  await goAgainIfAsked(services, data);
  return result;
}

async function currentSchema(
  services: WriteBackServices,
  key: InstallationKey,
  adapter: CrmAdapter,
  connection: InstallationConnection,
): Promise<{ report: SchemaReport; checked: boolean }> {
  const hash = fieldsHash(services.fields);
  const saved = await services.store.getSchemaReport(key);
  // Only the written fields count: the Task key field of warnings is the warning tasks' own concern.
  const written = new Set(services.fields.map((field) => field.key));
  const complete =
    saved &&
    saved.report.blocked.every((entry) => !written.has(entry.key)) &&
    (saved.report.missing ?? []).every((fieldKey) => !written.has(fieldKey));
  if (saved && saved.fieldsHash === hash && complete) return { report: saved.report, checked: false };
  const report = await adapter.ensureSchema(connection, services.fields);
  await services.store.saveSchemaReport(key, hash, report);
  return { report, checked: true };
}

async function writeChanged(
  services: WriteBackServices,
  installation: Installation,
  connection: InstallationConnection,
  job: JobLike,
): Promise<WriteBackResult> {
  const key: InstallationKey = { workspaceId: installation.workspaceId, installationId: installation.id };
  const adapter = adapterFor(services.adapters, installation.provider);
  const { report, checked } = await currentSchema(services, key, adapter, connection);
  const blocked = new Set(report.blocked.map((entry) => entry.key));
  const ready = new Set([...report.present, ...report.created].filter((fieldKey) => !blocked.has(fieldKey)));
  const fields = services.fields.filter((field) => ready.has(field.key));
  if (fields.length === 0) {
    const missing = report.missing ?? [];
    return {
      outcome: 'skipped',
      reason: `no write-back field can be written (missing: ${missing.join(', ') || 'none'}; blocked: ${[...blocked].join(', ') || 'none'})`,
    };
  }

  const batchSize = WRITE_BATCH_SIZE[installation.provider];
  const hash = fieldsHash(services.fields);
  const summary: WriteBackSummary = {
    rows: 0,
    written: 0,
    failed: 0,
    refused: 0,
    held: 0,
    retried: 0,
    batches: 0,
    schemaChecked: checked,
    fields: fields.map((field) => field.key),
  };

  // One batch out, its outcomes recorded at once: a job stopped later resumes with only what is left.
  const send = async (rows: readonly PendingWrite[]): Promise<{ retry: PendingWrite[]; stop?: CrmError }> => {
    const outcomes = await adapter.writeBack(
      connection,
      'accounts',
      rows.map((row) => ({ id: row.accountExternalId, values: row.values })),
    );
    summary.batches++;
    await services.store.recordOutcomes(key, rows, outcomes.map(toWriteOutcome), {
      fieldsHash: hash,
      at: new Date(services.now?.() ?? Date.now()),
    });
    const byId = new Map(outcomes.map((outcome) => [outcome.id, outcome]));
    const retry: PendingWrite[] = [];
    let stop: CrmError | undefined;
    for (const row of rows) {
      const outcome = byId.get(row.accountExternalId);
      if (outcome?.ok) {
        summary.written++;
        continue;
      }
      const error = outcome?.error;
      if (error && STOPS.includes(error.code)) stop ??= error;
      else if (!error || actionFor(error) === 'retry') retry.push(row);
      else {
        summary.failed++;
        if (REFUSALS.includes(error.code)) summary.refused++;
      }
    }
    return stop ? { retry, stop } : { retry };
  };

  let after: string | null = null;
  do {
    const page = await services.store.pending(key, {
      fields,
      limit: batchSize * (services.batchesPerPage ?? 10),
      after,
      fieldsHash: hash,
      now: new Date(services.now?.() ?? Date.now()),
    });
    after = page.next;
    summary.rows += page.rows.length;
    summary.held += page.held;
    const again: PendingWrite[] = [];
    for (let start = 0; start < page.rows.length; start += batchSize) {
      const { retry, stop } = await send(page.rows.slice(start, start + batchSize));
      if (stop) throw stop;
      again.push(...retry);
      await job.updateProgress({ ...summary, pendingRetries: again.length });
    }
    // The second pass: only the rows that failed with a transient error.
    summary.retried += again.length;
    for (let start = 0; start < again.length; start += batchSize) {
      const { retry, stop } = await send(again.slice(start, start + batchSize));
      if (stop) throw stop;
      summary.failed += retry.length;
      await job.updateProgress({ ...summary });
    }
  } while (after !== null);

  if (summary.failed > 0) {
    services.logger.warn(
      { installationId: installation.id, failed: summary.failed, refused: summary.refused },
      'write-back rows left with an error (refused values wait until they change or for a day)',
    );
  }
  return { outcome: 'written', summary };
}

function toWriteOutcome(outcome: RowOutcome): WriteOutcome {
  if (outcome.ok) return { id: outcome.id, ok: true };
  const { code, message } = outcome.error;
  return { id: outcome.id, ok: false, error: { code, message, refused: REFUSALS.includes(code) } };
}

/** A write-back asked for while this one ran: run once more now that this one is done. */
async function goAgainIfAsked(services: WriteBackServices, data: WriteBackJobData): Promise<void> {
  if (await takeWriteBackAgainRequest(services.queues, data.installationId))
    await enqueueWriteBack(services.queues, data);
}
