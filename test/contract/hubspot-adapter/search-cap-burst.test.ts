import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PortalStore } from '../../../sandbox/hubspot/index.ts';
import type { SyncCursor } from '../../../server/crm/cursor.ts';
import { parseInstant } from '../../../server/crm/hubspot/records.ts';
import { syntheticCrmBook } from '../../support/synthetic-crm-book.ts';
import { drain, idsOnce, startAdapterHarness, type AdapterHarness } from './adapter-harness.ts';

const PORTAL = 1000002;
const COUNT = 10_050;

describe('HubSpot adapter: more records at one instant than the real 10,000-result search cap', () => {
  let h: AdapterHarness;

  beforeAll(async () => {
    h = await startAdapterHarness();
    // The synthetic book stamps every account with the same hs_lastmodifieddate.
    h.hub.sandbox.loadBook(PORTAL, syntheticCrmBook(COUNT, 0));
  });

  afterAll(async () => {
    await h.close();
  });

  it('reads all of them exactly once, without ever asking past the cap', async () => {
    const store = h.hub.sandbox.portals.get(String(PORTAL)) as PortalStore;
    const records = store.table('companies').order;
    const stamps = new Set(records.map((record) => parseInstant(record.properties.hs_lastmodifieddate)));
    expect(stamps.size).toBe(1);
    const instant = [...stamps][0] as number;

    const start: SyncCursor = { v: 1, phase: 'incremental', modifiedAt: instant - 60_000, id: '' };
    const run = await drain(h.adapter, h.connect(PORTAL), 'accounts', start, 200);
    expect(idsOnce(run.records).length).toBe(COUNT);
    expect(new Set(run.records.map((record) => record.id))).toEqual(new Set(records.map((record) => record.id)));
    // 50 pages reach the cap, one page by id finishes the instant, one more finds the window empty.
    expect(run.calls).toBe(52);
    const refused = h.hub.exchanges.filter((exchange) => exchange.status === 400);
    expect(refused).toEqual([]);
    console.info(`HubSpot burst: ${COUNT} records at one instant in ${run.calls} search calls`);
  });

  it('starting inside the instant (a stored cursor) skips what the cursor says is done', async () => {
    const store = h.hub.sandbox.portals.get(String(PORTAL)) as PortalStore;
    const records = store.table('companies').order;
    const instant = parseInstant(records[0]?.properties.hs_lastmodifieddate) as number;
    const middle = records[4_999]?.id as string;
    const start: SyncCursor = { v: 1, phase: 'incremental', modifiedAt: instant, id: middle };
    const run = await drain(h.adapter, h.connect(PORTAL), 'accounts', start, 200);
    expect(idsOnce(run.records)).toEqual(records.slice(5_000).map((record) => record.id));
  });
});
