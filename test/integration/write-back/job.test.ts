import { listAudit } from '../../../server/platform/db/audit.ts';
import { DelayedError } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createQueues, enqueueWriteBack, type Queues } from '../../../jobs/queues.ts';
import { runSync } from '../../../jobs/sync/run-sync.ts';
import type { WriteBackServices } from '../../../jobs/write-back/write-back.job.ts';
import { crmBook, generateBook } from '../../../sandbox/generator/generate-book.ts';
import type { DatabaseHandle } from '../../../server/platform/db/database.ts';
import { writeBackStore, type WriteBackStore } from '../../../server/platform/db/write-back-store.ts';
import { testDatabases } from '../../support/databases.ts';
import { dropPrefix, uniquePrefix } from '../../support/redis.ts';
import { createSyncHarness, type SyncHarness } from '../../support/sync-harness.ts';
import { accountIds, fakeJob, healthValues, runJob, writeBackServices, writeCalls, type Provider } from './support.ts';

/**
 * The write-back job's guards: no write for an installation that needs re-authorisation, the CRM
 * schema checked once per version of the manifest's fields, missing Salesforce fields reported
 * instead of written, a rate limit delaying the job without losing what was written, and one
 * queued write-back per installation.
 */

const database = testDatabases()[0]!;
const book = crmBook(generateBook({ seed: 11, accounts: 40, asOf: '2026-11-01' }).book);
const SCORED_AT = Date.parse('2026-11-20T08:00:00.000Z');

let handle: DatabaseHandle;
let h: SyncHarness;
let prefix: string;
let queues: Queues;
let services: WriteBackServices;
let store: WriteBackStore;

const keyOf = (provider: Provider) => ({
  workspaceId: h.installations[provider].workspaceId,
  installationId: h.installations[provider].id,
});

async function scoreAll(provider: Provider, variant: number): Promise<number> {
  const ids = await accountIds(handle.db, h, provider);
  await store.saveCurrent(
    keyOf(provider),
    ids.map((accountExternalId, index) => ({
      accountExternalId,
      values: healthValues(index, SCORED_AT, variant),
      scoredAt: new Date(SCORED_AT),
      modelVersion: 'test-1',
    })),
  );
  return ids.length;
}

beforeAll(async () => {
  handle = await database.open();
  await handle.migrate();
  h = await createSyncHarness({ db: handle, book });
  // Enough companies for three HubSpot batches.
  const portal = h.hubspot.sandbox.portals.get(String(h.hubspot.portalId))!;
  const at = h.clock.now() - 86_400_000;
  for (let index = 0; index < 220; index++) {
    portal.insertLoaded(
      'companies',
      { name: `Filler ${index}`, domain: `filler-${index}.example.com` },
      at,
      at + index,
    );
  }
  prefix = uniquePrefix();
  queues = createQueues(h.redis, prefix);
  store = writeBackStore(handle.db);
  services = writeBackServices(h, handle.db, queues);
  for (const provider of ['hubspot', 'salesforce'] as const) {
    const installation = h.installations[provider];
    await runSync(h.deps, { workspaceId: installation.workspaceId, installationId: installation.id, mode: 'full' });
  }
}, 120_000);

afterAll(async () => {
  await queues?.close();
  await h?.close();
  await handle?.close();
  await database.cleanup();
  if (prefix) await dropPrefix(prefix);
});

describe('the write-back job', () => {
  it('never writes for an installation that needs re-authorisation', async () => {
    await scoreAll('hubspot', 0);
    const installation = h.installations.hubspot;
    await h.repository.setStatus(installation.workspaceId, installation.id, 'needs_reauth', 'token refused');
    h.resetCounters();
    try {
      const result = await runJob(services, h, 'hubspot');
      expect(result).toEqual({ outcome: 'skipped', reason: 'installation is needs_reauth' });
      expect(h.hubspot.counters.api).toBe(0);
      expect(await store.ledger(keyOf('hubspot'))).toEqual([]);
    } finally {
      await h.repository.setStatus(installation.workspaceId, installation.id, 'active', null);
    }
  });

  it('marks the installation for re-authorisation when the CRM refuses its refresh token, and writes nothing', async () => {
    await scoreAll('hubspot', 0);
    const installation = h.installations.hubspot;
    const current = (await h.repository.tokens(installation.workspaceId, installation.id))!;
    await h.repository.saveTokens(installation, {
      ...current,
      refreshToken: 'a-refresh-token-the-portal-revoked',
      accessTokenExpiresAt: new Date(h.clock.now() - 1000),
    });
    h.resetCounters();
    try {
      const result = await runJob(services, h, 'hubspot');
      expect(result.outcome).toBe('needs_reauth');
      expect((await h.repository.get(installation.workspaceId, installation.id))?.status).toBe('needs_reauth');
      const audit = await listAudit(handle.db, installation.workspaceId, { installationId: installation.id });
      expect(audit.map((event) => [event.actor, event.action])).toContainEqual([
        'system:write-back',
        'installation.needs_reauth',
      ]);
      expect(h.hubspot.counters.api).toBe(0);
      expect(await store.ledger(keyOf('hubspot'))).toEqual([]);
    } finally {
      await h.repository.saveTokens(installation, current);
      await h.repository.setStatus(installation.workspaceId, installation.id, 'active', null);
    }
  });

  it('checks the CRM schema once, and again when the manifest fields change', async () => {
    const first = await runJob(services, h, 'hubspot');
    expect(first).toMatchObject({ outcome: 'written', summary: { schemaChecked: true } });
    const saved = await store.getSchemaReport(keyOf('hubspot'));
    expect(saved?.report.missing ?? []).toEqual([]);

    await scoreAll('hubspot', 1);
    h.resetCounters();
    const second = await runJob(services, h, 'hubspot');
    expect(second).toMatchObject({ outcome: 'written', summary: { schemaChecked: false } });
    // Only batch updates: no property reads or creations.
    expect(h.hubspot.counters.api).toBe(writeCalls(h, 'hubspot'));

    const changedFields = services.fields.map((field) =>
      field.key === 'health_drivers' ? { ...field, label: 'Why this score' } : field,
    );
    h.resetCounters();
    const third = await runJob({ ...services, fields: changedFields }, h, 'hubspot');
    expect(third).toMatchObject({ outcome: 'written', summary: { schemaChecked: true, rows: 0 } });
    expect(h.hubspot.counters.api).toBeGreaterThan(0);
    expect(writeCalls(h, 'hubspot')).toBe(0);
  });

  it('reports Salesforce fields that do not exist instead of writing them', async () => {
    await scoreAll('salesforce', 0);
    h.resetCounters();
    const result = await runJob(services, h, 'salesforce');
    expect(result.outcome).toBe('skipped');
    if (result.outcome !== 'skipped') return;
    expect(result.reason).toContain('missing: health_score');
    expect(writeCalls(h, 'salesforce')).toBe(0);
    const saved = await store.getSchemaReport(keyOf('salesforce'));
    // Every manifest field, and the Task key field the warning tasks need.
    expect(saved?.report.missing).toEqual([...h.manifest.fields.map((field) => field.key), 'activity_key']);
  });

  it('delays on a rate limit without spending an attempt and keeps what it wrote', async () => {
    const rows = await scoreAll('hubspot', 2);
    expect(rows).toBeGreaterThan(200);
    const portal = String(h.hubspot.portalId);
    // The first batch goes through; every later call is refused for a while.
    let calls = 0;
    const adapter = h.adapters.hubspot;
    const limited: WriteBackServices = {
      ...services,
      adapters: {
        ...h.adapters,
        hubspot: {
          ...adapter,
          writeBack: async (conn, objectType, batch) => {
            if (calls++ === 1) {
              h.hubspot.sandbox.faults.add({
                tenant: portal,
                route: 'crm.objects.batch.update',
                fault: { kind: 'rate_limit', rate: 1 },
                times: 20,
              });
            }
            return adapter.writeBack(conn, objectType, batch);
          },
        },
      },
    };
    const job = fakeJob();
    await expect(runJob(limited, h, 'hubspot', job)).rejects.toBeInstanceOf(DelayedError);
    expect(job.delayedUntil).toHaveLength(1);
    expect(job.delayedUntil[0]).toBeGreaterThan(Date.now());
    const ledger = await store.ledger(keyOf('hubspot'));
    const written = new Set(ledger.filter((row) => row.lastError === null).map((row) => row.accountExternalId));
    expect(written.size).toBeGreaterThanOrEqual(100);

    h.hubspot.sandbox.faults.clear();
    const resumed = await runJob(services, h, 'hubspot');
    expect(resumed).toMatchObject({ outcome: 'written', summary: { failed: 0 } });
    if (resumed.outcome !== 'written') return;
    // Only what the limited run left.
    expect(resumed.summary.rows).toBeLessThanOrEqual(rows - 100);
    expect((await store.ledger(keyOf('hubspot'))).filter((row) => row.lastError !== null)).toEqual([]);
  });

  it('queues one write-back per installation', async () => {
    const data = { workspaceId: h.workspaceId, installationId: h.installations.hubspot.id };
    const first = await enqueueWriteBack(queues, data);
    const second = await enqueueWriteBack(queues, data);
    expect(first.deduplicated).toBe(false);
    expect(second).toEqual({ jobId: first.jobId, deduplicated: true });
    expect(await queues.get('write-back').getWaitingCount()).toBe(1);
    await expect(enqueueWriteBack(queues, { ...data, installationId: 'not-a-uuid' })).rejects.toThrow(/installationId/);
  });
});
