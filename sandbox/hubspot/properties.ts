import type { PropertyValueError } from './errors.ts';
import { lastModifiedProperty, type ObjectType } from './object-types.ts';

export const PROPERTY_TYPES = ['bool', 'date', 'datetime', 'enumeration', 'number', 'phone_number', 'string'] as const;
export const FIELD_TYPES = [
  'booleancheckbox',
  'calculation_equation',
  'checkbox',
  'date',
  'file',
  'html',
  'number',
  'phonenumber',
  'radio',
  'select',
  'text',
  'textarea',
] as const;
export type PropertyType = (typeof PROPERTY_TYPES)[number];
export type FieldType = (typeof FIELD_TYPES)[number];

/** Which field types HubSpot accepts for a property type; a mismatch is a VALIDATION_ERROR. */
export const FIELD_TYPES_BY_TYPE: Record<PropertyType, readonly FieldType[]> = {
  bool: ['booleancheckbox', 'calculation_equation'],
  date: ['date', 'calculation_equation'],
  datetime: ['date', 'calculation_equation'],
  enumeration: ['select', 'radio', 'checkbox', 'booleancheckbox', 'calculation_equation'],
  number: ['number', 'calculation_equation'],
  phone_number: ['phonenumber'],
  string: ['text', 'textarea', 'html', 'file', 'phonenumber', 'calculation_equation'],
};

export interface PropertyOption {
  label: string;
  value: string;
  hidden: boolean;
  displayOrder: number;
  description?: string;
}

export interface PropertyDef {
  name: string;
  label: string;
  type: PropertyType;
  fieldType: FieldType;
  groupName: string;
  description: string;
  options: PropertyOption[];
  displayOrder: number;
  hasUniqueValue: boolean;
  hidden: boolean;
  formField: boolean;
  hubspotDefined: boolean;
  /** Values the API refuses to write (HubSpot computes them). */
  readOnlyValue: boolean;
  /** Values must name an existing owner. */
  ownerReference?: true;
  createdAt: number;
  updatedAt: number;
}

export interface PropertyGroupDef {
  name: string;
  label: string;
  displayOrder: number;
}

type Spec = [
  name: string,
  type: PropertyType,
  fieldType: FieldType,
  options?: readonly string[] | undefined,
  readOnly?: boolean,
];

const LIFECYCLE = [
  'subscriber',
  'lead',
  'marketingqualifiedlead',
  'salesqualifiedlead',
  'opportunity',
  'customer',
  'evangelist',
  'other',
];

const COMMON: readonly Spec[] = [
  ['hs_object_id', 'number', 'number', undefined, true],
  ['createdate', 'datetime', 'date'],
  ['hubspot_owner_id', 'enumeration', 'select'],
  // Set by a merge: the ids merged into this record, separated by ';'.
  ['hs_merged_object_ids', 'string', 'text', undefined, true],
];

const STANDARD: Record<ObjectType, { group: string; specs: readonly Spec[] }> = {
  companies: {
    group: 'companyinformation',
    specs: [
      ['name', 'string', 'text'],
      ['domain', 'string', 'text'],
      ['website', 'string', 'text'],
      ['phone', 'string', 'phonenumber'],
      // HubSpot's own industry is a long enumeration; a free string keeps any book's industries loadable.
      ['industry', 'string', 'text'],
      ['numberofemployees', 'number', 'number'],
      ['annualrevenue', 'number', 'number'],
      ['country', 'string', 'text'],
      ['city', 'string', 'text'],
      ['description', 'string', 'textarea'],
      ['lifecyclestage', 'enumeration', 'radio', LIFECYCLE],
      ['notes_last_contacted', 'datetime', 'date'],
      ['hs_lastmodifieddate', 'datetime', 'date', undefined, true],
      // HubSpot keeps it from the company's "parent company" association.
      ['hs_parent_company_id', 'number', 'number', undefined, true],
    ],
  },
  contacts: {
    group: 'contactinformation',
    specs: [
      ['firstname', 'string', 'text'],
      ['lastname', 'string', 'text'],
      ['email', 'string', 'text'],
      ['phone', 'string', 'phonenumber'],
      ['jobtitle', 'string', 'text'],
      ['company', 'string', 'text'],
      ['lifecyclestage', 'enumeration', 'radio', LIFECYCLE],
      ['notes_last_contacted', 'datetime', 'date'],
      ['lastmodifieddate', 'datetime', 'date', undefined, true],
    ],
  },
  deals: {
    group: 'dealinformation',
    specs: [
      ['dealname', 'string', 'text'],
      ['amount', 'number', 'number'],
      ['closedate', 'datetime', 'date'],
      ['pipeline', 'enumeration', 'select', ['default']],
      [
        'dealstage',
        'enumeration',
        'radio',
        [
          'appointmentscheduled',
          'qualifiedtobuy',
          'presentationscheduled',
          'decisionmakerboughtin',
          'contractsent',
          'closedwon',
          'closedlost',
        ],
      ],
      ['dealtype', 'enumeration', 'radio', ['newbusiness', 'existingbusiness']],
      ['description', 'string', 'textarea'],
      ['hs_lastmodifieddate', 'datetime', 'date', undefined, true],
    ],
  },
  tickets: {
    group: 'ticketinformation',
    specs: [
      ['subject', 'string', 'text'],
      ['content', 'string', 'textarea'],
      ['hs_pipeline', 'enumeration', 'select', ['0']],
      // The default support pipeline: new, waiting on contact, waiting on us, closed.
      ['hs_pipeline_stage', 'enumeration', 'select', ['1', '2', '3', '4']],
      ['hs_ticket_priority', 'enumeration', 'select', ['LOW', 'MEDIUM', 'HIGH', 'URGENT']],
      [
        'hs_ticket_category',
        'enumeration',
        'checkbox',
        ['PRODUCT_ISSUE', 'BILLING_ISSUE', 'FEATURE_REQUEST', 'GENERAL_INQUIRY'],
      ],
      ['closed_date', 'datetime', 'date'],
      ['hs_lastmodifieddate', 'datetime', 'date', undefined, true],
    ],
  },
  tasks: {
    group: 'taskinformation',
    specs: [
      ['hs_timestamp', 'datetime', 'date'],
      ['hs_task_subject', 'string', 'text'],
      ['hs_task_body', 'string', 'html'],
      ['hs_task_status', 'enumeration', 'select', ['NOT_STARTED', 'IN_PROGRESS', 'WAITING', 'COMPLETED', 'DEFERRED']],
      ['hs_task_priority', 'enumeration', 'select', ['NONE', 'LOW', 'MEDIUM', 'HIGH']],
      ['hs_task_type', 'enumeration', 'select', ['TODO', 'CALL', 'EMAIL']],
      ['hs_lastmodifieddate', 'datetime', 'date', undefined, true],
    ],
  },
  notes: {
    group: 'noteinformation',
    specs: [
      ['hs_timestamp', 'datetime', 'date'],
      ['hs_note_body', 'string', 'html'],
      ['hs_lastmodifieddate', 'datetime', 'date', undefined, true],
    ],
  },
};

function label(name: string): string {
  return name.replace(/^hs_/, '').replace(/_/g, ' ');
}

function optionsOf(values: readonly string[]): PropertyOption[] {
  return values.map((value, index) => ({ label: value, value, hidden: false, displayOrder: index }));
}

/** What differs between the properties the sandbox defines itself (standard ones and the book's). */
export interface SeededProperty {
  name: string;
  label: string;
  type: PropertyType;
  fieldType: FieldType;
  groupName: string;
  options: readonly string[] | undefined;
  hasUniqueValue: boolean;
  hubspotDefined: boolean;
  readOnlyValue: boolean;
}

/** A property the sandbox defines itself, with the display defaults HubSpot gives such properties. */
export function seededProperty(seed: SeededProperty, now: number): PropertyDef {
  return {
    name: seed.name,
    label: seed.label,
    type: seed.type,
    fieldType: seed.fieldType,
    groupName: seed.groupName,
    description: '',
    options: optionsOf(seed.options ?? []),
    displayOrder: -1,
    hasUniqueValue: seed.hasUniqueValue,
    hidden: false,
    formField: false,
    hubspotDefined: seed.hubspotDefined,
    readOnlyValue: seed.readOnlyValue,
    createdAt: now,
    updatedAt: now,
  };
}

/** The standard properties and groups of one object type, as a new portal has them. */
export function standardProperties(
  type: ObjectType,
  now: number,
): { groups: PropertyGroupDef[]; properties: PropertyDef[] } {
  const { group, specs } = STANDARD[type];
  const properties = [...specs, ...COMMON].map(([name, propertyType, fieldType, options, readOnly]) => {
    const def = seededProperty(
      {
        name,
        label: label(name),
        type: propertyType,
        fieldType,
        groupName: group,
        options,
        hasUniqueValue: name === 'hs_object_id',
        hubspotDefined: true,
        readOnlyValue: readOnly === true,
      },
      now,
    );
    if (name === 'hubspot_owner_id') def.ownerReference = true;
    return def;
  });
  return { groups: [{ name: group, label: label(group), displayOrder: -1 }], properties };
}

/** Properties HubSpot maintains itself; a create may set createdate, nothing may set these. */
export function isSystemStamped(type: ObjectType, name: string): boolean {
  return name === 'hs_object_id' || name === lastModifiedProperty(type);
}

function toEpochMs(value: string): number | undefined {
  if (/^-?\d+$/.test(value)) return Number(value);
  if (/^\d{4}-\d{2}-\d{2}/.test(value)) {
    const parsed = Date.parse(value);
    return Number.isNaN(parsed) ? undefined : parsed;
  }
  return undefined;
}

/**
 * Checks one written value against its property and returns the value as HubSpot stores it
 * (datetimes as ISO instants, dates as `YYYY-MM-DD`), or the failure HubSpot reports.
 * An empty string clears the value and is always allowed.
 */
export function normaliseValue(
  def: PropertyDef,
  raw: string,
  ownerExists: (id: string) => boolean,
): { ok: true; value: string } | { ok: false; failure: PropertyValueError } {
  if (raw === '') return { ok: true, value: '' };
  const fail = (error: PropertyValueError['error'], message: string) => ({
    ok: false as const,
    failure: { name: def.name, error, message },
  });
  if (def.ownerReference) {
    return ownerExists(raw) ? { ok: true, value: raw } : fail('INVALID_OWNER_ID', `${raw} is not a valid owner id`);
  }
  switch (def.type) {
    case 'number':
      return /^-?\d+(\.\d+)?$/.test(raw.trim())
        ? { ok: true, value: raw.trim() }
        : fail('INVALID_INTEGER', `${raw} is not a valid number value for property ${def.name}`);
    case 'bool':
      return raw === 'true' || raw === 'false'
        ? { ok: true, value: raw }
        : fail('INVALID_BOOLEAN', `${raw} is not a valid boolean value for property ${def.name}`);
    case 'datetime': {
      const ms = toEpochMs(raw);
      return ms === undefined
        ? fail('INVALID_DATE', `${raw} was not a valid long or ISO-8601 datetime for property ${def.name}`)
        : { ok: true, value: new Date(ms).toISOString() };
    }
    case 'date': {
      const ms = toEpochMs(raw);
      if (ms === undefined || ms % 86_400_000 !== 0) {
        return fail('INVALID_DATE', `${raw} is at not midnight UTC or is not a valid date for property ${def.name}`);
      }
      return { ok: true, value: new Date(ms).toISOString().slice(0, 10) };
    }
    case 'enumeration': {
      const allowed = new Set(def.options.map((option) => option.value));
      const values = def.fieldType === 'checkbox' ? raw.split(';') : [raw];
      const bad = values.find((value) => !allowed.has(value));
      return bad === undefined
        ? { ok: true, value: raw }
        : fail(
            'INVALID_OPTION',
            `${bad} was not one of the allowed options: [${[...allowed].map((v) => `label: "${v}"\nvalue: "${v}"`).join(', ')}]`,
          );
    }
    case 'string':
    case 'phone_number':
      return { ok: true, value: raw };
  }
}
