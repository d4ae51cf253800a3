import type { Connection } from 'jsforce';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../sandbox/shared/clock.ts';
import type { SalesforceIdMap } from '../../../sandbox/salesforce/load-book.ts';
import { API_VERSION, startSandbox, type RunningSandbox } from './start-sandbox.ts';
import { syntheticBook } from './synthetic-book.ts';

const clock = new ManualClock(Date.parse('2026-03-02T09:00:00Z'));
let run: RunningSandbox;
let conn: Connection;
let ids: SalesforceIdMap;

beforeAll(async () => {
  run = await startSandbox({ clock });
  ids = run.sandbox.loadBook(run.sandbox.defaultOrg.id, syntheticBook(4500, 1));
  conn = run.connect();
});
afterAll(() => run.close());

async function rawQuery(path: string, headers: Record<string, string> = {}) {
  const answer = await fetch(`${run.url}/services/data/v${API_VERSION}${path}`, {
    headers: { Authorization: `Bearer ${conn.accessToken}`, ...headers },
  });
  return { status: answer.status, body: (await answer.json()) as any };
}

describe('query and queryMore', () => {
  it('pages 4,500 rows in 2,000-row batches to the end with autoFetch', async () => {
    const first = await rawQuery(`/query?q=${encodeURIComponent('SELECT Id, Name FROM Account ORDER BY Name')}`);
    expect(first.status).toBe(200);
    expect(first.body.totalSize).toBe(4500);
    expect(first.body.done).toBe(false);
    expect(first.body.records).toHaveLength(2000);
    expect(first.body.nextRecordsUrl).toMatch(new RegExp(`^/services/data/v${API_VERSION}/query/01g\\w{15}-2000$`));
    expect(first.body.records[0]).toEqual({
      attributes: {
        type: 'Account',
        url: `/services/data/v${API_VERSION}/sobjects/Account/${ids.accounts.get('acc-00000')}`,
      },
      Id: ids.accounts.get('acc-00000'),
      Name: 'Account 00000',
    });

    const before = run.requests.length;
    const records: { Name: string }[] = [];
    await new Promise<void>((resolve, reject) => {
      conn
        .query<{ Name: string }>('SELECT Id, Name FROM Account ORDER BY Name')
        .on('record', (record: { Name: string }) => records.push(record))
        .on('end', () => resolve())
        .on('error', reject)
        .run({ autoFetch: true, maxFetch: 10_000 });
    });
    const pages = run.requests.slice(before).map((line) => line.replace(/01g\w{15}/, 'LOCATOR'));
    expect(pages).toEqual([
      `GET /services/data/v${API_VERSION}/query?q=SELECT%20Id%2C%20Name%20FROM%20Account%20ORDER%20BY%20Name`,
      `GET /services/data/v${API_VERSION}/query/LOCATOR-2000`,
      `GET /services/data/v${API_VERSION}/query/LOCATOR-4000`,
    ]);
    expect(records).toHaveLength(4500);
    expect(records.at(-1)?.Name).toBe('Account 04499');
    expect(new Set(records.map((record) => record.Name)).size).toBe(4500);
  });

  it('follows nextRecordsUrl with queryMore and ends with done and no nextRecordsUrl', async () => {
    let page = await conn.query('SELECT Id FROM Contact');
    let total = page.records.length;
    while (!page.done) {
      page = await conn.queryMore(page.nextRecordsUrl as string);
      total += page.records.length;
    }
    expect(total).toBe(4500);
    expect(page).not.toHaveProperty('nextRecordsUrl');
    const spent = await rawQuery(`/query/${'01g' + 'x'.repeat(15)}-2000`);
    expect(spent).toEqual({
      status: 400,
      body: [{ message: 'invalid query locator', errorCode: 'INVALID_QUERY_LOCATOR' }],
    });
  });

  it('closes a cursor after 15 idle minutes, and the oldest of more than 10 per user', async () => {
    const open = () => conn.query('SELECT Id FROM Contact');
    const idle = await open();
    clock.advance(15 * 60_000);
    await expect(conn.queryMore(idle.nextRecordsUrl as string)).rejects.toMatchObject({
      errorCode: 'INVALID_QUERY_LOCATOR',
    });

    const pages = [];
    for (let i = 0; i < 11; i++) pages.push(await open());
    await expect(conn.queryMore(pages[0]?.nextRecordsUrl as string)).rejects.toMatchObject({
      errorCode: 'INVALID_QUERY_LOCATOR',
    });
    expect((await conn.queryMore(pages[1]?.nextRecordsUrl as string)).records).toHaveLength(2000);
  });

  it('honours Sforce-Query-Options batchSize within 200–2,000, and a short_page fault', async () => {
    const q = encodeURIComponent('SELECT Id FROM Account');
    expect((await rawQuery(`/query?q=${q}`, { 'Sforce-Query-Options': 'batchSize=500' })).body.records).toHaveLength(
      500,
    );
    expect((await rawQuery(`/query?q=${q}`, { 'Sforce-Query-Options': 'batchSize=50' })).body.records).toHaveLength(
      200,
    );
    expect((await rawQuery(`/query?q=${q}`, { 'Sforce-Query-Options': 'batchSize=5000' })).body.records).toHaveLength(
      2000,
    );
    run.sandbox.faults.add({
      tenant: run.sandbox.defaultOrg.id,
      route: 'query',
      fault: { kind: 'short_page', size: 7 },
      times: 1,
    });
    const short = await rawQuery(`/query?q=${q}`);
    expect(short.body.records).toHaveLength(7);
    expect(short.body.nextRecordsUrl).toMatch(/-7$/);
  });

  it('selects relationship fields, filters, orders and counts', async () => {
    await expect(
      conn.query("SELECT Name, Account.CSM__r.Email FROM Contact WHERE Account.Segment__c = 'SMB' LIMIT 2"),
    ).rejects.toMatchObject({
      errorCode: 'MALFORMED_QUERY',
      message: expect.stringContaining('deeper than one level'),
    });

    const contacts = await conn.query<{ Name: string; Account: { Name: string } }>(
      "SELECT Name, Contact_Role__c, Account.Name, Account.Segment__c FROM Contact WHERE Account.Segment__c = 'SMB' ORDER BY Account.Name DESC LIMIT 2",
    );
    expect(contacts.records.map((record) => record.Account.Name)).toEqual(['Account 04499', 'Account 04496']);
    expect(contacts.records[0]).toMatchObject({
      Name: 'First0 Last4499',
      Contact_Role__c: 'Champion',
      Account: { Segment__c: 'SMB' },
    });

    const nested = await conn.query<{
      Name: string;
      Contacts: { totalSize: number; records: { Email: string }[] } | null;
    }>("SELECT Name, (SELECT Email FROM Contacts) FROM Account WHERE Name = 'Account 00007'");
    expect(nested.records[0]?.Contacts).toMatchObject({
      totalSize: 1,
      done: true,
      records: [{ Email: 'p0@account-7.example' }],
    });

    const count = await conn.query(
      "SELECT COUNT() FROM Opportunity WHERE StageName = 'Closed Won' AND CloseDate < THIS_YEAR",
    );
    expect(count).toMatchObject({ totalSize: 4500, done: true, records: [] });
  });

  it('includes deleted rows in queryAll only', async () => {
    const doomed = ids.accounts.get('acc-04498') as string;
    await conn.sobject('Account').destroy(doomed);
    const q = `SELECT Id, IsDeleted FROM Account WHERE Id = '${doomed}'`;
    expect((await conn.query(q)).totalSize).toBe(0);
    const all = await rawQuery(`/queryAll?q=${encodeURIComponent(q)}`);
    expect(all.body.records).toMatchObject([{ Id: doomed, IsDeleted: true }]);
    const scan = await conn.query<any>(q, { scanAll: true });
    expect(scan.totalSize).toBe(1);
  });

  it('answers malformed SOQL, unknown fields and unknown objects with the reference bodies', async () => {
    const malformed = await rawQuery(`/query?q=${encodeURIComponent('SELECT Id FROM Account WHERE Name = ')}`);
    expect(malformed.status).toBe(400);
    expect(malformed.body).toHaveLength(1);
    expect(malformed.body[0].errorCode).toBe('MALFORMED_QUERY');
    expect(malformed.body[0].message).toMatch(/ERROR at Row:1:Column:\d+/);
    await expect(conn.query('SELECT Id FRM Account')).rejects.toMatchObject({
      errorCode: 'MALFORMED_QUERY',
      message: expect.stringContaining("unexpected token: 'Account'"),
    });
    await expect(conn.query('SELECT Id, Healthy__c FROM Account')).rejects.toMatchObject({
      errorCode: 'INVALID_FIELD',
      message: expect.stringContaining("No such column 'Healthy__c' on entity 'Account'"),
    });
    await expect(conn.query('SELECT Id FROM Gadget__c')).rejects.toMatchObject({ errorCode: 'INVALID_TYPE' });
    const missing = await rawQuery('/query');
    expect(missing.status).toBe(400);
  });
});
