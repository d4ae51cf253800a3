import { z } from 'zod';
import { CrmError } from '../errors.ts';
import type { RowOutcome } from '../types.ts';
import type { SalesforceSession } from './client.ts';
import { rowError } from './error-mapping.ts';

/**
 * sObject Collections (reference §1.4): up to 200 records a call, `allOrNone: false`, one result per
 * record in request order. A call that fails as a whole fails its rows and every later chunk's with
 * the same error, without sending them: a spent allowance or a dead session would fail them too.
 */

export const COLLECTION_LIMIT = 200;

const saveResultSchema = z.object({
  id: z.string().optional(),
  success: z.boolean(),
  errors: z
    .array(z.object({ statusCode: z.string().optional(), errorCode: z.string().optional(), message: z.string() }))
    .default([]),
});
const saveResultsSchema = z.array(saveResultSchema);

export interface CollectionRecord {
  /** The id a failure is reported under (the record's id, or the id of what it belongs to). */
  key: string;
  body: Record<string, unknown>;
}

export async function sendCollection(
  session: SalesforceSession,
  method: 'PATCH' | 'POST',
  records: readonly CollectionRecord[],
): Promise<RowOutcome[]> {
  const outcomes: RowOutcome[] = [];
  let fatal: CrmError | undefined;
  for (let i = 0; i < records.length; i += COLLECTION_LIMIT) {
    const chunk = records.slice(i, i + COLLECTION_LIMIT);
    if (!fatal) {
      try {
        const results = await session.send(saveResultsSchema, method, '/composite/sobjects', {
          allOrNone: false,
          records: chunk.map((record) => record.body),
        });
        if (results.length !== chunk.length) {
          throw new CrmError('UNKNOWN', `collection answered ${results.length} results for ${chunk.length} records`);
        }
        chunk.forEach((record, index) => {
          const result = results[index] as z.infer<typeof saveResultSchema>;
          if (result.success) outcomes.push({ id: result.id ?? record.key, ok: true });
          else {
            const first = result.errors[0];
            const error = rowError(first?.statusCode ?? first?.errorCode, first?.message ?? 'record not saved');
            outcomes.push({ id: record.key, ok: false, error });
          }
        });
        continue;
      } catch (error) {
        fatal = error instanceof CrmError ? error : new CrmError('UNKNOWN', String(error), { cause: error });
      }
    }
    for (const record of chunk) outcomes.push({ id: record.key, ok: false, error: fatal });
  }
  return outcomes;
}
