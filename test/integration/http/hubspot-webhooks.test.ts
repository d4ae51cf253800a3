import { createHash } from 'node:crypto';
import { once } from 'node:events';
import http, { type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Job } from 'bullmq';
import fc from 'fast-check';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createQueues, type Queues } from '../../../jobs/queues.ts';
import { errorBodySchema } from '../../../server/contracts/health.ts';
import { createApp } from '../../../server/http/app.ts';
import type { HubspotWebhookDeps } from '../../../server/http/routes/postHubspotWebhooks.ts';
import { createReplayCache } from '../../../server/http/webhooks/replay-cache.ts';
import { createSealer } from '../../../server/platform/crypto.ts';
import { listAudit, recordAudit } from '../../../server/platform/db/audit.ts';
import type { DatabaseHandle } from '../../../server/platform/db/database.ts';
import {
  createWorkspace,
  installationRepository,
  type Installation,
  type InstallationRepository,
} from '../../../server/platform/db/installations.ts';
import { createProducerConnection, whenReady, type Redis } from '../../../server/platform/redis.ts';
import { signatureV3 } from '../../../sandbox/hubspot/webhooks.ts';
import { startHubspot } from '../../support/hubspot-harness.ts';
import { silentLogger, testDatabases } from '../../support/databases.ts';
import { dropPrefix, TEST_REDIS_URL, uniquePrefix } from '../../support/redis.ts';

/**
 * Acceptance 6: the webhook endpoint against a real Redis queue and a real database. HubSpot signs
 * the public URL (PUBLIC_URL + path), not the address the test connects to, as behind a proxy.
 */

const SECRET = 'webhook-test-client-secret';
const PUBLIC_URL = 'https://bellwether.example.com';
const PATH = '/webhooks/hubspot';
const ACTIVE_PORTALS = ['7101', '7102', '7103'];

const database = testDatabases()[0]!;
const prefix = uniquePrefix();
let handle: DatabaseHandle;
let redis: Redis;
let queues: Queues;
let repo: InstallationRepository;
let server: Server;
let baseUrl: string;
let unconfiguredUrl: string;
const byPortal = new Map<string, Installation>();

interface Delivery {
  status: number;
  body: string;
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });

/** Raw node:http, so the test controls every byte: method, path, headers and body. */
function send(
  target: string,
  options: { method?: string; path?: string; headers?: Record<string, string>; body?: string | Buffer },
): Promise<Delivery> {
  const url = new URL(target);
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        agent,
        host: url.hostname,
        port: url.port,
        method: options.method ?? 'POST',
        path: options.path ?? PATH,
        // Framed explicitly: Node sends a GET's body without a length, which the server would read as a second request.
        headers: { ...options.headers, 'content-length': String(Buffer.byteLength(options.body ?? '')) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

function signedV3(body: string, timestamp = Date.now(), path = PATH): Record<string, string> {
  return {
    'content-type': 'application/json',
    'x-hubspot-request-timestamp': String(timestamp),
    'x-hubspot-signature-v3': signatureV3(SECRET, 'POST', `${PUBLIC_URL}${path}`, body, timestamp),
  };
}

function signedV1(body: string): Record<string, string> {
  return {
    'content-type': 'application/json',
    'x-hubspot-signature-version': 'v1',
    'x-hubspot-signature': createHash('sha256').update(`${SECRET}${body}`).digest('hex'),
  };
}

let nextEventId = 1;
function events(portalId: string, count: number, subscriptionType = 'company.propertyChange') {
  return Array.from({ length: count }, () => ({
    eventId: nextEventId++,
    subscriptionId: 2,
    portalId: Number(portalId),
    appId: 54321,
    occurredAt: Date.now(),
    subscriptionType,
    attemptNumber: 0,
    objectId: 1_000 + nextEventId,
    changeSource: 'CRM_UI',
    propertyName: 'lifecyclestage',
    propertyValue: 'customer',
  }));
}

const deliver = (payload: unknown, sign: (body: string) => Record<string, string> = signedV3) => {
  const body = JSON.stringify(payload);
  return send(baseUrl, { headers: sign(body), body });
};

async function queuedSyncs(): Promise<Job[]> {
  return queues.get('sync').getJobs(['waiting', 'delayed', 'active', 'prioritized']);
}

const errorCode = (delivery: Delivery) => errorBodySchema.parse(JSON.parse(delivery.body)).error.code;

async function listen(hubspotWebhooks: HubspotWebhookDeps): Promise<Server> {
  const app = createApp({ logger: silentLogger, version: '0.0.0', bodyLimit: '1mb', readiness: {}, hubspotWebhooks });
  const listening = app.listen(0, '127.0.0.1');
  // The test's keep-alive agent may reuse a socket after a slow step; the server must not have closed it.
  listening.keepAliveTimeout = 120_000;
  await once(listening, 'listening');
  return listening;
}

let unconfigured: Server;

beforeAll(async () => {
  handle = await database.open();
  await handle.migrate();
  redis = createProducerConnection(TEST_REDIS_URL, silentLogger);
  await whenReady(redis);
  queues = createQueues(redis, prefix);
  repo = installationRepository(handle.db, createSealer(Buffer.alloc(32, 5)));
  // A workspace holds one portal: one each.
  for (const portalId of [...ACTIVE_PORTALS, '7104', '7105', '7106', '7107']) {
    const installation = await repo.install({
      workspaceId: (await createWorkspace(handle.db, `Webhook Co ${portalId}`)).id,
      provider: 'hubspot',
      externalId: portalId,
      displayName: `Portal ${portalId}`,
      baseUrl: null,
      scopes: ['oauth'],
      tokens: { accessToken: `a-${portalId}`, refreshToken: `r-${portalId}`, accessTokenExpiresAt: null },
    });
    byPortal.set(portalId, installation);
  }
  const revoked = byPortal.get('7104')!;
  await repo.setStatus(revoked.workspaceId, revoked.id, 'needs_reauth', 'refresh token revoked');

  const deps: HubspotWebhookDeps = {
    hubspotClientSecret: SECRET,
    publicUrl: PUBLIC_URL,
    installations: repo,
    queues,
    replayCache: createReplayCache(redis, `${prefix}:webhook-seen`),
    audit: (entry) => recordAudit(handle.db, entry),
  };
  server = await listen(deps);
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  unconfigured = await listen({ ...deps, hubspotClientSecret: undefined });
  unconfiguredUrl = `http://127.0.0.1:${(unconfigured.address() as AddressInfo).port}`;
});

afterAll(async () => {
  agent.destroy();
  server?.close();
  unconfigured?.close();
  await queues?.close();
  redis?.disconnect();
  await handle?.close();
  await dropPrefix(prefix);
});

beforeEach(async () => {
  await queues.get('sync').obliterate({ force: true });
  await queues.get('maintenance').obliterate({ force: true });
});

describe('POST /webhooks/hubspot refuses what HubSpot did not send', () => {
  it('answers a wrong signature with 401 and queues nothing', async () => {
    const body = JSON.stringify(events(ACTIVE_PORTALS[0]!, 3));
    const headers = signedV3(body);
    headers['x-hubspot-signature-v3'] = signatureV3('another-secret', 'POST', `${PUBLIC_URL}${PATH}`, body, Date.now());
    const answer = await send(baseUrl, { headers, body });
    expect(answer.status).toBe(401);
    expect(errorCode(answer)).toBe('SIGNATURE_MISMATCH');

    // Signed for another URL, or for another body: also refused.
    const otherPath = await send(baseUrl, { headers: signedV3(body, Date.now(), '/elsewhere'), body });
    expect(otherPath.status).toBe(401);
    const tampered = await send(baseUrl, { headers: signedV3(body), body: body.replace('7101', '7102') });
    expect(tampered.status).toBe(401);
    const unsigned = await send(baseUrl, { headers: { 'content-type': 'application/json' }, body });
    expect(unsigned.status).toBe(401);
    expect(errorCode(unsigned)).toBe('SIGNATURE_MISSING');
    expect(await queuedSyncs()).toHaveLength(0);
  });

  it('answers a timestamp more than 5 minutes old (or ahead) with 401 and queues nothing', async () => {
    const body = JSON.stringify(events(ACTIVE_PORTALS[0]!, 3));
    for (const timestamp of [Date.now() - 5 * 60_000 - 5_000, Date.now() + 5 * 60_000 + 5_000]) {
      const answer = await send(baseUrl, { headers: signedV3(body, timestamp), body });
      expect(answer.status).toBe(401);
      expect(errorCode(answer)).toBe('SIGNATURE_STALE');
    }
    expect(await queuedSyncs()).toHaveLength(0);
  });

  it('answers a replayed delivery with 401 and queues nothing for it', async () => {
    const body = JSON.stringify(events(ACTIVE_PORTALS[1]!, 2));
    const headers = signedV3(body);
    expect((await send(baseUrl, { headers, body })).status).toBe(204);
    expect(await queuedSyncs()).toHaveLength(1);

    await queues.get('sync').obliterate({ force: true });
    const replay = await send(baseUrl, { headers, body });
    expect(replay.status).toBe(401);
    expect(errorCode(replay)).toBe('SIGNATURE_REPLAYED');
    expect(await queuedSyncs()).toHaveLength(0);
  });

  it('answers a validly signed but malformed body with 400 naming the fault, and queues nothing', async () => {
    const notJson = await send(baseUrl, { headers: signedV3('[{"portalId":'), body: '[{"portalId":' });
    expect(notJson.status).toBe(400);
    expect(errorCode(notJson)).toBe('INVALID_JSON');

    const badEvent = [...events(ACTIVE_PORTALS[0]!, 1), { portalId: 'abc', subscriptionType: 'company.creation' }];
    const invalid = await deliver(badEvent);
    expect(invalid.status).toBe(400);
    const error = errorBodySchema.parse(JSON.parse(invalid.body)).error;
    expect(error.code).toBe('VALIDATION_FAILED');
    expect(JSON.stringify(error.issues)).toContain('portalId');
    expect(await queuedSyncs()).toHaveLength(0);
  });

  it('answers 503 when no client secret is configured', async () => {
    const body = JSON.stringify(events(ACTIVE_PORTALS[0]!, 1));
    const answer = await send(unconfiguredUrl, { headers: signedV3(body), body });
    expect(answer.status).toBe(503);
    expect(errorCode(answer)).toBe('WEBHOOKS_NOT_CONFIGURED');
  });
});

describe('POST /webhooks/hubspot turns deliveries into syncs', () => {
  it('folds a burst of 1,000 events across 3 portals in 10 deliveries into one queued sync per portal', async () => {
    const all = ACTIVE_PORTALS.flatMap((portalId, index) => events(portalId, [334, 333, 333][index]!));
    // Interleaved, as HubSpot batches events from many portals into one request.
    all.sort(() => Math.random() - 0.5);
    const batches = Array.from({ length: 10 }, (_, i) => all.slice(i * 100, (i + 1) * 100));
    const answers = await Promise.all(batches.map((batch) => deliver(batch)));
    expect(answers.map((answer) => answer.status)).toEqual(Array(10).fill(204));

    const jobs = await queuedSyncs();
    expect(jobs).toHaveLength(3);
    expect(
      jobs.map((job) => job.data as unknown).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))),
    ).toEqual(
      ACTIVE_PORTALS.map((portalId) => ({
        workspaceId: byPortal.get(portalId)!.workspaceId,
        installationId: byPortal.get(portalId)!.id,
        mode: 'incremental',
        reason: 'webhook',
      })).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))),
    );
    expect(await queues.get('sync').getDelayedCount()).toBe(3);
  });

  it('answers a 100-event delivery quickly (measured, printed)', async () => {
    const timings: number[] = [];
    for (let i = 0; i < 20; i++) {
      const body = JSON.stringify(ACTIVE_PORTALS.flatMap((portalId) => events(portalId, 34)).slice(0, 100));
      const started = performance.now();
      const answer = await send(baseUrl, { headers: signedV3(body), body });
      timings.push(performance.now() - started);
      expect(answer.status).toBe(204);
    }
    timings.sort((a, b) => a - b);
    console.log(
      `100-event webhook delivery: fastest ${timings[0]!.toFixed(1)} ms, median ${timings[10]!.toFixed(1)} ms, ` +
        `max ${timings[19]!.toFixed(1)} ms over 20 deliveries`,
    );
    expect(await queuedSyncs()).toHaveLength(3);
  });

  it('ignores unknown portals and installations that are not active', async () => {
    const answer = await deliver([...events('999999', 5), ...events('7104', 5)]);
    expect(answer.status).toBe(204);
    expect(await queuedSyncs()).toHaveLength(0);
  });

  it('accepts the v1 signature fallback', async () => {
    const answer = await deliver(events(ACTIVE_PORTALS[2]!, 4), signedV1);
    expect(answer.status).toBe(204);
    expect((await queuedSyncs()).map((job) => (job.data as { installationId: string }).installationId)).toEqual([
      byPortal.get(ACTIVE_PORTALS[2]!)!.id,
    ]);
  });

  it('marks a portal uninstalled and queues its uninstall, without a sync for it', async () => {
    const target = byPortal.get('7105')!;
    const answer = await deliver([
      ...events('7105', 3),
      { portalId: 7105, subscriptionType: 'APP_LIFECYCLE_EVENT', action: 'APP_UNINSTALL', occurredAt: Date.now() },
    ]);
    expect(answer.status).toBe(204);
    expect((await repo.get(target.workspaceId, target.id))?.status).toBe('uninstalled');
    const uninstall = await queues.get('maintenance').getJob(`uninstall.${target.id}`);
    expect(uninstall?.data).toEqual({ workspaceId: target.workspaceId, installationId: target.id });
    expect(await queuedSyncs()).toHaveLength(0);
    const audit = await listAudit(handle.db, target.workspaceId, { installationId: target.id });
    expect(audit.map((entry) => [entry.actor, entry.action])).toEqual([['crm:hubspot', 'installation.uninstalled']]);

    // Later change events for the uninstalled portal start nothing; a repeated uninstall is not audited twice.
    expect((await deliver(events('7105', 2))).status).toBe(204);
    expect(await queuedSyncs()).toHaveLength(0);
    expect((await deliver([{ portalId: 7105, subscriptionType: 'APP_UNINSTALL' }])).status).toBe(204);
    expect(await listAudit(handle.db, target.workspaceId, { installationId: target.id })).toHaveLength(1);
  });

  it('forgets a delivery it failed to process, so the same request is not refused as a replay later', async () => {
    let failures = 1;
    const flaky: HubspotWebhookDeps['installations'] = {
      findByExternalId: (provider, externalId) => {
        if (failures-- > 0) return Promise.reject(new Error('database unavailable'));
        return repo.findByExternalId(provider, externalId);
      },
      setStatus: (...args) => repo.setStatus(...args),
    };
    const flakyServer = await listen({
      hubspotClientSecret: SECRET,
      publicUrl: PUBLIC_URL,
      installations: flaky,
      queues,
      replayCache: createReplayCache(redis, `${prefix}:webhook-seen`),
    });
    try {
      const flakyUrl = `http://127.0.0.1:${(flakyServer.address() as AddressInfo).port}`;
      const body = JSON.stringify(events(ACTIVE_PORTALS[0]!, 2));
      const headers = signedV3(body);
      expect((await send(flakyUrl, { headers, body })).status).toBe(500);
      expect(await queuedSyncs()).toHaveLength(0);
      expect((await send(flakyUrl, { headers, body })).status).toBe(204);
      expect(await queuedSyncs()).toHaveLength(1);
      expect((await send(flakyUrl, { headers, body })).status).toBe(401);
    } finally {
      flakyServer.close();
    }
  });

  it('does not act on an uninstall signed only with v1 (no freshness window)', async () => {
    const target = byPortal.get('7106')!;
    const answer = await deliver([{ portalId: 7106, subscriptionType: 'app.uninstall' }], signedV1);
    expect(answer.status).toBe(204);
    expect((await repo.get(target.workspaceId, target.id))?.status).toBe('active');
    expect(await queues.get('maintenance').getJob(`uninstall.${target.id}`)).toBeUndefined();
  });
});

describe('deliveries from the HubSpot stand-in', () => {
  it('accepts what the stand-in sends for record changes and queues one sync for the portal', async () => {
    const portalId = 7108;
    const installation = await repo.install({
      workspaceId: (await createWorkspace(handle.db, 'Stand-in Co')).id,
      provider: 'hubspot',
      externalId: String(portalId),
      displayName: 'Stand-in portal',
      baseUrl: null,
      scopes: ['oauth'],
      tokens: { accessToken: 'a', refreshToken: 'r', accessTokenExpiresAt: null },
    });
    // The app's public URL is where the stand-in posts, so the URL it signs is the one we rebuild.
    const appServer = http.createServer();
    appServer.listen(0, '127.0.0.1');
    await once(appServer, 'listening');
    const appUrl = `http://127.0.0.1:${(appServer.address() as AddressInfo).port}`;
    appServer.on(
      'request',
      createApp({
        logger: silentLogger,
        version: '0.0.0',
        bodyLimit: '1mb',
        readiness: {},
        hubspotWebhooks: { hubspotClientSecret: SECRET, publicUrl: appUrl, installations: repo, queues },
      }),
    );
    const hub = await startHubspot({
      portals: [{ id: portalId, name: 'Stand-in portal' }],
      webhooks: { targetUrl: `${appUrl}${PATH}`, clientSecret: SECRET, batchWindowMs: 20, maxAttempts: 1 },
    });
    try {
      const client = hub.client(hub.sandbox.issueTokens(portalId).accessToken);
      const inputs = Array.from({ length: 150 }, (_, i) => ({ properties: { name: `Hooked ${i}` }, associations: [] }));
      await client.crm.companies.batchApi.create({ inputs: inputs.slice(0, 100) });
      await client.crm.companies.batchApi.create({ inputs: inputs.slice(100) });
      await hub.sandbox.webhooks!.idle();
      const attempts = hub.sandbox.webhooks!.attempts;
      expect(attempts.reduce((sum, attempt) => sum + attempt.events, 0)).toBe(150);
      expect(new Set(attempts.map((attempt) => attempt.status))).toEqual(new Set([204]));
      const jobs = await queuedSyncs();
      expect(jobs.map((job) => (job.data as { installationId: string }).installationId)).toEqual([installation.id]);
    } finally {
      await hub.close();
      appServer.closeAllConnections();
      appServer.close();
    }
  });
});

describe('POST /webhooks/hubspot under arbitrary input', () => {
  it('never answers 500 to 10,000 random requests, signed or not', async () => {
    const printable = fc.string({ unit: fc.constantFrom(...'abcXYZ019 -_=+/.:;,{}[]"\'!?%'.split('')), maxLength: 40 });
    const portal = fc.oneof(
      fc.constantFrom(7107, '7107', 7104, 999_999, 0, -1, 1.5, '07', ''),
      fc.integer(),
      fc.string({ maxLength: 8 }),
    );
    const event = fc.record(
      {
        portalId: portal,
        subscriptionType: fc.oneof(
          fc.constantFrom('company.creation', 'contact.propertyChange', 'deal.deletion', 'APP_LIFECYCLE_EVENT', ''),
          fc.string({ maxLength: 30 }),
          fc.integer(),
        ),
        action: fc.constantFrom('APP_INSTALL', 'CREATE', 'UPDATE', 'X'),
        occurredAt: fc.oneof(fc.integer(), fc.double(), fc.string({ maxLength: 5 })),
        eventId: fc.oneof(fc.integer(), fc.string({ maxLength: 5 }), fc.constant(null)),
        extra: fc.jsonValue({ maxDepth: 2 }),
      },
      { requiredKeys: [] },
    );
    const wellFormed = fc.record({
      portalId: fc.constantFrom(7107, 999_999, 7104),
      subscriptionType: fc.constantFrom('company.creation', 'contact.propertyChange', 'deal.deletion', 'ticket.merge'),
      objectId: fc.nat(),
      occurredAt: fc.constant(Date.now()),
    });
    const body = fc.oneof(
      {
        arbitrary: fc.array(wellFormed, { minLength: 1, maxLength: 5 }).map((value) => JSON.stringify(value)),
        weight: 3,
      },
      fc.array(event, { maxLength: 6 }).map((value) => JSON.stringify(value)),
      fc.jsonValue({ maxDepth: 3 }).map((value) => JSON.stringify(value)),
      fc.string({ maxLength: 200 }),
      fc.uint8Array({ maxLength: 200 }).map((bytes) => Buffer.from(bytes).toString('latin1')),
      fc.constant(''),
    );
    const now = Date.now();
    const timestamp = fc.oneof(
      fc.integer({ min: now - 10 * 60_000, max: now + 10 * 60_000 }),
      fc.constant(now),
      fc.integer(),
    );
    const path = fc.oneof(
      fc.constant(PATH),
      fc.webQueryParameters().map((query) => `${PATH}?${encodeURIComponent(query)}`),
      fc.webPath().map((rest) => `${PATH}${rest}`),
      fc.constantFrom(`${PATH}/`, '/webhooks/HUBSPOT', `${PATH}?portalId=7107&x=%3A%2F`),
    );
    const signing = fc.constantFrom('v3', 'v3-wrong-url', 'v1', 'v2', 'v9', 'garbage', 'none');
    const method = fc.constantFrom('POST', 'POST', 'POST', 'GET', 'PUT', 'DELETE', 'PATCH', 'OPTIONS');
    const contentType = fc.constantFrom(
      'application/json',
      'application/json; charset=utf-8',
      'application/json; charset=latin-9',
      'text/plain',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
      '',
    );
    const encoding = fc.constantFrom(undefined, undefined, undefined, 'gzip', 'identity', 'br', 'x-unknown');
    const extraHeaders = fc.dictionary(
      fc.constantFrom('x-hubspot-signature-version', 'x-hubspot-request-timestamp', 'x-forwarded-for', 'x-request-id'),
      printable,
      { maxKeys: 2 },
    );

    const statuses = new Map<number, number>();
    const started = performance.now();
    await fc.assert(
      fc.asyncProperty(
        fc.record({ body, timestamp, path, signing, method, contentType, encoding, extraHeaders }),
        async (input) => {
          const headers: Record<string, string> = {};
          if (input.contentType) headers['content-type'] = input.contentType;
          if (input.encoding) headers['content-encoding'] = input.encoding;
          const url = `${PUBLIC_URL}${input.path}`;
          switch (input.signing) {
            case 'v3':
            case 'v3-wrong-url':
              headers['x-hubspot-request-timestamp'] = String(input.timestamp);
              headers['x-hubspot-signature-v3'] = signatureV3(
                SECRET,
                input.method,
                input.signing === 'v3' ? url : `${url}x`,
                input.body,
                input.timestamp,
              );
              break;
            case 'v1':
              headers['x-hubspot-signature-version'] = 'v1';
              headers['x-hubspot-signature'] = createHash('sha256').update(`${SECRET}${input.body}`).digest('hex');
              break;
            case 'v2':
              headers['x-hubspot-signature-version'] = 'v2';
              headers['x-hubspot-signature'] = createHash('sha256')
                .update(`${SECRET}${input.method}${url}${input.body}`)
                .digest('hex');
              break;
            case 'v9':
              headers['x-hubspot-signature-version'] = 'v9';
              headers['x-hubspot-signature'] = 'abc';
              break;
            case 'garbage':
              headers['x-hubspot-signature-v3'] = 'not base64 at all';
              headers['x-hubspot-request-timestamp'] = String(input.timestamp);
              break;
          }
          Object.assign(headers, input.extraHeaders);
          const answer = await send(baseUrl, {
            method: input.method,
            path: input.path,
            headers,
            body: Buffer.from(input.body, 'utf8'),
          });
          statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
          expect(answer.status, JSON.stringify({ input, answer })).toBeLessThan(500);
        },
      ),
      { numRuns: 10_000 },
    );
    const seconds = (performance.now() - started) / 1000;
    console.log(
      `webhook fuzz: 10,000 requests in ${seconds.toFixed(1)} s; answers ${JSON.stringify(Object.fromEntries([...statuses].sort()))}`,
    );
    // The property reached the accepting path too, not only the refusals.
    expect(statuses.get(204) ?? 0).toBeGreaterThan(100);
  }, 120_000);
});
