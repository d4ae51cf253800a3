import type { Connection } from 'jsforce';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../sandbox/shared/clock.ts';
import { API_VERSION, startSandbox, type RunningSandbox } from './start-sandbox.ts';
import { syntheticBook } from './synthetic-book.ts';

const START = Date.parse('2026-03-02T09:00:00Z');
const clock = new ManualClock(START);
let run: RunningSandbox;
let conn: Connection;

beforeAll(async () => {
  run = await startSandbox({ clock });
  run.sandbox.loadBook(run.sandbox.defaultOrg.id, syntheticBook(3));
  conn = run.connect();
});
afterAll(() => run.close());

async function raw(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const answer = await fetch(`${run.url}/services/data/v${API_VERSION}${path}`, {
    method,
    headers: { Authorization: `Bearer ${conn.accessToken}`, 'Content-Type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await answer.text();
  return { status: answer.status, body: text ? JSON.parse(text) : null };
}

describe('describe', () => {
  it('lists the objects with their key prefixes', async () => {
    const global = await conn.describeGlobal();
    const prefixes = Object.fromEntries(global.sobjects.map((object) => [object.name, object.keyPrefix]));
    expect(prefixes).toMatchObject({
      Account: '001',
      Contact: '003',
      Opportunity: '006',
      Case: '500',
      User: '005',
      Task: '00T',
      Note: '002',
    });
  });

  it('answers the version root and an object’s basic information', async () => {
    const root = await raw('GET', '');
    expect(root.body).toMatchObject({
      sobjects: `/services/data/v${API_VERSION}/sobjects`,
      query: `/services/data/v${API_VERSION}/query`,
    });
    const other = await fetch(`${run.url}/services/data/v61.0/sobjects/Case`, {
      headers: { Authorization: `Bearer ${conn.accessToken}` },
    });
    expect(await other.json()).toMatchObject({
      objectDescribe: {
        name: 'Case',
        keyPrefix: '500',
        urls: { describe: '/services/data/v61.0/sobjects/Case/describe' },
      },
      recentItems: [],
    });
    expect(
      (
        await fetch(`${run.url}/services/data/66.0/sobjects`, {
          headers: { Authorization: `Bearer ${conn.accessToken}` },
        })
      ).status,
    ).toBe(404);
  });

  it('describes Account with standard and custom fields, their types and updateable', async () => {
    const account = await conn.describe('Account');
    const field = (name: string) => account.fields.find((candidate) => candidate.name === name);
    expect(account).toMatchObject({ name: 'Account', keyPrefix: '001' });
    expect(field('Name')).toMatchObject({ type: 'string', custom: false, updateable: true, nillable: false });
    expect(field('ARR__c')).toMatchObject({
      type: 'currency',
      custom: true,
      updateable: true,
      precision: 18,
      scale: 2,
    });
    expect(field('CSM__c')).toMatchObject({ type: 'reference', referenceTo: ['User'], relationshipName: 'CSM__r' });
    expect(field('Segment__c')?.picklistValues?.map((value: { value: string }) => value.value)).toEqual([
      'Enterprise',
      'Mid-Market',
      'SMB',
    ]);
    expect(field('SystemModstamp')).toMatchObject({ type: 'datetime', updateable: false, createable: false });
    expect(await raw('GET', '/sobjects/Gizmo__c/describe')).toEqual({
      status: 404,
      body: [{ message: 'The requested resource does not exist', errorCode: 'NOT_FOUND' }],
    });
  });
});

describe('records', () => {
  it('creates, reads, updates and deletes, stamping LastModifiedDate and SystemModstamp from the clock', async () => {
    clock.set(START + 60_000);
    const created = await conn.sobject('Account').create({ Name: 'Initech', Segment__c: 'SMB', ARR__c: 12000 });
    expect(created).toMatchObject({ success: true, errors: [] });
    const id = created.id as string;
    expect(id).toMatch(/^001\w{15}$/);
    const read = (await conn.sobject('Account').retrieve(id)) as any;
    expect(read).toMatchObject({
      Name: 'Initech',
      ARR__c: 12000,
      CreatedDate: '2026-03-02T09:01:00.000+0000',
      SystemModstamp: '2026-03-02T09:01:00.000+0000',
    });
    expect(read.attributes).toEqual({ type: 'Account', url: `/services/data/v${API_VERSION}/sobjects/Account/${id}` });

    clock.set(START + 5 * 60_000);
    expect(await conn.sobject('Account').update({ Id: id, ARR__c: 15000 })).toMatchObject({ id, success: true });
    const updated = (await conn.sobject('Account').retrieve(id)) as any;
    expect(updated).toMatchObject({
      ARR__c: 15000,
      CreatedDate: '2026-03-02T09:01:00.000+0000',
      LastModifiedDate: '2026-03-02T09:05:00.000+0000',
      SystemModstamp: '2026-03-02T09:05:00.000+0000',
    });

    await expect(conn.sobject('Account').create({ Segment__c: 'Tiny' })).rejects.toMatchObject({
      errorCode: 'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST',
    });
    await expect(conn.sobject('Account').create({ Segment__c: 'SMB' })).rejects.toMatchObject({
      errorCode: 'REQUIRED_FIELD_MISSING',
      message: 'Required fields are missing: [Name]',
    });
    await expect(conn.sobject('Account').update({ Id: id, Nope__c: 1 })).rejects.toMatchObject({
      errorCode: 'INVALID_FIELD',
    });
    await expect(conn.sobject('Account').update({ Id: id, CreatedDate: '2020-01-01T00:00:00Z' })).rejects.toMatchObject(
      { errorCode: 'INVALID_FIELD_FOR_INSERT_UPDATE' },
    );

    clock.set(START + 8 * 60_000);
    expect(await conn.sobject('Account').destroy(id)).toMatchObject({ id, success: true });
    await expect(conn.sobject('Account').retrieve(id)).rejects.toMatchObject({ errorCode: 'ENTITY_IS_DELETED' });

    // updated/ and deleted/ cover whole minutes up to now; seconds in start and end are ignored.
    clock.set(START + 10 * 60_000 + 30_000);
    const changes = await conn.sobject('Account').updated(new Date(START + 4 * 60_000 + 59_000), new Date(clock.now()));
    expect(changes.ids).toEqual([]);
    const creations = await conn.sobject('Account').updated(new Date(START), new Date(START + 6 * 60_000));
    expect(creations).toEqual({ ids: [], latestDateCovered: '2026-03-02T09:06:00.000+0000' });
    const deletions = await conn.sobject('Account').deleted(new Date(START), new Date(clock.now()));
    expect(deletions).toEqual({
      deletedRecords: [{ id, deletedDate: '2026-03-02T09:08:00.000+0000' }],
      earliestDateAvailable: '2026-02-15T09:10:00.000+0000',
      latestDateCovered: '2026-03-02T09:10:00.000+0000',
    });
    expect(
      (
        await raw(
          'GET',
          `/sobjects/Account/updated/?start=${encodeURIComponent('2026-01-01T00:00:00Z')}&end=${encodeURIComponent('2026-03-02T09:10:00Z')}`,
        )
      ).body,
    ).toEqual([{ message: 'start date cannot be more than 30 days ago', errorCode: 'INVALID_REPLICATION_DATE' }]);
    expect((await raw('GET', '/sobjects/Account/updated/?start=2026-03-02T09:00:00Z')).status).toBe(400);
  });

  it('reports live updates in updated/ within the window', async () => {
    clock.set(START + 20 * 60_000);
    const { id } = await conn.sobject('Contact').create({ LastName: 'Window' });
    clock.set(START + 22 * 60_000);
    const result = await conn.sobject('Contact').updated(new Date(START + 19 * 60_000), new Date(START + 21 * 60_000));
    expect(result.ids).toEqual([id]);
  });

  it('deletes an account together with its contacts, opportunities and cases', async () => {
    clock.set(START + 30 * 60_000);
    const account = await conn.sobject('Account').create({ Name: 'Doomed Ltd' });
    const contact = await conn.sobject('Contact').create({ LastName: 'Gone', AccountId: account.id });
    const deal = await conn
      .sobject('Opportunity')
      .create({ Name: 'Renewal', AccountId: account.id, StageName: 'Qualification', CloseDate: '2026-06-30' });
    const ticket = await conn
      .sobject('Case')
      .create({ Subject: 'Broken', AccountId: account.id, ContactId: contact.id });
    const bystander = await conn.sobject('Contact').create({ LastName: 'Stays' });
    clock.set(START + 31 * 60_000);
    await conn.sobject('Account').destroy(account.id as string);
    clock.set(START + 33 * 60_000);
    const window = [new Date(START + 30 * 60_000), new Date(clock.now())] as const;
    for (const [type, id] of [
      ['Contact', contact.id],
      ['Opportunity', deal.id],
      ['Case', ticket.id],
    ] as const) {
      const deleted = await conn.sobject(type).deleted(...window);
      expect(deleted.deletedRecords).toEqual([{ id, deletedDate: '2026-03-02T09:31:00.000+0000' }]);
    }
    expect((await conn.sobject('Contact').retrieve(bystander.id as string)).LastName).toBe('Stays');
  });

  it('creates a Task and a Note on an Account', async () => {
    const account = (await conn.query<{ Id: string }>("SELECT Id FROM Account WHERE Name = 'Account 00001'")).records[0]
      ?.Id as string;
    const task = await conn.sobject('Task').create({
      Subject: 'QBR prep',
      WhatId: account,
      Status: 'Not Started',
      Priority: 'High',
      ActivityDate: '2026-03-09',
    });
    expect(task.id).toMatch(/^00T\w{15}$/);
    const note = await conn
      .sobject('Note')
      .create({ ParentId: account, Title: 'Health dropped', Body: 'Usage fell 40% in February.' });
    expect(note.id).toMatch(/^002\w{15}$/);
    const tasks = await conn.query<any>(`SELECT Subject, What.Name FROM Task WHERE WhatId = '${account}'`);
    expect(tasks.records).toMatchObject([{ Subject: 'QBR prep', What: { Name: 'Account 00001' } }]);
    await expect(conn.sobject('Note').create({ ParentId: '001000000000000AAA', Title: 'x' })).rejects.toMatchObject({
      errorCode: 'FIELD_INTEGRITY_EXCEPTION',
    });
  });
});

describe('sObject collections', () => {
  async function accountIds(): Promise<string[]> {
    return (
      await conn.query<{ Id: string }>("SELECT Id FROM Account WHERE Name LIKE 'Account 0000%' ORDER BY Name")
    ).records.map((record) => record.Id);
  }

  it('answers per-record results with allOrNone false, applying the valid ones', async () => {
    const [first, second] = await accountIds();
    const results = await conn.sobject('Account').update(
      [
        { Id: first as string, ARR__c: 111 },
        { Id: '003xx000004TmiQAAS', ARR__c: 222 },
        { Id: second as string, Segment__c: 'Huge' },
      ],
      { allOrNone: false },
    );
    expect(results).toEqual([
      { id: first, success: true, errors: [] },
      {
        success: false,
        errors: [
          {
            statusCode: 'MALFORMED_ID',
            message: 'Account ID: id value of incorrect type: 003xx000004TmiQAAS',
            fields: ['Id'],
          },
        ],
      },
      {
        success: false,
        errors: [
          {
            statusCode: 'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST',
            message: 'Segment: bad value for restricted picklist field: Huge',
            fields: ['Segment__c'],
          },
        ],
      },
    ]);
    expect(((await conn.sobject('Account').retrieve(first as string)) as any).ARR__c).toBe(111);
  });

  it('applies nothing from a rejected allOrNone collection', async () => {
    const [first, second] = await accountIds();
    const before = (await conn.sobject('Account').retrieve(second as string)) as any;
    const results = await conn.sobject('Account').update(
      [
        { Id: second as string, ARR__c: 999 },
        { Id: first as string, Name: 'x'.repeat(300) },
      ],
      { allOrNone: true },
    );
    expect(results[0]).toEqual({
      id: second,
      success: false,
      errors: [
        {
          statusCode: 'ALL_OR_NONE_OPERATION_ROLLED_BACK',
          message: 'Record rolled back because not all records were valid and the request was using AllOrNone header',
          fields: [],
        },
      ],
    });
    expect(results[1]).toMatchObject({ success: false, errors: [{ statusCode: 'STRING_TOO_LONG', fields: ['Name'] }] });
    const after = (await conn.sobject('Account').retrieve(second as string)) as any;
    expect(after.ARR__c).toBe(before.ARR__c);
    expect(after.SystemModstamp).toBe(before.SystemModstamp);

    const creates = await conn
      .sobject('Contact')
      .create([{ LastName: 'Kept?' }, { FirstName: 'NoLastName' }], { allOrNone: true });
    expect(creates.map((result) => result.success)).toEqual([false, false]);
    expect((await conn.query("SELECT Id FROM Contact WHERE LastName = 'Kept?'")).totalSize).toBe(0);
  });

  it('retrieves several records by id, null for an id that names nothing', async () => {
    const [first, second] = await accountIds();
    const missing = '001000000000000AAA';
    const records = await conn
      .sobject('Account')
      .retrieve([first as string, missing, second as string], { fields: ['Name', 'Segment__c'] });
    expect(
      records.map((record) => record && { url: (record.attributes as { url: string }).url, Name: record.Name }),
    ).toEqual([
      { url: `/services/data/v${API_VERSION}/sobjects/Account/${first}`, Name: 'Account 00000' },
      null,
      { url: `/services/data/v${API_VERSION}/sobjects/Account/${second}`, Name: 'Account 00001' },
    ]);
    await expect(
      conn.sobject('Account').retrieve([first as string, second as string], { fields: ['Nope__c'] }),
    ).rejects.toMatchObject({
      errorCode: 'INVALID_FIELD',
    });
  });

  it('upserts on the Book_Id__c external id, one record or a collection', async () => {
    const [first] = await accountIds();
    const many = await conn.sobject('Account').upsert(
      [
        { Book_Id__c: 'acc-00000', Licences__c: 9 },
        { Book_Id__c: 'acc-new', Name: 'Newco' },
        { Book_Id__c: 'acc-bad', Segment__c: 'SMB' },
      ],
      'Book_Id__c',
    );
    expect(many[0]).toEqual({ id: first, success: true, errors: [], created: false });
    expect(many[1]).toMatchObject({ success: true, created: true });
    expect(many[2]).toMatchObject({ success: false, errors: [{ statusCode: 'REQUIRED_FIELD_MISSING' }] });
    const created = await conn.query<{ Name: string }>("SELECT Name FROM Account WHERE Book_Id__c = 'acc-new'");
    expect(created.records.map((record) => record.Name)).toEqual(['Newco']);

    const single = await conn.sobject('Account').upsert({ Book_Id__c: 'acc-single', Name: 'Solo' }, 'Book_Id__c');
    expect(single).toMatchObject({ success: true, created: true });
    const again = await conn.sobject('Account').upsert({ Book_Id__c: 'acc-single', Name: 'Solo 2' }, 'Book_Id__c');
    expect(again).toMatchObject({ id: single.id, success: true, created: false });
    await expect(conn.sobject('Account').upsert({ Name: 'x', Website: 'y' }, 'Name')).rejects.toMatchObject({
      errorCode: 'NOT_FOUND',
    });
  });

  it('refuses more than 200 records and reads lower-case and upper-case ids', async () => {
    const records = Array.from({ length: 201 }, (_, i) => ({ attributes: { type: 'Contact' }, LastName: `Bulk ${i}` }));
    expect(await raw('POST', '/composite/sobjects', { allOrNone: false, records })).toEqual({
      status: 400,
      body: [
        {
          message: 'record limit reached. cannot submit more than 200 records into this call',
          errorCode: 'EXCEEDED_ID_LIMIT',
        },
      ],
    });
    const [first] = await accountIds();
    const upper = await raw('PATCH', '/composite/sobjects', {
      records: [{ attributes: { type: 'Account' }, Id: first, Licences__c: 77 }],
    });
    expect(upper.body).toEqual([{ id: first, success: true, errors: [] }]);
    const created = await raw('POST', '/composite/sobjects', { records: records.slice(0, 200) });
    expect(created.body).toHaveLength(200);
    const saved = created.body as { id: string; success: boolean }[];
    expect(saved.every((result) => result.success && /^003/.test(result.id))).toBe(true);
    const ids = saved.slice(0, 3).map((result) => result.id);
    const destroyed = await conn.sobject('Contact').destroy(ids, { allOrNone: false });
    expect(destroyed.map((result) => result.success)).toEqual([true, true, true]);
  });
});
