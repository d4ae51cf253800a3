import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SalesforceIdMap } from '../../../sandbox/salesforce/load-book.ts';
import { syntheticBook } from '../salesforce/synthetic-book.ts';
import { readAll, startHarness, type AdapterHarness } from './harness.ts';

const ACCOUNTS = 4500;
let h: AdapterHarness;
let ids: SalesforceIdMap;

beforeAll(async () => {
  h = await startHarness();
  ids = h.run.sandbox.loadBook(h.orgId, syntheticBook(ACCOUNTS, 1));
});
afterAll(() => h.close());

describe('listChanged backfill', () => {
  it('returns every account once with the stand-in values, one call per 2,000 plus one describe', async () => {
    const conn = h.connection();
    const { records, calls, pages } = await readAll(h.adapter, conn, 'accounts', null, 2000);
    expect(records).toHaveLength(ACCOUNTS);
    expect(new Set(records.map((record) => record.id))).toEqual(new Set(ids.accounts.values()));
    // One describe for the object, then ceil(N/2000) queries: the last page needs no empty follow-up.
    expect(pages).toHaveLength(Math.ceil(ACCOUNTS / 2000));
    expect(calls).toBe(Math.ceil(ACCOUNTS / 2000) + 1);
    const sfId = ids.accounts.get('acc-00007') as string;
    const seven = records.find((record) => record.id === sfId);
    expect(seven?.properties).toMatchObject({ Name: 'Account 00007', ARR__c: '7000', Segment__c: 'Mid-Market' });
    expect(seven?.modifiedAt).toBe(Date.parse('2026-01-05T10:00:00.000Z'));
    expect(pages.at(-1)?.resumeFrom).toMatchObject({ phase: 'incremental', id: records.at(-1)?.id });
    expect(pages.at(-1)?.apiUsage?.used).toBeGreaterThan(0);
  });

  it('pages through records that all share one SystemModstamp without losing or repeating any', async () => {
    const { records, cursors } = await readAll(h.adapter, h.connection(), 'contacts', null, 700);
    // The synthetic book stamps every record at the same instant, so every page boundary splits a burst.
    expect(cursors.length).toBe(Math.ceil(ACCOUNTS / 700) - 1);
    expect(records).toHaveLength(ACCOUNTS);
    expect(new Set(records.map((record) => record.id)).size).toBe(ACCOUNTS);
    const contact = records.find((record) => record.id === ids.contacts.get('con-3-0'));
    expect(contact?.associations).toEqual({ accounts: [ids.accounts.get('acc-00003')] });
  });

  it('converges after a crash at any cursor: restarting from each returned cursor reads exactly the rest', async () => {
    const conn = h.connection();
    const full = await readAll(h.adapter, conn, 'deals', null, 500);
    const order = full.records.map((record) => record.id);
    for (const [index, cursor] of full.cursors.entries()) {
      const rest = await readAll(h.adapter, conn, 'deals', cursor, 500);
      const before = order.slice(0, (index + 1) * 500);
      expect([...before, ...rest.records.map((record) => record.id)]).toEqual(order);
    }
  });
});
