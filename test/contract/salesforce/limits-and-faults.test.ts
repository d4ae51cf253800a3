import jsforce from 'jsforce';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../sandbox/shared/clock.ts';
import { FaultRegistry } from '../../../sandbox/shared/faults.ts';
import { API_VERSION, startSandbox, type RunningSandbox } from './start-sandbox.ts';
import { syntheticBook } from './synthetic-book.ts';

const clock = new ManualClock(Date.parse('2026-03-02T09:00:00Z'));
const faults = new FaultRegistry('limits-test');
let run: RunningSandbox;
let orgId: string;

beforeAll(async () => {
  run = await startSandbox({ clock, faults, limits: { dailyApiRequests: 8 } });
  orgId = run.sandbox.defaultOrg.id;
  run.sandbox.loadBook(orgId, syntheticBook(5));
});
afterAll(() => run.close());
afterEach(() => {
  faults.clear();
  // The allowance counts a rolling 24 h: a day later each test starts afresh.
  clock.advance(86_400_000);
});

const limitsUrl = () => `${run.url}/services/data/v${API_VERSION}/limits`;

describe('API allowance', () => {
  it('reports usage in Sforce-Limit-Info and /limits, then answers 403 REQUEST_LIMIT_EXCEEDED', async () => {
    const conn = run.connect();
    await conn.query('SELECT Id FROM Account');
    expect(conn.limitInfo).toEqual({ apiUsage: { used: 1, limit: 8 } });
    const limits = await conn.limits();
    expect(limits.DailyApiRequests).toMatchObject({ Max: 8, Remaining: 6 });
    for (let i = 0; i < 6; i++) await conn.query('SELECT Id FROM Account');
    expect(conn.limitInfo).toEqual({ apiUsage: { used: 8, limit: 8 } });
    await expect(conn.query('SELECT Id FROM Account')).rejects.toMatchObject({
      errorCode: 'REQUEST_LIMIT_EXCEEDED',
      message: 'TotalRequests Limit exceeded.',
    });
    const raw = await fetch(limitsUrl(), { headers: { Authorization: `Bearer ${conn.accessToken}` } });
    expect(raw.status).toBe(403);
    expect(raw.headers.get('sforce-limit-info')).toBe('api-usage=8/8');
    expect(await raw.json()).toEqual([
      { message: 'TotalRequests Limit exceeded.', errorCode: 'REQUEST_LIMIT_EXCEEDED' },
    ]);
    // The versions list is free and needs no session.
    expect((await fetch(`${run.url}/services/data`)).status).toBe(200);
    // The window rolls: requests leave it 24 h after they were made, not at midnight.
    clock.advance(20 * 3_600_000);
    const early = run.connect();
    await expect(early.query('SELECT Id FROM Account')).rejects.toMatchObject({ errorCode: 'REQUEST_LIMIT_EXCEEDED' });
    clock.advance(4 * 3_600_000);
    const fresh = run.connect();
    expect((await fresh.query('SELECT Id FROM Account')).totalSize).toBe(5);
    expect(fresh.limitInfo).toEqual({ apiUsage: { used: 1, limit: 8 } });
  });
});

describe('faults per org and route', () => {
  it('rate_limit answers the transient 403, server_error a 503, only on the chosen route and org', async () => {
    const conn = run.connect();
    faults.add({ tenant: orgId, route: 'query', fault: { kind: 'rate_limit', rate: 1 }, times: 1 });
    faults.add({ tenant: 'another-org', route: '*', fault: { kind: 'server_error', status: 500, rate: 1 } });
    expect((await conn.limits()).DailyApiRequests).toBeDefined();
    await expect(conn.query('SELECT Id FROM Account')).rejects.toMatchObject({
      errorCode: 'REQUEST_LIMIT_EXCEEDED',
      message: 'ConcurrentPerOrgLongTxn Limit exceeded.',
    });
    expect((await conn.query('SELECT Id FROM Account')).totalSize).toBe(5);
    const describeUrl = `${run.url}/services/data/v${API_VERSION}/sobjects/Account/describe`;
    faults.add({ tenant: orgId, route: 'sobjects.*', fault: { kind: 'server_error', status: 503, rate: 1 }, times: 1 });
    const unavailable = await fetch(describeUrl, { headers: { Authorization: `Bearer ${conn.accessToken}` } });
    expect(unavailable.status).toBe(503);
    expect(await unavailable.json()).toEqual([
      { message: 'Server is temporarily unavailable. Please try again later.', errorCode: 'SERVER_UNAVAILABLE' },
    ]);
    // jsforce 3.10.16 retries 420/429/5xx itself (five times, backing off from 500 ms): one 503 goes unseen.
    const rule = faults.add({
      tenant: orgId,
      route: 'sobjects.describe',
      fault: { kind: 'server_error', status: 503, rate: 1 },
      times: 1,
    });
    expect((await conn.describe('Account')).name).toBe('Account');
    expect(rule.hits).toBe(1);
  });

  it('partial_batch fails records of a collection with UNABLE_TO_LOCK_ROW', async () => {
    const conn = run.connect();
    const ids = (await conn.query<{ Id: string }>('SELECT Id FROM Account')).records.map((record) => record.Id);
    faults.add({ tenant: orgId, route: 'sobjects.collections', fault: { kind: 'partial_batch', rate: 1 }, times: 1 });
    const results = await conn.sobject('Account').update(
      ids.map((Id) => ({ Id, Licences__c: 3 })),
      { allOrNone: false },
    );
    expect(
      results.every((result) => !result.success && (result.errors[0] as any).statusCode === 'UNABLE_TO_LOCK_ROW'),
    ).toBe(true);
    const counted = await conn.query('SELECT COUNT() FROM Account WHERE Licences__c = 3');
    expect(counted.totalSize).toBe(0);
  });

  it('partial_batch with a share fails about that share of records and applies the rest', async () => {
    const conn = run.connect();
    faults.add({ tenant: orgId, route: 'sobjects.collections', fault: { kind: 'partial_batch', rate: 0.5 }, times: 1 });
    const results = await conn.sobject('Contact').create(
      Array.from({ length: 200 }, (_, i) => ({ LastName: `Share ${i}` })),
      { allOrNone: false },
    );
    const failed = results.filter((result) => !result.success).length;
    expect(failed).toBeGreaterThan(60);
    expect(failed).toBeLessThan(140);
    const stored = await conn.query("SELECT COUNT() FROM Contact WHERE LastName LIKE 'Share %'");
    expect(stored.totalSize).toBe(200 - failed);
  });

  it('token_expiry ends the sessions: 401, and jsforce refreshes once and carries on', async () => {
    const session = run.sandbox.issueSession({ instanceUrl: run.url });
    const oauth = run.sandbox.oauth;
    const conn = new jsforce.Connection({
      instanceUrl: run.url,
      accessToken: session.access_token,
      refreshToken: session.refresh_token as string,
      oauth2: {
        loginUrl: run.url,
        clientId: oauth.clientId,
        clientSecret: oauth.clientSecret,
        redirectUri: oauth.redirectUris[0] as string,
      },
      version: API_VERSION,
    });
    let refreshes = 0;
    conn.on('refresh', () => refreshes++);
    faults.add({ tenant: orgId, route: 'query', fault: { kind: 'token_expiry' }, times: 1 });
    expect((await conn.query('SELECT Id FROM Account')).totalSize).toBe(5);
    expect(refreshes).toBe(1);
    expect(conn.accessToken).not.toBe(session.access_token);
    const old = await fetch(limitsUrl(), { headers: { Authorization: `Bearer ${session.access_token}` } });
    expect(old.status).toBe(401);
  });

  it('fails the token endpoint with a 5xx on oauth.token, keeping the refresh token usable', async () => {
    const session = run.sandbox.issueSession({ instanceUrl: run.url });
    const { clientId, clientSecret } = run.sandbox.oauth;
    const refresh = () =>
      fetch(`${run.url}/services/oauth2/token`, {
        method: 'POST',
        body: new URLSearchParams({
          grant_type: 'refresh_token',
          refresh_token: session.refresh_token as string,
          client_id: clientId,
          client_secret: clientSecret,
        }),
      });
    faults.add({
      tenant: orgId,
      route: 'oauth.token',
      fault: { kind: 'server_error', status: 503, rate: 1 },
      times: 1,
    });
    const failed = await refresh();
    expect(failed.status).toBe(503);
    expect(await failed.json()).toEqual({ error: 'server_error', error_description: 'internal server error' });
    const retried = await refresh();
    expect(retried.status).toBe(200);
  });

  it('latency delays the answer and hang never answers', async () => {
    const conn = run.connect();
    faults.add({ tenant: orgId, route: 'limits', fault: { kind: 'latency', ms: 150, rate: 1 }, times: 1 });
    const started = performance.now();
    await conn.limits();
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);

    faults.add({ tenant: orgId, route: 'limits', fault: { kind: 'hang', rate: 1 }, times: 1 });
    const hung = fetch(limitsUrl(), {
      headers: { Authorization: `Bearer ${conn.accessToken}` },
      signal: AbortSignal.timeout(300),
    });
    await expect(hung).rejects.toMatchObject({ name: 'TimeoutError' });
  });

  it('is switched on and off over HTTP at /_sandbox/faults', async () => {
    const conn = run.connect();
    const added = await fetch(`${run.url}/_sandbox/faults`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ tenant: orgId, route: 'sobjects.describe', fault: { kind: 'server_error', status: 500 } }),
    });
    expect(added.status).toBe(201);
    const describeUrl = `${run.url}/services/data/v${API_VERSION}/sobjects/Contact/describe`;
    const failed = await fetch(describeUrl, { headers: { Authorization: `Bearer ${conn.accessToken}` } });
    expect(failed.status).toBe(500);
    expect(await failed.json()).toMatchObject([{ errorCode: 'UNKNOWN_EXCEPTION' }]);
    const { id } = (await added.json()) as { id: string };
    expect((await fetch(`${run.url}/_sandbox/faults/${id}`, { method: 'DELETE' })).status).toBe(204);
    expect((await conn.describe('Contact')).name).toBe('Contact');
  });
});
