import type { SyncCursor } from '../cursor.ts';
import { compareKeys } from '../cursor.ts';
import { CrmError } from '../errors.ts';
import type { CrmConnection, CrmRecord, Page } from '../types.ts';
import { readAssociations } from './associations.ts';
import { ASSOCIATED, lastModifiedProperty, propertiesFor, type HubspotObject } from './objects.ts';
import { listPageSchema, modifiedAtOf, searchPageSchema, toCrmRecord, type HubspotObjectAnswer } from './records.ts';
import { CallMeter, hubspotRequest, parseAnswer } from './transport.ts';

/** HubSpot's page limits: list 100, search 200; a search query never reaches past 10,000 results. */
export const LIST_PAGE_MAX = 100;
export const SEARCH_PAGE_MAX = 200;
export const SEARCH_RESULT_CAP = 10_000;

export interface SyncOptions {
  now: () => number;
  /** How far behind now a window ends, so writes not yet in the search index wait for the next window. */
  indexLagMs: number;
  extraProperties: Partial<Record<HubspotObject, readonly string[]>>;
  /** The search cap to plan for; HubSpot's is 10,000 (lowered only to test the restarts cheaply). */
  searchCap: number;
}

/**
 * Where a search window is in its paging, kept in the cursor's `after`: an offset in the window's
 * time-ordered query, or (prefix "eq:") an offset in the query that pages one instant by id, used
 * when more records share that instant than one query can return; and (suffix "~N") the result
 * total the previous page saw, to notice results that left the window while it was paged.
 */
interface SearchPosition {
  sameInstant: boolean;
  offset: number;
  total?: number;
}

function readPosition(after: string | undefined): SearchPosition {
  if (after === undefined) return { sameInstant: false, offset: 0 };
  const match = /^(eq:)?(\d+)(?:~(\d+))?$/.exec(after);
  if (!match) throw new CrmError('INVALID_CURSOR', `HubSpot cursor has an unknown paging token "${after}"`);
  const position: SearchPosition = { sameInstant: match[1] !== undefined, offset: Number(match[2]) };
  if (match[3] !== undefined) position.total = Number(match[3]);
  return position;
}

function writePosition(position: SearchPosition): string {
  const total = position.total === undefined ? '' : `~${position.total}`;
  return `${position.sameInstant ? 'eq:' : ''}${position.offset}${total}`;
}

/**
 * Backfill: the list endpoint in id order (no 10,000 cap), 100 a page, associations included.
 * The cursor keeps the sync's start in `modifiedAt`; when the list ends the next cursor is the
 * incremental one from that start, so changes made while the backfill ran are read again. Restarting
 * from any cursor repeats exactly the page that cursor names.
 */
export async function backfillPage(
  conn: CrmConnection,
  object: HubspotObject,
  cursor: SyncCursor | null,
  pageSize: number,
  options: SyncOptions,
): Promise<Page> {
  const meter = new CallMeter();
  const startedAt = cursor?.modifiedAt ?? Math.max(0, options.now() - options.indexLagMs);
  const qs: Record<string, string> = {
    limit: String(Math.min(Math.max(pageSize, 1), LIST_PAGE_MAX)),
    properties: propertiesFor(object, options.extraProperties[object]).join(','),
    archived: 'false',
  };
  const associations = ASSOCIATED[object];
  if (associations.length > 0) qs.associations = associations.join(',');
  if (cursor?.after !== undefined) qs.after = cursor.after;
  const answer = await hubspotRequest(conn, meter, {
    method: 'GET',
    path: `/crm/v3/objects/${object}`,
    qs,
    what: `list ${object}`,
  });
  const page = parseAnswer(listPageSchema, answer.body, `list ${object}`);
  const records = page.results.map((result) => toCrmRecord(object, result));
  const after = page.paging?.next?.after;
  const next: SyncCursor =
    after === undefined
      ? { v: 1, phase: 'incremental', modifiedAt: startedAt, id: '' }
      : { v: 1, phase: 'backfill', modifiedAt: startedAt, id: '', after };
  return { records, next, calls: meter.calls };
}

function searchBody(
  object: HubspotObject,
  cursor: SyncCursor,
  until: number,
  position: SearchPosition,
  limit: number,
  properties: string[],
) {
  const modified = lastModifiedProperty(object);
  if (position.sameInstant) {
    return {
      filterGroups: [
        {
          filters: [
            { propertyName: modified, operator: 'EQ', value: String(cursor.modifiedAt) },
            ...(cursor.id === '' ? [] : [{ propertyName: 'hs_object_id', operator: 'GT', value: cursor.id }]),
          ],
        },
      ],
      sorts: [{ propertyName: 'hs_object_id', direction: 'ASCENDING' }],
      properties,
      limit,
      after: String(position.offset),
    };
  }
  return {
    filterGroups: [
      {
        filters: [
          { propertyName: modified, operator: 'GTE', value: String(cursor.modifiedAt) },
          { propertyName: modified, operator: 'LTE', value: String(until) },
        ],
      },
    ],
    sorts: [{ propertyName: modified, direction: 'ASCENDING' }],
    properties,
    limit,
    after: String(position.offset),
  };
}

interface Keyed {
  answer: HubspotObjectAnswer;
  key: { modifiedAt: number; id: string };
}

/**
 * Incremental: a search on the last-modified property in the closed window [cursor, until], `until`
 * fixed when the window opens. Pages follow `paging.next`; before the next page would pass the
 * search cap the query restarts from the last key seen: that instant is paged by id on its own
 * (more records may share it than one query returns) and the window then goes on from the next
 * millisecond. The cursor's key is where the current query starts, so a restart from any returned
 * cursor repeats the same query and offset.
 */
export async function incrementalPage(
  conn: CrmConnection,
  object: HubspotObject,
  cursor: SyncCursor,
  pageSize: number,
  options: SyncOptions,
): Promise<Page> {
  const meter = new CallMeter();
  const until = cursor.until ?? Math.max(0, options.now() - options.indexLagMs);
  if (until < cursor.modifiedAt) {
    // Nothing can have changed in an empty window; the next run opens a new one from here.
    return { records: [], next: null, resumeFrom: withoutWindow(cursor), calls: 0 };
  }
  const position = readPosition(cursor.after);
  const limit = Math.min(Math.max(pageSize, 1), SEARCH_PAGE_MAX);
  const properties = propertiesFor(object, options.extraProperties[object]);
  const search = async (offset: number) => {
    const answer = await hubspotRequest(conn, meter, {
      method: 'POST',
      path: `/crm/v3/objects/${object}/search`,
      body: searchBody(object, cursor, until, { ...position, offset }, limit, properties),
      what: `search ${object}`,
    });
    return parseAnswer(searchPageSchema, answer.body, `search ${object}`);
  };
  let page = await search(position.offset);
  // Records read earlier that changed again have left the closed window, and every later result
  // moved up by as many places: step back by the shrink so none is skipped (a few may repeat).
  const shrink = position.total !== undefined && page.total !== undefined ? position.total - page.total : 0;
  if (shrink > 0 && position.offset > 0) {
    position.offset = Math.max(0, position.offset - shrink);
    page = await search(position.offset);
  }

  const kept: Keyed[] = [];
  let lastSeen: { modifiedAt: number; id: string } | undefined;
  for (const result of page.results) {
    const modifiedAt = modifiedAtOf(object, result);
    if (modifiedAt === null) {
      throw new CrmError('UNKNOWN', `search ${object}: record ${result.id} has no modification time`);
    }
    const key = { modifiedAt, id: result.id };
    if (lastSeen !== undefined && compareKeys(key, lastSeen) < 0) {
      throw new CrmError(
        'UNKNOWN',
        `search ${object} returned records out of order (${result.id} after ${lastSeen.id}); not trusting this page`,
      );
    }
    lastSeen = key;
    // Already delivered by an earlier query of this window, or changed again after the window closed.
    if (compareKeys(key, cursor) <= 0 || modifiedAt > until) continue;
    if (position.sameInstant && modifiedAt !== cursor.modifiedAt) continue;
    kept.push({ answer: result, key });
  }

  // No association types or no ids: it returns at once without a call.
  const linked = await readAssociations(
    conn,
    meter,
    object,
    kept.map((item) => item.answer.id),
  );
  const records: CrmRecord[] = kept.map((item) => toCrmRecord(object, item.answer, linked.get(item.answer.id)));

  const window = { v: 1 as const, phase: 'incremental' as const, until };
  const nextAfter = page.paging?.next?.after;
  if (nextAfter !== undefined) {
    const nextOffset = Number(nextAfter);
    if (Number.isFinite(nextOffset) && nextOffset + limit <= options.searchCap) {
      const next = { ...window, modifiedAt: cursor.modifiedAt, id: cursor.id };
      const total = page.total === undefined ? {} : { total: page.total };
      return {
        records,
        next: { ...next, after: writePosition({ sameInstant: position.sameInstant, offset: nextOffset, ...total }) },
        calls: meter.calls,
      };
    }
    // The next page would pass the search cap: restart from the last key seen. Its instant is
    // finished first, by id (the rest of it may be more than one query returns), so the restarted
    // window never re-reads what this query delivered.
    const last = lastSeen !== undefined && compareKeys(lastSeen, cursor) > 0 ? lastSeen : cursor;
    const next: SyncCursor = {
      ...window,
      modifiedAt: last.modifiedAt,
      id: last.id,
      after: writePosition({ sameInstant: true, offset: 0 }),
    };
    return { records, next, calls: meter.calls };
  }
  if (position.sameInstant) {
    // The crowded instant is read to its end; the window goes on from the next millisecond.
    return { records, next: { ...window, modifiedAt: cursor.modifiedAt + 1, id: '' }, calls: meter.calls };
  }
  // The window is read to its end: the next run starts just after it.
  return {
    records,
    next: null,
    resumeFrom: { v: 1, phase: 'incremental', modifiedAt: until + 1, id: '' },
    calls: meter.calls,
  };
}

function withoutWindow(cursor: SyncCursor): SyncCursor {
  return { v: 1, phase: 'incremental', modifiedAt: cursor.modifiedAt, id: cursor.id };
}
