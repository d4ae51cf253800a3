import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { Signature } from '@hubspot/api-client';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FaultRegistry } from '../../../sandbox/shared/faults.ts';
import { HubspotContract } from '../../support/hubspot-openapi.ts';
import { contractProblems, startHubspot, type HubspotHarness } from '../../support/hubspot-harness.ts';

const PORTAL = 1000001;

describe('HubSpot stand-in: faults', () => {
  const faults = new FaultRegistry('contract-faults');
  let hub: HubspotHarness;
  let contract: HubspotContract;
  let token: string;

  beforeAll(async () => {
    contract = await HubspotContract.load();
    hub = await startHubspot({ faults, limits: { perTenSeconds: 10_000 } });
    token = hub.sandbox.issueTokens(PORTAL).accessToken;
    const inputs = Array.from({ length: 10 }, (_, i) => ({ properties: { name: `Faulty ${i}` }, associations: [] }));
    await hub.client(token).crm.companies.batchApi.create({ inputs });
  });

  afterAll(async () => {
    await hub.close();
  });

  it('answers a switched-on 429 storm with the real body, then recovers', async () => {
    faults.add({ tenant: String(PORTAL), route: 'crm.objects.list', fault: { kind: 'rate_limit' }, times: 2 });
    const client = hub.client(token);
    for (let i = 0; i < 2; i++) {
      await expect(client.crm.companies.basicApi.getPage()).rejects.toMatchObject({
        code: 429,
        body: { policyName: 'TEN_SECONDLY_ROLLING', errorType: 'RATE_LIMIT' },
      });
    }
    await expect(client.crm.companies.basicApi.getPage()).resolves.toMatchObject({ results: expect.any(Array) });
  });

  it('answers 5xx, which the SDK retries when allowed to', async () => {
    faults.add({
      tenant: String(PORTAL),
      route: 'crm.objects.get',
      fault: { kind: 'server_error', status: 502 },
      times: 1,
    });
    const [first] = (await hub.client(token).crm.companies.basicApi.getPage(1)).results;
    await expect(hub.client(token).crm.companies.basicApi.getById(first!.id)).rejects.toMatchObject({ code: 502 });
    faults.add({
      tenant: String(PORTAL),
      route: 'crm.objects.get',
      fault: { kind: 'server_error', status: 503 },
      times: 1,
    });
    await expect(hub.client(token, 2).crm.companies.basicApi.getById(first!.id)).resolves.toMatchObject({
      id: first!.id,
    });
  });

  it('shortens pages without losing records', async () => {
    faults.add({ tenant: String(PORTAL), route: 'crm.objects.list', fault: { kind: 'short_page', size: 3 } });
    const all = await hub.client(token).crm.companies.getAll(100);
    expect(all).toHaveLength(10);
    const pages = hub.exchanges.filter((e) => e.path === '/crm/v3/objects/companies' && e.query.limit === '100');
    expect(pages.map((p) => (JSON.parse(p.body) as { results: unknown[] }).results.length)).toEqual([3, 3, 3, 1]);
    faults.clear(String(PORTAL));
  });

  it('fails a share of batch inputs in a 207 and applies only the rest', async () => {
    faults.add({
      tenant: String(PORTAL),
      route: 'crm.objects.batch.update',
      fault: { kind: 'partial_batch', rate: 0.5 },
    });
    const client = hub.client(token);
    const companies = await client.crm.companies.getAll(100);
    let answer;
    for (let attempt = 0; attempt < 20; attempt++) {
      answer = await client.crm.companies.batchApi.update({
        inputs: companies.map((c) => ({ id: c.id, properties: { description: `attempt ${attempt}` } })),
      });
      if ('numErrors' in answer && answer.numErrors) break;
    }
    faults.clear(String(PORTAL));
    const withErrors = answer as unknown as {
      numErrors: number;
      results: { id: string }[];
      errors: { context: { ids: string[] } }[];
    };
    expect(withErrors.numErrors).toBeGreaterThan(0);
    expect(withErrors.results.length + withErrors.numErrors).toBe(companies.length);
    const failed = new Set(withErrors.errors.flatMap((e) => e.context.ids));
    const now = await client.crm.companies.getAll(100, undefined, ['description']);
    const lastAttempt = now.find((c) => withErrors.results.some((r) => r.id === c.id))?.properties.description;
    for (const company of now) {
      if (failed.has(company.id)) expect(company.properties.description).not.toBe(lastAttempt);
      else expect(company.properties.description).toBe(lastAttempt);
    }
  });

  it('expires tokens, delays answers and hangs on request', async () => {
    faults.add({ tenant: String(PORTAL), route: 'crm.objects.search', fault: { kind: 'token_expiry' }, times: 1 });
    const client = hub.client(token);
    const search = { filterGroups: [], sorts: [], properties: [], limit: 1, after: '0' };
    await expect(client.crm.companies.searchApi.doSearch(search)).rejects.toMatchObject({
      code: 401,
      body: { category: 'EXPIRED_AUTHENTICATION' },
    });
    faults.add({ tenant: String(PORTAL), route: 'crm.objects.search', fault: { kind: 'latency', ms: 150 }, times: 1 });
    const started = Date.now();
    await client.crm.companies.searchApi.doSearch(search);
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    faults.add({ tenant: String(PORTAL), route: 'crm.objects.search', fault: { kind: 'hang' }, times: 1 });
    const hung = fetch(`${hub.baseUrl}/crm/v3/objects/companies/search`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: '{}',
      signal: AbortSignal.timeout(300),
    });
    await expect(hung).rejects.toMatchObject({ name: 'TimeoutError' });
  });

  it('switches faults over HTTP at /_sandbox/faults, including on the token endpoint', async () => {
    const added = await fetch(`${hub.baseUrl}/_sandbox/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        tenant: '*',
        route: 'oauth.token',
        fault: { kind: 'server_error', status: 500 },
        times: 1,
      }),
    });
    expect(added.status).toBe(201);
    const listed = (await fetch(`${hub.baseUrl}/_sandbox/faults`).then((r) => r.json())) as { faults: unknown[] };
    expect(listed.faults).toEqual([expect.objectContaining({ route: 'oauth.token' })]);
    const { clientId, clientSecret } = hub.sandbox.oauth;
    const refreshToken = hub.sandbox.issueTokens(PORTAL).refreshToken;
    const oauth = hub.client().oauth.tokensApi;
    await expect(
      oauth.create('refresh_token', undefined, undefined, clientId, clientSecret, refreshToken),
    ).rejects.toMatchObject({ code: 500 });
    await expect(
      oauth.create('refresh_token', undefined, undefined, clientId, clientSecret, refreshToken),
    ).resolves.toMatchObject({
      tokenType: 'bearer',
    });
    const bad = await fetch(`${hub.baseUrl}/_sandbox/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ fault: { kind: 'meteor' } }),
    });
    expect(bad.status).toBe(400);
  });

  it('answers only HubSpot-shaped bodies (checked against the OpenAPI files)', () => {
    expect(contractProblems(contract, hub.exchanges)).toEqual([]);
  });
});

describe('HubSpot stand-in: outgoing webhooks', () => {
  const SECRET = 'webhook-client-secret';
  let receiver: Server;
  let targetUrl: string;
  const received: { body: string; signature: string; timestamp: string }[] = [];
  let answers: number[] = [];

  beforeAll(async () => {
    const app = express();
    app.post('/hooks', express.text({ type: 'application/json' }), (req, res) => {
      received.push({
        body: req.body as string,
        signature: req.get('X-HubSpot-Signature-v3') ?? '',
        timestamp: req.get('X-HubSpot-Request-Timestamp') ?? '',
      });
      res.status(answers.shift() ?? 200).end();
    });
    receiver = app.listen(0, '127.0.0.1');
    await new Promise<void>((resolve) => receiver.once('listening', resolve));
    targetUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`;
  });

  afterAll(async () => {
    receiver.closeAllConnections();
    await new Promise<void>((resolve) => receiver.close(() => resolve()));
  });

  it('posts creations and property changes in one signed batch and retries a failed delivery', async () => {
    received.length = 0;
    answers = [500, 200];
    const hub = await startHubspot({
      webhooks: { targetUrl, clientSecret: SECRET, batchWindowMs: 500, retryBaseMs: 20, maxAttempts: 3 },
    });
    try {
      const client = hub.client(hub.sandbox.issueTokens(PORTAL).accessToken);
      const created = await client.crm.companies.batchApi.create({
        inputs: [
          { properties: { name: 'Hooked' }, associations: [] },
          { properties: { name: 'Hooked too' }, associations: [] },
        ],
      });
      await client.crm.companies.basicApi.update(created.results[0]!.id, {
        properties: { lifecyclestage: 'customer' },
      });
      await hub.sandbox.webhooks!.idle();
      expect(received).toHaveLength(2);
      const [first, second] = received.map(
        (r) => JSON.parse(r.body) as { subscriptionType: string; attemptNumber: number }[],
      );
      expect(first?.map((e) => e.subscriptionType)).toEqual([
        'company.creation',
        'company.creation',
        'company.propertyChange',
      ]);
      expect(first?.[2]).toMatchObject({
        portalId: PORTAL,
        propertyName: 'lifecyclestage',
        propertyValue: 'customer',
        attemptNumber: 0,
      });
      expect(second?.map((e) => e.attemptNumber)).toEqual([1, 1, 1]);
      for (const delivery of received) {
        expect(
          Signature.isValid({
            signatureVersion: 'v3',
            signature: delivery.signature,
            clientSecret: SECRET,
            requestBody: delivery.body,
            method: 'POST',
            url: targetUrl,
            timestamp: Number(delivery.timestamp),
          }),
        ).toBe(true);
      }
      expect(
        Signature.isValid({
          signatureVersion: 'v3',
          signature: received[0]!.signature,
          clientSecret: 'other',
          requestBody: received[0]!.body,
          method: 'POST',
          url: targetUrl,
          timestamp: Number(received[0]!.timestamp),
        }),
      ).toBe(false);
    } finally {
      await hub.close();
    }
  });

  it('gives up after the bounded attempts, and does not retry a 400', async () => {
    received.length = 0;
    answers = [503, 503, 503, 503];
    const hub = await startHubspot({
      webhooks: { targetUrl, clientSecret: SECRET, batchWindowMs: 10, retryBaseMs: 10, maxAttempts: 3 },
    });
    try {
      const client = hub.client(hub.sandbox.issueTokens(PORTAL).accessToken);
      await client.crm.contacts.basicApi.create({ properties: { email: 'a@b.example' }, associations: [] });
      await hub.sandbox.webhooks!.idle();
      expect(hub.sandbox.webhooks!.attempts.map((a) => a.status)).toEqual([503, 503, 503]);
      answers = [400, 200];
      await client.crm.contacts.basicApi.create({ properties: { email: 'c@d.example' }, associations: [] });
      await hub.sandbox.webhooks!.idle();
      expect(hub.sandbox.webhooks!.attempts.map((a) => a.status)).toEqual([503, 503, 503, 400]);
      expect(received).toHaveLength(4);
    } finally {
      await hub.close();
    }
  });
});
