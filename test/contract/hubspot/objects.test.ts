import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../sandbox/shared/clock.ts';
import { HubspotContract } from '../../support/hubspot-openapi.ts';
import { contractProblems, startHubspot, type HubspotHarness } from '../../support/hubspot-harness.ts';

const PORTAL = 1000001;

describe('HubSpot stand-in: CRM v3 objects through @hubspot/api-client', () => {
  const clock = new ManualClock(Date.parse('2026-03-01T09:00:00Z'));
  let hub: HubspotHarness;
  let contract: HubspotContract;
  let token: string;

  beforeAll(async () => {
    contract = await HubspotContract.load();
    hub = await startHubspot({ clock, limits: { perTenSeconds: 10_000, searchPerSecond: 1_000 } });
    token = hub.sandbox.issueTokens(PORTAL).accessToken;
  });

  afterAll(async () => {
    await hub.close();
  });

  it('creates in batches and pages through every company with getAll, with no paging on the last page', async () => {
    const client = hub.client(token);
    for (let batch = 0; batch < 3; batch++) {
      const inputs = Array.from({ length: batch < 2 ? 100 : 37 }, (_, i) => ({
        properties: {
          name: `Company ${batch * 100 + i}`,
          domain: `c${batch * 100 + i}.example.com`,
          numberofemployees: String(i),
        },
        associations: [],
      }));
      const created = await client.crm.companies.batchApi.create({ inputs });
      expect(created.status).toBe('COMPLETE');
      expect(created.results).toHaveLength(inputs.length);
    }
    const all = await client.crm.companies.getAll(100, undefined, ['name', 'numberofemployees']);
    expect(all).toHaveLength(237);
    expect(new Set(all.map((company) => company.id)).size).toBe(237);
    expect(all[0]?.properties).toMatchObject({ name: 'Company 0', numberofemployees: '0' });
    const pages = hub.exchanges.filter((e) => e.method === 'GET' && e.path === '/crm/v3/objects/companies');
    expect(pages).toHaveLength(3);
    expect(JSON.parse(pages.at(-1)?.body ?? '{}')).not.toHaveProperty('paging');
    expect(JSON.parse(pages[0]?.body ?? '{}').paging.next.after).toMatch(/^\d+$/);
  });

  it('accepts properties as repeated or comma-separated keys and refuses a limit above 100', async () => {
    const repeated = await fetch(`${hub.baseUrl}/crm/v3/objects/companies?limit=2&properties=name&properties=domain`, {
      headers: { authorization: `Bearer ${token}` },
    }).then((r) => r.json() as Promise<{ results: { properties: Record<string, unknown> }[] }>);
    const comma = await fetch(`${hub.baseUrl}/crm/v3/objects/companies?limit=2&properties=name,domain`, {
      headers: { authorization: `Bearer ${token}` },
    }).then((r) => r.json());
    expect(repeated).toEqual(comma);
    expect(Object.keys(repeated.results[0]?.properties ?? {}).sort()).toEqual([
      'createdate',
      'domain',
      'hs_lastmodifieddate',
      'hs_object_id',
      'name',
    ]);
    const tooMany = await fetch(`${hub.baseUrl}/crm/v3/objects/companies?limit=101`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(tooMany.status).toBe(400);
    expect(await tooMany.json()).toMatchObject({ status: 'error', category: 'VALIDATION_ERROR' });
  });

  it('gets, updates (stamping hs_lastmodifieddate from the clock) and archives one object', async () => {
    const client = hub.client(token);
    const company = await client.crm.companies.basicApi.create({
      properties: { name: 'Acme', lifecyclestage: 'customer' },
      associations: [],
    });
    expect(company.properties.hs_object_id).toBe(company.id);
    expect(company.properties.createdate).toBe('2026-03-01T09:00:00.000Z');
    clock.advance(60_000);
    const updated = await client.crm.companies.basicApi.update(company.id, { properties: { name: 'Acme Ltd' } });
    expect(updated.properties.name).toBe('Acme Ltd');
    expect(updated.properties.hs_lastmodifieddate).toBe('2026-03-01T09:01:00.000Z');
    expect(updated.updatedAt.toISOString()).toBe('2026-03-01T09:01:00.000Z');
    const history = await client.crm.companies.basicApi.getById(company.id, ['name'], ['name']);
    expect(
      history.propertiesWithHistory?.name?.map((change) => [change.value, change.timestamp.toISOString()]),
    ).toEqual([
      ['Acme Ltd', '2026-03-01T09:01:00.000Z'],
      ['Acme', '2026-03-01T09:00:00.000Z'],
    ]);
    const read = await client.crm.companies.basicApi.getById(company.id, ['name', 'lifecyclestage', 'industry']);
    expect(read.properties).toMatchObject({ name: 'Acme Ltd', lifecyclestage: 'customer', industry: null });

    const contact = await client.crm.contacts.basicApi.create({
      properties: { email: 'ada@acme.example', firstname: 'Ada' },
      associations: [
        {
          to: { id: company.id },
          types: [{ associationCategory: 'HUBSPOT_DEFINED' as never, associationTypeId: 279 }],
        },
      ],
    });
    clock.advance(1000);
    const contactUpdate = await client.crm.contacts.basicApi.update(contact.id, { properties: { jobtitle: 'CTO' } });
    expect(contactUpdate.properties.lastmodifieddate).toBe('2026-03-01T09:01:01.000Z');
    const withAssociations = await client.crm.companies.basicApi.getById(company.id, undefined, undefined, [
      'contacts',
    ]);
    expect(withAssociations.associations?.contacts?.results.map((r) => r.id)).toEqual([contact.id]);

    await client.crm.companies.basicApi.archive(company.id);
    await expect(client.crm.companies.basicApi.getById(company.id)).rejects.toMatchObject({
      code: 404,
      body: { status: 'error', category: 'OBJECT_NOT_FOUND' },
    });
    const archived = await client.crm.companies.basicApi.getPage(100, undefined, ['name'], undefined, undefined, true);
    expect(archived.results.map((r) => r.id)).toEqual([company.id]);
    expect(archived.results[0]?.archived).toBe(true);
  });

  it('answers the real 400 VALIDATION_ERROR body for unknown properties and bad values', async () => {
    const client = hub.client(token);
    const failure = await client.crm.companies.basicApi
      .create({ properties: { name: 'X', health_scroe: '5' }, associations: [] })
      .catch((error: unknown) => error);
    expect(failure).toMatchObject({ code: 400, body: { status: 'error', category: 'VALIDATION_ERROR' } });
    const body = (failure as { body: { message: string; errors: { code: string; in: string }[] } }).body;
    expect(body.message.startsWith('Property values were not valid: ')).toBe(true);
    expect(JSON.parse(body.message.slice('Property values were not valid: '.length))).toEqual([
      expect.objectContaining({
        isValid: false,
        error: 'PROPERTY_DOESNT_EXIST',
        name: 'health_scroe',
        portalId: PORTAL,
      }),
    ]);
    const badValues = await client.crm.companies.basicApi
      .create({ properties: { numberofemployees: 'many', lifecyclestage: 'fan', hs_object_id: '1' }, associations: [] })
      .then(
        () => [],
        (error: { body: { errors: { code: string; in: string }[] } }) => error.body.errors,
      );
    expect(badValues.map((e) => [e.in, e.code])).toEqual([
      ['numberofemployees', 'INVALID_INTEGER'],
      ['lifecyclestage', 'INVALID_OPTION'],
      ['hs_object_id', 'READ_ONLY_VALUE'],
    ]);
  });

  it('applies nothing from a batch rejected as a whole', async () => {
    const client = hub.client(token);
    const before = (await client.crm.companies.getAll()).length;
    const rejectedCreate = await client.crm.companies.batchApi
      .create({
        inputs: [
          { properties: { name: 'Good one' }, associations: [] },
          { properties: { name: 'Bad one', not_a_property: 'x' }, associations: [] },
        ],
      })
      .catch((error: { code: number }) => error.code);
    expect(rejectedCreate).toBe(400);
    expect((await client.crm.companies.getAll()).length).toBe(before);

    const [first, second] = (await client.crm.companies.basicApi.getPage(2, undefined, ['name'])).results;
    const rejectedUpdate = await client.crm.companies.batchApi
      .update({
        inputs: [
          { id: first!.id, properties: { name: 'Renamed' } },
          { id: second!.id, properties: { numberofemployees: 'lots' } },
        ],
      })
      .catch((error: { code: number }) => error.code);
    expect(rejectedUpdate).toBe(400);
    expect((await client.crm.companies.basicApi.getById(first!.id, ['name'])).properties.name).toBe(
      first!.properties.name,
    );

    const tooMany = await client.crm.companies.batchApi
      .read({
        inputs: Array.from({ length: 101 }, (_, i) => ({ id: String(i) })),
        properties: [],
        propertiesWithHistory: [],
      })
      .catch((error: { code: number; body: { category: string } }) => [error.code, error.body.category]);
    expect(tooMany).toEqual([400, 'VALIDATION_ERROR']);
  });

  it('answers 207 with numErrors for missing ids in batch read and update, applying the rest', async () => {
    const client = hub.client(token);
    const [first] = (await client.crm.companies.basicApi.getPage(1)).results;
    const read = await client.crm.companies.batchApi.read({
      inputs: [{ id: first!.id }, { id: '999999999' }],
      properties: ['name'],
      propertiesWithHistory: [],
    });
    expect(read).toMatchObject({ status: 'COMPLETE', numErrors: 1 });
    expect(read.results.map((r) => r.id)).toEqual([first!.id]);
    expect((read as { errors: { category: string; context: Record<string, string[]> }[] }).errors[0]).toMatchObject({
      category: 'OBJECT_NOT_FOUND',
      context: { ids: ['999999999'] },
    });
    clock.advance(5000);
    const update = await client.crm.companies.batchApi.update({
      inputs: [
        { id: first!.id, properties: { description: 'kept' } },
        { id: '999999998', properties: { description: 'lost' } },
      ],
    });
    expect(update).toMatchObject({ status: 'COMPLETE', numErrors: 1 });
    const after = await client.crm.companies.basicApi.getById(first!.id, ['description', 'hs_lastmodifieddate']);
    expect(after.properties.description).toBe('kept');
    expect(after.properties.hs_lastmodifieddate).toBe(new Date(clock.now()).toISOString());

    await client.crm.companies.batchApi.archive({ inputs: [{ id: first!.id }, { id: '999999997' }] });
    await expect(client.crm.companies.basicApi.getById(first!.id)).rejects.toMatchObject({ code: 404 });
  });

  it('searches with filters, sorts and paging, without rate-limit headers', async () => {
    const client = hub.client(token);
    const request = {
      filterGroups: [
        {
          filters: [
            { propertyName: 'numberofemployees', operator: 'GTE' as never, value: '90' },
            { propertyName: 'name', operator: 'CONTAINS_TOKEN' as never, value: 'company' },
          ],
        },
        {
          filters: [{ propertyName: 'domain', operator: 'IN' as never, values: ['c5.example.com', 'c6.example.com'] }],
        },
      ],
      sorts: ['-numberofemployees'],
      properties: ['name', 'numberofemployees', 'domain'],
      limit: 5,
      after: '0',
    };
    const first = await client.crm.companies.searchApi.doSearch(request);
    // 90..99 from the two full batches, 5 and 6 from the first: 2 × 10 + 2 minus the one archived above (id of Company 0 is not in range).
    expect(first.total).toBe(22);
    expect(first.results.map((r) => r.properties.numberofemployees)).toEqual(['99', '99', '98', '98', '97']);
    expect(first.paging?.next?.after).toBe('5');
    const rest = [];
    let after: string | undefined = '5';
    while (after) {
      const page = await client.crm.companies.searchApi.doSearch({ ...request, after });
      rest.push(...page.results);
      after = page.paging?.next?.after;
    }
    expect(rest).toHaveLength(17);
    const lastSearch = hub.exchanges.filter((e) => e.path.endsWith('/search')).at(-1);
    expect(JSON.parse(lastSearch?.body ?? '{}')).not.toHaveProperty('paging');

    const raw = await fetch(`${hub.baseUrl}/crm/v3/objects/companies/search`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        filterGroups: [{ filters: [{ propertyName: 'hs_object_id', operator: 'HAS_PROPERTY' }] }],
      }),
    });
    expect(raw.status).toBe(200);
    expect([...raw.headers.keys()].filter((name) => name.startsWith('x-hubspot-ratelimit'))).toEqual([]);
    const list = await fetch(`${hub.baseUrl}/crm/v3/objects/companies?limit=1`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(list.headers.get('x-hubspot-ratelimit-max')).toBe('10000');
  });

  it('refuses more filter groups or filters than HubSpot allows', async () => {
    const client = hub.client(token);
    const filter = { propertyName: 'name', operator: 'HAS_PROPERTY' as never };
    const tooManyGroups = {
      filterGroups: Array.from({ length: 6 }, () => ({ filters: [filter] })),
      sorts: [],
      properties: [],
      limit: 1,
      after: '0',
    };
    const tooManyInGroup = {
      filterGroups: [{ filters: Array.from({ length: 7 }, () => filter) }],
      sorts: [],
      properties: [],
      limit: 1,
      after: '0',
    };
    const tooManyInAll = {
      filterGroups: Array.from({ length: 4 }, () => ({ filters: Array.from({ length: 5 }, () => filter) })),
      sorts: [],
      properties: [],
      limit: 1,
      after: '0',
    };
    for (const request of [tooManyGroups, tooManyInGroup, tooManyInAll]) {
      await expect(client.crm.companies.searchApi.doSearch(request)).rejects.toMatchObject({
        code: 400,
        body: { category: 'VALIDATION_ERROR' },
      });
    }
    const within = {
      filterGroups: Array.from({ length: 3 }, () => ({ filters: Array.from({ length: 6 }, () => filter) })),
      sorts: [],
      properties: [],
      limit: 1,
      after: '0',
    };
    await expect(client.crm.companies.searchApi.doSearch(within)).resolves.toMatchObject({ total: expect.any(Number) });
  });

  it('answers only HubSpot-shaped bodies (checked against the OpenAPI files)', () => {
    expect(hub.exchanges.length).toBeGreaterThan(30);
    expect(contractProblems(contract, hub.exchanges)).toEqual([]);
    // The checker itself can fail: a page without `results`, or with a number as a property value.
    const page = hub.exchanges.find(
      (e) => e.method === 'GET' && e.path === '/crm/v3/objects/companies' && e.status === 200,
    )!;
    const broken = [
      { ...page, body: JSON.stringify({ paging: {} }) },
      {
        ...page,
        body: JSON.stringify({
          results: [{ id: '1', properties: { name: 5 }, createdAt: 'x', updatedAt: 'y', archived: false }],
        }),
      },
    ];
    expect(contractProblems(contract, broken)).toHaveLength(2);
  });
});
