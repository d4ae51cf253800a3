import type { AppObject, ManifestField } from '../../platform/manifest.ts';
import { CrmError } from '../errors.ts';
import type { CrmConnection, RowOutcome, WriteBackRow } from '../types.ts';
import type { SalesforceSession } from './client.ts';
import { sendCollection, type CollectionRecord } from './collections.ts';
import type { DescribeCache } from './describe.ts';
import { findWriteField } from './field-names.ts';
import { toSalesforceValue } from './write-values.ts';

const ID = /^[a-zA-Z0-9]{15}([a-zA-Z0-9]{3})?$/;

/** Rows that fail before sending, each with its reason; the rest become Account collection records. */
export function prepareRows(
  rows: readonly WriteBackRow[],
  fields: readonly ManifestField[],
  describe: Parameters<typeof findWriteField>[0],
  namespace: string | undefined,
): { ready: CollectionRecord[]; failed: Map<number, RowOutcome> } {
  const byKey = new Map(fields.map((field) => [field.key, field]));
  const ready: CollectionRecord[] = [];
  const failed = new Map<number, RowOutcome>();
  rows.forEach((row, index) => {
    try {
      if (!ID.test(row.id)) throw new CrmError('VALIDATION', `not a Salesforce id: ${JSON.stringify(row.id)}`);
      const body: Record<string, unknown> = { attributes: { type: 'Account' }, id: row.id };
      for (const [key, value] of Object.entries(row.values)) {
        const field = byKey.get(key);
        if (!field) throw new CrmError('VALIDATION', `${key} is not a manifest field`);
        const found = findWriteField(describe, field, namespace);
        if (!found) throw new CrmError('VALIDATION', `${field.salesforce.name} does not exist on Account`);
        body[found.name] = toSalesforceValue(found, value);
      }
      ready.push({ key: row.id, body });
    } catch (error) {
      const crmError = error instanceof CrmError ? error : new CrmError('UNKNOWN', String(error), { cause: error });
      failed.set(index, { id: row.id, ok: false, error: crmError });
    }
  });
  return { ready, failed };
}

export async function writeBack(
  session: SalesforceSession,
  describes: DescribeCache,
  conn: CrmConnection,
  objectType: AppObject,
  rows: readonly WriteBackRow[],
  fields: readonly ManifestField[],
  namespace: string | undefined,
): Promise<RowOutcome[]> {
  if (objectType !== 'accounts') {
    throw new CrmError('VALIDATION', `Bellwether writes back to accounts only, not ${objectType}`);
  }
  if (rows.length === 0) return [];
  let describe;
  try {
    describe = await describes.get(session, conn.installationId, 'Account');
  } catch (error) {
    const crmError = error instanceof CrmError ? error : new CrmError('UNKNOWN', String(error), { cause: error });
    return rows.map((row) => ({ id: row.id, ok: false, error: crmError }));
  }
  const { ready, failed } = prepareRows(rows, fields, describe, namespace);
  const sent = await sendCollection(session, 'PATCH', ready);
  // Put the outcomes back in the caller's row order.
  const outcomes: RowOutcome[] = [];
  let next = 0;
  rows.forEach((_row, index) => {
    outcomes.push(failed.get(index) ?? (sent[next++] as RowOutcome));
  });
  return outcomes;
}
