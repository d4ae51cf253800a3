import type { CrmBook } from '../generator/book.ts';
import { defaultAssociationType, ASSOCIATION_TYPES, type AssociationTypeDef } from './associations.ts';
import type { ObjectType } from './object-types.ts';
import type { CrmRecord, PortalStore } from './portal-store.ts';
import { seededProperty, type FieldType, type PropertyType } from './properties.ts';

/** CRM ids the loader gave each book id. */
export interface BookIdMap {
  owners: Map<string, string>;
  companies: Map<string, string>;
  contacts: Map<string, string>;
  deals: Map<string, string>;
  tickets: Map<string, string>;
}

/**
 * Salesforce ids HubSpot's Salesforce connector keeps on synced records, by the book's row ids:
 * Account ids on companies, Opportunity ids on deals.
 */
export interface SalesforceLinks {
  companies: ReadonlyMap<string, string>;
  deals: ReadonlyMap<string, string>;
}

/**
 * A book for a portal whose Salesforce connector is installed. `HubspotSandbox.loadBook` hands the
 * book through as given, so a connected book loads through it too.
 */
export interface ConnectedCrmBook extends CrmBook {
  salesforceLinks?: SalesforceLinks;
}

/** The connector's properties, defined in a portal only once the connector is installed there. */
const SALESFORCE_GROUP = { name: 'salesforceinformation', label: 'Salesforce information', displayOrder: -1 };
const SALESFORCE_PROPERTIES = {
  companies: { name: 'salesforceaccountid', label: 'Salesforce Account ID' },
  deals: { name: 'salesforceopportunityid', label: 'Salesforce Opportunity ID' },
} as const;

/** The group the loader creates on every object type for the book's own properties. */
export const BOOK_GROUP = { name: 'bellwether_book', label: 'Bellwether book', displayOrder: -1 };

type Custom = [name: string, type: PropertyType, fieldType: FieldType, options?: readonly string[]];

const CUSTOM: Record<'companies' | 'contacts' | 'deals' | 'tickets', readonly Custom[]> = {
  companies: [
    ['book_id', 'string', 'text'],
    ['arr', 'number', 'number'],
    ['licences', 'number', 'number'],
    ['segment', 'enumeration', 'select', ['enterprise', 'mid_market', 'smb']],
    ['customer_since', 'date', 'date'],
    ['contract_start_date', 'date', 'date'],
    ['renewal_date', 'date', 'date'],
    ['customer_status', 'enumeration', 'select', ['active', 'churned']],
    ['parent_book_id', 'string', 'text'],
  ],
  contacts: [
    ['book_id', 'string', 'text'],
    ['contact_role', 'enumeration', 'select', ['champion', 'executive_sponsor', 'admin', 'user']],
    // Departed contacts stay visible (a departed champion is a signal) and are flagged here.
    ['contact_status', 'enumeration', 'select', ['active', 'departed']],
    ['left_company_date', 'datetime', 'date'],
  ],
  deals: [['book_id', 'string', 'text']],
  tickets: [['book_id', 'string', 'text']],
};

const DEAL_STAGE = { won: 'closedwon', lost: 'closedlost', open: 'contractsent' } as const;
const DEAL_TYPE = { new_business: 'newbusiness', renewal: 'renewal', expansion: 'expansion' } as const;
const TICKET_STAGE = { new: '1', waiting_on_customer: '2', waiting_on_us: '3', closed: '4' } as const;

function ensureDefinitions(portal: PortalStore, now: number): void {
  for (const [type, customs] of Object.entries(CUSTOM) as [ObjectType, readonly Custom[]][]) {
    const groups = portal.groupMap(type);
    if (!groups.has(BOOK_GROUP.name)) groups.set(BOOK_GROUP.name, { ...BOOK_GROUP });
    const defs = portal.propertyMap(type);
    for (const [name, propertyType, fieldType, options] of customs) {
      if (defs.has(name)) continue;
      const seed = {
        name,
        label: name.replace(/_/g, ' '),
        type: propertyType,
        fieldType,
        groupName: BOOK_GROUP.name,
        options,
        hasUniqueValue: name === 'book_id',
        hubspotDefined: false,
        readOnlyValue: false,
      };
      defs.set(name, seededProperty(seed, now));
    }
  }
  // The book's deal types: HubSpot ships newbusiness and existingbusiness; renewal and expansion are added.
  const dealType = portal.propertyMap('deals').get('dealtype');
  if (dealType) {
    for (const value of ['renewal', 'expansion']) {
      if (!dealType.options.some((option) => option.value === value)) {
        dealType.options.push({ label: value, value, hidden: false, displayOrder: dealType.options.length });
      }
    }
  }
}

function ensureSalesforceDefinitions(portal: PortalStore, now: number): void {
  for (const [type, property] of Object.entries(SALESFORCE_PROPERTIES) as [
    ObjectType,
    { name: string; label: string },
  ][]) {
    const groups = portal.groupMap(type);
    if (!groups.has(SALESFORCE_GROUP.name)) groups.set(SALESFORCE_GROUP.name, { ...SALESFORCE_GROUP });
    const defs = portal.propertyMap(type);
    if (defs.has(property.name)) continue;
    const seed = {
      ...property,
      type: 'string' as const,
      fieldType: 'text' as const,
      groupName: SALESFORCE_GROUP.name,
      options: undefined,
      hasUniqueValue: false,
      hubspotDefined: true,
      // The connector writes these; users and apps cannot.
      readOnlyValue: true,
    };
    defs.set(property.name, seededProperty(seed, now));
  }
}

function pairTypes(from: ObjectType, to: ObjectType): AssociationTypeDef[] {
  const unlabeled = defaultAssociationType(from, to) as AssociationTypeDef;
  const primary = [...ASSOCIATION_TYPES.values()].find(
    (def) => def.from === from && def.to === to && def.label === 'Primary',
  );
  return primary ? [unlabeled, primary] : [unlabeled];
}

const day = (date: string) => date.slice(0, 10);

/** What every book row carries that the loader reads the same way. */
interface BookRow {
  id: string;
  createdAt: string;
  updatedAt: string;
}

/**
 * Writes a book straight into a portal's store (no HTTP, no limits): owners, companies with the
 * book's properties, contacts, deals and tickets with their associations. Values are the book's;
 * timestamps come from the book so "modified since" syncs see its history. A connected book's
 * Salesforce ids go into the connector's properties.
 */
export function loadBookIntoPortal(portal: PortalStore, book: ConnectedCrmBook, now: number): BookIdMap {
  ensureDefinitions(portal, now);
  const links = book.salesforceLinks;
  if (links) ensureSalesforceDefinitions(portal, now);
  const ids: BookIdMap = {
    owners: new Map(),
    companies: new Map(),
    contacts: new Map(),
    deals: new Map(),
    tickets: new Map(),
  };
  for (const owner of book.owners) {
    const record = portal.addOwner({
      email: owner.email,
      firstName: owner.firstName,
      lastName: owner.lastName,
      createdAt: now,
      updatedAt: now,
      archived: false,
    });
    ids.owners.set(owner.id, record.id);
  }
  /** Inserts one book row with the book's own timestamps and notes the CRM id it was given. */
  const insert = (type: keyof typeof CUSTOM, row: BookRow, values: Record<string, string>): CrmRecord => {
    const record = portal.insertLoaded(type, values, Date.parse(row.createdAt), Date.parse(row.updatedAt));
    ids[type].set(row.id, record.id);
    return record;
  };
  const companyRecords = new Map<string, CrmRecord>();
  const toCompany = {
    contacts: pairTypes('contacts', 'companies'),
    deals: pairTypes('deals', 'companies'),
    tickets: pairTypes('tickets', 'companies'),
  };

  for (const account of book.accounts) {
    const values: Record<string, string> = {
      name: account.name,
      industry: account.industry,
      numberofemployees: String(account.employees),
      country: account.country,
      book_id: account.id,
      arr: String(account.arr),
      licences: String(account.licences),
      segment: account.segment,
      customer_since: day(account.customerSince),
      contract_start_date: day(account.contractStart),
      renewal_date: day(account.contractEnd),
      customer_status: account.status,
      lifecyclestage: account.status === 'churned' ? 'other' : 'customer',
    };
    // Some companies have no domain in HubSpot.
    if (account.domain !== '') values.domain = account.domain;
    const salesforceId = links?.companies.get(account.id);
    if (salesforceId) values.salesforceaccountid = salesforceId;
    const csm = ids.owners.get(account.csmId);
    if (csm) values.hubspot_owner_id = csm;
    if (account.parentId) {
      values.parent_book_id = account.parentId;
      // Parents come earlier in the book, so their company exists already.
      const parent = companyRecords.get(account.parentId);
      if (parent) values.hs_parent_company_id = parent.id;
    }
    const record = insert('companies', account, values);
    companyRecords.set(account.id, record);
  }

  const contactRecords = new Map<string, CrmRecord>();
  for (const contact of book.contacts) {
    const company = companyRecords.get(contact.accountId);
    const values: Record<string, string> = {
      firstname: contact.firstName,
      lastname: contact.lastName,
      email: contact.email,
      jobtitle: contact.title,
      book_id: contact.id,
      contact_role: contact.role,
      contact_status: contact.leftAt ? 'departed' : 'active',
    };
    if (company?.properties.name) values.company = company.properties.name;
    if (contact.lastEngagedAt) values.notes_last_contacted = new Date(contact.lastEngagedAt).toISOString();
    if (contact.leftAt) values.left_company_date = new Date(contact.leftAt).toISOString();
    const record = insert('contacts', contact, values);
    contactRecords.set(contact.id, record);
    if (company) for (const def of toCompany.contacts) portal.associate(record, company, def);
  }

  for (const deal of book.deals) {
    const values: Record<string, string> = {
      dealname: deal.name,
      amount: String(deal.amount),
      closedate: new Date(`${day(deal.closeDate)}T00:00:00.000Z`).toISOString(),
      pipeline: 'default',
      dealstage: DEAL_STAGE[deal.stage],
      dealtype: DEAL_TYPE[deal.type],
      book_id: deal.id,
    };
    const owner = ids.owners.get(deal.ownerId);
    if (owner) values.hubspot_owner_id = owner;
    const opportunityId = links?.deals.get(deal.id);
    if (opportunityId) values.salesforceopportunityid = opportunityId;
    const record = insert('deals', deal, values);
    const company = companyRecords.get(deal.accountId);
    if (company) for (const def of toCompany.deals) portal.associate(record, company, def);
  }

  const ticketToContact = defaultAssociationType('tickets', 'contacts') as AssociationTypeDef;
  for (const ticket of book.tickets) {
    const values: Record<string, string> = {
      subject: ticket.subject,
      hs_pipeline: '0',
      hs_pipeline_stage: TICKET_STAGE[ticket.status],
      hs_ticket_priority: ticket.priority.toUpperCase(),
      book_id: ticket.id,
    };
    if (ticket.closedAt) values.closed_date = new Date(ticket.closedAt).toISOString();
    const record = insert('tickets', ticket, values);
    const company = companyRecords.get(ticket.accountId);
    if (company) for (const def of toCompany.tickets) portal.associate(record, company, def);
    const contact = ticket.contactId ? contactRecords.get(ticket.contactId) : undefined;
    if (contact) portal.associate(record, contact, ticketToContact);
  }
  return ids;
}
