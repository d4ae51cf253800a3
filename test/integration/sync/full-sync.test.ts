import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSync } from '../../../jobs/sync/run-sync.ts';
import { crmBook, generateBook } from '../../../sandbox/generator/generate-book.ts';
import { listAudit } from '../../../server/platform/db/audit.ts';
import type { DatabaseHandle } from '../../../server/platform/db/database.ts';
import { testDatabases } from '../../support/databases.ts';
import { createSyncHarness, type SyncHarness } from '../../support/sync-harness.ts';
import { differences, summarise } from './convergence.ts';

/**
 * A quick full sync of 10,000 accounts in each stand-in (400 generated accounts with their people,
 * deals and tickets, 9,600 plain ones) compared with the stand-in's state, and the mapping audited.
 * The whole 10,000-account book, installed through OAuth, is full-book.test.ts.
 */

const ACCOUNTS = 10_000;
const database = testDatabases()[0]!;
const book = crmBook(generateBook({ seed: 3, accounts: 400, asOf: '2026-11-01' }).book);
let handle: DatabaseHandle;
let h: SyncHarness;

function topUp(harness: SyncHarness): void {
  const portal = harness.hubspot.sandbox.portals.get(String(harness.hubspot.portalId))!;
  const org = harness.salesforce.sandbox.orgs.get(harness.salesforce.orgId)!;
  const actor = org.users()[0]!.id;
  const at = harness.clock.now() - 86_400_000;
  for (let index = book.accounts.length; index < ACCOUNTS; index++) {
    portal.insertLoaded(
      'companies',
      { name: `Filler ${index}`, domain: `filler-${index}.example.com`, arr: String(1000 + index), segment: 'smb' },
      at,
      at + index,
    );
    org.insert(
      'Account',
      { Name: `Filler ${index}`, Website: `filler-${index}.example.com`, ARR__c: 1000 + index },
      actor,
      at,
    );
  }
}

beforeAll(async () => {
  handle = await database.open();
  await handle.migrate();
  h = await createSyncHarness({ db: handle, book });
  topUp(h);
}, 60_000);

afterAll(async () => {
  await h?.close();
  await handle?.close();
  await database.cleanup();
});

describe.each(['hubspot', 'salesforce'] as const)('a full sync of %s', (provider) => {
  it('stores every record of every object with the stand-in ids, mapped values and associations', async () => {
    const installation = h.installations[provider];
    const summary = await runSync(h.deps, {
      workspaceId: installation.workspaceId,
      installationId: installation.id,
      mode: 'full',
    });
    expect(summary.skipped).toBeUndefined();
    expect(summary.objects.map((o) => o.objectType)).toEqual(['owners', 'accounts', 'contacts', 'deals', 'tickets']);
    expect(summary.objects.find((o) => o.objectType === 'accounts')?.records).toBeGreaterThanOrEqual(ACCOUNTS);

    const diffs = await differences(h, handle.db, provider);
    expect(summarise(diffs)).toEqual({});
    const counts = Object.fromEntries(diffs.map((d) => [d.object, d.missing.length]));
    expect(counts).toEqual({ owners: 0, accounts: 0, contacts: 0, deals: 0, tickets: 0 });

    // The mapping was detected on this first run, saved and audited.
    const audit = await listAudit(handle.db, installation.workspaceId, { installationId: installation.id });
    expect(audit.map((event) => event.action)).toContain('mapping.updated');
    console.info(`${provider}: full sync of ${ACCOUNTS} accounts in ${summary.durationMs} ms, ${summary.calls} calls`);
  }, 90_000);
});
