import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { createCallGate, hubspotRules, recordApiUsage } from '../../../server/crm/call-gate.ts';
import { CrmError } from '../../../server/crm/errors.ts';
import { CallMeter, hubspotRequest } from '../../../server/crm/hubspot/transport.ts';
import { createSalesforceAdapter } from '../../../server/crm/salesforce/adapter.ts';
import type { CrmConnection } from '../../../server/crm/types.ts';
import { loadManifest } from '../../../server/platform/manifest.ts';
import { createRateLimiter } from '../../../server/platform/rate-limit.ts';
import { startHubspot } from '../../support/hubspot-harness.ts';
import { TEST_REDIS_URL } from '../../support/redis.ts';
import { startSandbox } from '../../contract/salesforce/start-sandbox.ts';

const connections: Redis[] = [];
const connect = () => {
  const redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: 1 });
  connections.push(redis);
  return redis;
};
afterAll(async () => {
  const redis = connect();
  const keys = await redis.keys(`${prefix}:*`);
  if (keys.length > 0) await redis.del(...keys);
  for (const connection of connections) connection.disconnect();
});

const prefix = `bwtest:gate:${randomUUID()}`;

describe('HubSpot call gate on Redis against the stand-in', () => {
  it("keeps four workers sharing one portal under HubSpot's real limits, across window boundaries", async () => {
    const hub = await startHubspot({ portals: [{ id: 4001, name: 'Shared' }] });
    try {
      const { accessToken } = hub.sandbox.issueTokens(4001);
      const installationId = randomUUID();
      // Four gates on four connections stand in for four worker processes.
      const gates = [0, 1, 2, 3].map(() => {
        const redis = connect();
        return createCallGate({
          limiter: createRateLimiter(redis, prefix),
          provider: 'hubspot',
          installationId,
          redis,
        });
      });
      const endAt = Date.now() + 12_000;
      const answered429: unknown[] = [];
      const loop = async (worker: number, search: boolean) => {
        const conn: CrmConnection = {
          installationId,
          provider: 'hubspot',
          externalId: '4001',
          baseUrl: hub.baseUrl,
          accessToken: () => Promise.resolve(accessToken),
          beforeCall: gates[worker % 4]!,
        };
        while (Date.now() < endAt) {
          await hubspotRequest(
            conn,
            new CallMeter(),
            search
              ? { method: 'POST', path: '/crm/v3/objects/companies/search', body: { limit: 1 }, what: 'search' }
              : { method: 'GET', path: '/crm/v3/objects/companies', qs: { limit: '1' }, what: 'list' },
          ).catch(async (error: unknown) => {
            if (!(error instanceof CrmError) || error.code !== 'RATE_LIMITED') throw error;
            if (error.status === 429) answered429.push(error);
            // The gate's own refusal: wait as a delayed job would, but not past the test's end.
            else await sleep(Math.min(error.retryAfterMs ?? 0, Math.max(0, endAt - Date.now())));
          });
        }
      };
      await Promise.all([
        ...Array.from({ length: 8 }, (_, i) => loop(i, false)),
        ...Array.from({ length: 4 }, (_, i) => loop(i, true)),
      ]);
      const answers = hub.exchanges.filter((exchange) => exchange.path.startsWith('/crm/'));
      const limited = answers.filter((exchange) => exchange.status === 429);
      const searches = answers.filter((exchange) => exchange.path.endsWith('/search') && exchange.status === 200);
      const standard = answers.filter((exchange) => !exchange.path.endsWith('/search') && exchange.status === 200);
      console.info(
        `gate vs stand-in, 12 s: ${standard.length} standard, ${searches.length} search, ${limited.length} answered 429`,
      );
      expect(limited.length / answers.length).toBeLessThan(0.01);
      expect(answered429).toHaveLength(limited.length);
      // Close to the limits, not far under them (the stand-in's 429s above bound them from over):
      // a window's 110 at the start, and the next 110 as soon as that window has passed.
      expect(standard.length).toBeGreaterThanOrEqual(180);
      expect(searches.length).toBeGreaterThanOrEqual(48);
    } finally {
      await hub.close();
    }
  });

  it('turns a long wait into RATE_LIMITED for the job layer, with the wait, without calling', async () => {
    const redis = connect();
    const limiter = createRateLimiter(redis, prefix);
    const installationId = randomUUID();
    // Scaled down so the test waits under a second: 5 calls per 600 ms (+ the margin).
    const hubspotLimits = { standard: { limit: 5, windowMs: 600 }, search: { limit: 5, windowMs: 1_000 } };
    const main = hubspotRules(hubspotLimits).standard.at(-1)!;
    const gateWith = (maxInlineWaitMs: number) =>
      createCallGate({ limiter, provider: 'hubspot', installationId, redis, hubspotLimits, maxInlineWaitMs });
    // Another worker spends the window.
    const other = gateWith(0);
    for (let i = 0; i < main.limit; i++) await other('standard');
    const error = await gateWith(0)('standard').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(CrmError);
    expect(error).toMatchObject({ code: 'RATE_LIMITED' });
    expect((error as CrmError).retryAfterMs).toBeGreaterThan(0);
    expect((error as CrmError).retryAfterMs).toBeLessThanOrEqual(main.windowMs + 1);
    // With the default inline wait (a second), the same call sleeps until a slot frees.
    const started = Date.now();
    await gateWith(1_000)('standard');
    expect(Date.now() - started).toBeGreaterThan(0);
    expect(Date.now() - started).toBeLessThanOrEqual(main.windowMs + 100);
  });
});

describe('Salesforce call gate on Redis against the stand-in', () => {
  it("pauses an org at Bellwether's share of its daily allowance and sends nothing more", async () => {
    const run = await startSandbox({ limits: { dailyApiRequests: 40 } });
    try {
      const manifest = loadManifest('manifest.json');
      const adapter = createSalesforceAdapter({ fields: manifest.fields });
      const redis = connect();
      const installationId = randomUUID();
      const session = run.sandbox.issueSession({ instanceUrl: run.url, withRefreshToken: false });
      const conn: CrmConnection = {
        installationId,
        provider: 'salesforce',
        externalId: run.sandbox.defaultOrg.id,
        baseUrl: run.url,
        accessToken: () => Promise.resolve(session.access_token),
        beforeCall: createCallGate({
          limiter: createRateLimiter(redis, prefix),
          provider: 'salesforce',
          installationId,
          redis,
          salesforceShare: 0.5,
          lastApiUsage: () => adapter.apiUsage(installationId),
        }),
      };
      let paused: CrmError | undefined;
      for (let i = 0; i < 40 && paused === undefined; i++) {
        await adapter.listChanged(conn, 'accounts', null, 2_000).catch((error: unknown) => {
          if (error instanceof CrmError && error.code === 'QUOTA_EXHAUSTED') paused = error;
          else throw error;
        });
      }
      expect(paused).toBeDefined();
      expect(paused?.retryAfterMs).toBeGreaterThan(3_500_000);
      const usage = adapter.apiUsage(installationId);
      expect(usage).toBeDefined();
      expect(usage!.used).toBeGreaterThanOrEqual(20);
      // The pause came on the first call after the org reported 20 of 40: no operation went past it.
      expect(usage!.used).toBeLessThanOrEqual(22);
      const sent = run.requests.length;
      await expect(adapter.listChanged(conn, 'accounts', null, 2_000)).rejects.toMatchObject({
        code: 'QUOTA_EXHAUSTED',
      });
      expect(run.requests.length).toBe(sent);
    } finally {
      await run.close();
    }
  });

  it('reads a reading another worker recorded, per installation', async () => {
    const redis = connect();
    const paused = randomUUID();
    await recordApiUsage(redis, paused, { used: 60_000, limit: 100_000 });
    const gateOf = (installationId: string) =>
      createCallGate({
        limiter: createRateLimiter(redis, prefix),
        provider: 'salesforce',
        installationId,
        redis,
        salesforceShare: 0.5,
      });
    await expect(gateOf(paused)('standard')).rejects.toMatchObject({ code: 'QUOTA_EXHAUSTED' });
    await expect(gateOf(randomUUID())('standard')).resolves.toBeUndefined();
  });
});
