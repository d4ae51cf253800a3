import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../sandbox/shared/clock.ts';
import { HubspotContract } from '../../support/hubspot-openapi.ts';
import { contractProblems, startHubspot, type HubspotHarness } from '../../support/hubspot-harness.ts';

const PORTAL = 1000001;

describe('HubSpot stand-in: search index lag through @hubspot/api-client', () => {
  const clock = new ManualClock(Date.parse('2026-04-01T08:00:00Z'));
  let hub: HubspotHarness;
  let contract: HubspotContract;

  beforeAll(async () => {
    contract = await HubspotContract.load();
    hub = await startHubspot({ clock, searchIndexLagMs: 5_000, limits: { searchPerSecond: 1_000 } });
  });

  afterAll(async () => {
    await hub.close();
  });

  it('shows creations, changes and archivals in search only once indexed, while reads see them at once', async () => {
    const client = hub.client(hub.sandbox.issueTokens(PORTAL).accessToken);
    const byName = (name: string) =>
      client.crm.companies.searchApi
        .doSearch({
          filterGroups: [{ filters: [{ propertyName: 'name', operator: 'EQ' as never, value: name }] }],
          sorts: [],
          properties: ['name'],
          limit: 10,
          after: '0',
        })
        .then((page) => page.results.map((r) => r.properties.name));

    const created = await client.crm.companies.basicApi.create({ properties: { name: 'Lagging' }, associations: [] });
    expect(await byName('Lagging')).toEqual([]);
    await expect(client.crm.companies.basicApi.getById(created.id, ['name'])).resolves.toMatchObject({
      id: created.id,
    });
    clock.advance(5_000);
    expect(await byName('Lagging')).toEqual(['Lagging']);

    await client.crm.companies.basicApi.update(created.id, { properties: { name: 'Renamed' } });
    expect(await byName('Renamed')).toEqual([]);
    expect(await byName('Lagging')).toEqual(['Lagging']);
    clock.advance(5_000);
    expect(await byName('Renamed')).toEqual(['Renamed']);
    expect(await byName('Lagging')).toEqual([]);

    await client.crm.companies.basicApi.archive(created.id);
    expect(await byName('Renamed')).toEqual(['Renamed']);
    clock.advance(5_000);
    expect(await byName('Renamed')).toEqual([]);
  });

  it('answers only HubSpot-shaped bodies (checked against the OpenAPI files)', () => {
    expect(contractProblems(contract, hub.exchanges)).toEqual([]);
  });
});
