import { z } from 'zod';
import type { AppObject } from '../../platform/manifest.ts';
import type { CrmConnection } from '../types.ts';
import { APP_OBJECT_OF, ASSOCIATED, type HubspotObject } from './objects.ts';
import { hubspotRequest, parseAnswer, type CallMeter } from './transport.ts';

/** Inputs per associations v4 batch read (HubSpot's batch limit). */
export const ASSOCIATION_BATCH = 100;

const batchReadSchema = z.object({
  results: z.array(
    z.object({
      from: z.object({ id: z.string() }),
      to: z.array(z.object({ toObjectId: z.union([z.string(), z.number()]).transform(String) })),
    }),
  ),
});

export type AssociationsById = Map<string, Partial<Record<AppObject, string[]>>>;

/**
 * Associated ids for records read through search or batch read (neither takes `associations`), one
 * associations v4 batch read per 100 ids and target type. Ids without associations are answered as
 * errors inside a 207 and simply have none.
 */
export async function readAssociations(
  conn: CrmConnection,
  meter: CallMeter,
  object: HubspotObject,
  ids: readonly string[],
): Promise<AssociationsById> {
  const found: AssociationsById = new Map(ids.map((id) => [id, {}]));
  for (const target of ASSOCIATED[object]) {
    for (let start = 0; start < ids.length; start += ASSOCIATION_BATCH) {
      const chunk = ids.slice(start, start + ASSOCIATION_BATCH);
      const answer = await hubspotRequest(conn, meter, {
        method: 'POST',
        path: `/crm/v4/associations/${object}/${target}/batch/read`,
        body: { inputs: chunk.map((id) => ({ id })) },
        what: `read ${object} → ${target} associations`,
      });
      const page = parseAnswer(batchReadSchema, answer.body, `${object} → ${target} associations`);
      for (const result of page.results) {
        const links = found.get(result.from.id);
        if (links === undefined) continue;
        links[APP_OBJECT_OF[target]] = [...new Set(result.to.map((to) => to.toObjectId))];
      }
    }
  }
  return found;
}
