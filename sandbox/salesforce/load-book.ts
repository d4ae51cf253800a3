import type { CrmBook, Deal, Ticket } from '../generator/book.ts';
import type { OrgStore, SfRecord } from './org-store.ts';
import { formatDateTime, parseInstant } from './sf-dates.ts';

/**
 * Loads the CRM part of a book straight into an org's store (no HTTP), keeping the book's
 * created/modified times. Mapping:
 * - owners → User (Bellwether_Role__c: CSM, Account Executive, CS Leader);
 * - accounts → Account (OwnerId the account executive, CSM__c the CSM, ParentId for subsidiaries,
 *   Renewal_Date__c the end of the current term, Book_Id__c the book id);
 * - contacts → Contact (Contact_Role__c; a departed contact has Departed__c = true and
 *   Departed_Date__c the day they left);
 * - deals → Opportunity (won/lost → Closed Won/Closed Lost; an open deal's stage follows how
 *   close its close date is to the book's as-of day);
 * - tickets → Case (urgent → High with IsEscalated; waiting on us → Working).
 */

export interface SalesforceIdMap {
  owners: Map<string, string>;
  accounts: Map<string, string>;
  contacts: Map<string, string>;
  deals: Map<string, string>;
  tickets: Map<string, string>;
}

/** What every book row but an owner carries: its id and when it was created and last changed. */
interface BookRow {
  id: string;
  createdAt: string;
  updatedAt: string;
}

const ROLE = { csm: 'CSM', account_executive: 'Account Executive', cs_leader: 'CS Leader' } as const;
const SEGMENT = { enterprise: 'Enterprise', mid_market: 'Mid-Market', smb: 'SMB' } as const;
const CONTACT_ROLE = {
  champion: 'Champion',
  executive_sponsor: 'Executive Sponsor',
  admin: 'Admin',
  user: 'User',
} as const;
const DEAL_TYPE = {
  new_business: 'New Customer',
  renewal: 'Renewal',
  expansion: 'Existing Customer - Upgrade',
} as const;
const CASE_STATUS = {
  new: 'New',
  waiting_on_customer: 'Waiting on Customer',
  waiting_on_us: 'Working',
  closed: 'Closed',
} as const;
const CASE_PRIORITY = { low: 'Low', medium: 'Medium', high: 'High', urgent: 'High' } as const;

function stageOf(deal: Deal, asOf: string): string {
  if (deal.stage === 'won') return 'Closed Won';
  if (deal.stage === 'lost') return 'Closed Lost';
  const daysToClose = (Date.parse(deal.closeDate) - Date.parse(asOf)) / 86_400_000;
  if (daysToClose <= 30) return 'Negotiation/Review';
  if (daysToClose <= 90) return 'Proposal/Price Quote';
  return 'Qualification';
}

function caseFields(ticket: Ticket): SfRecord {
  return {
    Subject: ticket.subject,
    Priority: CASE_PRIORITY[ticket.priority],
    IsEscalated: ticket.priority === 'urgent',
    Status: CASE_STATUS[ticket.status],
    ClosedDate: ticket.closedAt ? formatDateTime(parseInstant(ticket.closedAt)) : null,
    Book_Id__c: ticket.id,
  };
}

export function loadBook(org: OrgStore, book: CrmBook, actorId: string): SalesforceIdMap {
  const ids: SalesforceIdMap = {
    owners: new Map(),
    accounts: new Map(),
    contacts: new Map(),
    deals: new Map(),
    tickets: new Map(),
  };
  const lookup = (map: Map<string, string>, key: string | null, what: string): string | null => {
    if (key === null) return null;
    const id = map.get(key);
    if (!id) throw new Error(`book ${what} ${key} is not in the book`);
    return id;
  };
  const insert = (type: string, values: SfRecord, createdAt: string, updatedAt: string) =>
    org.insert(type, values, actorId, parseInstant(updatedAt), parseInstant(createdAt));
  /** Inserts each book row with its own created/modified times and records its new id. */
  const insertEach = <T extends BookRow>(
    type: string,
    rows: T[],
    into: Map<string, string>,
    fieldsOf: (row: T) => SfRecord,
  ) => {
    for (const row of rows) into.set(row.id, insert(type, fieldsOf(row), row.createdAt, row.updatedAt));
  };

  for (const owner of book.owners) {
    const id = insert(
      'User',
      {
        Username: owner.email,
        FirstName: owner.firstName,
        LastName: owner.lastName,
        Email: owner.email,
        IsActive: true,
        Bellwether_Role__c: ROLE[owner.role],
      },
      `${book.meta.historyStart}T00:00:00Z`,
      `${book.meta.historyStart}T00:00:00Z`,
    );
    ids.owners.set(owner.id, id);
  }

  insertEach('Account', book.accounts, ids.accounts, (account) => ({
    Name: account.name,
    // A domain written as a web address is the Website as it stands.
    Website: /^https?:\/\//i.test(account.domain) ? account.domain : `https://${account.domain}`,
    Industry: account.industry,
    NumberOfEmployees: account.employees,
    BillingCountry: account.country,
    OwnerId: lookup(ids.owners, account.accountExecutiveId, 'owner'),
    ARR__c: account.arr,
    Licences__c: account.licences,
    Segment__c: SEGMENT[account.segment],
    Customer_Since__c: account.customerSince,
    Contract_Start__c: account.contractStart,
    Renewal_Date__c: account.contractEnd,
    CSM__c: lookup(ids.owners, account.csmId, 'owner'),
    Book_Id__c: account.id,
    Customer_Status__c: account.status === 'active' ? 'Active' : 'Churned',
  }));
  const accounts = org.table('Account');
  for (const account of book.accounts) {
    if (account.parentId === null) continue;
    const record = accounts.get(ids.accounts.get(account.id) as string);
    if (record) record.ParentId = lookup(ids.accounts, account.parentId, 'account');
  }
  const csmOf = new Map(book.accounts.map((account) => [account.id, ids.owners.get(account.csmId) ?? null]));

  insertEach('Contact', book.contacts, ids.contacts, (contact) => ({
    AccountId: lookup(ids.accounts, contact.accountId, 'account'),
    FirstName: contact.firstName,
    LastName: contact.lastName,
    Email: contact.email,
    Title: contact.title,
    OwnerId: csmOf.get(contact.accountId) ?? null,
    Contact_Role__c: CONTACT_ROLE[contact.role],
    Last_Engaged__c: contact.lastEngagedAt ? formatDateTime(parseInstant(contact.lastEngagedAt)) : null,
    Departed__c: contact.leftAt !== null,
    Departed_Date__c: contact.leftAt ? contact.leftAt.slice(0, 10) : null,
    Book_Id__c: contact.id,
  }));

  insertEach('Opportunity', book.deals, ids.deals, (deal) => ({
    AccountId: lookup(ids.accounts, deal.accountId, 'account'),
    Name: deal.name,
    Amount: deal.amount,
    CloseDate: deal.closeDate,
    StageName: stageOf(deal, book.meta.asOf),
    Type: DEAL_TYPE[deal.type],
    OwnerId: lookup(ids.owners, deal.ownerId, 'owner'),
    Book_Id__c: deal.id,
  }));

  insertEach('Case', book.tickets, ids.tickets, (ticket) => ({
    ...caseFields(ticket),
    AccountId: lookup(ids.accounts, ticket.accountId, 'account'),
    ContactId: lookup(ids.contacts, ticket.contactId, 'contact'),
    OwnerId: csmOf.get(ticket.accountId) ?? null,
  }));
  return ids;
}
