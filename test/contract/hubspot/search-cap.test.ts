import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HubspotContract } from '../../support/hubspot-openapi.ts';
import { contractProblems, startHubspot, type HubspotHarness } from '../../support/hubspot-harness.ts';
import { syntheticCrmBook } from '../../support/synthetic-crm-book.ts';

const PORTAL = 1000002;

describe('HubSpot stand-in: the 10,000-result search cap through @hubspot/api-client', () => {
  let hub: HubspotHarness;
  let contract: HubspotContract;

  beforeAll(async () => {
    contract = await HubspotContract.load();
    hub = await startHubspot({ limits: { searchPerSecond: 1_000 } });
    hub.sandbox.loadBook(PORTAL, syntheticCrmBook(10_050, 0));
  });

  afterAll(async () => {
    await hub.close();
  });

  it('pages a search to 10,000 results and answers 400 for the page beyond', async () => {
    const client = hub.client(hub.sandbox.issueTokens(PORTAL).accessToken);
    const request = {
      filterGroups: [{ filters: [{ propertyName: 'hs_object_id', operator: 'HAS_PROPERTY' as never }] }],
      sorts: [{ propertyName: 'hs_object_id', direction: 'ASCENDING' }] as never,
      properties: ['book_id'],
      limit: 200,
      after: '0',
    };
    const seen = new Set<string>();
    let after: string | undefined = '0';
    let total = 0;
    while (after !== undefined && Number(after) < 10_000) {
      const page = await client.crm.companies.searchApi.doSearch({ ...request, after });
      total = page.total;
      for (const result of page.results) seen.add(result.id);
      after = page.paging?.next?.after;
    }
    expect(total).toBe(10_050);
    expect(seen.size).toBe(10_000);
    // The cap is reached with a cursor still offered; following it is refused.
    expect(after).toBe('10000');
    await expect(client.crm.companies.searchApi.doSearch({ ...request, after: after ?? '' })).rejects.toMatchObject({
      code: 400,
      body: { status: 'error', category: 'VALIDATION_ERROR' },
    });
    // Narrowing the query (keyset on hs_object_id) reaches the rest.
    const last = [...seen]
      .map(Number)
      .sort((a, b) => a - b)
      .at(-1);
    const rest = await client.crm.companies.searchApi.doSearch({
      ...request,
      filterGroups: [{ filters: [{ propertyName: 'hs_object_id', operator: 'GT' as never, value: String(last) }] }],
      after: '0',
    });
    expect(rest.total).toBe(50);
  });

  it('answers only HubSpot-shaped bodies (checked against the OpenAPI files)', () => {
    expect(contractProblems(contract, hub.exchanges)).toEqual([]);
  });
});
