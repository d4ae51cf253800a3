/**
 * The object types the stand-in keeps, with the aliases HubSpot accepts in paths (plural name,
 * singular name, object type id).
 */
export const OBJECT_TYPES = ['companies', 'contacts', 'deals', 'tickets', 'tasks', 'notes'] as const;
export type ObjectType = (typeof OBJECT_TYPES)[number];

const ALIASES: Record<string, ObjectType> = {
  companies: 'companies',
  company: 'companies',
  '0-2': 'companies',
  contacts: 'contacts',
  contact: 'contacts',
  '0-1': 'contacts',
  deals: 'deals',
  deal: 'deals',
  '0-3': 'deals',
  tickets: 'tickets',
  ticket: 'tickets',
  '0-5': 'tickets',
  tasks: 'tasks',
  task: 'tasks',
  '0-27': 'tasks',
  notes: 'notes',
  note: 'notes',
  '0-46': 'notes',
};

export const OBJECT_TYPE_IDS: Record<ObjectType, string> = {
  companies: '0-2',
  contacts: '0-1',
  deals: '0-3',
  tickets: '0-5',
  tasks: '0-27',
  notes: '0-46',
};

export const SINGULAR: Record<ObjectType, string> = {
  companies: 'company',
  contacts: 'contact',
  deals: 'deal',
  tickets: 'ticket',
  tasks: 'task',
  notes: 'note',
};

export function resolveObjectType(value: string | undefined): ObjectType | undefined {
  return value === undefined ? undefined : ALIASES[value.toLowerCase()];
}

/** The property HubSpot stamps on every write: contacts use the older name. */
export function lastModifiedProperty(type: ObjectType): string {
  return type === 'contacts' ? 'lastmodifieddate' : 'hs_lastmodifieddate';
}

/** Properties returned when a request names none (reference §1.1). */
export const DEFAULT_PROPERTIES: Record<ObjectType, readonly string[]> = {
  companies: ['name', 'domain'],
  contacts: ['firstname', 'lastname', 'email'],
  deals: ['dealname', 'amount', 'closedate', 'pipeline', 'dealstage'],
  tickets: ['content', 'hs_pipeline', 'hs_pipeline_stage', 'hs_ticket_category', 'hs_ticket_priority', 'subject'],
  tasks: ['hs_task_subject', 'hs_task_status', 'hs_timestamp'],
  notes: ['hs_note_body', 'hs_timestamp'],
};

/** Properties searched by the free-text `query` of a search. */
export const QUERY_PROPERTIES: Record<ObjectType, readonly string[]> = {
  companies: ['name', 'domain', 'website', 'phone'],
  contacts: ['firstname', 'lastname', 'email', 'phone', 'company'],
  deals: ['dealname'],
  tickets: ['subject', 'content'],
  tasks: ['hs_task_subject', 'hs_task_body'],
  notes: ['hs_note_body'],
};
