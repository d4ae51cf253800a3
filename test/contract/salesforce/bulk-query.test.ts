import type { Connection } from 'jsforce';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_VERSION, startSandbox, type RunningSandbox } from './start-sandbox.ts';
import { syntheticBook } from './synthetic-book.ts';

let run: RunningSandbox;
let conn: Connection;

beforeAll(async () => {
  run = await startSandbox();
  run.sandbox.loadBook(run.sandbox.defaultOrg.id, syntheticBook(25, 1));
  conn = run.connect();
});
afterAll(() => run.close());

async function call(method: string, path: string, body?: unknown) {
  const answer = await fetch(`${run.url}/services/data/v${API_VERSION}${path}`, {
    method,
    headers: { Authorization: `Bearer ${conn.accessToken}`, 'Content-Type': 'application/json', Accept: 'text/csv' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return answer;
}

describe('Bulk API 2.0 query', () => {
  it('runs a job that jsforce reads in one page', async () => {
    const stream = await conn.bulk2.query(
      "SELECT Id, Name, Account.Name FROM Contact WHERE Account.Name LIKE 'Account 0000%'",
      {
        pollInterval: 10,
      },
    );
    const list = (await stream.toArray()) as Record<string, unknown>[];
    expect(list).toHaveLength(10);
    expect(list[0]).toMatchObject({ Name: 'First0 Last0', 'Account.Name': 'Account 00000' });
  });

  it('pages CSV results with Sforce-Locator until the literal null', async () => {
    const created = await call('POST', '/jobs/query', {
      operation: 'query',
      query: 'SELECT Id, Name, ARR__c, Customer_Status__c FROM Account ORDER BY Name',
    });
    const job = (await created.json()) as { id: string; state: string; object: string };
    expect(job).toMatchObject({ state: 'UploadComplete', object: 'Account' });
    expect(job.id).toMatch(/^750\w{15}$/);
    expect((await call('GET', `/jobs/query/${job.id}/results`)).status).toBe(412);
    const polled = (await (await call('GET', `/jobs/query/${job.id}`)).json()) as Record<string, unknown>;
    expect(polled).toMatchObject({ state: 'JobComplete', jobType: 'V2Query', numberRecordsProcessed: 25 });

    const pages: string[] = [];
    let locator: string | null = null;
    do {
      const query: string = locator ? `?maxRecords=10&locator=${locator}` : '?maxRecords=10';
      const page = await call('GET', `/jobs/query/${job.id}/results${query}`);
      expect(page.headers.get('content-type')).toMatch(/^text\/csv/);
      pages.push(await page.text());
      locator = page.headers.get('sforce-locator');
      expect(page.headers.get('sforce-numberofrecords')).toBe(locator === 'null' ? '5' : '10');
    } while (locator !== 'null');
    expect(pages).toHaveLength(3);
    expect(pages[0]?.split('\n')[0]).toBe('"Id","Name","ARR__c","Customer_Status__c"');
    expect(pages[0]?.split('\n')[1]).toMatch(/^"001\w{15}","Account 00000","0","Active"$/);
    expect(pages[2]?.trim().split('\n').at(-1)).toMatch(/"Account 00024","24000","Active"$/);
    expect((await call('DELETE', `/jobs/query/${job.id}`)).status).toBe(204);
    expect((await call('GET', `/jobs/query/${job.id}`)).status).toBe(404);
  });

  it('refuses aggregates and child subqueries, and passes SOQL errors through', async () => {
    const aggregate = await call('POST', '/jobs/query', { operation: 'query', query: 'SELECT COUNT() FROM Account' });
    expect(aggregate.status).toBe(400);
    expect(await aggregate.json()).toMatchObject([{ errorCode: 'API_ERROR' }]);
    const malformed = await call('POST', '/jobs/query', { operation: 'query', query: 'SELECT Id FRM Account' });
    expect(await malformed.json()).toMatchObject([{ errorCode: 'MALFORMED_QUERY' }]);
  });
});
