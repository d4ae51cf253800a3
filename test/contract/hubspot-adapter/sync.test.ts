import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PortalStore } from '../../../sandbox/hubspot/index.ts';
import type { AppObject } from '../../../server/platform/manifest.ts';
import type { SyncCursor } from '../../../server/crm/cursor.ts';
import type { CrmConnection, CrmRecord } from '../../../server/crm/types.ts';
import { contractProblems } from '../../support/hubspot-harness.ts';
import { HubspotContract } from '../../support/hubspot-openapi.ts';
import { syntheticCrmBook } from '../../support/synthetic-crm-book.ts';
import { drain, idsOnce, startAdapterHarness, type AdapterHarness } from './adapter-harness.ts';

const PORTAL = 1000001;
const ACCOUNTS = 400;
const PER_ACCOUNT = 2;
const STORE_TYPE = { accounts: 'companies', contacts: 'contacts', deals: 'deals', tickets: 'tickets' } as const;
type StoredObject = keyof typeof STORE_TYPE;

function liveIds(store: PortalStore, objectType: StoredObject): string[] {
  return store
    .table(STORE_TYPE[objectType])
    .order.filter((record) => !record.archived)
    .map((record) => record.id);
}

/** Every property the adapter returned equals the stand-in's stored value (null where unset). */
function expectStoreValues(store: PortalStore, objectType: StoredObject, records: readonly CrmRecord[]): void {
  for (const record of records) {
    const stored = store.get(STORE_TYPE[objectType], record.id);
    expect(stored, record.id).toBeDefined();
    for (const [name, value] of Object.entries(record.properties)) {
      expect(value, `${record.id}.${name}`).toBe(stored?.properties[name] ?? null);
    }
  }
}

describe('HubSpot adapter: backfill, incremental windows and restarts against the stand-in', () => {
  let h: AdapterHarness;
  let conn: CrmConnection;
  let store: PortalStore;
  const resume = new Map<AppObject, SyncCursor>();

  beforeAll(async () => {
    // A lowered cap (100 results a query, pages of 40) makes the incremental restarts happen often.
    h = await startAdapterHarness({}, { searchCap: 100 });
    h.hub.sandbox.loadBook(PORTAL, syntheticCrmBook(ACCOUNTS, PER_ACCOUNT));
    store = h.hub.sandbox.portals.get(String(PORTAL)) as PortalStore;
    conn = h.connect(PORTAL);
  });

  afterAll(async () => {
    await h.close();
  });

  it('backfills every object exactly once with the stand-in values and associations', async () => {
    const report: Record<string, { records: number; calls: number; pages: number }> = {};
    for (const objectType of ['accounts', 'contacts', 'deals', 'tickets'] as const) {
      const run = await drain(h.adapter, conn, objectType, null, 100);
      const ids = idsOnce(run.records);
      expect(new Set(ids)).toEqual(new Set(liveIds(store, objectType)));
      expectStoreValues(store, objectType, run.records);
      // The backfill hands over to an incremental window opened at its start.
      expect(run.cursors.at(-1)).toMatchObject({ phase: 'incremental' });
      expect(run.resumeFrom).toMatchObject({ phase: 'incremental' });
      resume.set(objectType, run.resumeFrom as SyncCursor);
      report[objectType] = { records: run.records.length, calls: run.calls, pages: run.pages };
    }
    // Associations: each contact, deal and ticket names the company the stand-in links it to.
    const contacts = await drain(h.adapter, conn, 'contacts', null, 100);
    for (const contact of contacts.records) {
      const stored = store.get('contacts', contact.id);
      const linked = stored ? store.associations(stored, 'companies').map((link) => link.id) : [];
      expect(contact.associations.accounts ?? []).toEqual(linked);
      expect(linked).toHaveLength(1);
    }
    // List pages of 100: one call a page, plus the empty incremental window that closes the run.
    expect(report.accounts).toEqual({ records: ACCOUNTS, calls: ACCOUNTS / 100 + 1, pages: ACCOUNTS / 100 + 1 });
    console.info('HubSpot backfill (records, calls, pages):', JSON.stringify(report));
  });

  it('then reads exactly the changed records, across several capped queries and a crowded instant', async () => {
    const writer = h.hub.client(h.hub.sandbox.issueTokens(PORTAL).accessToken);
    const companies = liveIds(store, 'accounts');
    h.clock.advance(60_000);
    // 150 changes at one instant (more than the lowered cap), then 90 more spread over 30 instants.
    const burst = companies.slice(0, 150);
    for (let start = 0; start < burst.length; start += 100) {
      await writer.crm.companies.batchApi.update({
        inputs: burst.slice(start, start + 100).map((id) => ({ id, properties: { industry: 'Burst' } })),
      });
    }
    const spread = companies.slice(200, 290);
    for (let i = 0; i < spread.length; i += 3) {
      h.clock.advance(7);
      await writer.crm.companies.batchApi.update({
        inputs: spread.slice(i, i + 3).map((id) => ({ id, properties: { industry: `Spread ${i}` } })),
      });
    }
    // Contacts use the older lastmodifieddate: a handful change too.
    const contactIds = liveIds(store, 'contacts').slice(10, 15);
    await writer.crm.contacts.batchApi.update({
      inputs: contactIds.map((id) => ({ id, properties: { jobtitle: 'Head of Ops' } })),
    });
    h.clock.advance(5_000);

    const accounts = await drain(h.adapter, conn, 'accounts', resume.get('accounts') as SyncCursor, 40);
    expect(new Set(idsOnce(accounts.records))).toEqual(new Set([...burst, ...spread]));
    expectStoreValues(store, 'accounts', accounts.records);
    // Restarts happened: some cursor paged one instant by id.
    expect(accounts.cursors.some((cursor) => cursor.after?.startsWith('eq:'))).toBe(true);
    const contacts = await drain(h.adapter, conn, 'contacts', resume.get('contacts') as SyncCursor, 40);
    expect(idsOnce(contacts.records).sort()).toEqual([...contactIds].sort());
    expect(contacts.records.every((record) => (record.associations.accounts ?? []).length === 1)).toBe(true);
    const deals = await drain(h.adapter, conn, 'deals', resume.get('deals') as SyncCursor, 40);
    expect(deals.records).toEqual([]);
    console.info(
      `HubSpot incremental: ${accounts.records.length} changed accounts in ${accounts.calls} calls, ${accounts.pages} pages`,
    );

    // A crash after any stored checkpoint, and a restart from it, ends with the same set, nothing twice.
    const start = resume.get('accounts') as SyncCursor;
    for (let stored = 1; stored <= accounts.cursors.length; stored++) {
      const delivered = accounts.perPage.slice(0, stored).flat();
      const rest = await drain(h.adapter, conn, 'accounts', accounts.cursors[stored - 1] as SyncCursor, 40);
      expect(idsOnce([...delivered, ...rest.records]).sort(), `restart after page ${stored}`).toEqual(
        [...burst, ...spread].sort(),
      );
    }
    const again = await drain(h.adapter, conn, 'accounts', start, 40);
    expect(again.records.map((record) => record.id)).toEqual(accounts.records.map((record) => record.id));

    // The next run after this one finds nothing new, in one call.
    h.clock.advance(5_000);
    const quiet = await drain(h.adapter, conn, 'accounts', accounts.resumeFrom, 40);
    expect(quiet.records).toEqual([]);
    expect(quiet.calls).toBe(1);
    resume.set('accounts', quiet.resumeFrom as SyncCursor);
  });

  it('reads a change at the last millisecond of a window in that run and one a millisecond later in the next', async () => {
    const writer = h.hub.client(h.hub.sandbox.issueTokens(PORTAL).accessToken);
    const [a, b] = liveIds(store, 'accounts').slice(300, 302) as [string, string];
    h.clock.advance(10_000);
    const edge = h.clock.now();
    await writer.crm.companies.basicApi.update(a, { properties: { industry: 'At the edge' } });
    h.clock.set(edge + 1);
    await writer.crm.companies.basicApi.update(b, { properties: { industry: 'Just after' } });
    // The window closes at now − index lag (1 s in these tests), i.e. exactly at `edge`.
    h.clock.set(edge + 1_000);
    const first = await drain(h.adapter, conn, 'accounts', resume.get('accounts') as SyncCursor, 40);
    expect(first.records.map((record) => record.id)).toEqual([a]);
    h.clock.advance(5_000);
    const second = await drain(h.adapter, conn, 'accounts', first.resumeFrom, 40);
    expect(second.records.map((record) => record.id)).toEqual([b]);
  });

  it('re-reads in the incremental window what changed while the backfill ran', async () => {
    const other = 1000002;
    h.hub.sandbox.loadBook(other, syntheticCrmBook(250, 0));
    const otherConn = h.connect(other);
    const otherStore = h.hub.sandbox.portals.get(String(other)) as PortalStore;
    const first = await h.adapter.listChanged(otherConn, 'accounts', null, 100);
    // A record already read changes before the backfill ends.
    const changed = first.records[5]?.id as string;
    h.clock.advance(2_000);
    const writer = h.hub.client(h.hub.sandbox.issueTokens(other).accessToken);
    await writer.crm.companies.basicApi.update(changed, { properties: { industry: 'Changed mid-backfill' } });
    h.clock.advance(2_000);
    const rest = await drain(h.adapter, otherConn, 'accounts', first.next, 100);
    const all = [...first.records, ...rest.records];
    expect(new Set(all.map((record) => record.id))).toEqual(new Set(liveIds(otherStore, 'accounts')));
    const reread = rest.records.filter((record) => record.id === changed);
    expect(reread.map((record) => record.properties.industry)).toEqual(['Changed mid-backfill']);
    expect(all).toHaveLength(251);
  });

  it('lists owners whole on every run, with their names and emails', async () => {
    const run = await drain(h.adapter, conn, 'owners', null, 2);
    expect(run.resumeFrom).toBeNull();
    expect(run.records.map((record) => record.properties.email).sort()).toEqual(
      [...store.owners.values()].map((owner) => owner.email).sort(),
    );
    expect(run.records[0]?.properties).toMatchObject({ firstName: expect.any(String), lastName: expect.any(String) });
    expect(run.pages).toBe(2);
  });

  it('called only operations the HubSpot OpenAPI files name, and got answers they describe', async () => {
    const contract = await HubspotContract.load();
    expect(contractProblems(contract, h.hub.exchanges)).toEqual([]);
  });
});
