import { KEY_PREFIXES } from './ids.ts';

/**
 * The objects the stand-in knows, with the fields describe reports and the write rules apply.
 * Custom fields the product reads from a book (ARR__c, Renewal_Date__c, …) come installed, as a
 * package would ship them with their permission set; fields created later through Tooling start
 * without field-level security (reference §3.4).
 */

export type FieldType =
  | 'id'
  | 'string'
  | 'textarea'
  | 'email'
  | 'url'
  | 'phone'
  | 'picklist'
  | 'boolean'
  | 'int'
  | 'double'
  | 'currency'
  | 'percent'
  | 'date'
  | 'datetime'
  | 'reference';

export interface FieldDef {
  name: string;
  label: string;
  type: FieldType;
  custom: boolean;
  /** Set by the system; clients cannot write it. */
  system?: boolean;
  required?: boolean;
  length?: number;
  precision?: number;
  scale?: number;
  referenceTo?: string[];
  relationshipName?: string;
  /** The name the parent uses for its children through this lookup (`Contacts` on Account). */
  childRelationshipName?: string;
  picklistValues?: string[];
  restrictedPicklist?: boolean;
  /** An external id: upsert can match records on it. */
  externalId?: boolean;
  /** Created through Tooling: invisible to users until a FieldPermissions row grants access. */
  needsGrant?: boolean;
}

export interface ObjectDef {
  name: string;
  label: string;
  labelPlural: string;
  keyPrefix: string;
  custom: false;
  /** Fields by lower-case name (SOQL and the REST API match names case-insensitively). */
  fields: Map<string, FieldDef>;
}

const text = (name: string, label: string, length = 255, extra: Partial<FieldDef> = {}): FieldDef => ({
  name,
  label,
  type: 'string',
  custom: name.endsWith('__c'),
  length,
  ...extra,
});
const of = (name: string, label: string, type: FieldType, extra: Partial<FieldDef> = {}): FieldDef => ({
  name,
  label,
  type,
  custom: name.endsWith('__c'),
  ...extra,
});
const ref = (name: string, label: string, to: string, relationshipName: string, extra: Partial<FieldDef> = {}) =>
  of(name, label, 'reference', { referenceTo: [to], relationshipName, ...extra });
const picklist = (name: string, label: string, values: string[], extra: Partial<FieldDef> = {}) =>
  of(name, label, 'picklist', { picklistValues: values, length: 255, ...extra });

const systemFields = (): FieldDef[] => [
  of('Id', 'Record ID', 'id', { system: true }),
  of('IsDeleted', 'Deleted', 'boolean', { system: true }),
  of('CreatedDate', 'Created Date', 'datetime', { system: true }),
  ref('CreatedById', 'Created By ID', 'User', 'CreatedBy', { system: true }),
  of('LastModifiedDate', 'Last Modified Date', 'datetime', { system: true }),
  ref('LastModifiedById', 'Last Modified By ID', 'User', 'LastModifiedBy', { system: true }),
  of('SystemModstamp', 'System Modstamp', 'datetime', { system: true }),
];
const owner = () => ref('OwnerId', 'Owner ID', 'User', 'Owner');

export const OPPORTUNITY_STAGES = [
  'Prospecting',
  'Qualification',
  'Needs Analysis',
  'Value Proposition',
  'Id. Decision Makers',
  'Perception Analysis',
  'Proposal/Price Quote',
  'Negotiation/Review',
  'Closed Won',
  'Closed Lost',
];
export const CONTACT_ROLE_VALUES = ['Champion', 'Executive Sponsor', 'Admin', 'User'];
export const SEGMENT_VALUES = ['Enterprise', 'Mid-Market', 'SMB'];

const definitions: [string, string, string, FieldDef[]][] = [
  [
    'User',
    'User',
    'Users',
    [
      text('Username', 'Username', 80, { required: true }),
      text('FirstName', 'First Name', 40),
      text('LastName', 'Last Name', 80, { required: true }),
      text('Name', 'Full Name', 121, { system: true }),
      of('Email', 'Email', 'email', { required: true, length: 128 }),
      text('Title', 'Title', 80),
      of('IsActive', 'Active', 'boolean'),
      picklist('Bellwether_Role__c', 'Bellwether Role', ['CSM', 'Account Executive', 'CS Leader']),
    ],
  ],
  [
    'Account',
    'Account',
    'Accounts',
    [
      text('Name', 'Account Name', 255, { required: true }),
      ref('MasterRecordId', 'Master Record ID', 'Account', 'MasterRecord', { system: true }),
      ref('ParentId', 'Parent Account ID', 'Account', 'Parent', { childRelationshipName: 'ChildAccounts' }),
      of('Website', 'Website', 'url', { length: 255 }),
      picklist('Industry', 'Industry', [], { restrictedPicklist: false }),
      of('NumberOfEmployees', 'Employees', 'int'),
      text('BillingCountry', 'Billing Country', 80),
      owner(),
      of('ARR__c', 'ARR', 'currency', { precision: 18, scale: 2 }),
      of('Licences__c', 'Licences', 'double', { precision: 18, scale: 0 }),
      picklist('Segment__c', 'Segment', SEGMENT_VALUES, { restrictedPicklist: true }),
      of('Customer_Since__c', 'Customer Since', 'date'),
      of('Contract_Start__c', 'Contract Start', 'date'),
      of('Renewal_Date__c', 'Renewal Date', 'date'),
      ref('CSM__c', 'CSM', 'User', 'CSM__r'),
      text('Book_Id__c', 'Book Id', 40, { externalId: true }),
      picklist('Customer_Status__c', 'Customer Status', ['Active', 'Churned'], { restrictedPicklist: true }),
    ],
  ],
  [
    'Contact',
    'Contact',
    'Contacts',
    [
      ref('AccountId', 'Account ID', 'Account', 'Account', { childRelationshipName: 'Contacts' }),
      ref('MasterRecordId', 'Master Record ID', 'Contact', 'MasterRecord', { system: true }),
      text('FirstName', 'First Name', 40),
      text('LastName', 'Last Name', 80, { required: true }),
      text('Name', 'Full Name', 121, { system: true }),
      of('Email', 'Email', 'email', { length: 80 }),
      text('Title', 'Title', 128),
      owner(),
      picklist('Contact_Role__c', 'Contact Role', CONTACT_ROLE_VALUES, { restrictedPicklist: true }),
      of('Last_Engaged__c', 'Last Engaged', 'datetime'),
      of('Departed__c', 'Departed', 'boolean'),
      of('Departed_Date__c', 'Departed Date', 'date'),
      text('Book_Id__c', 'Book Id', 40, { externalId: true }),
    ],
  ],
  [
    'Opportunity',
    'Opportunity',
    'Opportunities',
    [
      ref('AccountId', 'Account ID', 'Account', 'Account', { childRelationshipName: 'Opportunities' }),
      text('Name', 'Name', 120, { required: true }),
      of('Amount', 'Amount', 'currency', { precision: 18, scale: 2 }),
      of('CloseDate', 'Close Date', 'date', { required: true }),
      picklist('StageName', 'Stage', OPPORTUNITY_STAGES, { required: true, restrictedPicklist: true }),
      of('IsClosed', 'Closed', 'boolean', { system: true }),
      of('IsWon', 'Won', 'boolean', { system: true }),
      picklist('Type', 'Opportunity Type', ['New Customer', 'Existing Customer - Upgrade', 'Renewal'], {
        restrictedPicklist: true,
      }),
      owner(),
      text('Book_Id__c', 'Book Id', 40, { externalId: true }),
    ],
  ],
  [
    'Case',
    'Case',
    'Cases',
    [
      text('CaseNumber', 'Case Number', 30, { system: true }),
      ref('MasterRecordId', 'Master Record ID', 'Case', 'MasterRecord', { system: true }),
      ref('AccountId', 'Account ID', 'Account', 'Account', { childRelationshipName: 'Cases' }),
      ref('ContactId', 'Contact ID', 'Contact', 'Contact', { childRelationshipName: 'Cases' }),
      text('Subject', 'Subject', 255),
      picklist('Priority', 'Priority', ['Low', 'Medium', 'High'], { restrictedPicklist: true }),
      picklist('Status', 'Status', ['New', 'Working', 'Waiting on Customer', 'Escalated', 'Closed'], {
        restrictedPicklist: true,
      }),
      of('IsEscalated', 'Escalated', 'boolean'),
      of('IsClosed', 'Closed', 'boolean', { system: true }),
      of('ClosedDate', 'Closed Date', 'datetime', { system: true }),
      owner(),
      text('Book_Id__c', 'Book Id', 40, { externalId: true }),
    ],
  ],
  [
    'Task',
    'Task',
    'Tasks',
    [
      text('Subject', 'Subject', 255),
      ref('WhatId', 'Related To ID', 'Account', 'What', { childRelationshipName: 'Tasks' }),
      ref('WhoId', 'Name ID', 'Contact', 'Who', { childRelationshipName: 'Tasks' }),
      of('ActivityDate', 'Due Date Only', 'date'),
      picklist('Status', 'Status', ['Not Started', 'In Progress', 'Completed'], { restrictedPicklist: true }),
      picklist('Priority', 'Priority', ['High', 'Normal', 'Low'], { restrictedPicklist: true }),
      of('Description', 'Description', 'textarea', { length: 32000 }),
      owner(),
    ],
  ],
  [
    'Note',
    'Note',
    'Notes',
    [
      ref('ParentId', 'Parent ID', 'Account', 'Parent', { required: true, childRelationshipName: 'Notes' }),
      text('Title', 'Title', 80, { required: true }),
      of('Body', 'Body', 'textarea', { length: 32000 }),
      of('IsPrivate', 'Private', 'boolean'),
      owner(),
    ],
  ],
  [
    'PermissionSet',
    'Permission Set',
    'Permission Sets',
    [text('Name', 'Name', 80, { required: true }), text('Label', 'Label', 80, { required: true })],
  ],
  [
    'FieldPermissions',
    'Field Permissions',
    'Field Permissions',
    [
      ref('ParentId', 'Parent ID', 'PermissionSet', 'Parent', { required: true, childRelationshipName: 'FieldPerms' }),
      text('SobjectType', 'Sobject Type Name', 40, { required: true }),
      text('Field', 'Field Name', 255, { required: true }),
      of('PermissionsRead', 'Read Access', 'boolean'),
      of('PermissionsEdit', 'Edit Access', 'boolean'),
    ],
  ],
];

/** A fresh copy of the standard schema; each org owns one, so custom fields stay per org. */
export function standardSchema(): Map<string, ObjectDef> {
  const schema = new Map<string, ObjectDef>();
  for (const [name, label, labelPlural, fields] of definitions) {
    const all = [...systemFields(), ...fields.map((field) => ({ ...field }))];
    schema.set(name.toLowerCase(), {
      name,
      label,
      labelPlural,
      keyPrefix: KEY_PREFIXES[name as keyof typeof KEY_PREFIXES],
      custom: false,
      fields: new Map(all.map((field) => [field.name.toLowerCase(), field])),
    });
  }
  return schema;
}

/** The field a relationship name (`Account`, `Owner`, `CSM__r`) follows, if any. */
export function relationshipField(object: ObjectDef, relationshipName: string): FieldDef | undefined {
  const wanted = relationshipName.toLowerCase();
  for (const field of object.fields.values()) {
    if (field.relationshipName?.toLowerCase() === wanted) return field;
  }
  return undefined;
}

/** The child object and lookup a parent's child relationship (`Contacts`, `Opportunities`) follows. */
export function childRelationship(
  schema: Map<string, ObjectDef>,
  parent: ObjectDef,
  name: string,
): { child: ObjectDef; lookup: FieldDef } | undefined {
  const wanted = name.toLowerCase();
  for (const child of schema.values()) {
    for (const lookup of child.fields.values()) {
      if (lookup.childRelationshipName?.toLowerCase() === wanted && lookup.referenceTo?.includes(parent.name)) {
        return { child, lookup };
      }
    }
  }
  return undefined;
}
