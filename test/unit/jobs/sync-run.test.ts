import { DelayedError, UnrecoverableError, type Job } from 'bullmq';
import { describe, expect, it, vi } from 'vitest';
import type { SyncDeps, SyncStorePort } from '../../../jobs/sync/run-sync.ts';
import { syncWithRecovery, type SyncJobServices } from '../../../jobs/sync/sync-run.job.ts';
import { tickSlot } from '../../../jobs/sync/sync-tick.job.ts';
import { defaultMapping } from '../../../server/core/accounts/mapping.ts';
import { CrmError } from '../../../server/crm/errors.ts';
import type { Adapters } from '../../../server/crm/registry.ts';
import type { CrmAdapter, Page } from '../../../server/crm/types.ts';
import type { Installation } from '../../../server/platform/db/installations.ts';
import { silentLogger } from '../../support/databases.ts';

/** What the run job does with each CRM error, against an in-memory store and a scripted adapter. */

const installation: Installation = {
  workspaceId: '11111111-1111-4111-8111-111111111111',
  id: '22222222-2222-4222-8222-222222222222',
  provider: 'hubspot',
  externalId: '1000001',
  displayName: 'Portal',
  baseUrl: null,
  status: 'active',
  statusReason: null,
  scopes: [],
  accessTokenExpiresAt: null,
  installedAt: new Date(),
  updatedAt: new Date(),
};
const data = {
  workspaceId: installation.workspaceId,
  installationId: installation.id,
  mode: 'incremental' as const,
  reason: 'manual' as const,
};

function memoryStore(): SyncStorePort & { cursors: Map<string, string | null>; resets: string[] } {
  const cursors = new Map<string, string | null>();
  const resets: string[] = [];
  return {
    cursors,
    resets,
    checkpoint: (_key, object) =>
      Promise.resolve(cursors.has(object) ? { cursor: cursors.get(object) ?? null } : undefined),
    savePage: (_key, object, _records, next) => Promise.resolve(void cursors.set(object, next.cursor)),
    markArchived: () => Promise.resolve(0),
    listIds: () => Promise.resolve([]),
    liveAmong: (_key, _object, ids) => Promise.resolve([...ids]),
    linkedTo: () => Promise.resolve([]),
    startRun: () => Promise.resolve(),
    finishRun: () => Promise.resolve(),
    resetCursor: (_key, object) => {
      resets.push(object);
      cursors.delete(object);
      return Promise.resolve();
    },
    recordError: () => Promise.resolve(),
    status: () => Promise.resolve([]),
  };
}

/** An adapter that fails with the scripted errors first, then answers empty pages. */
function scriptedAdapter(errors: CrmError[]): CrmAdapter {
  const empty: Page = { records: [], next: null, calls: 1 };
  return {
    provider: 'hubspot',
    listChanged: () => {
      const error = errors.shift();
      return error ? Promise.reject(error) : Promise.resolve(empty);
    },
    listDeleted: () => Promise.resolve([]),
    fetchByIds: () => Promise.resolve([]),
    listFields: () => Promise.resolve([]),
    ensureSchema: () => Promise.reject(new Error('not used')),
    writeBack: () => Promise.reject(new Error('not used')),
    createTasks: () => Promise.reject(new Error('not used')),
    createNote: () => Promise.reject(new Error('not used')),
    findTasksByKey: () => Promise.reject(new Error('not used')),
    closeTasks: () => Promise.reject(new Error('not used')),
    findNoteByKey: () => Promise.reject(new Error('not used')),
    activityLookupLagMs: 0,
  };
}

function services(errors: CrmError[], store = memoryStore()) {
  const adapter = scriptedAdapter(errors);
  const refreshAfterRejection = vi.fn(() => Promise.resolve('fresh-token'));
  const sync: SyncDeps = {
    db: undefined as never,
    installations: { get: () => Promise.resolve(installation) } as never,
    store,
    mappings: { get: () => Promise.resolve(defaultMapping('hubspot', {})), save: () => Promise.resolve() },
    adapters: { hubspot: adapter, salesforce: adapter } as unknown as Adapters,
    connections: (target) => ({
      installationId: target.id,
      provider: target.provider,
      externalId: target.externalId,
      baseUrl: undefined,
      accessToken: () => Promise.resolve('stale-token'),
      lastAccessToken: () => 'stale-token',
    }),
    logger: silentLogger,
  };
  const all = { sync, tokens: { refreshAfterRejection, accessToken: vi.fn() } } as unknown as SyncJobServices;
  return { all, refreshAfterRejection, store };
}

function fakeJob() {
  const moveToDelayed = vi.fn((_until: number, _token?: string) => Promise.resolve());
  const updateData = vi.fn((_data: unknown) => Promise.resolve());
  const job = { updateProgress: vi.fn(() => Promise.resolve()), updateData, moveToDelayed } as unknown as Job;
  return Object.assign(job, { spies: { moveToDelayed, updateData } });
}

describe('the run job on CRM errors', () => {
  it('delays a rate-limited run by the stated wait without spending an attempt', async () => {
    const job = fakeJob();
    const { all } = services([new CrmError('RATE_LIMITED', 'slow down', { retryAfterMs: 4_000 })]);
    const before = Date.now();
    await expect(syncWithRecovery(all, installation, data, job, 'lock-token')).rejects.toBeInstanceOf(DelayedError);
    const [until, token] = job.spies.moveToDelayed.mock.calls[0] as [number, string];
    expect(until).toBeGreaterThanOrEqual(before + 4_000);
    expect(until).toBeLessThan(before + 6_000);
    expect(token).toBe('lock-token');
  });

  it('pauses a run whose daily allowance is spent until it recovers', async () => {
    const job = fakeJob();
    const { all } = services([new CrmError('QUOTA_EXHAUSTED', 'allowance used', { retryAfterMs: 3_600_000 })]);
    await expect(syncWithRecovery(all, installation, data, job, undefined)).rejects.toBeInstanceOf(DelayedError);
    expect(job.spies.moveToDelayed).toHaveBeenCalledOnce();
  });

  it('refreshes exactly the refused token once and carries on', async () => {
    const { all, refreshAfterRejection } = services([new CrmError('UNAUTHORIZED', 'INVALID_SESSION_ID')]);
    const result = await syncWithRecovery(all, installation, data, fakeJob(), undefined);
    expect(result.outcome).toBe('synced');
    expect(refreshAfterRejection).toHaveBeenCalledExactlyOnceWith(installation, 'stale-token');
  });

  it('resets every cursor and runs a full sync when a cursor no longer decodes', async () => {
    const { all, store } = services([new CrmError('INVALID_CURSOR', 'damaged')]);
    const job = fakeJob();
    const result = await syncWithRecovery(all, installation, data, job, undefined);
    expect(result).toMatchObject({ outcome: 'synced', summary: { mode: 'full' } });
    expect(store.resets).toEqual(['owners', 'accounts', 'contacts', 'deals', 'tickets']);
    // A restarted job resumes the backfill rather than resetting it again.
    expect(job.spies.updateData).toHaveBeenCalledWith({ ...data, mode: 'incremental' });
  });

  it('fails for good on a bug or bad data, and leaves a blip to BullMQ retries', async () => {
    const bug = services([new CrmError('VALIDATION', 'bad field')]);
    await expect(syncWithRecovery(bug.all, installation, data, fakeJob(), undefined)).rejects.toBeInstanceOf(
      UnrecoverableError,
    );
    const blip = services([new CrmError('TEMPORARY', '503')]);
    const error = await syncWithRecovery(blip.all, installation, data, fakeJob(), undefined).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CrmError);
    expect(error).not.toBeInstanceOf(UnrecoverableError);
  });
});

describe('tickSlot', () => {
  it('takes the slot from a scheduler job id, else the job time', () => {
    expect(tickSlot({ id: 'repeat:sync.incremental@abc:1767225600000', timestamp: 5 })).toBe('1767225600000');
    expect(tickSlot({ id: 'custom', timestamp: 5 })).toBe('5');
  });
});
