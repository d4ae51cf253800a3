import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSealer } from '../../../server/platform/crypto.ts';
import type { DatabaseHandle } from '../../../server/platform/db/database.ts';
import { createWorkspace, installationRepository } from '../../../server/platform/db/installations.ts';
import { overrideStore, type NewOverride, type OverrideStore } from '../../../server/platform/db/override-store.ts';
import { accounts } from '../../../server/platform/db/schema.ts';
import type { InstallationKey } from '../../../server/platform/db/sync-store.ts';
import { AppError } from '../../../server/platform/errors.ts';
import { testDatabases } from '../../support/databases.ts';

const DAY = 86_400_000;
const at = (iso: string) => new Date(iso);

const override = (accountExternalId: string, changes: Partial<NewOverride> = {}): NewOverride => ({
  accountExternalId,
  score: null,
  band: 'red',
  reason: 'champion left last week',
  author: 'workspace session',
  setAt: at('2026-06-01T09:00:00Z'),
  expiresAt: at('2026-07-01T09:00:00Z'),
  ...changes,
});

describe.each(testDatabases())('override store on $name', (database) => {
  let handle: DatabaseHandle;
  let store: OverrideStore;
  let portal: InstallationKey;
  let org: InstallationKey;
  let stranger: InstallationKey;

  async function addAccounts(key: InstallationKey, ids: string[], archived = false) {
    await handle.db
      .insert(accounts)
      .values(ids.map((externalId) => ({ ...key, externalId, archived, modifiedAt: at('2026-05-01T00:00:00Z') })));
  }

  beforeAll(async () => {
    handle = await database.open();
    await handle.migrate();
    store = overrideStore(handle.db);
    const repo = installationRepository(handle.db, createSealer(Buffer.alloc(32, 7)));
    const install = async (workspaceId: string, provider: 'hubspot' | 'salesforce') => {
      const row = await repo.install({
        workspaceId,
        provider,
        externalId: `${provider}-${randomUUID()}`,
        displayName: provider,
        baseUrl: null,
        scopes: [],
        tokens: { accessToken: 'a', refreshToken: null, accessTokenExpiresAt: null },
      });
      return { workspaceId, installationId: row.id };
    };
    const a = await createWorkspace(handle.db, 'Overrides A');
    const b = await createWorkspace(handle.db, 'Overrides B');
    portal = await install(a.id, 'hubspot');
    org = await install(a.id, 'salesforce');
    stranger = await install(b.id, 'hubspot');
    await addAccounts(portal, ['acc-1', 'acc-2', 'acc-3', 'acc-race', 'shared-id']);
    await addAccounts(portal, ['acc-archived'], true);
    await addAccounts(org, ['shared-id']);
    await addAccounts(stranger, ['acc-stranger']);
  });
  afterAll(async () => {
    await handle?.close();
    await database.cleanup();
  });

  it('stores an override and a later one clears it in the same step; the rows are the history', async () => {
    const first = await store.set(portal, override('acc-1', { score: 35, band: null }));
    expect(first).toMatchObject({
      accountExternalId: 'acc-1',
      score: 35,
      band: null,
      clearedAt: null,
      clearedBy: null,
    });

    const secondSetAt = at('2026-06-10T12:00:00Z');
    const second = await store.set(
      portal,
      override('acc-1', { band: 'yellow', reason: 'renewal call went well', author: 'operator', setAt: secondSetAt }),
    );
    const latest = await store.latestFor(portal, ['acc-1']);
    expect(latest.get('acc-1')?.id).toBe(second.id);

    const history = await store.history(portal, 'acc-1');
    expect(history.map((row) => row.id)).toEqual([second.id, first.id]);
    expect(history[1]).toMatchObject({ clearedAt: secondSetAt, clearedBy: 'operator' });
    expect(history[0]?.clearedAt).toBeNull();
  });

  it('answers the override not cleared per account for a batch, expired ones included, nothing of others', async () => {
    await store.set(portal, override('acc-2', { expiresAt: at('2026-06-02T00:00:00Z') }));
    await store.set(portal, override('shared-id', { band: 'green' }));
    await store.set(org, override('shared-id', { band: 'red' }));
    const latest = await store.latestFor(portal, ['acc-2', 'acc-3', 'shared-id', 'acc-stranger']);
    expect([...latest.keys()].sort()).toEqual(['acc-2', 'shared-id']);
    // Expired is not cleared: whoever reads judges the expiry.
    expect(latest.get('acc-2')?.expiresAt).toEqual(at('2026-06-02T00:00:00Z'));
    // The same CRM id in another installation of the workspace is another account.
    expect(latest.get('shared-id')?.band).toBe('green');
    expect((await store.latestFor(org, ['shared-id'])).get('shared-id')?.band).toBe('red');
    expect((await store.latestFor(portal, [])).size).toBe(0);
  });

  it('reads many accounts at once', async () => {
    const ids = Array.from({ length: 1_200 }, (_, index) => `bulk-${index}`);
    await addAccounts(portal, ids);
    await store.set(portal, override('bulk-0'));
    await store.set(portal, override('bulk-1199'));
    const latest = await store.latestFor(portal, ids);
    expect([...latest.keys()].sort()).toEqual(['bulk-0', 'bulk-1199']);
  });

  it.each([
    ['an unknown account', () => portal, 'acc-nope'],
    ['an archived account', () => portal, 'acc-archived'],
    ["another workspace's account", () => portal, 'acc-stranger'],
    ["another installation's account", () => stranger, 'acc-1'],
  ])('refuses an override of %s with 404 and stores nothing', async (_, key, accountId) => {
    const error = await store.set(key(), override(accountId)).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(AppError);
    expect(error).toMatchObject({ status: 404, code: 'ACCOUNT_NOT_FOUND' });
    expect(await store.history(key(), accountId)).toEqual([]);
  });

  it('says which accounts are live accounts of the installation', async () => {
    expect(await store.hasAccount(portal, 'acc-3')).toBe(true);
    expect(await store.hasAccount(portal, 'acc-archived')).toBe(false);
    expect(await store.hasAccount(portal, 'acc-stranger')).toBe(false);
    expect(await store.hasAccount(stranger, 'acc-stranger')).toBe(true);
  });

  it('clears the override with who and when, once', async () => {
    const set = await store.set(portal, override('acc-3'));
    expect(await store.clear(stranger, 'acc-3', 'someone else')).toBeNull();
    const before = Date.now();
    const cleared = await store.clear(portal, 'acc-3', 'operator');
    expect(cleared).toMatchObject({ id: set.id, clearedBy: 'operator' });
    expect(cleared?.clearedAt?.getTime()).toBeGreaterThanOrEqual(before - 1_000);
    expect(await store.clear(portal, 'acc-3', 'operator')).toBeNull();
    expect((await store.latestFor(portal, ['acc-3'])).size).toBe(0);
    expect(await store.history(portal, 'acc-3')).toHaveLength(1);
  });

  it('leaves one override in force when several are set at once', async () => {
    const start = Date.parse('2026-06-05T00:00:00Z');
    await Promise.all(
      Array.from({ length: 5 }, (_, index) =>
        store.set(
          portal,
          override('acc-race', { score: 10 * index, band: null, setAt: new Date(start + index * DAY) }),
        ),
      ),
    );
    const history = await store.history(portal, 'acc-race');
    expect(history).toHaveLength(5);
    expect(history.filter((row) => row.clearedAt === null)).toHaveLength(1);
  });
});
