import { z } from 'zod';
import type { CrmConnection, CrmRecord } from '../types.ts';
import { readAssociations } from './associations.ts';
import { propertiesFor, type HubspotObject } from './objects.ts';
import { hubspotObjectSchema, listPageSchema, parseInstant, toCrmRecord } from './records.ts';
import type { CallMeter } from './transport.ts';
import { hubspotRequest, parseAnswer } from './transport.ts';

export const BATCH_MAX = 100;

const batchReadSchema = z.object({ results: z.array(hubspotObjectSchema) });

/**
 * Records by id through batch read (100 a call; ids HubSpot cannot find are left out, answered
 * inside a 207), with their associations. Returns the records and the calls spent.
 */
export async function fetchRecords(
  conn: CrmConnection,
  object: HubspotObject,
  ids: readonly string[],
  extraProperties: readonly string[],
  meter: CallMeter,
): Promise<CrmRecord[]> {
  const unique = [...new Set(ids)];
  const answers = [];
  for (let start = 0; start < unique.length; start += BATCH_MAX) {
    const chunk = unique.slice(start, start + BATCH_MAX);
    const answer = await hubspotRequest(conn, meter, {
      method: 'POST',
      path: `/crm/v3/objects/${object}/batch/read`,
      qs: { archived: 'false' },
      body: { inputs: chunk.map((id) => ({ id })), properties: propertiesFor(object, extraProperties) },
      what: `batch read ${object}`,
    });
    answers.push(...parseAnswer(batchReadSchema, answer.body, `batch read ${object}`).results);
  }
  // No association types or no ids: it returns at once without a call.
  const linked = await readAssociations(
    conn,
    meter,
    object,
    answers.map((answer) => answer.id),
  );
  return answers.map((answer) => toCrmRecord(object, answer, linked.get(answer.id)));
}

/**
 * Ids archived (deleted, or merged away: HubSpot archives the merged-away record) at or after
 * `since`, through the list endpoint with `archived=true`. The archived list is short-lived (HubSpot
 * keeps archived records 90 days), so it is read whole.
 */
export async function archivedSince(
  conn: CrmConnection,
  object: HubspotObject,
  since: number,
  meter: CallMeter,
): Promise<string[]> {
  const ids: string[] = [];
  let after: string | undefined;
  do {
    const qs: Record<string, string> = { limit: '100', archived: 'true', properties: 'hs_object_id' };
    if (after !== undefined) qs.after = after;
    const answer = await hubspotRequest(conn, meter, {
      method: 'GET',
      path: `/crm/v3/objects/${object}`,
      qs,
      what: `list archived ${object}`,
    });
    const page = parseAnswer(listPageSchema, answer.body, `list archived ${object}`);
    for (const result of page.results) {
      const archivedAt = parseInstant(result.archivedAt) ?? parseInstant(result.updatedAt);
      // A record archived without a time is reported: missing a delete is worse than repeating one.
      if (archivedAt === null || archivedAt >= since) ids.push(result.id);
    }
    after = page.paging?.next?.after;
  } while (after !== undefined);
  return ids;
}
