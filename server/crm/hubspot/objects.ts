import type { AppObject } from '../../platform/manifest.ts';

/** HubSpot's name for each app object that is a CRM object (owners have their own API). */
export type HubspotObject = 'companies' | 'contacts' | 'deals' | 'tickets';

export const HUBSPOT_OBJECT: Record<Exclude<AppObject, 'owners'>, HubspotObject> = {
  accounts: 'companies',
  contacts: 'contacts',
  deals: 'deals',
  tickets: 'tickets',
};

/** The property HubSpot stamps on every change: contacts keep the older name. */
export function lastModifiedProperty(object: HubspotObject): string {
  return object === 'contacts' ? 'lastmodifieddate' : 'hs_lastmodifieddate';
}

/**
 * What the product reads by default, per object: standard properties plus the custom names stock
 * portals and the sandbox use for ARR, segment and renewal dates. HubSpot leaves out names a portal
 * does not have, so listing a custom name costs nothing where it is absent. Callers add more through
 * the adapter's `extraProperties` option (an installation's mapping may name others).
 */
export const DEFAULT_PROPERTIES: Record<HubspotObject, readonly string[]> = {
  companies: [
    'name',
    'domain',
    'industry',
    'country',
    'numberofemployees',
    'annualrevenue',
    'lifecyclestage',
    'hubspot_owner_id',
    'createdate',
    'hs_lastmodifieddate',
    'notes_last_contacted',
    'hs_parent_company_id',
    'arr',
    'licences',
    'segment',
    'customer_since',
    'contract_start_date',
    'renewal_date',
    'customer_status',
    'book_id',
    'parent_book_id',
  ],
  contacts: [
    'email',
    'firstname',
    'lastname',
    'jobtitle',
    'company',
    'hubspot_owner_id',
    'createdate',
    'lastmodifieddate',
    'notes_last_contacted',
    'contact_role',
    'contact_status',
    'left_company_date',
    'book_id',
  ],
  deals: [
    'dealname',
    'amount',
    'closedate',
    'pipeline',
    'dealstage',
    'dealtype',
    'hubspot_owner_id',
    'createdate',
    'hs_lastmodifieddate',
    'hs_is_closed_won',
    'hs_is_closed',
    'book_id',
  ],
  tickets: [
    'subject',
    'content',
    'hs_pipeline',
    'hs_pipeline_stage',
    'hs_ticket_priority',
    'hs_ticket_category',
    'hubspot_owner_id',
    'createdate',
    'hs_lastmodifieddate',
    'closed_date',
    'book_id',
  ],
};

/** Associations read with each object: every record type the product links to an account. */
export const ASSOCIATED: Record<HubspotObject, readonly HubspotObject[]> = {
  companies: [],
  contacts: ['companies'],
  deals: ['companies'],
  tickets: ['companies'],
};

export const APP_OBJECT_OF: Record<HubspotObject, AppObject> = {
  companies: 'accounts',
  contacts: 'contacts',
  deals: 'deals',
  tickets: 'tickets',
};

export function propertiesFor(object: HubspotObject, extra: readonly string[] = []): string[] {
  return [...new Set([...DEFAULT_PROPERTIES[object], ...extra])];
}
