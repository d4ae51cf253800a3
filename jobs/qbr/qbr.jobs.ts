import { createHash } from 'node:crypto';
import type { Job } from 'bullmq';
import { parseBrief } from '../../server/core/qbr/brief.ts';
import { buildBrief } from '../../server/core/qbr/build.ts';
import { qbrNeedingBrief } from '../../server/core/qbr/cadence.ts';
import { isoDay, qbrPeriod } from '../../server/core/qbr/period.ts';
import { renderMarkdown } from '../../server/core/qbr/render-markdown.ts';
import { actionFor, CrmError } from '../../server/crm/errors.ts';
import { adapterFor, type Adapters } from '../../server/crm/registry.ts';
import type { Database } from '../../server/platform/db/database.ts';
import type { InstallationRepository } from '../../server/platform/db/installations.ts';
import {
  briefById,
  briefsForDates,
  customerRenewals,
  markNoteAttempt,
  noteAttemptedAt,
  qbrInputs,
  recordNoteError,
  recordNoteWritten,
  saveBriefVersion,
} from '../../server/platform/db/qbr-store.ts';
import type { InstallationKey } from '../../server/platform/db/sync-store.ts';
import type { Logger } from '../../server/platform/logger.ts';
import { delayJob, withCrmRecovery, type CrmWorkDeps, type ReauthOutcome } from '../crm-recovery.ts';
import { enqueueQbrBrief, enqueueQbrNote, type QbrBriefJobData, type QbrNoteJobData, type Queues } from '../queues.ts';
import type { SyncTickData } from '../sync/sync-tick.job.ts';

/**
 * The `qbr` queue: a brief for one account and QBR date (stored as a new version only when its
 * content changed, then its CRM note asked for), the note of one version (written once: an attempt is
 * counted before the call, and an in-doubt one is looked up by its key), and the daily schedule that
 * asks for the brief of every QBR due within the lead time that has none yet.
 */

export interface QbrServices extends CrmWorkDeps {
  db: Database;
  installations: InstallationRepository;
  adapters: Adapters;
  queues: Queues;
  logger: Logger;
  now?: () => number;
}

export type QbrBriefResult =
  { outcome: 'written' | 'unchanged'; briefId: string; version: number } | { outcome: 'skipped'; reason: string };

export async function runQbrBriefJob(services: QbrServices, data: QbrBriefJobData): Promise<QbrBriefResult> {
  const installation = await services.installations.get(data.workspaceId, data.installationId);
  if (!installation || installation.status === 'uninstalled') {
    return { outcome: 'skipped', reason: installation ? 'installation is uninstalled' : 'installation not found' };
  }
  const key: InstallationKey = { workspaceId: data.workspaceId, installationId: data.installationId };
  const at = services.now?.() ?? Date.now();
  const period = qbrPeriod(data.qbrDate, at);
  const inputs = await qbrInputs(services.db, key, data.accountExternalId, period);
  if (!inputs) return { outcome: 'skipped', reason: `account ${data.accountExternalId} is not in this installation` };
  const brief = buildBrief(inputs, at, data.qbrDate);
  const { row, created } = await saveBriefVersion(services.db, key, {
    accountExternalId: data.accountExternalId,
    qbrDate: data.qbrDate,
    period,
    brief,
    trigger: data.trigger,
    requestedBy: data.requestedBy ?? null,
  });
  // The note goes to the CRM once per version; an unchanged brief has its note already.
  if (created && installation.status === 'active') await enqueueQbrNote(services.queues, { ...key, briefId: row.id });
  return { outcome: created ? 'written' : 'unchanged', briefId: row.id, version: row.version };
}

/** The key a version's CRM note carries, so an in-doubt write is found rather than repeated. */
export const noteKeyOf = (briefId: string) =>
  `bw-${createHash('sha256').update(`qbr-note:${briefId}`).digest('hex').slice(0, 24)}`;

export type QbrNoteResult =
  { outcome: 'written' | 'found'; crmNoteId: string } | { outcome: 'skipped'; reason: string } | ReauthOutcome;

export async function runQbrNoteJob(
  services: QbrServices,
  data: QbrNoteJobData,
  job: Pick<Job, 'moveToDelayed'>,
  token: string | undefined,
): Promise<QbrNoteResult> {
  const installation = await services.installations.get(data.workspaceId, data.installationId);
  if (installation?.status !== 'active') {
    return {
      outcome: 'skipped',
      reason: installation ? `installation is ${installation.status}` : 'installation not found',
    };
  }
  const key: InstallationKey = { workspaceId: data.workspaceId, installationId: data.installationId };
  const stored = await briefById(services.db, key, data.briefId);
  if (!stored) return { outcome: 'skipped', reason: 'the brief is gone' };
  if (stored.noteState !== 'pending') return { outcome: 'skipped', reason: `the note is ${stored.noteState}` };
  const brief = parseBrief(stored.brief);
  const adapter = adapterFor(services.adapters, installation.provider);
  const noteKey = noteKeyOf(stored.id);
  const now = () => services.now?.() ?? Date.now();

  return withCrmRecovery(services, installation, { job, token, actor: 'system:qbr-note' }, async (connection) => {
    if (stored.noteAttempts > 0) {
      // An earlier attempt may have written it: wait until the CRM's search can see it, then look.
      const attemptedAt = (await noteAttemptedAt(services.db, key, stored.id))?.getTime() ?? 0;
      const wait = attemptedAt + adapter.activityLookupLagMs - now();
      if (wait > 0) return delayJob(job, token, wait + 1_000);
      const found = await adapter.findNoteByKey(connection, stored.accountExternalId, noteKey);
      if (found) {
        await recordNoteWritten(services.db, key, stored.id, found.id, new Date(now()));
        return { outcome: 'found' as const, crmNoteId: found.id };
      }
    }
    await markNoteAttempt(services.db, key, stored.id, new Date(now()));
    try {
      const note = await adapter.createNote(connection, stored.accountExternalId, {
        key: noteKey,
        title: `QBR brief, version ${stored.version}: ${brief.account.name ?? stored.accountExternalId}, QBR ${stored.qbrDate}`,
        body: renderMarkdown(brief),
      });
      await recordNoteWritten(services.db, key, stored.id, note.id, new Date(now()));
      return { outcome: 'written' as const, crmNoteId: note.id };
    } catch (error) {
      // The CRM refused the note itself (the account is gone, the text invalid): kept, not retried.
      if (error instanceof CrmError && actionFor(error) === 'fail') {
        await recordNoteError(services.db, key, stored.id, `${error.code}: ${error.message}`, true);
      }
      throw error;
    }
  });
}

/** The daily tick of an installation: asks for the brief of each QBR due within the lead time that has none. */
export async function runQbrDaily(services: QbrServices, data: SyncTickData): Promise<{ requested: number }> {
  const key: InstallationKey = { workspaceId: data.workspaceId, installationId: data.installationId };
  const today = isoDay(services.now?.() ?? Date.now());
  const due = (await customerRenewals(services.db, key)).flatMap((account) => {
    const qbrDate = qbrNeedingBrief(account.renewalDate, today);
    return qbrDate === null ? [] : [{ accountExternalId: account.accountExternalId, qbrDate }];
  });
  const existing = await briefsForDates(services.db, key, [...new Set(due.map((entry) => entry.qbrDate))]);
  let requested = 0;
  for (const entry of due) {
    if (existing.has(`${entry.accountExternalId}|${entry.qbrDate}`)) continue;
    await enqueueQbrBrief(services.queues, { ...key, ...entry, trigger: 'schedule' });
    requested += 1;
  }
  return { requested };
}
