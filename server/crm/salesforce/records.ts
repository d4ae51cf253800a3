import { z } from 'zod';
import type { AppObject } from '../../platform/manifest.ts';
import { CrmError } from '../errors.ts';
import type { CrmRecord } from '../types.ts';
import type { ObjectDescribe } from './describe.ts';
import { KEY_FIELDS, type SalesforceObjectSpec } from './objects.ts';

/** Query answers (reference §1.2); records keep unknown keys so the selected fields can be read. */
export const queryRecordSchema = z.looseObject({
  Id: z.string(),
  SystemModstamp: z.string(),
  CreatedDate: z.string().nullable().optional(),
});
export const queryAnswerSchema = z.object({
  totalSize: z.number(),
  done: z.boolean(),
  records: z.array(queryRecordSchema),
});
export type QueryRecord = z.infer<typeof queryRecordSchema>;

/**
 * The fields to select for an object: the standard list plus the installation's extra names, each
 * only when describe lists it (under describe's spelling), so a missing custom field never fails a query.
 */
export function selectableFields(
  spec: SalesforceObjectSpec,
  describe: ObjectDescribe,
  extra: readonly string[] = [],
): string[] {
  const chosen = new Map<string, string>();
  for (const name of [...KEY_FIELDS, ...spec.fields, ...extra]) {
    const field = describe.field(name);
    if (field && !chosen.has(field.name.toLowerCase())) chosen.set(field.name.toLowerCase(), field.name);
  }
  return [...chosen.values()];
}

/** Salesforce instants look like `2026-01-05T10:00:00.000+0000`. */
export function parseInstant(value: string): number {
  const ms = Date.parse(value.replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
  if (Number.isNaN(ms)) throw new CrmError('UNKNOWN', `unreadable Salesforce instant: ${value}`);
  return ms;
}

function asText(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

export function toCrmRecord(
  objectType: AppObject,
  spec: SalesforceObjectSpec,
  fields: readonly string[],
  record: QueryRecord,
): CrmRecord {
  const properties: Record<string, string | null> = {};
  for (const field of fields) {
    if (field === 'Id') continue;
    properties[field] = asText(record[field]);
  }
  const associations: CrmRecord['associations'] = {};
  for (const [lookup, target] of Object.entries(spec.associations)) {
    const id = record[lookup];
    if (typeof id === 'string' && id !== '') (associations[target] ??= []).push(id);
  }
  return {
    objectType,
    id: record.Id,
    modifiedAt: parseInstant(record.SystemModstamp),
    createdAt: record.CreatedDate ? parseInstant(record.CreatedDate) : null,
    archived: false,
    properties,
    associations,
  };
}
