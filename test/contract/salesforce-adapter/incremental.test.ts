import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SalesforceIdMap } from '../../../sandbox/salesforce/load-book.ts';
import type { SyncCursor } from '../../../server/crm/cursor.ts';
import { syntheticBook } from '../salesforce/synthetic-book.ts';
import { createSalesforceAdapter } from '../../../server/crm/salesforce/adapter.ts';
import { manifest, readAll, startHarness, type AdapterHarness } from './harness.ts';

const ACCOUNTS = 3000;
let h: AdapterHarness;
let ids: SalesforceIdMap;
let resume: SyncCursor;

beforeAll(async () => {
  h = await startHarness();
  ids = h.run.sandbox.loadBook(h.orgId, syntheticBook(ACCOUNTS, 1));
  const backfill = await readAll(h.adapter, h.connection(), 'accounts', null, 2000);
  resume = backfill.pages.at(-1)?.resumeFrom as SyncCursor;
});
afterAll(() => h.close());

const accountId = (i: number) => ids.accounts.get(`acc-${String(i).padStart(5, '0')}`) as string;

describe('listChanged incremental', () => {
  it('returns exactly the records changed since the last run, at one query call', async () => {
    const jsforce = h.run.connect();
    h.clock.advance(60_000);
    const changed = [10, 500, 1999, 2500].map(accountId);
    await jsforce.sobject('Account').update(changed.map((Id, n) => ({ Id, ARR__c: 90_000 + n })));
    h.clock.advance(1_000);
    const run = await readAll(h.adapter, h.connection(), 'accounts', resume, 2000);
    expect(run.records.map((record) => record.id).sort()).toEqual([...changed].sort());
    expect(run.records.find((record) => record.id === changed[1])?.properties.ARR__c).toBe('90001');
    // The describe is cached per installation: the run costs one query.
    expect(run.calls).toBe(1);
    resume = run.pages.at(-1)?.resumeFrom as SyncCursor;

    const quiet = await readAll(h.adapter, h.connection(), 'accounts', resume, 2000);
    expect(quiet.records).toEqual([]);
    expect(quiet.calls).toBe(1);
  });

  it('leaves changes made after the window closed to the next run, and reads them there', async () => {
    const jsforce = h.run.connect();
    h.clock.advance(60_000);
    await jsforce.sobject('Account').update({ Id: accountId(1), Name: 'Renamed 1' });
    h.clock.advance(1_000);
    const first = await h.adapter.listChanged(h.connection(), 'accounts', resume, 1);
    expect(first.records.map((record) => record.id)).toEqual([accountId(1)]);
    // A change after the window opened: the open window does not read it.
    expect(first.next).toBeNull();
    h.clock.advance(1_000);
    await jsforce.sobject('Account').update({ Id: accountId(2), Name: 'Renamed 2' });
    const second = await h.adapter.listChanged(h.connection(), 'accounts', first.resumeFrom as SyncCursor, 10);
    expect(second.records.map((record) => record.properties.Name)).toEqual(['Renamed 2']);
  });

  it('with a window lag, leaves records stamped within the lag to a later window', async () => {
    const lagged = createSalesforceAdapter({ fields: manifest.fields, now: () => h.clock.now(), windowLagMs: 5_000 });
    // Past the lag of the earlier tests' changes, so this start reads them all.
    h.clock.advance(10_000);
    const start = await readAll(lagged, h.connection(), 'accounts', resume, 2000);
    const from = start.pages.at(-1)?.resumeFrom as SyncCursor;
    h.clock.advance(60_000);
    await h.run
      .connect()
      .sobject('Account')
      .update({ Id: accountId(3), Name: 'Lagged' });
    h.clock.advance(1_000);
    const early = await readAll(lagged, h.connection(), 'accounts', from, 2000);
    expect(early.records).toEqual([]);
    h.clock.advance(5_000);
    const later = await readAll(lagged, h.connection(), 'accounts', early.pages.at(-1)?.resumeFrom as SyncCursor, 2000);
    expect(later.records.map((record) => record.properties.Name)).toEqual(['Lagged']);
  });

  it('listDeleted reports deleted ids through getDeleted, and through queryAll beyond its log', async () => {
    const jsforce = h.run.connect();
    const since = h.clock.now();
    h.clock.advance(60_000);
    const gone = [accountId(20), accountId(21)];
    await jsforce.sobject('Account').destroy(gone);
    // getDeleted covers whole minutes only.
    h.clock.advance(120_000);
    expect((await h.adapter.listDeleted(h.connection(), 'accounts', since)).sort()).toEqual([...gone].sort());
    expect(h.run.requests.at(-1)).toMatch(/^GET \/services\/data\/v66\.0\/sobjects\/Account\/deleted\/\?start=/);
    // The contacts of a deleted account go with it.
    const contacts = await h.adapter.listDeleted(h.connection(), 'contacts', since);
    expect(contacts.sort()).toEqual([ids.contacts.get('con-20-0'), ids.contacts.get('con-21-0')].sort());
    // Twenty days later the delete log is purged; the recycle bin still answers.
    h.clock.advance(20 * 86_400_000);
    const old = await h.adapter.listDeleted(h.connection(), 'accounts', since);
    expect(old.sort()).toEqual([...gone].sort());
    expect(h.run.requests.at(-1)).toMatch(/^GET \/services\/data\/v66\.0\/queryAll\?q=/);
    expect(await h.adapter.listDeleted(h.connection(), 'owners', since)).toEqual([]);
  });

  it('fetchByIds reads records by id in chunks and skips unknown ids', async () => {
    const wanted = Array.from({ length: 450 }, (_, i) => accountId(i + 100));
    const before = h.run.requests.length;
    const records = await h.adapter.fetchByIds(h.connection(), 'accounts', [...wanted, '001000000000000AAA']);
    expect(records.map((record) => record.id).sort()).toEqual([...wanted].sort());
    // 451 ids in chunks of 200: three queries (plus a describe when the cached one has expired).
    expect(h.run.requests.slice(before).filter((request) => request.includes('/query?q=SELECT'))).toHaveLength(3);
    await expect(h.adapter.fetchByIds(h.connection(), 'accounts', ["x' OR Name != '"])).rejects.toMatchObject({
      code: 'VALIDATION',
    });
  });
});
