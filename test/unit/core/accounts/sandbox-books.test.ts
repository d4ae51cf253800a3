import { describe, expect, it } from 'vitest';
import type { CrmBook } from '../../../../sandbox/generator/book.ts';
import { loadBookIntoPortal } from '../../../../sandbox/hubspot/load-book.ts';
import type { ObjectType } from '../../../../sandbox/hubspot/object-types.ts';
import { PortalStore } from '../../../../sandbox/hubspot/portal-store.ts';
import { createSalesforceSandbox } from '../../../../sandbox/salesforce/salesforce-sandbox.ts';
import { ManualClock } from '../../../../sandbox/shared/clock.ts';
import { defaultMapping, type CoreObject } from '../../../../server/core/accounts/mapping.ts';
import { normaliseRecords, type NormalisedRowOf, type RawRecord } from '../../../../server/core/accounts/normalise.ts';
import { syntheticCrmBook } from '../../../support/synthetic-crm-book.ts';

/**
 * The default mapping, detected from what a stand-in really has, read back through the normaliser,
 * must give the book's own truth for every record: the whole path from CRM values to product rows.
 */

const NOW = Date.parse('2026-07-01T00:00:00Z');
const day = (instant: string) => instant.slice(0, 10);

interface Truth {
  /** CRM id of each book id, per object. */
  ids: Record<CoreObject, Map<string, string>>;
}

function byExternalId<O extends CoreObject>(rows: NormalisedRowOf<O>[]): Map<string, NormalisedRowOf<O>> {
  return new Map(rows.map((row) => [row.externalId, row]));
}

/** Every row equals what the book says, through the stand-in's ids. */
function expectBookTruth(
  book: CrmBook,
  truth: Truth,
  rows: { [O in CoreObject]: Map<string, NormalisedRowOf<O>> },
  options: { csmIsOwner: boolean; urgentIsEscalated: boolean },
) {
  const id = (object: CoreObject, bookId: string) => truth.ids[object].get(bookId) as string;
  for (const account of book.accounts) {
    const row = rows.accounts.get(id('accounts', account.id));
    expect(row).toMatchObject({
      name: account.name,
      domain: account.domain,
      arr: String(account.arr),
      renewalDate: account.contractEnd,
      segment: account.segment,
      csmExternalId: id('owners', account.csmId),
      licences: account.licences,
      customerStatus: account.status,
      problems: [],
    });
    if (!options.csmIsOwner) expect(row?.ownerExternalId).toBe(id('owners', account.accountExecutiveId));
  }
  for (const contact of book.contacts) {
    expect(rows.contacts.get(id('contacts', contact.id))).toMatchObject({
      accountExternalId: id('accounts', contact.accountId),
      email: contact.email.toLowerCase(),
      name: `${contact.firstName} ${contact.lastName}`,
      title: contact.title,
      role: contact.role === 'champion' || contact.role === 'executive_sponsor' ? contact.role : 'other',
      departed: contact.leftAt !== null,
      departedOn: contact.leftAt === null ? null : day(contact.leftAt),
      lastEngagedAt: contact.lastEngagedAt === null ? null : Date.parse(contact.lastEngagedAt),
      problems: [],
    });
  }
  for (const deal of book.deals) {
    expect(rows.deals.get(id('deals', deal.id))).toMatchObject({
      accountExternalId: id('accounts', deal.accountId),
      amount: String(deal.amount),
      closeDate: deal.closeDate,
      stage: deal.stage,
      kind: deal.type,
      ownerExternalId: id('owners', deal.ownerId),
      problems: [],
    });
  }
  for (const ticket of book.tickets) {
    const urgent = ticket.priority === 'urgent';
    expect(rows.tickets.get(id('tickets', ticket.id))).toMatchObject({
      accountExternalId: id('accounts', ticket.accountId),
      contactExternalId: ticket.contactId === null ? null : id('contacts', ticket.contactId),
      subject: ticket.subject,
      priority: urgent && options.urgentIsEscalated ? 'high' : ticket.priority,
      escalated: urgent && options.urgentIsEscalated,
      closed: ticket.status === 'closed',
      closedAt: ticket.closedAt === null ? null : Date.parse(ticket.closedAt),
      problems: [],
    });
  }
  for (const owner of book.owners) {
    expect(rows.owners.get(id('owners', owner.id))).toMatchObject({
      email: owner.email,
      name: `${owner.firstName} ${owner.lastName}`,
      active: true,
    });
  }
}

describe('default mapping and normalising on the HubSpot stand-in book', () => {
  const book = syntheticCrmBook(30, 4);
  const portal = new PortalStore({ id: 1, name: 'book', domain: 'book.example.com' }, NOW);
  const ids = loadBookIntoPortal(portal, book, NOW);
  const hubspotType: Record<Exclude<CoreObject, 'owners'>, ObjectType> = {
    accounts: 'companies',
    contacts: 'contacts',
    deals: 'deals',
    tickets: 'tickets',
  };
  const available = Object.fromEntries(
    Object.entries(hubspotType).map(([object, type]) => [object, [...portal.propertyMap(type).keys()]]),
  );
  const mapping = defaultMapping('hubspot', available);

  const rawOf = (object: Exclude<CoreObject, 'owners'>): RawRecord[] =>
    portal.table(hubspotType[object]).order.map((record) => ({
      id: record.id,
      modifiedAt: record.updatedAt,
      createdAt: record.createdAt,
      archived: record.archived,
      properties: record.properties,
      associations: {
        accounts: portal.associations(record, 'companies').map((link) => link.id),
        contacts: portal.associations(record, 'contacts').map((link) => link.id),
      },
    }));

  it('detects the book’s custom properties', () => {
    expect(mapping.accounts).toMatchObject({
      arr: 'arr',
      renewalDate: 'renewal_date',
      segment: 'segment',
      licences: 'licences',
      customerStatus: 'customer_status',
      // HubSpot's own parent company id, not the book's parent_book_id (a book id, not a company id).
      parent: 'hs_parent_company_id',
    });
    expect(mapping.contacts).toMatchObject({ role: 'contact_role', departed: 'contact_status' });
  });

  it('gives every record the book’s values', () => {
    const owners: RawRecord[] = [...portal.owners.values()].map((owner) => ({
      id: owner.id,
      modifiedAt: owner.updatedAt,
      createdAt: owner.createdAt,
      archived: owner.archived,
      properties: { email: owner.email, firstName: owner.firstName, lastName: owner.lastName },
      associations: {},
    }));
    const rows = {
      accounts: byExternalId(normaliseRecords('hubspot', 'accounts', rawOf('accounts'), mapping)),
      contacts: byExternalId(normaliseRecords('hubspot', 'contacts', rawOf('contacts'), mapping)),
      deals: byExternalId(normaliseRecords('hubspot', 'deals', rawOf('deals'), mapping)),
      tickets: byExternalId(normaliseRecords('hubspot', 'tickets', rawOf('tickets'), mapping)),
      owners: byExternalId(normaliseRecords('hubspot', 'owners', owners, mapping)),
    };
    expect(rows.accounts.size).toBe(30);
    expect(rows.tickets.size).toBe(120);
    const truth = {
      ids: { ...ids, accounts: ids.companies } as Truth['ids'],
    };
    expectBookTruth(book, truth, rows, { csmIsOwner: true, urgentIsEscalated: false });
  });
});

describe('default mapping and normalising on the Salesforce stand-in book', () => {
  const book = syntheticCrmBook(30, 4);
  const sandbox = createSalesforceSandbox({ clock: new ManualClock(NOW) });
  const org = sandbox.defaultOrg;
  const ids = sandbox.loadBook(org.id, book);
  const sobject: Record<CoreObject, string> = {
    accounts: 'Account',
    contacts: 'Contact',
    deals: 'Opportunity',
    tickets: 'Case',
    owners: 'User',
  };
  const available = Object.fromEntries(
    Object.entries(sobject).map(([object, name]) => [
      object,
      [...(org.object(name)?.fields.values() ?? [])].map((f) => f.name),
    ]),
  );
  const mapping = defaultMapping('salesforce', available);
  const text = (value: unknown) =>
    value === null || value === undefined ? null : typeof value === 'string' ? value : JSON.stringify(value);

  const rawOf = (object: CoreObject): RawRecord[] =>
    [...org.table(sobject[object]).values()].map((record) => ({
      id: record.Id as string,
      modifiedAt: Date.parse(String(record.SystemModstamp).replace('+0000', 'Z')),
      createdAt: null,
      archived: false,
      properties: Object.fromEntries(Object.entries(record).map(([name, value]) => [name, text(value)])),
      associations: {
        ...(typeof record.AccountId === 'string' ? { accounts: [record.AccountId] } : {}),
        ...(typeof record.ContactId === 'string' ? { contacts: [record.ContactId] } : {}),
      },
    }));

  it('detects the org’s custom fields and the CSM lookup', () => {
    expect(mapping.accounts).toMatchObject({
      arr: 'ARR__c',
      renewalDate: 'Renewal_Date__c',
      csm: 'CSM__c',
      owner: 'OwnerId',
      parent: 'ParentId',
      customerStatus: 'Customer_Status__c',
    });
    expect(mapping.deals).toMatchObject({ won: 'IsWon', closed: 'IsClosed', type: 'Type', pipeline: null });
  });

  it('gives every record the book’s values', () => {
    const rows = {
      accounts: byExternalId(normaliseRecords('salesforce', 'accounts', rawOf('accounts'), mapping)),
      contacts: byExternalId(normaliseRecords('salesforce', 'contacts', rawOf('contacts'), mapping)),
      deals: byExternalId(normaliseRecords('salesforce', 'deals', rawOf('deals'), mapping)),
      tickets: byExternalId(normaliseRecords('salesforce', 'tickets', rawOf('tickets'), mapping)),
      owners: byExternalId(normaliseRecords('salesforce', 'owners', rawOf('owners'), mapping)),
    };
    expect(rows.deals.size).toBe(120);
    const truth = { ids: { ...ids } as Truth['ids'] };
    expectBookTruth(book, truth, rows, { csmIsOwner: false, urgentIsEscalated: true });
  });
});
