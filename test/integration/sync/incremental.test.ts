import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSync, type SyncSummary } from '../../../jobs/sync/run-sync.ts';
import { crmBook, generateBook } from '../../../sandbox/generator/generate-book.ts';
import type { DatabaseHandle } from '../../../server/platform/db/database.ts';
import { testDatabases } from '../../support/databases.ts';
import { createSyncHarness, type SyncHarness } from '../../support/sync-harness.ts';
import { differences, summarise } from './convergence.ts';

/**
 * Acceptance 2: after a full sync, 1% of every object changes, some records are deleted, two
 * accounts are merged, and more accounts than the search cap change at one instant. The next
 * incremental run converges exactly, and its calls are bounded by the number changed, not the book.
 *
 * HubSpot's 10,000-result search cap is lowered to 100 in the stand-in, which refuses to page past
 * it as HubSpot does, and the adapter plans for the same cap (with pages of 50), so a burst of 150
 * records at one instant forces the same restarts a real burst past 10,000 does.
 */

const database = testDatabases()[0]!;
const book = crmBook(generateBook({ seed: 21, accounts: 300, asOf: '2026-11-01' }).book);
const SEARCH_CAP = 100;
const PAGE = 50;
const BURST = 150;
let handle: DatabaseHandle;
let h: SyncHarness;

beforeAll(async () => {
  handle = await database.open();
  await handle.migrate();
  h = await createSyncHarness({
    db: handle,
    book,
    hubspot: { searchResultCap: SEARCH_CAP },
    adapters: { hubspot: { searchCap: SEARCH_CAP } },
  });
}, 60_000);

afterAll(async () => {
  await h?.close();
  await handle?.close();
  await database.cleanup();
});

const every = <T>(items: readonly T[], step: number, offset = 0) => items.filter((_, i) => i % step === offset);

/** Changes HubSpot's portal as API writes would; answers how many records changed. */
function changeHubspot(): number {
  const portal = h.hubspot.sandbox.portals.get(String(h.hubspot.portalId))!;
  let changed = 0;
  const now = () => h.clock.now();
  const live = (type: 'companies' | 'contacts' | 'deals' | 'tickets') =>
    portal.table(type).order.filter((record) => !record.archived);
  const edits = { companies: 'arr', contacts: 'jobtitle', deals: 'amount', tickets: 'subject' } as const;
  for (const [type, property] of Object.entries(edits) as [keyof typeof edits, string][]) {
    for (const record of every(live(type), 100, 7)) {
      portal.update(
        record,
        { [property]: property === 'jobtitle' || property === 'subject' ? 'Changed' : '12345' },
        now(),
      );
      changed++;
    }
  }
  for (const record of every(live('contacts'), 150, 3)) portal.archive(record, now());
  for (const record of every(live('deals'), 150, 5)) portal.archive(record, now());
  const withContacts = live('companies').filter((c) => portal.associations(c, 'contacts').length > 0);
  portal.merge(withContacts[0]!, withContacts[1]!, now());
  changed += 2;
  h.clock.advance(1_000);
  // The burst: more companies than one query may page through, all stamped at the same instant.
  for (const record of live('companies').slice(0, BURST)) {
    portal.update(record, { segment: 'enterprise' }, now());
    changed++;
  }
  return changed;
}

function changeSalesforce(): number {
  const org = h.salesforce.sandbox.orgs.get(h.salesforce.orgId)!;
  const actor = org.users()[0]!.id;
  const live = (type: string) => [...org.table(type).values()].filter((row) => row.IsDeleted !== true);
  let changed = 0;
  const edits = {
    Account: ['ARR__c', 777],
    Contact: ['Title', 'Changed'],
    Opportunity: ['Amount', 4321],
    Case: ['Subject', 'Changed'],
  } as const;
  for (const [type, [field, value]] of Object.entries(edits)) {
    for (const row of every(live(type), 100, 7)) {
      org.update(type, row.Id as string, { [field]: value }, actor);
      changed++;
    }
  }
  for (const row of every(live('Contact'), 150, 3)) org.delete('Contact', row.Id as string, actor);
  for (const row of every(live('Opportunity'), 150, 5)) org.delete('Opportunity', row.Id as string, actor);
  const accounts = live('Account');
  const withContacts = accounts.filter((a) => live('Contact').some((c) => c.AccountId === a.Id));
  h.salesforce.sandbox.merge(h.salesforce.orgId, 'Account', withContacts[0]!.Id as string, [
    withContacts[1]!.Id as string,
  ]);
  changed += 2;
  h.clock.advance(1_000);
  for (const row of accounts.slice(0, BURST)) {
    org.update('Account', row.Id as string, { Segment__c: 'Enterprise' }, actor);
    changed++;
  }
  return changed;
}

describe.each(['hubspot', 'salesforce'] as const)('%s: an incremental run after changes', (provider) => {
  const target = () => ({
    workspaceId: h.installations[provider].workspaceId,
    installationId: h.installations[provider].id,
  });
  const counters = () => (provider === 'hubspot' ? h.hubspot.counters : h.salesforce.counters);
  let full: SyncSummary;

  it('converges exactly with calls bounded by the change', async () => {
    full = await runSync(h.deps, { ...target(), mode: 'full' });
    expect(summarise(await differences(h, handle.db, provider))).toEqual({});

    h.clock.advance(10 * 60_000);
    const changed = provider === 'hubspot' ? changeHubspot() : changeSalesforce();
    h.clock.advance(2 * 60_000);

    const before = counters().api;
    const run = await runSync(h.deps, { ...target(), mode: 'incremental' }, { pageSize: PAGE });
    // What the run counted is what the stand-in received.
    expect(run.calls).toBe(counters().api - before);
    expect(summarise(await differences(h, handle.db, provider))).toEqual({});
    expect(run.objects.reduce((sum, o) => sum + o.deleted, 0)).toBeGreaterThan(0);

    // Per object at most: a search page and an association read per PAGE changes, a restart per
    // SEARCH_CAP, the last empty page, the archived list, a re-read of merged-away links; owners listed.
    const bound =
      provider === 'hubspot'
        ? 2 * Math.ceil(changed / PAGE) + Math.ceil(changed / SEARCH_CAP) + 5 * 6
        : Math.ceil(changed / PAGE) + 5 * 4;
    console.info(
      `${provider}: ${changed} changed of ${full.objects.reduce((s, o) => s + o.records, 0)}; incremental ${run.calls} calls (bound ${bound}), full ${full.calls}`,
    );
    expect(run.calls).toBeLessThanOrEqual(bound);
  }, 60_000);

  it('spends a few calls, whatever the book size, when nothing changed', async () => {
    h.clock.advance(5 * 60_000);
    const run = await runSync(h.deps, { ...target(), mode: 'incremental' });
    expect(run.objects.reduce((sum, o) => sum + o.records, 0)).toBeLessThanOrEqual(
      run.objects.find((o) => o.objectType === 'owners')!.records,
    );
    // HubSpot: the owners list, a search and the archived list per object. Salesforce: a query and
    // getDeleted per object, and describes again (the clock passed their 15-minute cache).
    expect(run.calls).toBeLessThanOrEqual(provider === 'hubspot' ? 1 + 4 + 4 : 5 + 4 + 5);
    expect(summarise(await differences(h, handle.db, provider))).toEqual({});
  }, 30_000);

  it('a reconcile run archives a record that vanished without a trace', async () => {
    const key = { workspaceId: target().workspaceId, installationId: target().installationId };
    const [someId] = await h.deps.store.listIds(key, 'tickets');
    // Drop it from the stand-in with no delete log or archive entry, as a purge past retention would.
    if (provider === 'hubspot') {
      const portal = h.hubspot.sandbox.portals.get(String(h.hubspot.portalId))!;
      const table = portal.table('tickets');
      const record = table.byId.get(someId!)!;
      table.byId.delete(record.id);
      table.order.splice(table.order.indexOf(record), 1);
    } else {
      const org = h.salesforce.sandbox.orgs.get(h.salesforce.orgId)!;
      org.table('Case').delete(someId!);
    }
    const incremental = await runSync(h.deps, { ...target(), mode: 'incremental' });
    expect(incremental.objects.find((o) => o.objectType === 'tickets')?.deleted).toBe(0);
    expect(await h.deps.store.listIds(key, 'tickets')).toContain(someId);

    const reconcile = await runSync(h.deps, { ...target(), mode: 'reconcile' });
    expect(reconcile.objects.find((o) => o.objectType === 'tickets')?.deleted).toBe(1);
    expect(await h.deps.store.listIds(key, 'tickets')).not.toContain(someId);
    expect(summarise(await differences(h, handle.db, provider))).toEqual({});
  }, 30_000);
});
