import { RecordError } from './errors.ts';
import { isWellFormedId } from './ids.ts';
import type { FieldDef, ObjectDef } from './object-schema.ts';
import type { FieldValue, OrgStore, SfRecord } from './org-store.ts';
import { parseInstant } from './sf-dates.ts';

/**
 * Checks one record's fields for a create or an update the way the REST API does, and returns them
 * under their canonical names. Throws a RecordError with the Salesforce status code otherwise.
 */
export function validateWrite(
  org: OrgStore,
  object: ObjectDef,
  input: Record<string, unknown>,
  mode: 'create' | 'update',
): SfRecord {
  const values: SfRecord = {};
  const locked: string[] = [];
  for (const [key, raw] of Object.entries(input)) {
    if (key === 'attributes' || (mode === 'update' && key.toLowerCase() === 'id')) continue;
    const field = object.fields.get(key.toLowerCase());
    if (!field || !org.canAccess(object, field)) {
      throw new RecordError('INVALID_FIELD', `No such column '${key}' on sobject of type ${object.name}`, [key]);
    }
    if (field.system || !org.canAccess(object, field, true)) {
      locked.push(field.name);
      continue;
    }
    values[field.name] = coerce(org, field, raw);
  }
  if (locked.length > 0) {
    throw new RecordError(
      'INVALID_FIELD_FOR_INSERT_UPDATE',
      `Unable to ${mode} fields: ${locked.join(', ')}. Please check the security settings of this field and verify that it is read/write for your profile or permission set.`,
      locked,
    );
  }
  if (mode === 'create') {
    const missing = [...object.fields.values()]
      .filter((field) => field.required && !field.system && (values[field.name] ?? null) === null)
      .map((field) => field.name);
    if (missing.length > 0) {
      throw new RecordError('REQUIRED_FIELD_MISSING', `Required fields are missing: [${missing.join(', ')}]`, missing);
    }
  } else {
    const cleared = Object.entries(values).filter(
      ([name, value]) => value === null && object.fields.get(name.toLowerCase())?.required,
    );
    if (cleared.length > 0) {
      const names = cleared.map(([name]) => name);
      throw new RecordError('REQUIRED_FIELD_MISSING', `Required fields are missing: [${names.join(', ')}]`, names);
    }
  }
  return values;
}

function coerce(org: OrgStore, field: FieldDef, raw: unknown): FieldValue {
  if (raw === null || raw === undefined || raw === '') {
    if (field.type === 'boolean') return false;
    return null;
  }
  const bad = (what: string) =>
    new RecordError(
      'INVALID_FIELD_FOR_INSERT_UPDATE',
      `${field.label}: value not of required type: ${JSON.stringify(raw)}${what ? ` (${what})` : ''}`,
      [field.name],
    );
  switch (field.type) {
    case 'boolean':
      if (typeof raw === 'boolean') return raw;
      if (raw === 'true' || raw === 'false') return raw === 'true';
      throw bad('');
    case 'int':
    case 'double':
    case 'currency':
    case 'percent': {
      const value = typeof raw === 'number' ? raw : typeof raw === 'string' ? Number(raw) : NaN;
      if (!Number.isFinite(value)) throw bad('');
      if (field.type === 'int' && !Number.isInteger(value)) throw bad('a whole number');
      const digits = Math.trunc(Math.abs(value)).toString().length;
      if (field.precision !== undefined && digits > field.precision - (field.scale ?? 0)) {
        throw new RecordError(
          'NUMBER_OUTSIDE_VALID_RANGE',
          `${field.label}: value outside of valid range on numeric field: ${value}`,
          [field.name],
        );
      }
      return field.scale !== undefined ? Number(value.toFixed(field.scale)) : value;
    }
    case 'date': {
      if (typeof raw !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(raw) || Number.isNaN(Date.parse(raw))) throw bad('');
      return raw;
    }
    case 'datetime': {
      if (typeof raw !== 'string' || Number.isNaN(parseInstant(raw))) throw bad('');
      return new Date(parseInstant(raw)).toISOString().replace('Z', '+0000');
    }
    case 'reference': {
      if (typeof raw !== 'string' || !isWellFormedId(raw)) {
        throw new RecordError('MALFORMED_ID', `${field.label}: id value of incorrect type: ${JSON.stringify(raw)}`, [
          field.name,
        ]);
      }
      const target = org.find(raw);
      if (!target || target.record.IsDeleted === true || !(field.referenceTo ?? []).includes(target.type)) {
        throw new RecordError('FIELD_INTEGRITY_EXCEPTION', `${field.label}: id value of incorrect type: ${raw}`, [
          field.name,
        ]);
      }
      return target.record.Id as string;
    }
    case 'picklist': {
      if (typeof raw !== 'string') throw bad('');
      if (field.restrictedPicklist && !(field.picklistValues ?? []).includes(raw)) {
        throw new RecordError(
          'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST',
          `${field.label}: bad value for restricted picklist field: ${raw}`,
          [field.name],
        );
      }
      return raw;
    }
    default: {
      if (typeof raw !== 'string' && typeof raw !== 'number') throw bad('');
      const value = String(raw);
      if (field.length !== undefined && value.length > field.length) {
        throw new RecordError(
          'STRING_TOO_LONG',
          `${field.label}: data value too large: ${value.slice(0, 40)} (max length=${field.length})`,
          [field.name],
        );
      }
      if (field.type === 'email' && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(value)) {
        throw new RecordError('INVALID_EMAIL_ADDRESS', `${field.label}: invalid email address: ${value}`, [field.name]);
      }
      return value;
    }
  }
}
