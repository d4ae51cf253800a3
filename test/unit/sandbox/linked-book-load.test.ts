import { describe, expect, it } from 'vitest';
import { crmBook, generateBook } from '../../../sandbox/generator/generate-book.ts';
import { linkBook } from '../../../sandbox/generator/linked-book.ts';
import { createHubspotSandbox, DEFAULT_PORTALS } from '../../../sandbox/hubspot/index.ts';
import { loadLinkedBook } from '../../../sandbox/load-linked-book.ts';
import { createSalesforceSandbox } from '../../../sandbox/salesforce/salesforce-sandbox.ts';
import { ManualClock } from '../../../sandbox/shared/clock.ts';
import { syntheticCrmBook } from '../../support/synthetic-crm-book.ts';

const clock = new ManualClock(Date.parse('2026-07-01T00:00:00Z'));
const book = crmBook(generateBook({ seed: 5, accounts: 400, asOf: '2026-06-30' }).book);
const linked = linkBook(book, { seed: 2 });
const hubspot = createHubspotSandbox({ clock });
const salesforce = createSalesforceSandbox({ clock });
const [connectedPortal, otherPortal] = DEFAULT_PORTALS.map((portal) => portal.id) as [number, number];
const loaded = loadLinkedBook(hubspot, salesforce, connectedPortal, salesforce.defaultOrg.id, linked);
const portal = hubspot.portals.get(String(connectedPortal))!;
const org = salesforce.defaultOrg;

describe('loadLinkedBook', () => {
  it('writes each connector-linked company’s Salesforce Account id, the id of the same customer’s Account', () => {
    const customers = loaded.truth.customers.filter((customer) => customer.group === 'connector');
    expect(customers.length).toBe(280);
    for (const customer of customers) {
      const company = portal.get('companies', customer.hubspotCompanyId!)!;
      const account = org.table('Account').get(customer.salesforceAccountId!)!;
      expect(company.properties.salesforceaccountid).toBe(account.Id);
      expect(account.Book_Id__c).toBe(customer.bookId);
      expect(company.properties.book_id).toBe(customer.hubspotBookId);
    }
  });

  it('leaves every other company without a Salesforce id', () => {
    const others = loaded.truth.customers.filter((customer) => customer.group !== 'connector');
    expect(others.length).toBeGreaterThan(100);
    for (const customer of others) {
      if (customer.hubspotCompanyId === null) continue;
      expect(portal.get('companies', customer.hubspotCompanyId)!.properties).not.toHaveProperty('salesforceaccountid');
    }
  });

  it('writes each mirrored deal’s Opportunity id, and nothing on deals HubSpot holds alone', () => {
    const opportunities = org.table('Opportunity');
    for (const deal of loaded.truth.deals) {
      expect(deal.hubspotDealId !== null, deal.bookId).toBe(deal.where !== 'salesforce');
      expect(deal.salesforceOpportunityId !== null, deal.bookId).toBe(deal.where !== 'hubspot');
      if (deal.hubspotDealId === null) continue;
      const properties = portal.get('deals', deal.hubspotDealId)!.properties;
      if (deal.where === 'hubspot') {
        expect(properties).not.toHaveProperty('salesforceopportunityid');
        continue;
      }
      const opportunity = opportunities.get(deal.salesforceOpportunityId!)!;
      expect(properties.salesforceopportunityid).toBe(opportunity.Id);
      expect(Number(properties.amount)).toBe(opportunity.Amount);
    }
    expect(loaded.truth.deals.filter((deal) => deal.where === 'both').length).toBeGreaterThan(500);
  });

  it('holds each side’s records: tickets in HubSpot only, look-alikes in one CRM, contacts in both', () => {
    expect(portal.table('tickets').order).toHaveLength(book.tickets.length);
    expect(org.table('Case').size).toBe(0);
    expect(portal.table('companies').order).toHaveLength(linked.hubspot.accounts.length);
    expect(org.table('Account').size).toBe(linked.salesforce.accounts.length);
    expect(portal.table('contacts').order).toHaveLength(book.contacts.length);
    expect(org.table('Contact').size).toBe(book.contacts.length);
    for (const customer of loaded.truth.customers.filter((c) => c.resembles !== null)) {
      expect([customer.hubspotCompanyId, customer.salesforceAccountId].filter((id) => id === null)).toHaveLength(1);
    }
  });

  it('defines the connector’s properties as HubSpot does, only in the portal the connector is installed in', () => {
    for (const [type, name] of [
      ['companies', 'salesforceaccountid'],
      ['deals', 'salesforceopportunityid'],
    ] as const) {
      expect(portal.propertyMap(type).get(name)).toMatchObject({
        type: 'string',
        fieldType: 'text',
        groupName: 'salesforceinformation',
        hubspotDefined: true,
        readOnlyValue: true,
      });
      expect(portal.groupMap(type).get('salesforceinformation')).toMatchObject({ label: 'Salesforce information' });
      expect(hubspot.portals.get(String(otherPortal))!.propertyMap(type).has(name)).toBe(false);
    }
  });

  it('leaves an ordinary book’s load as it was: no connector properties, every domain written', () => {
    const plain = createHubspotSandbox({ clock });
    const ids = plain.loadBook(otherPortal, syntheticCrmBook(3, 1));
    const store = plain.portals.get(String(otherPortal))!;
    expect(store.propertyMap('companies').has('salesforceaccountid')).toBe(false);
    expect(store.get('companies', ids.companies.get('acc-00001')!)!.properties.domain).toBe('account-1.example.com');
  });
});
