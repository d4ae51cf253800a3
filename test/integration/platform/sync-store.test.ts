import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSealer } from '../../../server/platform/crypto.ts';
import type { DatabaseHandle } from '../../../server/platform/db/database.ts';
import { createWorkspace, installationRepository } from '../../../server/platform/db/installations.ts';
import {
  syncStore,
  type InstallationKey,
  type StoredRecordInput,
  type SyncStore,
} from '../../../server/platform/db/sync-store.ts';
import { and, eq, sql } from 'drizzle-orm';
import { defaultMapping } from '../../../server/core/accounts/mapping.ts';
import { normaliseRecords, type RawRecord } from '../../../server/core/accounts/normalise.ts';
import { accounts, crmRecords, deals, syncState } from '../../../server/platform/db/schema.ts';
import { testDatabases } from '../../support/databases.ts';

const record = (id: string, modifiedAt: number, name = `Company ${id}`): StoredRecordInput => ({
  id,
  modifiedAt,
  createdAt: 1_000,
  archived: false,
  properties: { name, domain: `${id}.example` },
  associations: { contacts: [`c-${id}`] },
});

const mapping = defaultMapping('hubspot', {});
const company = (id: string, modifiedAt: number, arr: string): RawRecord => ({
  id,
  modifiedAt,
  createdAt: 1_000,
  archived: false,
  properties: { name: `Company ${id}`, domain: `${id}.example`, arr, renewal_date: '2026-12-31' },
  associations: {},
});
const normalisedAccounts = (records: RawRecord[]) => normaliseRecords('hubspot', 'accounts', records, mapping);

describe.each(testDatabases())('sync store on $name', (database) => {
  let handle: DatabaseHandle;
  let store: SyncStore;
  let key: InstallationKey;
  let otherKey: InstallationKey;

  beforeAll(async () => {
    handle = await database.open();
    await handle.migrate();
    store = syncStore(handle.db);
    const repo = installationRepository(handle.db, createSealer(Buffer.alloc(32, 3)));
    const tokens = { accessToken: 'a', refreshToken: 'r', accessTokenExpiresAt: null };
    const make = async (name: string, externalId: string) => {
      const workspace = await createWorkspace(handle.db, name);
      const installation = await repo.install({
        workspaceId: workspace.id,
        provider: 'hubspot',
        externalId,
        displayName: name,
        baseUrl: null,
        scopes: [],
        tokens,
      });
      return { workspaceId: workspace.id, installationId: installation.id };
    };
    key = await make('Acme', '901');
    otherKey = await make('Globex', '902');
  });
  afterAll(async () => {
    await handle.close();
    await database.cleanup();
  });

  it('stores a page and its cursor together, and counts what was spent', async () => {
    await store.savePage(key, 'accounts', [record('1', 100), record('2', 100)], { cursor: 'c1', calls: 1 });
    await store.savePage(key, 'accounts', [record('3', 200)], { cursor: 'c2', calls: 2 });
    expect(await store.checkpoint(key, 'accounts')).toEqual({ cursor: 'c2', recordsSeen: 3, callsSpent: 3 });
    expect(await store.count(key, 'accounts')).toBe(3);
  });

  it('applies nothing, cursor included, when a page fails', async () => {
    const before = await store.checkpoint(key, 'accounts');
    // The same id twice in one page makes the upsert fail inside the transaction.
    await expect(
      store.savePage(key, 'accounts', [record('4', 300), record('4', 301)], { cursor: 'c3', calls: 1 }),
    ).rejects.toThrow();
    expect(await store.checkpoint(key, 'accounts')).toEqual(before);
    expect(await store.count(key, 'accounts')).toBe(3);
  });

  it('never lets an older copy overwrite a newer one (a replayed page)', async () => {
    await store.savePage(key, 'accounts', [record('1', 500, 'Renamed')], { cursor: 'c4', calls: 1 });
    await store.savePage(key, 'accounts', [record('1', 100, 'Stale')], { cursor: 'c5', calls: 1 });
    const rows = await handle.db.select().from(crmRecords);
    const one = rows.find((row) => row.externalId === '1' && row.workspaceId === key.workspaceId);
    expect(one?.properties.name).toBe('Renamed');
    expect(one?.modifiedAt.getTime()).toBe(500);
  });

  it('marks deleted records archived and leaves other tenants alone', async () => {
    await store.savePage(otherKey, 'accounts', [record('2', 100)], { cursor: 'x', calls: 1 });
    expect(await store.markArchived(key, 'accounts', ['2', 'missing'])).toBe(1);
    expect(await store.count(key, 'accounts')).toBe(2);
    expect(await store.count(key, 'accounts', { includeArchived: true })).toBe(3);
    expect(await store.count(otherKey, 'accounts')).toBe(1);
    expect(await store.checkpoint(otherKey, 'contacts')).toBeUndefined();
  });

  it('records the last error on the object type’s state until the next page succeeds', async () => {
    const lastError = async () =>
      (await handle.db.select().from(syncState)).find(
        (row) => row.workspaceId === key.workspaceId && row.objectType === 'accounts',
      )?.lastError;
    await store.recordError(key, 'accounts', 'RATE_LIMITED: ten-secondly limit');
    expect(await lastError()).toBe('RATE_LIMITED: ten-secondly limit');
    await store.savePage(key, 'accounts', [], { cursor: 'c6', calls: 1 });
    expect(await lastError()).toBeNull();
    expect((await store.checkpoint(key, 'accounts'))?.cursor).toBe('c6');
  });

  const accountRow = async (target: InstallationKey, id: string) => {
    const [row] = await handle.db
      .select()
      .from(accounts)
      .where(
        and(
          eq(accounts.workspaceId, target.workspaceId),
          eq(accounts.installationId, target.installationId),
          eq(accounts.externalId, id),
        ),
      );
    return row;
  };

  it('writes normalised rows with the raw records and the cursor', async () => {
    const page = [company('n1', 1_000, '1200.50'), company('n2', 1_000, '99')];
    await store.savePage(key, 'accounts', page, { cursor: 'n-c1', calls: 1 }, normalisedAccounts(page));
    expect(await accountRow(key, 'n1')).toMatchObject({
      name: 'Company n1',
      domain: 'n1.example',
      arr: '1200.50',
      renewalDate: '2026-12-31',
      archived: false,
      problems: [],
    });
    expect((await accountRow(key, 'n1'))?.modifiedAt.getTime()).toBe(1_000);
  });

  it('applies nothing, raw records included, when the normalised rows fail', async () => {
    const before = await store.checkpoint(key, 'accounts');
    const rawCount = await store.count(key, 'accounts');
    const page = [company('n3', 2_000, '1'), company('n4', 2_000, '2')];
    // The raw upsert succeeds; a repeated id among the normalised rows then fails the transaction.
    const rows = normalisedAccounts([...page, company('n3', 2_001, '3')]);
    await expect(store.savePage(key, 'accounts', page, { cursor: 'n-c2', calls: 1 }, rows)).rejects.toThrow();
    expect(await accountRow(key, 'n3')).toBeUndefined();
    expect(await store.count(key, 'accounts')).toBe(rawCount);
    expect(await store.checkpoint(key, 'accounts')).toEqual(before);
  });

  it('never lets an older normalised copy overwrite a newer one', async () => {
    const newer = [company('n1', 5_000, '500')];
    await store.savePage(key, 'accounts', newer, { cursor: 'n-c3', calls: 1 }, normalisedAccounts(newer));
    const older = [company('n1', 1_500, '150')];
    await store.savePage(key, 'accounts', older, { cursor: 'n-c4', calls: 1 }, normalisedAccounts(older));
    expect(await accountRow(key, 'n1')).toMatchObject({ arr: '500.00' });
    const same = [company('n1', 5_000, '501')];
    // The same modification re-normalised (a changed mapping) replaces the row.
    await store.savePage(key, 'accounts', same, { cursor: 'n-c5', calls: 1 }, normalisedAccounts(same));
    expect(await accountRow(key, 'n1')).toMatchObject({ arr: '501.00' });
  });

  it('stores each object type’s rows in its own table', async () => {
    const deal: RawRecord = {
      id: 'd1',
      modifiedAt: 3_000,
      createdAt: null,
      archived: false,
      properties: { dealname: 'Renewal 2027', amount: '9000', dealstage: 'closedwon', dealtype: 'renewal' },
      associations: { accounts: ['n1'] },
    };
    await store.savePage(
      key,
      'deals',
      [deal],
      { cursor: 'd-c1', calls: 1 },
      normaliseRecords('hubspot', 'deals', [deal], mapping),
    );
    const [row] = await handle.db.select().from(deals).where(eq(deals.workspaceId, key.workspaceId));
    expect(row).toMatchObject({
      externalId: 'd1',
      accountExternalId: 'n1',
      stage: 'won',
      kind: 'renewal',
      amount: '9000.00',
    });
  });

  it('archives normalised rows with the raw ones and lists only live ids', async () => {
    const page = [company('n5', 1_000, '5')];
    await store.savePage(otherKey, 'accounts', page, { cursor: 'o-c1', calls: 1 }, normalisedAccounts(page));
    await store.savePage(key, 'accounts', page, { cursor: 'n-c6', calls: 1 }, normalisedAccounts(page));
    expect(await store.markArchived(key, 'accounts', ['n2', 'n5'])).toBe(2);
    expect((await accountRow(key, 'n2'))?.archived).toBe(true);
    expect((await accountRow(key, 'n5'))?.archived).toBe(true);
    expect((await accountRow(otherKey, 'n5'))?.archived).toBe(false);
    const ids = await store.listIds(key, 'accounts');
    expect(ids).toContain('n1');
    expect(ids).not.toContain('n2');
    expect(ids).not.toContain('n5');
    expect(await store.listIds(otherKey, 'accounts')).toEqual(expect.arrayContaining(['n5']));
  });

  it('reports runs, errors and cursors per object type, and resets a cursor', async () => {
    const started = Date.now();
    await store.startRun(key, 'contacts');
    await store.recordError(key, 'contacts', 'TEMPORARY: 502 from the CRM');
    let status = await store.status(key);
    expect(status.map((object) => object.objectType).slice(0, 5)).toEqual([
      'owners',
      'accounts',
      'contacts',
      'deals',
      'tickets',
    ]);
    const contactsBefore = status.find((object) => object.objectType === 'contacts');
    expect(contactsBefore).toMatchObject({
      records: 0,
      lastError: 'TEMPORARY: 502 from the CRM',
      lastFinishedAt: null,
    });
    expect(contactsBefore?.lastStartedAt?.getTime()).toBeGreaterThanOrEqual(started - 1_000);

    await store.finishRun(key, 'contacts', { finishedAt: new Date(started + 5) });
    const accountsCount = await store.count(key, 'accounts');
    status = await store.status(key);
    expect(status.find((object) => object.objectType === 'contacts')).toMatchObject({
      lastError: null,
      lastFinishedAt: new Date(started + 5),
    });
    expect(status.find((object) => object.objectType === 'accounts')).toMatchObject({
      records: accountsCount,
      cursor: 'n-c6',
    });
    expect(status.find((object) => object.objectType === 'owners')).toMatchObject({ records: 0, cursor: null });

    await store.resetCursor(key, 'accounts');
    expect((await store.checkpoint(key, 'accounts'))?.cursor).toBeNull();
    // Another installation's state is its own.
    expect((await store.checkpoint(otherKey, 'accounts'))?.cursor).toBe('o-c1');
  });

  it('saves a page larger than one statement can carry', async () => {
    const page: RawRecord[] = Array.from({ length: 4_000 }, (_, i) => ({
      id: `big-${i}`,
      modifiedAt: 10_000 + i,
      createdAt: null,
      archived: false,
      properties: { email: `p${i}@big.example`, firstname: 'P', lastname: String(i), contact_role: 'champion' },
      associations: { accounts: ['n1'] },
    }));
    await store.savePage(
      otherKey,
      'contacts',
      page,
      { cursor: 'big', calls: 25 },
      normaliseRecords('hubspot', 'contacts', page, mapping),
    );
    expect(await store.count(otherKey, 'contacts')).toBe(4_000);
    const [row] = await handle.rows<{ n: number }>(
      sql`select count(*)::int as n from contacts where installation_id = ${otherKey.installationId} and role = 'champion'`,
    );
    expect(row?.n).toBe(4_000);
  });

  it('stores a value with a NUL character, without the NUL', async () => {
    const page = [company('nul-1', 1_000, '1')];
    page[0]!.properties.name = 'Bad\u0000Name';
    await store.savePage(key, 'accounts', page, { cursor: 'nul', calls: 1 }, normalisedAccounts(page));
    expect((await accountRow(key, 'nul-1'))?.name).toBe('BadName');
  });

  it('archives any number of ids at once and counts each record once', async () => {
    const ids = Array.from({ length: 70_000 }, (_, i) => `gone-${i}`);
    ids.push('big-1', 'big-2');
    expect(await store.markArchived(otherKey, 'contacts', ids)).toBe(2);
    expect(await store.markArchived(otherKey, 'contacts', ['big-1', 'big-3'])).toBe(1);
    expect(await store.count(otherKey, 'contacts')).toBe(3_997);
  });
});
