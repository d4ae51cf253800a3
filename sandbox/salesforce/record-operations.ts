import { RecordError } from './errors.ts';
import { isWellFormedId } from './ids.ts';
import type { ObjectDef } from './object-schema.ts';
import type { OrgStore, SfRecord } from './org-store.ts';
import { validateWrite } from './record-writes.ts';

/**
 * Create, update and delete, split into a check and an apply step so that an allOrNone collection
 * can check every record before it changes anything.
 */

export interface PreparedWrite {
  apply(): string;
  /** For an upsert: whether applying creates the record. */
  created?: boolean;
}

export function objectFor(org: OrgStore, type: unknown): ObjectDef {
  const object = typeof type === 'string' ? org.object(type) : undefined;
  if (!object) {
    throw new RecordError('INVALID_TYPE', `sObject type '${String(type)}' is not supported.`);
  }
  return object;
}

export function prepareCreate(
  org: OrgStore,
  object: ObjectDef,
  input: Record<string, unknown>,
  userId: string,
): PreparedWrite {
  if (Object.keys(input).some((key) => key.toLowerCase() === 'id')) {
    throw new RecordError('INVALID_FIELD', 'cannot specify Id in an insert call', ['Id']);
  }
  const values = validateWrite(org, object, input, 'create');
  checkObjectRules(org, object, values);
  return { apply: () => org.insert(object.name, values, userId) };
}

export function prepareUpdate(
  org: OrgStore,
  object: ObjectDef,
  id: string,
  input: Record<string, unknown>,
  userId: string,
): PreparedWrite {
  const target = existing(org, object, id);
  const values = validateWrite(org, object, input, 'update');
  checkObjectRules(org, object, { ...target, ...values });
  return {
    apply: () => {
      org.update(object.name, target.Id as string, values, userId);
      return target.Id as string;
    },
  };
}

export function prepareDelete(org: OrgStore, id: string, userId: string): PreparedWrite {
  const type = isWellFormedId(id) ? org.typeOfId(id) : undefined;
  if (!type) throw new RecordError('MALFORMED_ID', `malformed id ${id}`, ['Id']);
  const target = existing(org, org.object(type) as ObjectDef, id);
  return {
    apply: () => {
      org.delete(type, target.Id as string, userId);
      return target.Id as string;
    },
  };
}

/**
 * An upsert on an external id field: updates the one live record whose field has the value,
 * creates one when none has it, and refuses when several do.
 */
export function prepareUpsert(
  org: OrgStore,
  object: ObjectDef,
  fieldName: string,
  value: string,
  input: Record<string, unknown>,
  userId: string,
): PreparedWrite {
  const field = object.fields.get(fieldName.toLowerCase());
  if (!field || !(field.externalId || field.name === 'Id') || !org.canAccess(object, field)) {
    throw new RecordError('NOT_FOUND', `Provided external ID field does not exist or is not accessible: ${fieldName}`);
  }
  if (field.name === 'Id') return prepareUpdate(org, object, value, input, userId);
  const rest = Object.fromEntries(
    Object.entries(input).filter(([key]) => key.toLowerCase() !== field.name.toLowerCase()),
  );
  const matches = [...org.table(object.name).values()].filter(
    (record) => record.IsDeleted !== true && record[field.name] === value,
  );
  if (matches.length > 1) {
    throw new RecordError(
      'DUPLICATE_EXTERNAL_ID',
      `${field.label}: more than one record found for external id field: [${matches.map((record) => String(record.Id)).join(', ')}]`,
      [field.name],
    );
  }
  const match = matches[0];
  if (match) return { ...prepareUpdate(org, object, match.Id as string, rest, userId), created: false };
  return { ...prepareCreate(org, object, { ...rest, [field.name]: value }, userId), created: true };
}

/** The live record an update or delete names, or the error Salesforce gives for that id. */
function existing(org: OrgStore, object: ObjectDef, id: string): SfRecord {
  if (!isWellFormedId(id) || !id.startsWith(object.keyPrefix)) {
    throw new RecordError('MALFORMED_ID', `${object.label} ID: id value of incorrect type: ${id}`, ['Id']);
  }
  const found = org.find(id);
  if (!found) throw new RecordError('INVALID_CROSS_REFERENCE_KEY', 'invalid cross reference id', []);
  if (found.record.IsDeleted === true) throw new RecordError('ENTITY_IS_DELETED', 'entity is deleted', []);
  return found.record;
}

/** Rules one object adds on top of field types. */
function checkObjectRules(org: OrgStore, object: ObjectDef, values: SfRecord): void {
  if (object.name !== 'FieldPermissions') return;
  const [type, name] = String(values.Field ?? '').split('.');
  const target = type ? org.object(type) : undefined;
  const field = name ? target?.fields.get(name.toLowerCase()) : undefined;
  if (!target || !field || !field.custom || target.name.toLowerCase() !== String(values.SobjectType).toLowerCase()) {
    throw new RecordError(
      'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST',
      `Field Name: bad value for restricted picklist field: ${String(values.Field)}`,
      ['Field'],
    );
  }
  if (values.PermissionsEdit === true && values.PermissionsRead !== true) {
    throw new RecordError('FIELD_INTEGRITY_EXCEPTION', 'Permission Edit depends on permission(s): Read', [
      'PermissionsRead',
    ]);
  }
}
