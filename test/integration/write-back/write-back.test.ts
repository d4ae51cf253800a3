import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createQueues, type Queues } from '../../../jobs/queues.ts';
import { runSync } from '../../../jobs/sync/run-sync.ts';
import type { WriteBackServices } from '../../../jobs/write-back/write-back.job.ts';
import { crmBook, generateBook } from '../../../sandbox/generator/generate-book.ts';
import { FaultRegistry, type Fault } from '../../../sandbox/shared/faults.ts';
import type { DatabaseHandle } from '../../../server/platform/db/database.ts';
import type { HealthFieldValues } from '../../../server/platform/db/schema.ts';
import { ledgerText, writeBackStore, type WriteBackStore } from '../../../server/platform/db/write-back-store.ts';
import { testDatabases } from '../../support/databases.ts';
import { dropPrefix, uniquePrefix } from '../../support/redis.ts';
import { createSyncHarness, type SyncHarness } from '../../support/sync-harness.ts';
import {
  accountIds,
  crmDifferences,
  grantFieldAccess,
  healthValues,
  runJob,
  writeBackServices,
  writeCalls,
  type Provider,
} from './support.ts';

/**
 * Write-back against both stand-ins (issue 6, acceptance 3 and 4): a synced book gets computed
 * values for every account; the job puts all eight fields on every record, a second run costs no
 * call, 1% changed values reach only those accounts, and rows a batch rejects are retried alone.
 */

/** Fails exactly `perRequest` records of each request a partial_batch rule fires on. */
class CountedRejections extends FaultRegistry {
  perRequest = 3;
  private left = 0;
  override fire(tenant: string, route: string): Fault[] {
    const fired = super.fire(tenant, route);
    this.left = fired.some((fault) => fault.kind === 'partial_batch') ? this.perRequest : 0;
    return fired;
  }
  override rollPerRecord(): boolean {
    if (this.left <= 0) return false;
    this.left--;
    return true;
  }
}

const ACCOUNTS = 1_000;
const database = testDatabases()[0]!;
const book = crmBook(generateBook({ seed: 6, accounts: 60, asOf: '2026-11-01' }).book);
const faults = { hubspot: new CountedRejections('hubspot'), salesforce: new CountedRejections('salesforce') };
const SCORED_AT = Date.parse('2026-11-20T08:00:00.000Z');
const WRITE_ROUTE: Record<Provider, string> = {
  hubspot: 'crm.objects.batch.update',
  salesforce: 'sobjects.collections',
};

let handle: DatabaseHandle;
let h: SyncHarness;
let prefix: string;
let queues: Queues;
let services: WriteBackServices;
let store: WriteBackStore;
const current: Record<Provider, Map<string, HealthFieldValues>> = { hubspot: new Map(), salesforce: new Map() };

function topUp(harness: SyncHarness): void {
  const portal = harness.hubspot.sandbox.portals.get(String(harness.hubspot.portalId))!;
  const org = harness.salesforce.sandbox.orgs.get(harness.salesforce.orgId)!;
  const actor = org.users()[0]!.id;
  const at = harness.clock.now() - 86_400_000;
  for (let index = book.accounts.length; index < ACCOUNTS; index++) {
    portal.insertLoaded(
      'companies',
      { name: `Filler ${index}`, domain: `filler-${index}.example.com` },
      at,
      at + index,
    );
    org.insert('Account', { Name: `Filler ${index}`, Website: `filler-${index}.example.com` }, actor, at);
  }
}

const keyOf = (provider: Provider) => ({
  workspaceId: h.installations[provider].workspaceId,
  installationId: h.installations[provider].id,
});

/** What the score job would do: store values for some accounts, remembered for the comparisons. */
async function score(provider: Provider, entries: [string, HealthFieldValues][]): Promise<void> {
  await store.saveCurrent(
    keyOf(provider),
    entries.map(([accountExternalId, values]) => ({
      accountExternalId,
      values,
      scoredAt: new Date(SCORED_AT),
      modelVersion: 'test-1',
    })),
  );
  for (const [id, values] of entries) current[provider].set(id, values);
}

beforeAll(async () => {
  handle = await database.open();
  await handle.migrate();
  h = await createSyncHarness({
    db: handle,
    book,
    hubspot: { faults: faults.hubspot },
    salesforce: { faults: faults.salesforce },
  });
  topUp(h);
  prefix = uniquePrefix();
  queues = createQueues(h.redis, prefix);
  store = writeBackStore(handle.db);
  services = writeBackServices(h, handle.db, queues);
  for (const provider of ['hubspot', 'salesforce'] as const) {
    const installation = h.installations[provider];
    await runSync(h.deps, { workspaceId: installation.workspaceId, installationId: installation.id, mode: 'full' });
    const ids = await accountIds(handle.db, h, provider);
    expect(ids.length).toBeGreaterThanOrEqual(ACCOUNTS);
    await score(
      provider,
      ids.map((id, index) => [id, healthValues(index, SCORED_AT)]),
    );
  }
  // The org has no managed package here: create the fields through Tooling and grant access, as an admin would.
  const salesforce = h.installations.salesforce;
  await h.adapters.salesforce.ensureSchema(h.deps.connections(salesforce), h.manifest.fields, { createMissing: true });
  grantFieldAccess(h);
}, 120_000);

afterAll(async () => {
  await queues?.close();
  await h?.close();
  await handle?.close();
  await database.cleanup();
  if (prefix) await dropPrefix(prefix);
});

describe.each(['hubspot', 'salesforce'] as const)('write-back to %s', (provider) => {
  const batchSize = provider === 'hubspot' ? 100 : 200;

  it('sets all eight fields on every account, equal to the database, in full batches', async () => {
    h.resetCounters();
    const result = await runJob(services, h, provider);
    expect(result.outcome).toBe('written');
    if (result.outcome !== 'written') return;
    const accounts = current[provider].size;
    expect(result.summary).toMatchObject({ rows: accounts, written: accounts, failed: 0, retried: 0 });
    expect(result.summary.fields).toHaveLength(8);
    expect(result.summary.schemaChecked).toBe(true);
    expect(writeCalls(h, provider)).toBe(Math.ceil(accounts / batchSize));
    expect(crmDifferences(current[provider], h, provider)).toEqual([]);

    const ledger = await store.ledger(keyOf(provider));
    expect(ledger).toHaveLength(accounts * 8);
    expect(ledger.filter((row) => row.lastError !== null || row.writtenAt === null)).toEqual([]);
  }, 60_000);

  it('makes no call at all on a second run with nothing changed', async () => {
    h.resetCounters();
    const result = await runJob(services, h, provider);
    expect(result).toMatchObject({ outcome: 'written', summary: { rows: 0, written: 0, batches: 0 } });
    expect(h[provider].counters.api).toBe(0);
  });

  it('writes only the accounts whose values changed when 1% of them change', async () => {
    const ids = [...current[provider].keys()];
    const changed = ids.filter((_id, index) => index % 100 === 7);
    expect(changed.length).toBe(Math.round(ids.length / 100));
    // The same values in another form change nothing: "42" and 42 are one value.
    const restated = ids.slice(0, 5).map((id): [string, HealthFieldValues] => {
      const values = current[provider].get(id)!;
      return [
        id,
        {
          ...values,
          health_score: String(values.health_score),
          renewal_probability: Number(values.renewal_probability),
        },
      ];
    });
    await score(provider, restated);
    await score(
      provider,
      changed.map((id) => [id, healthValues(ids.indexOf(id), SCORED_AT, 1)]),
    );
    h.resetCounters();
    const result = await runJob(services, h, provider);
    expect(result.outcome).toBe('written');
    if (result.outcome !== 'written') return;
    expect(result.summary.rows).toBe(changed.length);
    expect(result.summary.rows).toBeLessThanOrEqual(changed.length * 1.1);
    expect(writeCalls(h, provider)).toBeLessThanOrEqual(Math.max(1, Math.ceil(changed.length * 1.1)));
    expect(writeCalls(h, provider)).toBe(Math.ceil(changed.length / batchSize));
    expect(crmDifferences(current[provider], h, provider)).toEqual([]);

    const written = await store.ledger(keyOf(provider));
    const at = new Map<string, Date | null>();
    for (const row of written) if (row.fieldKey === 'health_score') at.set(row.accountExternalId, row.writtenAt);
    const newest = Math.max(...[...at.values()].map((date) => date?.getTime() ?? 0));
    const rewritten = [...at].filter(([, date]) => date?.getTime() === newest).map(([id]) => id);
    expect(rewritten.sort()).toEqual([...changed].sort());
  }, 60_000);

  it('retries only the 3 rows a batch rejects, and the ledger ends right', async () => {
    const ids = [...current[provider].keys()];
    const targets = ids.slice(0, batchSize + 50);
    await score(
      provider,
      targets.map((id) => [id, healthValues(ids.indexOf(id), SCORED_AT, 2)]),
    );
    faults[provider].add({
      tenant: '*',
      route: WRITE_ROUTE[provider],
      fault: { kind: 'partial_batch', rate: 1 },
      times: 1,
    });
    h.resetCounters();
    const result = await runJob(services, h, provider);
    expect(result).toMatchObject({
      outcome: 'written',
      summary: { rows: targets.length, written: targets.length, retried: 3, failed: 0 },
    });
    // Two batches, then one call with the three rejected rows.
    expect(writeCalls(h, provider)).toBe(3);
    expect(crmDifferences(current[provider], h, provider)).toEqual([]);
    const ledger = await store.ledger(keyOf(provider), targets);
    expect(ledger.filter((row) => row.lastError !== null)).toEqual([]);
    for (const row of ledger) {
      const field = h.manifest.fields.find((candidate) => candidate.key === row.fieldKey)!;
      expect(row.value).toBe(ledgerText(field, current[provider].get(row.accountExternalId)![row.fieldKey] ?? null));
    }
  }, 60_000);

  it('leaves rows rejected twice with their error and old value, and the next run writes only them', async () => {
    const ids = [...current[provider].keys()];
    const targets = ids.slice(0, 20);
    const before = new Map(
      (await store.ledger(keyOf(provider), targets))
        .filter((row) => row.fieldKey === 'health_score')
        .map((row) => [row.accountExternalId, row.value]),
    );
    await score(
      provider,
      targets.map((id) => [id, healthValues(ids.indexOf(id), SCORED_AT, 3)]),
    );
    faults[provider].add({
      tenant: '*',
      route: WRITE_ROUTE[provider],
      fault: { kind: 'partial_batch', rate: 1 },
      times: 2,
    });
    h.resetCounters();
    const result = await runJob(services, h, provider);
    expect(result).toMatchObject({
      outcome: 'written',
      summary: { rows: 20, written: 17, retried: 3, failed: 3 },
    });
    expect(writeCalls(h, provider)).toBe(2);
    const ledger = await store.ledger(keyOf(provider), targets);
    const failing = ledger.filter((row) => row.lastError !== null);
    const failedIds = [...new Set(failing.map((row) => row.accountExternalId))];
    expect(failedIds).toHaveLength(3);
    for (const row of failing.filter((entry) => entry.fieldKey === 'health_score')) {
      expect(row.lastError).toMatch(/TEMPORARY/);
      // The ledger still holds what the CRM last received.
      expect(row.value).toBe(before.get(row.accountExternalId));
    }

    h.resetCounters();
    const next = await runJob(services, h, provider);
    expect(next).toMatchObject({ outcome: 'written', summary: { rows: 3, written: 3, failed: 0 } });
    expect(writeCalls(h, provider)).toBe(1);
    expect(crmDifferences(current[provider], h, provider)).toEqual([]);
    expect((await store.ledger(keyOf(provider), targets)).filter((row) => row.lastError !== null)).toEqual([]);
  }, 60_000);
});
