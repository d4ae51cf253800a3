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
import { crmRecords, syncState } from '../../../server/platform/db/schema.ts';
import { testDatabases } from '../../support/databases.ts';

const record = (id: string, modifiedAt: number, name = `Company ${id}`): StoredRecordInput => ({
  id,
  modifiedAt,
  createdAt: 1_000,
  archived: false,
  properties: { name, domain: `${id}.example` },
  associations: { contacts: [`c-${id}`] },
});

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
});
