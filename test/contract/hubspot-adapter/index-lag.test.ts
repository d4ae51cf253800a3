import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SyncCursor } from '../../../server/crm/cursor.ts';
import { createHubspotAdapter } from '../../../server/crm/hubspot/adapter.ts';
import type { PortalStore } from '../../../sandbox/hubspot/index.ts';
import { syntheticCrmBook } from '../../support/synthetic-crm-book.ts';
import { drain, FIELDS, MANIFEST, startAdapterHarness, type AdapterHarness } from './adapter-harness.ts';

const PORTAL = 1000001;
const SEARCH_LAG_MS = 3_000;

describe('HubSpot adapter: windows end behind the search index', () => {
  let h: AdapterHarness;

  beforeAll(async () => {
    h = await startAdapterHarness({ searchIndexLagMs: SEARCH_LAG_MS }, { indexLagMs: 5_000 });
    h.hub.sandbox.loadBook(PORTAL, syntheticCrmBook(20, 0));
  });

  afterAll(async () => {
    await h.close();
  });

  it('reads a change once the index has it; a window without the margin would have closed past it', async () => {
    const conn = h.connect(PORTAL);
    const backfill = await drain(h.adapter, conn, 'accounts', null, 100);
    const store = h.hub.sandbox.portals.get(String(PORTAL)) as PortalStore;
    const id = store.table('companies').order[3]?.id as string;
    const writer = h.hub.client(h.hub.sandbox.issueTokens(PORTAL).accessToken);
    h.clock.advance(10_000);
    await writer.crm.companies.basicApi.update(id, { properties: { industry: 'Indexed late' } });
    const afterWrite = backfill.resumeFrom as SyncCursor;

    // Without a margin the window ends now, the index does not show the change yet, and the next
    // window starts after it: the change is lost. This is what the margin is for.
    h.clock.advance(1_000);
    const hasty = createHubspotAdapter({
      fields: FIELDS,
      propertyGroup: MANIFEST.crms.hubspot.propertyGroup,
      now: () => h.clock.now(),
      indexLagMs: 0,
    });
    const lost = await drain(hasty, conn, 'accounts', afterWrite, 100);
    expect(lost.records).toEqual([]);
    h.clock.advance(10_000);
    expect((await drain(hasty, conn, 'accounts', lost.resumeFrom, 100)).records).toEqual([]);

    // With the margin (5 s ≥ the index's 3 s) the same change is read in the first window that covers it.
    const careful = await drain(h.adapter, conn, 'accounts', afterWrite, 100);
    expect(careful.records.map((record) => [record.id, record.properties.industry])).toEqual([[id, 'Indexed late']]);
  });
});
