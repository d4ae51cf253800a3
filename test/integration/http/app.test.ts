import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorBodySchema, livenessSchema, readinessSchema } from '../../../server/contracts/health.ts';
import { createApp } from '../../../server/http/app.ts';
import type { DatabaseHandle } from '../../../server/platform/db/database.ts';
import { createProducerConnection, whenReady, type Redis } from '../../../server/platform/redis.ts';
import { silentLogger, testDatabases } from '../../support/databases.ts';
import { TEST_REDIS_URL } from '../../support/redis.ts';

let handle: DatabaseHandle;
let redis: Redis;
let deadRedis: Redis;
const servers: Server[] = [];

async function serve(readiness: Parameters<typeof createApp>[0]['readiness']): Promise<string> {
  const app = createApp({ logger: silentLogger, version: '9.9.9', bodyLimit: '1kb', readiness });
  const server = app.listen(0, '127.0.0.1');
  await once(server, 'listening');
  servers.push(server);
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

let url: string;

beforeAll(async () => {
  handle = await testDatabases()[0]!.open();
  redis = createProducerConnection(TEST_REDIS_URL, silentLogger);
  deadRedis = createProducerConnection('redis://127.0.0.1:1', silentLogger);
  await whenReady(redis);
  url = await serve({
    database: { target: 'pglite', check: () => handle.ping() },
    redis: { target: 'redis', check: async () => void (await redis.ping()) },
  });
});

afterAll(async () => {
  for (const server of servers) server.close();
  redis.disconnect();
  deadRedis.disconnect();
  await handle.close();
});

describe('probes', () => {
  it('/healthz answers liveness', async () => {
    const response = await fetch(`${url}/healthz`);
    expect(response.status).toBe(200);
    expect(livenessSchema.parse(await response.json()).version).toBe('9.9.9');
  });

  it('/readyz names each dependency and its state', async () => {
    const response = await fetch(`${url}/readyz`);
    expect(response.status).toBe(200);
    const body = readinessSchema.parse(await response.json());
    expect(Object.keys(body.checks)).toEqual(['database', 'redis']);
    expect(body.checks.database?.status).toBe('up');
    expect(body.checks.redis?.status).toBe('up');
  });

  it('/readyz answers 503 and says which dependency is down', async () => {
    const degraded = await serve({
      database: { target: 'pglite', check: () => handle.ping() },
      redis: { target: 'redis', check: async () => void (await deadRedis.ping()) },
    });
    const response = await fetch(`${degraded}/readyz`);
    expect(response.status).toBe(503);
    const body = readinessSchema.parse(await response.json());
    expect(body.status).toBe('not_ready');
    expect(body.checks.database?.status).toBe('up');
    expect(body.checks.redis?.status).toBe('down');
    expect(body.checks.redis?.error).toBeTruthy();
  });
});

describe('errors', () => {
  it('answers an unknown route with a JSON 404 and the request id', async () => {
    const response = await fetch(`${url}/nope`, { headers: { 'X-Request-Id': 'trace-12345678' } });
    expect(response.status).toBe(404);
    expect(response.headers.get('x-request-id')).toBe('trace-12345678');
    expect(errorBodySchema.parse(await response.json())).toEqual({
      error: { code: 'NOT_FOUND', message: 'No route for GET /nope', requestId: 'trace-12345678' },
    });
  });

  it('replaces an unsafe incoming request id', async () => {
    const response = await fetch(`${url}/nope`, { headers: { 'X-Request-Id': 'bad id\twith spaces' } });
    expect(response.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('answers malformed JSON with 400 INVALID_JSON', async () => {
    const response = await fetch(`${url}/anything`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"a":',
    });
    expect(response.status).toBe(400);
    expect(errorBodySchema.parse(await response.json()).error.code).toBe('INVALID_JSON');
  });

  it('answers a body over the limit with 413', async () => {
    const response = await fetch(`${url}/anything`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ padding: 'x'.repeat(2048) }),
    });
    expect(response.status).toBe(413);
    expect(errorBodySchema.parse(await response.json()).error.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('sets security headers', async () => {
    const response = await fetch(`${url}/healthz`);
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('x-powered-by')).toBeNull();
  });
});
