import { z } from 'zod';
import type { SalesforceSession } from './client.ts';

/** Every row of a query, following queryMore locators; `includeDeleted` reads through /queryAll. */
export async function queryEveryRow<R extends z.ZodType>(
  session: SalesforceSession,
  query: string,
  record: R,
  options: { includeDeleted?: boolean } = {},
): Promise<z.infer<R>[]> {
  const answerSchema = z.object({ done: z.boolean(), nextRecordsUrl: z.string().optional(), records: z.array(record) });
  const resource = options.includeDeleted ? 'queryAll' : 'query';
  let answer = await session.send(answerSchema, 'GET', `/${resource}?q=${encodeURIComponent(query)}`);
  const rows = [...answer.records];
  while (!answer.done && answer.nextRecordsUrl) {
    // The locator's path is absolute (`/services/data/vNN.N/query/01g…`); jsforce resolves it on the instance.
    answer = await session.send(answerSchema, 'GET', answer.nextRecordsUrl);
    rows.push(...answer.records);
  }
  return rows;
}
