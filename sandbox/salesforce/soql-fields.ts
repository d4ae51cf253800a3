import { invalidQueryField } from './errors.ts';
import { relationshipField, type FieldDef, type ObjectDef } from './object-schema.ts';
import type { FieldValue, OrgStore, SfRecord } from './org-store.ts';

/** A field named in SOQL: on the queried object, or one relationship up (`Account.Name`, `Owner.Email`). */
export interface FieldPath {
  field: FieldDef;
  /** The lookup field followed, when the path has a relationship. */
  via?: FieldDef;
  /** The object the lookup points at. */
  parent?: ObjectDef;
}

export class SoqlUnsupported extends Error {}

export function resolvePath(org: OrgStore, object: ObjectDef, path: string, soql: string): FieldPath {
  const parts = path.split('.');
  if (parts.length > 2) throw new SoqlUnsupported(`relationship paths deeper than one level: ${path}`);
  if (parts.length === 1) {
    const field = object.fields.get(path.toLowerCase());
    if (!field || !org.canAccess(object, field)) throw invalidQueryField(soql, path, object.name);
    return { field };
  }
  const [relationship, name] = parts as [string, string];
  const via = relationshipField(object, relationship);
  const parent = via?.referenceTo?.[0] ? org.object(via.referenceTo[0]) : undefined;
  if (!via || !parent) throw invalidQueryField(soql, relationship, object.name);
  const field = parent.fields.get(name.toLowerCase());
  if (!field || !org.canAccess(parent, field)) throw invalidQueryField(soql, path, parent.name);
  return { field, via, parent };
}

/** The parent record a path goes through (null when the lookup is empty), or the record itself. */
export function sourceRecord(org: OrgStore, record: SfRecord, path: FieldPath): SfRecord | null {
  if (!path.via) return record;
  const id = record[path.via.name];
  if (typeof id !== 'string') return null;
  return org.find(id)?.record ?? null;
}

export function readPath(org: OrgStore, record: SfRecord, path: FieldPath): FieldValue {
  const source = sourceRecord(org, record, path);
  return source ? (source[path.field.name] ?? null) : null;
}
