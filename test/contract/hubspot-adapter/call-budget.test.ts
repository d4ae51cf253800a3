import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PortalStore } from '../../../sandbox/hubspot/index.ts';
import { syntheticCrmBook } from '../../support/synthetic-crm-book.ts';
import { drain, idsOnce, startAdapterHarness, type AdapterHarness } from './adapter-harness.ts';

const PORTAL = 1000001;

/**
 * What a sync spends per 1,000 records, counted by the adapter and checked against the requests the
 * stand-in received: backfill is the list endpoint (100 a call, associations included); incremental
 * is search (200 a call) plus, for objects linked to accounts, one associations batch read per 100.
 */
describe('HubSpot adapter: calls per 1,000 records', () => {
  let h: AdapterHarness;

  beforeAll(async () => {
    h = await startAdapterHarness();
    h.hub.sandbox.loadBook(PORTAL, syntheticCrmBook(1_000, 1));
  });

  afterAll(async () => {
    await h.close();
  });

  it('backfill: 10 list calls per 1,000, plus one search that finds the handover window empty', async () => {
    const conn = h.connect(PORTAL);
    const before = h.hub.exchanges.length;
    const accounts = await drain(h.adapter, conn, 'accounts', null, 100);
    const contacts = await drain(h.adapter, conn, 'contacts', null, 100);
    expect(idsOnce(accounts.records)).toHaveLength(1_000);
    expect(idsOnce(contacts.records)).toHaveLength(1_000);
    expect([accounts.calls, contacts.calls]).toEqual([11, 11]);
    expect(h.hub.exchanges.length - before).toBe(accounts.calls + contacts.calls);

    // Every record changes; the incremental run reads each once.
    const store = h.hub.sandbox.portals.get(String(PORTAL)) as PortalStore;
    const writer = h.hub.client(h.hub.sandbox.issueTokens(PORTAL).accessToken);
    h.clock.advance(10_000);
    for (const type of ['companies', 'contacts'] as const) {
      const ids = store.table(type).order.map((record) => record.id);
      for (let start = 0; start < ids.length; start += 100) {
        await writer.crm[type].batchApi.update({
          inputs: ids.slice(start, start + 100).map((id) => ({ id, properties: { book_id: `changed-${id}` } })),
        });
      }
    }
    h.clock.advance(5_000);
    const changedAccounts = await drain(h.adapter, conn, 'accounts', accounts.resumeFrom, 200);
    const changedContacts = await drain(h.adapter, conn, 'contacts', contacts.resumeFrom, 200);
    expect(idsOnce(changedAccounts.records)).toHaveLength(1_000);
    expect(idsOnce(changedContacts.records)).toHaveLength(1_000);
    expect(changedContacts.records.every((record) => record.associations.accounts?.length === 1)).toBe(true);
    // 5 search pages; contacts add 10 association reads.
    expect([changedAccounts.calls, changedContacts.calls]).toEqual([5, 15]);
    console.info(
      `HubSpot calls per 1,000 records: backfill accounts ${accounts.calls}, contacts ${contacts.calls}; ` +
        `incremental accounts ${changedAccounts.calls}, contacts ${changedContacts.calls}`,
    );
  });
});
