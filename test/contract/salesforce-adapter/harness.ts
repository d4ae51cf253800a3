import { ManualClock } from '../../../sandbox/shared/clock.ts';
import { FaultRegistry } from '../../../sandbox/shared/faults.ts';
import type { SalesforceSandboxOptions } from '../../../sandbox/salesforce/salesforce-sandbox.ts';
import { loadManifest } from '../../../server/platform/manifest.ts';
import { createSalesforceAdapter, type SalesforceAdapter } from '../../../server/crm/salesforce/adapter.ts';
import type { CrmConnection, CrmRecord, Page } from '../../../server/crm/types.ts';
import type { AppObject } from '../../../server/platform/manifest.ts';
import type { SyncCursor } from '../../../server/crm/cursor.ts';
import { startSandbox, type RunningSandbox } from '../salesforce/start-sandbox.ts';

/** The Salesforce adapter against the stand-in on 127.0.0.1, sharing one manual clock with it. */
export interface AdapterHarness {
  run: RunningSandbox;
  clock: ManualClock;
  faults: FaultRegistry;
  adapter: SalesforceAdapter;
  orgId: string;
  /** A connection with a fresh session of the org's integration user. */
  connection(): CrmConnection;
  close(): Promise<void>;
}

export const manifest = loadManifest(new URL('../../../manifest.json', import.meta.url).pathname);

export async function startHarness(
  options: Omit<SalesforceSandboxOptions, 'clock' | 'faults'> = {},
): Promise<AdapterHarness> {
  const clock = new ManualClock(Date.parse('2026-03-02T09:00:00Z'));
  const faults = new FaultRegistry('salesforce-adapter');
  const run = await startSandbox({ ...options, clock, faults });
  const orgId = run.sandbox.defaultOrg.id;
  const adapter = createSalesforceAdapter({ fields: manifest.fields, now: () => clock.now() });
  return {
    run,
    clock,
    faults,
    adapter,
    orgId,
    connection() {
      const session = run.sandbox.issueSession({ instanceUrl: run.url, withRefreshToken: false });
      return {
        installationId: `inst-${orgId}`,
        provider: 'salesforce',
        externalId: orgId,
        baseUrl: run.url,
        accessToken: () => Promise.resolve(session.access_token),
      };
    },
    close: () => run.close(),
  };
}

/** Reads pages until the window ends; every page's records, calls and the cursors returned. */
export async function readAll(
  adapter: SalesforceAdapter,
  conn: CrmConnection,
  objectType: AppObject,
  start: SyncCursor | null,
  pageSize: number,
): Promise<{ records: CrmRecord[]; calls: number; pages: Page[]; cursors: SyncCursor[] }> {
  const pages: Page[] = [];
  const cursors: SyncCursor[] = [];
  let cursor = start;
  for (;;) {
    const page = await adapter.listChanged(conn, objectType, cursor, pageSize);
    pages.push(page);
    if (!page.next) break;
    cursors.push(page.next);
    cursor = page.next;
  }
  return {
    records: pages.flatMap((page) => page.records),
    calls: pages.reduce((sum, page) => sum + page.calls, 0),
    pages,
    cursors,
  };
}
