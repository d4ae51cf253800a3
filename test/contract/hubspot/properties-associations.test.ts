import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HubspotContract } from '../../support/hubspot-openapi.ts';
import { contractProblems, startHubspot, type HubspotHarness } from '../../support/hubspot-harness.ts';
import { syntheticCrmBook } from '../../support/synthetic-crm-book.ts';
import type { BookIdMap } from '../../../sandbox/hubspot/index.ts';

const PORTAL = 1000001;

describe('HubSpot stand-in: properties, associations, owners, tasks and notes through @hubspot/api-client', () => {
  let hub: HubspotHarness;
  let contract: HubspotContract;
  let token: string;
  let ids: BookIdMap;

  beforeAll(async () => {
    contract = await HubspotContract.load();
    hub = await startHubspot({ limits: { perTenSeconds: 10_000 } });
    token = hub.sandbox.issueTokens(PORTAL).accessToken;
    ids = hub.sandbox.loadBook(PORTAL, syntheticCrmBook(12, 3));
  });

  afterAll(async () => {
    await hub.close();
  });

  it('lists the standard properties and the book group, and gets one by name', async () => {
    const properties = hub.client(token).crm.properties;
    const all = await properties.coreApi.getAll('companies');
    const names = all.results.map((p) => p.name);
    expect(names).toEqual(
      expect.arrayContaining(['name', 'domain', 'hs_lastmodifieddate', 'hubspot_owner_id', 'arr', 'renewal_date']),
    );
    const stage = await properties.coreApi.getByName('deals', 'dealtype');
    expect(stage.options.map((o) => o.value)).toEqual(['newbusiness', 'existingbusiness', 'renewal', 'expansion']);
    await expect(properties.groupsApi.getByName('companies', 'bellwether_book')).resolves.toMatchObject({
      name: 'bellwether_book',
      label: 'Bellwether book',
    });
    await expect(properties.groupsApi.getByName('companies', 'nope')).rejects.toMatchObject({ code: 404 });
    const groups = await properties.groupsApi.getAll('companies');
    expect(groups.results.map((g) => g.name)).toEqual(['companyinformation', 'bellwether_book']);
    await expect(properties.coreApi.getByName('companies', 'no_such_property')).rejects.toMatchObject({ code: 404 });
  });

  it('creates groups and properties, answers 409 on duplicates, and checks types, field types and options', async () => {
    const properties = hub.client(token).crm.properties;
    const group = await properties.groupsApi.create('companies', {
      name: 'customer_health',
      label: 'Customer health',
      displayOrder: -1,
    });
    expect(group).toMatchObject({ name: 'customer_health', archived: false });
    await expect(
      properties.groupsApi.create('companies', { name: 'customer_health', label: 'Again' }),
    ).rejects.toMatchObject({
      code: 409,
      body: { status: 'error', category: 'OBJECT_ALREADY_EXISTS' },
    });
    const created = await properties.coreApi.create('companies', {
      name: 'health_score',
      label: 'Health score',
      type: 'number' as never,
      fieldType: 'number' as never,
      groupName: 'customer_health',
      hasUniqueValue: false,
      hidden: false,
      formField: false,
      displayOrder: -1,
    });
    expect(created).toMatchObject({ name: 'health_score', type: 'number', fieldType: 'number', hubspotDefined: false });
    await expect(
      properties.coreApi.create('companies', {
        name: 'health_score',
        label: 'x',
        type: 'number' as never,
        fieldType: 'number' as never,
        groupName: 'customer_health',
      }),
    ).rejects.toMatchObject({ code: 409, body: { category: 'OBJECT_ALREADY_EXISTS' } });
    const bad = [
      { name: 'mismatch', label: 'x', type: 'number', fieldType: 'select', groupName: 'customer_health' },
      {
        name: 'no_options',
        label: 'x',
        type: 'enumeration',
        fieldType: 'select',
        groupName: 'customer_health',
        options: [],
      },
      { name: 'no_group', label: 'x', type: 'string', fieldType: 'text', groupName: 'missing' },
      { name: 'Bad Name', label: 'x', type: 'string', fieldType: 'text', groupName: 'customer_health' },
      { name: 'bad_type', label: 'x', type: 'colour', fieldType: 'text', groupName: 'customer_health' },
    ];
    for (const input of bad) {
      await expect(properties.coreApi.create('companies', input as never)).rejects.toMatchObject({
        code: 400,
        body: { category: 'VALIDATION_ERROR' },
      });
    }
    await properties.coreApi.create('companies', {
      name: 'health_band',
      label: 'Health band',
      type: 'enumeration' as never,
      fieldType: 'select' as never,
      groupName: 'customer_health',
      options: [
        { label: 'Green', value: 'green', hidden: false, displayOrder: 0 },
        { label: 'Red', value: 'red', hidden: false, displayOrder: 1 },
      ],
    });
    const renamed = await properties.coreApi.update('companies', 'health_score', { label: 'Health score (0-100)' });
    expect(renamed).toMatchObject({ name: 'health_score', label: 'Health score (0-100)', type: 'number' });
    await expect(properties.coreApi.update('companies', 'name', { label: 'Title' })).rejects.toMatchObject({
      code: 400,
    });
    const companyId = ids.companies.get('acc-00000')!;
    const objects = hub.client(token).crm.companies;
    const written = await objects.basicApi.update(companyId, {
      properties: { health_score: '87', health_band: 'green' },
    });
    expect(written.properties).toMatchObject({ health_score: '87', health_band: 'green' });
    await expect(objects.basicApi.update(companyId, { properties: { health_band: 'amber' } })).rejects.toMatchObject({
      code: 400,
      body: { category: 'VALIDATION_ERROR', errors: [{ code: 'INVALID_OPTION', in: 'health_band' }] },
    });
  });

  it('maps the book onto companies, contacts, deals and tickets with their owners and associations', async () => {
    const client = hub.client(token);
    const company = await client.crm.companies.basicApi.getById(
      ids.companies.get('acc-00009')!,
      ['name', 'arr', 'segment', 'renewal_date', 'customer_status', 'lifecyclestage', 'hubspot_owner_id', 'book_id'],
      undefined,
      ['contacts', 'deals', 'tickets'],
    );
    expect(company.properties).toMatchObject({
      name: 'Account 9',
      arr: '0',
      segment: 'enterprise',
      renewal_date: '2026-12-31',
      customer_status: 'churned',
      lifecyclestage: 'other',
      hubspot_owner_id: ids.owners.get('own-2'),
      book_id: 'acc-00009',
      createdate: '2024-01-15T10:00:00.000Z',
      hs_lastmodifieddate: '2026-06-01T10:00:00.000Z',
    });
    const contactIds = ['con-27', 'con-28', 'con-29'].map((id) => ids.contacts.get(id));
    expect(new Set(company.associations?.contacts?.results.map((r) => r.id))).toEqual(new Set(contactIds));
    expect(new Set(company.associations?.deals?.results.map((r) => r.id)).size).toBe(3);
    expect(new Set(company.associations?.tickets?.results.map((r) => r.id)).size).toBe(3);

    const contact = await client.crm.contacts.basicApi.getById(ids.contacts.get('con-27')!, [
      'email',
      'contact_role',
      'contact_status',
      'notes_last_contacted',
    ]);
    expect(contact.properties).toMatchObject({
      email: 'person27@account-9.example.com',
      contact_role: 'champion',
      contact_status: 'departed',
      notes_last_contacted: '2026-06-20T08:00:00.000Z',
    });
    const deal = await client.crm.deals.basicApi.getById(ids.deals.get('con-27'.replace('con', 'deal'))!, [
      'dealstage',
      'dealtype',
      'closedate',
      'pipeline',
      'amount',
    ]);
    expect(deal.properties).toMatchObject({
      dealstage: 'closedwon',
      dealtype: 'newbusiness',
      pipeline: 'default',
      closedate: '2026-12-31T00:00:00.000Z',
      amount: '1000',
    });
    const ticket = await client.crm.tickets.basicApi.getById(
      ids.tickets.get('tic-27')!,
      ['hs_ticket_priority', 'hs_pipeline', 'hs_pipeline_stage'],
      undefined,
      ['companies', 'contacts'],
    );
    expect(ticket.properties).toMatchObject({ hs_ticket_priority: 'LOW', hs_pipeline: '0', hs_pipeline_stage: '1' });
    expect(ticket.associations?.contacts?.results.map((r) => r.id)).toEqual([ids.contacts.get('con-27')]);

    const owners = await client.crm.owners.ownersApi.getPage();
    expect(owners.results.map((o) => o.email)).toEqual([
      'casey@vendor.example',
      'robin@vendor.example',
      'alex@vendor.example',
    ]);
    const byEmail = await client.crm.owners.ownersApi.getPage('robin@vendor.example');
    expect(byEmail.results.map((o) => o.id)).toEqual([ids.owners.get('own-2')]);
    await expect(client.crm.owners.ownersApi.getById(Number(ids.owners.get('own-1')))).resolves.toMatchObject({
      firstName: 'Casey',
    });
    await expect(
      client.crm.companies.basicApi.update(company.id, { properties: { hubspot_owner_id: '12345' } }),
    ).rejects.toMatchObject({
      code: 400,
      body: { errors: [{ code: 'INVALID_OWNER_ID' }] },
    });
  });

  it('lists, creates and removes associations with the v4 API', async () => {
    const v4 = hub.client(token).crm.associations.v4;
    const companyId = ids.companies.get('acc-00001')!;
    const page = await v4.basicApi.getPage('companies', companyId, 'contacts', undefined, 2);
    expect(page.results).toHaveLength(2);
    expect(page.results[0]?.associationTypes).toEqual(
      expect.arrayContaining([expect.objectContaining({ category: 'HUBSPOT_DEFINED', typeId: 280 })]),
    );
    expect(page.paging?.next?.after).toBe('2');
    const rest = await v4.basicApi.getPage('companies', companyId, 'contacts', page.paging!.next!.after, 2);
    expect(rest.results).toHaveLength(1);
    expect(rest.paging).toBeUndefined();

    const otherCompany = ids.companies.get('acc-00002')!;
    const contactId = ids.contacts.get('con-3')!;
    await v4.basicApi.createDefault('contacts', contactId, 'companies', otherCompany);
    const read = await v4.batchApi.getPage('contacts', 'companies', {
      inputs: [{ id: contactId }, { id: '424242424' }],
    });
    expect(read).toMatchObject({ status: 'COMPLETE', numErrors: 1 });
    expect(read.results[0]?.to.map((t) => t.toObjectId).sort()).toEqual([companyId, otherCompany].sort());

    // A labelled association: the contact's primary company.
    const labelled = await v4.basicApi.create('contacts', contactId, 'companies', otherCompany, [
      { associationCategory: 'HUBSPOT_DEFINED' as never, associationTypeId: 1 },
    ]);
    expect(labelled).toMatchObject({ fromObjectTypeId: '0-1', toObjectTypeId: '0-2', labels: ['Primary'] });
    const fromCompany = await v4.basicApi.getPage('companies', otherCompany, 'contacts');
    expect(
      fromCompany.results
        .find((r) => r.toObjectId === contactId)
        ?.associationTypes.map((t) => t.typeId)
        .sort(),
    ).toEqual([2, 280]);
    await expect(
      v4.basicApi.create('contacts', contactId, 'companies', otherCompany, [
        { associationCategory: 'HUBSPOT_DEFINED' as never, associationTypeId: 342 },
      ]),
    ).rejects.toMatchObject({ code: 400 });
    await v4.basicApi.archive('contacts', contactId, 'companies', otherCompany);
    const after = await v4.basicApi.getPage('contacts', contactId, 'companies');
    expect(after.results.map((r) => r.toObjectId)).toEqual([companyId]);

    const created = await v4.batchApi.create('deals', 'contacts', {
      inputs: [
        {
          _from: { id: ids.deals.get('deal-0')! },
          to: { id: contactId },
          types: [{ associationCategory: 'HUBSPOT_DEFINED' as never, associationTypeId: 3 }],
        },
      ],
    });
    expect(created.results).toHaveLength(1);
    const company = ids.companies.get('acc-00004')!;
    const deal = ids.deals.get('deal-0')!;
    const linked = await v4.batchApi.createDefault('companies', 'deals', {
      inputs: [{ _from: { id: company }, to: { id: deal } }],
    });
    expect(linked.results[0]?.associationSpec).toMatchObject({
      associationCategory: 'HUBSPOT_DEFINED',
      associationTypeId: 342,
    });
    const dealCompanies = await v4.basicApi.getPage('deals', deal, 'companies');
    expect(dealCompanies.results.map((r) => r.toObjectId)).toContain(company);
    await v4.batchApi.archive('companies', 'deals', { inputs: [{ _from: { id: company }, to: [{ id: deal }] }] });
    const unlinked = await v4.basicApi.getPage('deals', deal, 'companies');
    expect(unlinked.results.map((r) => r.toObjectId)).not.toContain(company);
    await expect(
      v4.batchApi.create('deals', 'contacts', {
        inputs: [
          {
            _from: { id: ids.deals.get('deal-0')! },
            to: { id: contactId },
            types: [{ associationCategory: 'HUBSPOT_DEFINED' as never, associationTypeId: 280 }],
          },
        ],
      }),
    ).rejects.toMatchObject({ code: 400 });
  });

  it('creates tasks and notes associated with a company', async () => {
    const client = hub.client(token);
    const companyId = ids.companies.get('acc-00003')!;
    const task = await client.crm.objects.tasks.basicApi.create({
      properties: {
        hs_timestamp: '2026-07-01T09:00:00.000Z',
        hs_task_subject: 'Renewal risk: call champion',
        hs_task_status: 'NOT_STARTED',
        hs_task_priority: 'HIGH',
      },
      associations: [
        { to: { id: companyId }, types: [{ associationCategory: 'HUBSPOT_DEFINED' as never, associationTypeId: 192 }] },
      ],
    });
    const note = await client.crm.objects.notes.basicApi.create({
      properties: { hs_timestamp: '1782896400000', hs_note_body: 'Health dropped to 41' },
      associations: [
        { to: { id: companyId }, types: [{ associationCategory: 'HUBSPOT_DEFINED' as never, associationTypeId: 190 }] },
      ],
    });
    expect(note.properties.hs_timestamp).toBe(new Date(1782896400000).toISOString());
    const company = await client.crm.companies.basicApi.getById(companyId, undefined, undefined, ['tasks', 'notes']);
    expect(company.associations?.tasks?.results.map((r) => r.id)).toEqual([task.id]);
    expect(company.associations?.notes?.results.map((r) => r.id)).toEqual([note.id]);
    await expect(
      client.crm.objects.tasks.basicApi.create({ properties: { hs_task_status: 'MAYBE' }, associations: [] }),
    ).rejects.toMatchObject({ code: 400, body: { category: 'VALIDATION_ERROR' } });
  });

  it('answers only HubSpot-shaped bodies (checked against the OpenAPI files)', () => {
    expect(contractProblems(contract, hub.exchanges)).toEqual([]);
  });
});
