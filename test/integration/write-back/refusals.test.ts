import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createQueues, type Queues } from '../../../jobs/queues.ts';
import { runSync } from '../../../jobs/sync/run-sync.ts';
import type { WriteBackServices } from '../../../jobs/write-back/write-back.job.ts';
import { crmBook, generateBook } from '../../../sandbox/generator/generate-book.ts';
import type { DatabaseHandle } from '../../../server/platform/db/database.ts';
import type { HealthFieldValues } from '../../../server/platform/db/schema.ts';
import { REFUSAL_HOLD_MS, writeBackStore, type WriteBackStore } from '../../../server/platform/db/write-back-store.ts';
import { testDatabases } from '../../support/databases.ts';
import { dropPrefix, uniquePrefix } from '../../support/redis.ts';
import { createSyncHarness, type SyncHarness } from '../../support/sync-harness.ts';
import { accountIds, healthValues, runJob, writeBackServices, writeCalls } from './support.ts';

/**
 * Values the CRM refuses for good (a record gone: NOT_FOUND; a value it cannot take: VALIDATION) are
 * not sent again on every run: only when the value changes, when the manifest fields change, or a
 * day later. Transient failures are retried as before (write-back.test.ts).
 */

const database = testDatabases()[0]!;
const book = crmBook(generateBook({ seed: 23, accounts: 30, asOf: '2026-11-01' }).book);
const SCORED_AT = Date.parse('2026-11-20T08:00:00.000Z');
const keyOf = (h: SyncHarness) => ({
  workspaceId: h.installations.hubspot.workspaceId,
  installationId: h.installations.hubspot.id,
});

let handle: DatabaseHandle;
let h: SyncHarness;
let prefix: string;
let queues: Queues;
let services: WriteBackServices;
let store: WriteBackStore;
let clock = Date.parse('2026-11-20T09:00:00.000Z');
let ids: string[];
/** Companies deleted in the portal after the sync: the stand-in answers OBJECT_NOT_FOUND for them. */
let gone: string[];
/** Accounts with a band HubSpot has no option for. */
let invalid: string[];

async function score(entries: [string, HealthFieldValues][]): Promise<void> {
  await store.saveCurrent(
    keyOf(h),
    entries.map(([accountExternalId, values]) => ({
      accountExternalId,
      values,
      scoredAt: new Date(SCORED_AT),
      modelVersion: 'test-1',
    })),
  );
}

const badBand = (index: number, variant = 0): HealthFieldValues => ({
  ...healthValues(index, SCORED_AT, variant),
  health_band: 'purple',
});

beforeAll(async () => {
  handle = await database.open();
  await handle.migrate();
  h = await createSyncHarness({ db: handle, book });
  prefix = uniquePrefix();
  queues = createQueues(h.redis, prefix);
  store = writeBackStore(handle.db);
  services = { ...writeBackServices(h, handle.db, queues), now: () => clock };
  const installation = h.installations.hubspot;
  await runSync(h.deps, { workspaceId: installation.workspaceId, installationId: installation.id, mode: 'full' });
  ids = await accountIds(handle.db, h, 'hubspot');
  expect(ids.length).toBeGreaterThan(10);
  gone = ids.slice(0, 2);
  invalid = ids.slice(2, 4);
  await score(ids.map((id, index) => [id, invalid.includes(id) ? badBand(index) : healthValues(index, SCORED_AT)]));
  const portal = h.hubspot.sandbox.portals.get(String(h.hubspot.portalId))!;
  for (const id of gone) portal.archive(portal.get('companies', id)!, h.clock.now());
}, 120_000);

afterAll(async () => {
  await queues?.close();
  await h?.close();
  await handle?.close();
  await database.cleanup();
  if (prefix) await dropPrefix(prefix);
});

describe('values the CRM refuses', () => {
  it('are recorded in the ledger with the refused value and the error code', async () => {
    const result = await runJob(services, h, 'hubspot');
    expect(result).toMatchObject({
      outcome: 'written',
      summary: { rows: ids.length, written: ids.length - 4, failed: 4, refused: 4, retried: 0, held: 0 },
    });
    const ledger = await store.ledger(keyOf(h), [...gone, ...invalid]);
    expect(ledger).toHaveLength(4 * 8);
    for (const row of ledger) {
      const code = gone.includes(row.accountExternalId) ? 'NOT_FOUND' : 'VALIDATION';
      expect(row.value).toBeNull();
      expect(row.lastError).toMatch(new RegExp(`^${code}: `));
      expect(row.refusal).toMatchObject({ code, at: new Date(clock) });
    }
    const band = ledger.find((row) => row.accountExternalId === invalid[0] && row.fieldKey === 'health_band');
    expect(band?.refusal?.text).toBe('purple');
    expect(band?.lastError).toContain('health_band must be one of');
  });

  it('are not sent again while the values stay the same', async () => {
    clock += 3_600_000;
    h.resetCounters();
    const result = await runJob(services, h, 'hubspot');
    expect(result).toMatchObject({ outcome: 'written', summary: { rows: 0, batches: 0, held: 4 } });
    expect(h.hubspot.counters.api).toBe(0);
  });

  it('are sent again when a value changes: a fixed row is written, a row still invalid is refused again', async () => {
    clock += 3_600_000;
    const fixedIndex = ids.indexOf(invalid[1]!);
    await score([[invalid[1]!, healthValues(fixedIndex, SCORED_AT)]]);
    h.resetCounters();
    const fixed = await runJob(services, h, 'hubspot');
    expect(fixed).toMatchObject({ outcome: 'written', summary: { rows: 1, written: 1, failed: 0, held: 3 } });
    expect(writeCalls(h, 'hubspot')).toBe(1);
    const fixedLedger = await store.ledger(keyOf(h), [invalid[1]!]);
    expect(fixedLedger).toHaveLength(8);
    expect(fixedLedger.filter((row) => row.lastError !== null || row.refusal !== null)).toEqual([]);
    expect(fixedLedger.find((row) => row.fieldKey === 'health_band')?.value).toBe(
      healthValues(fixedIndex, SCORED_AT).health_band,
    );

    // A new score whose band is still one HubSpot has no option for: tried once, refused, held again.
    const stillIndex = ids.indexOf(invalid[0]!);
    await score([[invalid[0]!, badBand(stillIndex, 5)]]);
    h.resetCounters();
    const still = await runJob(services, h, 'hubspot');
    expect(still).toMatchObject({ outcome: 'written', summary: { rows: 1, written: 0, refused: 1, held: 2 } });
    const stillLedger = await store.ledger(keyOf(h), [invalid[0]!]);
    expect(stillLedger.find((row) => row.fieldKey === 'health_score')?.refusal?.text).toBe(
      String(badBand(stillIndex, 5).health_score),
    );
    h.resetCounters();
    const after = await runJob(services, h, 'hubspot');
    expect(after).toMatchObject({ outcome: 'written', summary: { rows: 0, batches: 0, held: 3 } });
    expect(h.hubspot.counters.api).toBe(0);
  });

  it('are tried again when the manifest fields change', async () => {
    const changedFields = services.fields.map((field) =>
      field.key === 'health_drivers' ? { ...field, label: 'Why this score' } : field,
    );
    h.resetCounters();
    const result = await runJob({ ...services, fields: changedFields }, h, 'hubspot');
    // The two deleted companies and the account whose band is invalid.
    expect(result).toMatchObject({
      outcome: 'written',
      summary: { schemaChecked: true, rows: 3, written: 0, failed: 3, refused: 3, held: 0 },
    });
    expect(writeCalls(h, 'hubspot')).toBe(1);
    // Refused again under the old fields: held under them too, until a day has passed.
    h.resetCounters();
    const back = await runJob(services, h, 'hubspot');
    expect(back).toMatchObject({ outcome: 'written', summary: { rows: 3, failed: 3 } });
    h.resetCounters();
    const settled = await runJob(services, h, 'hubspot');
    expect(settled).toMatchObject({ outcome: 'written', summary: { rows: 0, batches: 0, held: 3 } });
  });

  it('are tried again a day after they were refused', async () => {
    clock += REFUSAL_HOLD_MS - 60_000;
    h.resetCounters();
    const early = await runJob(services, h, 'hubspot');
    expect(early).toMatchObject({ outcome: 'written', summary: { rows: 0, held: 3 } });
    expect(h.hubspot.counters.api).toBe(0);

    clock += 60_000;
    h.resetCounters();
    const result = await runJob(services, h, 'hubspot');
    expect(result).toMatchObject({ outcome: 'written', summary: { rows: 3, failed: 3, refused: 3, held: 0 } });
    expect(writeCalls(h, 'hubspot')).toBe(1);
    const ledger = await store.ledger(keyOf(h), gone);
    for (const row of ledger) expect(row.refusal?.at).toEqual(new Date(clock));
  });
});
