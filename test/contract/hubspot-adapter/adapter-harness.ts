import { ManualClock } from '../../../sandbox/shared/clock.ts';
import { loadManifest } from '../../../server/platform/manifest.ts';
import type { AppObject } from '../../../server/platform/manifest.ts';
import type { SyncCursor } from '../../../server/crm/cursor.ts';
import { createHubspotAdapter, type HubspotAdapterOptions } from '../../../server/crm/hubspot/adapter.ts';
import type { CrmAdapter, CrmConnection, CrmRecord } from '../../../server/crm/types.ts';
import { startHubspot, type HubspotHarness } from '../../support/hubspot-harness.ts';
import type { HubspotSandboxOptions } from '../../../sandbox/hubspot/index.ts';

export const MANIFEST = loadManifest('manifest.json');
export const FIELDS = MANIFEST.fields;
/** Limits no test reaches unless it means to (the manual clock never refills a rolling window). */
export const GENEROUS_LIMITS = { perTenSeconds: 1_000_000, searchPerSecond: 1_000_000, daily: 10_000_000 };

export interface AdapterHarness {
  hub: HubspotHarness;
  clock: ManualClock;
  adapter: CrmAdapter;
  connect(portalId: number, scopes?: readonly string[]): CrmConnection;
  close(): Promise<void>;
}

export async function startAdapterHarness(
  sandbox: HubspotSandboxOptions = {},
  adapter: Partial<HubspotAdapterOptions> = {},
): Promise<AdapterHarness> {
  const clock = new ManualClock(Date.parse('2026-07-01T12:00:00Z'));
  const hub = await startHubspot({ clock, limits: GENEROUS_LIMITS, ...sandbox });
  return {
    hub,
    clock,
    adapter: createHubspotAdapter({
      fields: FIELDS,
      propertyGroup: MANIFEST.crms.hubspot.propertyGroup,
      now: () => clock.now(),
      indexLagMs: 1_000,
      ...adapter,
    }),
    connect(portalId, scopes) {
      const { accessToken } = hub.sandbox.issueTokens(portalId, scopes);
      return {
        installationId: `inst-${portalId}`,
        provider: 'hubspot',
        externalId: String(portalId),
        baseUrl: hub.baseUrl,
        accessToken: () => Promise.resolve(accessToken),
      };
    },
    close: () => hub.close(),
  };
}

export interface Run {
  records: CrmRecord[];
  /** Every cursor a page returned, in order (the checkpoints a job would store). */
  cursors: SyncCursor[];
  /** Where the next run starts. */
  resumeFrom: SyncCursor | null;
  calls: number;
  pages: number;
  /** Records each page delivered, in order. */
  perPage: CrmRecord[][];
}

/** Reads pages until the adapter says the run is done, as the sync job will. */
export async function drain(
  adapter: CrmAdapter,
  conn: CrmConnection,
  objectType: AppObject,
  start: SyncCursor | null,
  pageSize: number,
  maxPages = 10_000,
): Promise<Run> {
  const run: Run = { records: [], cursors: [], resumeFrom: null, calls: 0, pages: 0, perPage: [] };
  let cursor = start;
  for (;;) {
    if (run.pages >= maxPages) throw new Error(`no end after ${maxPages} pages`);
    const page = await adapter.listChanged(conn, objectType, cursor, pageSize);
    run.pages++;
    run.calls += page.calls;
    run.records.push(...page.records);
    run.perPage.push(page.records);
    if (page.next === null) {
      run.resumeFrom = page.resumeFrom ?? null;
      return run;
    }
    run.cursors.push(page.next);
    cursor = page.next;
  }
}

/** Ids in the order read, failing on a duplicate. */
export function idsOnce(records: readonly CrmRecord[]): string[] {
  const ids = records.map((record) => record.id);
  const duplicates = ids.filter((id, index) => ids.indexOf(id) !== index);
  if (duplicates.length > 0) throw new Error(`read more than once: ${duplicates.slice(0, 5).join(', ')}`);
  return ids;
}
