import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CrmError } from '../../../server/crm/errors.ts';
import { createTokenService, type Refresher, type RefreshOutcome } from '../../../server/crm/token-service.ts';
import { createSealer } from '../../../server/platform/crypto.ts';
import type { DatabaseHandle } from '../../../server/platform/db/database.ts';
import {
  createWorkspace,
  installationRepository,
  type Installation,
  type InstallationRepository,
} from '../../../server/platform/db/installations.ts';
import { testDatabases } from '../../support/databases.ts';
import { TEST_REDIS_URL } from '../../support/redis.ts';

const database = testDatabases()[0]!;
let handle: DatabaseHandle;
let repo: InstallationRepository;
const redises: Redis[] = [];
const NOW = Date.parse('2026-06-01T12:00:00Z');

beforeAll(async () => {
  handle = await database.open();
  await handle.migrate();
  repo = installationRepository(handle.db, createSealer(Buffer.alloc(32, 5)));
});
afterAll(async () => {
  for (const redis of redises) redis.disconnect();
  await handle.close();
});

/** Each test's portal in a workspace of its own: a workspace holds one HubSpot portal. */
async function install(externalId: string, expiresAt: number): Promise<Installation> {
  return repo.install({
    workspaceId: (await createWorkspace(handle.db, externalId)).id,
    provider: 'hubspot',
    externalId,
    displayName: externalId,
    baseUrl: null,
    scopes: ['oauth'],
    tokens: { accessToken: 'old-access', refreshToken: 'refresh-1', accessTokenExpiresAt: new Date(expiresAt) },
  });
}

/** Four services on four connections stand in for four worker processes. */
function workers(refresher: Refresher) {
  return [0, 1, 2, 3].map(() => {
    const redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: 1 });
    redises.push(redis);
    return createTokenService({
      installations: repo,
      redis,
      refreshers: { hubspot: refresher, salesforce: refresher },
      now: () => NOW,
    });
  });
}

describe('token service', () => {
  it('hands out a token that is still valid without refreshing', async () => {
    let calls = 0;
    const installation = await install('p-valid', NOW + 20 * 60_000);
    const [service] = workers(() => {
      calls++;
      return Promise.resolve<RefreshOutcome>({ kind: 'revoked', reason: 'unused' });
    });
    expect(await service!.accessToken(installation)).toBe('old-access');
    expect(calls).toBe(0);
  });

  it('refreshes an expiring token exactly once when four workers ask at once', async () => {
    let calls = 0;
    const installation = await install('p-expiring', NOW + 60_000);
    const services = workers(async () => {
      calls++;
      await sleep(100); // a slow token endpoint widens the race
      return {
        kind: 'refreshed',
        tokens: {
          accessToken: 'new-access',
          refreshToken: 'refresh-2',
          accessTokenExpiresAt: new Date(NOW + 30 * 60_000),
        },
      };
    });
    const tokens = await Promise.all(services.map((service) => service.accessToken(installation)));
    expect(tokens).toEqual(['new-access', 'new-access', 'new-access', 'new-access']);
    expect(calls).toBe(1);
    expect(await repo.tokens(installation.workspaceId, installation.id)).toMatchObject({ refreshToken: 'refresh-2' });
  });

  it('refreshes once after a rejection, whoever else saw the same rejection', async () => {
    let calls = 0;
    const installation = await install('p-rejected', NOW + 60 * 60_000);
    const services = workers(() => {
      calls++;
      return Promise.resolve<RefreshOutcome>({
        kind: 'refreshed',
        tokens: { accessToken: 'session-2', refreshToken: null, accessTokenExpiresAt: null },
      });
    });
    const tokens = await Promise.all(
      services.map((service) => service.refreshAfterRejection(installation, 'old-access')),
    );
    expect(new Set(tokens)).toEqual(new Set(['session-2']));
    expect(calls).toBe(1);
    // A refresh token the CRM did not rotate is kept.
    expect(await repo.tokens(installation.workspaceId, installation.id)).toMatchObject({ refreshToken: 'refresh-1' });
  });

  it('marks a revoked installation needs_reauth once and makes no further calls', async () => {
    let calls = 0;
    const installation = await install('p-revoked', NOW - 1);
    const services = workers(() => {
      calls++;
      return Promise.resolve<RefreshOutcome>({ kind: 'revoked', reason: 'BAD_REFRESH_TOKEN' });
    });
    const results = await Promise.allSettled(services.map((service) => service.accessToken(installation)));
    expect(results.every((r) => r.status === 'rejected' && (r.reason as CrmError).code === 'UNAUTHORIZED')).toBe(true);
    expect(calls).toBe(1);
    expect(await repo.get(installation.workspaceId, installation.id)).toMatchObject({
      status: 'needs_reauth',
      statusReason: 'BAD_REFRESH_TOKEN',
    });
    await expect(services[0]!.accessToken({ ...installation, status: 'needs_reauth' })).rejects.toThrow(CrmError);
    expect(calls).toBe(1);
  });
});
