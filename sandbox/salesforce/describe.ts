import type { FieldDef, ObjectDef } from './object-schema.ts';
import type { OrgStore } from './org-store.ts';

/**
 * Describe answers. A field that still waits for field-level security is listed (its metadata
 * exists) but reported neither createable nor updateable; queries naming it fail until a grant.
 */

function soapType(field: FieldDef): string {
  switch (field.type) {
    case 'id':
    case 'reference':
      return 'tns:ID';
    case 'boolean':
      return 'xsd:boolean';
    case 'int':
      return 'xsd:int';
    case 'double':
    case 'currency':
    case 'percent':
      return 'xsd:double';
    case 'date':
      return 'xsd:date';
    case 'datetime':
      return 'xsd:dateTime';
    default:
      return 'xsd:string';
  }
}

export function describeField(org: OrgStore, object: ObjectDef, field: FieldDef) {
  const writable = !field.system && org.canAccess(object, field, true);
  return {
    name: field.name,
    label: field.label,
    type: field.type,
    soapType: soapType(field),
    custom: field.custom,
    length: field.length ?? 0,
    precision: field.precision ?? 0,
    scale: field.scale ?? 0,
    nillable: !field.required && field.type !== 'boolean' && !field.system,
    createable: writable,
    updateable: writable && field.name !== 'Id',
    filterable: true,
    sortable: field.type !== 'textarea',
    calculated: false,
    permissionable: field.custom,
    referenceTo: field.referenceTo ?? [],
    relationshipName: field.relationshipName ?? null,
    restrictedPicklist: field.restrictedPicklist ?? false,
    picklistValues: (field.picklistValues ?? []).map((value) => ({
      active: true,
      defaultValue: false,
      label: value,
      validFor: null,
      value,
    })),
    defaultedOnCreate: field.type === 'boolean' || field.system === true,
    externalId: field.externalId ?? false,
    idLookup: field.name === 'Id' || (field.externalId ?? false),
    unique: false,
  };
}

function urls(object: ObjectDef, version: string) {
  const base = `/services/data/v${version}/sobjects/${object.name}`;
  return { sobject: base, describe: `${base}/describe`, rowTemplate: `${base}/{ID}` };
}

/** The object's names and permissions, first in both the per-object and the global describe. */
function objectSummary(object: ObjectDef) {
  return {
    name: object.name,
    label: object.label,
    labelPlural: object.labelPlural,
    keyPrefix: object.keyPrefix,
    custom: object.custom,
    createable: true,
    updateable: true,
    deletable: true,
    queryable: true,
    retrieveable: true,
  };
}

export function describeObject(org: OrgStore, object: ObjectDef, version: string) {
  return {
    ...objectSummary(object),
    searchable: true,
    replicateable: true,
    fields: [...object.fields.values()].map((field) => describeField(org, object, field)),
    childRelationships: [...org.schema.values()].flatMap((child) =>
      [...child.fields.values()]
        .filter((field) => field.childRelationshipName && field.referenceTo?.includes(object.name))
        .map((field) => ({
          childSObject: child.name,
          field: field.name,
          relationshipName: field.childRelationshipName,
          cascadeDelete: object.name === 'Account' && field.name !== 'ParentId',
        })),
    ),
    recordTypeInfos: [],
    urls: urls(object, version),
  };
}

export function describeGlobal(org: OrgStore, version: string) {
  return {
    encoding: 'UTF-8',
    maxBatchSize: 200,
    sobjects: [...org.schema.values()].map((object) => ({
      ...objectSummary(object),
      replicateable: true,
      urls: urls(object, version),
    })),
  };
}
