import type { AppObject } from '../../platform/manifest.ts';
import type { SyncCursor } from '../cursor.ts';
import { CrmError } from '../errors.ts';
import type { CrmConnection, ListOptions, Page } from '../types.ts';
import type { SalesforceSession } from './client.ts';
import type { DescribeCache } from './describe.ts';
import { SALESFORCE_OBJECTS } from './objects.ts';
import { queryAnswerSchema, selectableFields, toCrmRecord } from './records.ts';
import { SoqlFragment, soql, soqlDateTime, soqlName, soqlNames } from './soql.ts';

/**
 * Keyset paging on (SystemModstamp, Id) inside a window closed when it opens (`until`), so a page is
 * one query and a restart from any returned cursor neither loses nor repeats a record. Asking for one
 * row more than the page tells whether the window holds more, so the last page costs no extra call.
 */

export const MAX_PAGE_SIZE = 2000;
const ID = /^[a-zA-Z0-9]{15}([a-zA-Z0-9]{3})?$/;

/** The window and position a call reads from; a cursor without `until` opens a new window at `now`. */
export function windowFrom(cursor: SyncCursor | null, now: number): SyncCursor {
  if (!cursor) return { v: 1, modifiedAt: 0, id: '', until: now, phase: 'backfill' };
  if (cursor.id !== '' && !ID.test(cursor.id)) throw new CrmError('INVALID_CURSOR', 'cursor id is not a Salesforce id');
  if (cursor.until !== undefined && cursor.modifiedAt > cursor.until) {
    throw new CrmError('INVALID_CURSOR', 'cursor position lies past its window');
  }
  if (cursor.until !== undefined) return cursor;
  return { ...cursor, until: Math.max(now, cursor.modifiedAt), phase: 'incremental' };
}

export function keysetQuery(sobject: string, fields: readonly string[], at: SyncCursor, limit: number): string {
  const until = soqlDateTime(at.until ?? at.modifiedAt);
  const from = soqlDateTime(at.modifiedAt);
  const after =
    at.id === ''
      ? soql`SystemModstamp >= ${from}`
      : soql`(SystemModstamp > ${from} OR (SystemModstamp = ${from} AND Id > ${at.id}))`;
  return soql`SELECT ${soqlNames(fields)} FROM ${soqlName(sobject)}
    WHERE ${new SoqlFragment(after)} AND SystemModstamp <= ${until}
    ORDER BY SystemModstamp ASC, Id ASC LIMIT ${limit}`;
}

export interface ListChangedDeps {
  session: SalesforceSession;
  describes: DescribeCache;
  /** Where a window opened by this call ends. */
  now: number;
}

export async function listChanged(
  deps: ListChangedDeps,
  conn: CrmConnection,
  objectType: AppObject,
  cursor: SyncCursor | null,
  pageSize: number,
  options: ListOptions = {},
): Promise<Page> {
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > MAX_PAGE_SIZE) {
    throw new CrmError('VALIDATION', `page size must be 1–${MAX_PAGE_SIZE}, got ${pageSize}`);
  }
  const spec = SALESFORCE_OBJECTS[objectType];
  const at = windowFrom(cursor, deps.now);
  const describe = await deps.describes.get(deps.session, conn.installationId, spec.sobject);
  const fields = selectableFields(spec, describe, options.extraProperties);
  const query = keysetQuery(spec.sobject, fields, at, pageSize + 1);
  const answer = await deps.session.send(queryAnswerSchema, 'GET', `/query?q=${encodeURIComponent(query)}`);
  const rows = answer.records.slice(0, pageSize);
  const records = rows.map((row) => toCrmRecord(objectType, spec, fields, row));
  const last = records.at(-1);
  const position: SyncCursor = last ? { ...at, modifiedAt: last.modifiedAt, id: last.id } : at;
  const more = answer.totalSize > rows.length;
  const page: Page = { records, next: null, calls: deps.session.calls };
  if (more) page.next = position;
  else {
    const { until: _closed, ...rest } = position;
    page.resumeFrom = { ...rest, phase: 'incremental' };
  }
  if (deps.session.apiUsage) page.apiUsage = deps.session.apiUsage;
  return page;
}
