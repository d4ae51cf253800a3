import { Client } from '@hubspot/api-client';
import jsforce from 'jsforce';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { crmBook, generateBook } from '../../../sandbox/generator/generate-book.ts';
import { linkBook } from '../../../sandbox/generator/linked-book.ts';
import { DEFAULT_PORTALS } from '../../../sandbox/hubspot/index.ts';
import { startSandboxes, type RunningSandboxes } from '../../../sandbox/start-sandboxes.ts';

/** A two-CRM book: each stand-in holds its side, HubSpot with the connector's Salesforce ids. */

const book = crmBook(generateBook({ seed: 11, accounts: 60, asOf: '2026-06-30' }).book);
const linked = linkBook(book, { seed: 4 });
let running: RunningSandboxes;
let hubspot: Client;

beforeAll(async () => {
  running = await startSandboxes({ linkedBook: linked });
  const { accessToken } = running.hubspot.sandbox.issueTokens(running.hubspot.portalId);
  hubspot = new Client({ basePath: running.hubspot.url, accessToken, numberOfApiCallRetries: 0 });
});
afterAll(() => running.close());

const connectorIds = () =>
  new Map(
    running
      .linkedTruth!.customers.filter((customer) => customer.group === 'connector')
      .map((customer) => [customer.hubspotCompanyId!, customer.salesforceAccountId!]),
  );

describe('a linked book in both stand-ins', () => {
  it('answers salesforceaccountid on a company list, and leaves out a property the portal does not have', async () => {
    const companies = await hubspot.crm.companies.getAll(100, undefined, [
      'name',
      'salesforceaccountid',
      'no_such_property',
    ]);
    expect(companies).toHaveLength(linked.hubspot.accounts.length);
    const expected = connectorIds();
    for (const company of companies) {
      expect(company.properties).not.toHaveProperty('no_such_property');
      expect(company.properties.salesforceaccountid).toBe(expected.get(company.id) ?? null);
    }
  });

  it('answers it on a batch read and finds the linked companies by it in search', async () => {
    const expected = connectorIds();
    const ids = [...expected.keys()].slice(0, 10);
    const batch = await hubspot.crm.companies.batchApi.read({
      inputs: ids.map((id) => ({ id })),
      properties: ['salesforceaccountid', 'no_such_property'],
      propertiesWithHistory: [],
    });
    expect(new Map(batch.results.map((company) => [company.id, company.properties.salesforceaccountid]))).toEqual(
      new Map(ids.map((id) => [id, expected.get(id)])),
    );
    const found = await hubspot.crm.companies.searchApi.doSearch({
      filterGroups: [{ filters: [{ propertyName: 'salesforceaccountid', operator: 'HAS_PROPERTY' as never }] }],
      properties: ['salesforceaccountid'],
      limit: 100,
      after: '0',
    });
    expect(found.total).toBe(expected.size);
    for (const company of found.results) expect(company.properties.salesforceaccountid).toBe(expected.get(company.id));
  });

  it('answers salesforceopportunityid on mirrored deals, the id of an Opportunity in the org', async () => {
    const mirrored = running.linkedTruth!.deals.filter((deal) => deal.where === 'both');
    const found = await hubspot.crm.deals.searchApi.doSearch({
      filterGroups: [{ filters: [{ propertyName: 'salesforceopportunityid', operator: 'HAS_PROPERTY' as never }] }],
      properties: ['salesforceopportunityid', 'amount'],
      limit: 200,
      after: '0',
    });
    expect(found.total).toBe(mirrored.length);
    const session = running.salesforce.sandbox.issueSession({ instanceUrl: running.salesforce.url });
    const salesforce = new jsforce.Connection({
      instanceUrl: running.salesforce.url,
      accessToken: session.access_token,
      version: '66.0',
    });
    const opportunities = await salesforce.query<{ Id: string; Amount: number }>('SELECT Id, Amount FROM Opportunity');
    const amounts = new Map(opportunities.records.map((opportunity) => [opportunity.Id, opportunity.Amount]));
    for (const deal of found.results) {
      expect(Number(deal.properties.amount)).toBe(amounts.get(deal.properties.salesforceopportunityid!));
    }
  });

  it('leaves the connector’s properties out in a portal without the connector', async () => {
    const other = (DEFAULT_PORTALS[1] as { id: number }).id;
    const { accessToken } = running.hubspot.sandbox.issueTokens(other);
    const client = new Client({ basePath: running.hubspot.url, accessToken, numberOfApiCallRetries: 0 });
    await client.crm.companies.basicApi.create({ properties: { name: 'Unlinked' }, associations: [] });
    const page = await client.crm.companies.basicApi.getPage(10, undefined, ['name', 'salesforceaccountid']);
    expect(page.results[0]?.properties).toMatchObject({ name: 'Unlinked' });
    expect(page.results[0]?.properties).not.toHaveProperty('salesforceaccountid');
  });

  it('refuses a book and a linked book together', async () => {
    await expect(startSandboxes({ book, linkedBook: linked })).rejects.toThrow(/not both/);
  });
});
