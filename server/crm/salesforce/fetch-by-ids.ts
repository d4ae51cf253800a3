import type { AppObject } from '../../platform/manifest.ts';
import { CrmError } from '../errors.ts';
import type { CrmConnection, CrmRecord } from '../types.ts';
import type { SalesforceSession } from './client.ts';
import type { DescribeCache } from './describe.ts';
import { SALESFORCE_OBJECTS } from './objects.ts';
import { queryEveryRow } from './query-all.ts';
import { queryRecordSchema, selectableFields, toCrmRecord } from './records.ts';
import { soql, soqlName, soqlNames } from './soql.ts';

/** 200 ids of ~21 bytes keep the query URI far below the 16 KB limit (reference §1.2). */
export const IDS_PER_QUERY = 200;
const ID = /^[a-zA-Z0-9]{15}([a-zA-Z0-9]{3})?$/;

export async function fetchByIds(
  session: SalesforceSession,
  describes: DescribeCache,
  conn: CrmConnection,
  objectType: AppObject,
  ids: readonly string[],
  extraFields: readonly string[] = [],
): Promise<CrmRecord[]> {
  const unique = [...new Set(ids)];
  const bad = unique.find((id) => !ID.test(id));
  if (bad !== undefined) throw new CrmError('VALIDATION', `not a Salesforce id: ${JSON.stringify(bad)}`);
  if (unique.length === 0) return [];
  const spec = SALESFORCE_OBJECTS[objectType];
  const describe = await describes.get(session, conn.installationId, spec.sobject);
  const fields = selectableFields(spec, describe, extraFields);
  const records: CrmRecord[] = [];
  for (let i = 0; i < unique.length; i += IDS_PER_QUERY) {
    const chunk = unique.slice(i, i + IDS_PER_QUERY);
    const rows = await queryEveryRow(
      session,
      soql`SELECT ${soqlNames(fields)} FROM ${soqlName(spec.sobject)} WHERE Id IN ${chunk}`,
      queryRecordSchema,
    );
    records.push(...rows.map((row) => toCrmRecord(objectType, spec, fields, row)));
  }
  return records;
}
