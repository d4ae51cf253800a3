import { z } from 'zod';
import type { AppObject } from '../../platform/manifest.ts';
import { CrmError } from '../errors.ts';
import type { SalesforceSession } from './client.ts';
import { SALESFORCE_OBJECTS } from './objects.ts';
import { queryEveryRow } from './query-all.ts';
import { parseInstant } from './records.ts';
import { soql, soqlDateTime, soqlName } from './soql.ts';

/**
 * Deleted and merged-away ids since an instant. getDeleted is cheap but keeps a short log (reference
 * §1.3: about 15 days, purged); older starts, or a log purged past `since`, fall back to queryAll on
 * IsDeleted = true, which reads the recycle bin instead.
 */

export const DELETED_LOG_MS = 15 * 86_400_000;

const deletedAnswerSchema = z.object({
  deletedRecords: z.array(z.object({ id: z.string(), deletedDate: z.string().optional() })),
  earliestDateAvailable: z.string(),
  latestDateCovered: z.string(),
});

export async function listDeleted(
  session: SalesforceSession,
  objectType: AppObject,
  since: number,
  now: number,
): Promise<string[]> {
  const { sobject } = SALESFORCE_OBJECTS[objectType];
  // Users are deactivated, never deleted; Salesforce keeps no delete log for them.
  if (sobject === 'User') return [];
  if (!Number.isFinite(since) || since < 0) throw new CrmError('VALIDATION', `not an instant: ${since}`);
  if (since >= now - DELETED_LOG_MS) {
    const window = `start=${encodeURIComponent(new Date(since).toISOString())}&end=${encodeURIComponent(new Date(now).toISOString())}`;
    try {
      const answer = await session.send(deletedAnswerSchema, 'GET', `/sobjects/${sobject}/deleted/?${window}`);
      if (parseInstant(answer.earliestDateAvailable) <= since) {
        return answer.deletedRecords.map((record) => record.id);
      }
    } catch (error) {
      if (!(error instanceof CrmError && error.message.startsWith('INVALID_REPLICATION_DATE'))) throw error;
    }
  }
  const rows = await queryEveryRow(
    session,
    soql`SELECT Id FROM ${soqlName(sobject)} WHERE IsDeleted = true AND SystemModstamp >= ${soqlDateTime(since)}`,
    z.object({ Id: z.string() }),
    { includeDeleted: true },
  );
  return rows.map((row) => row.Id);
}
