import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CrmError } from '../../../server/crm/errors.ts';
import { syntheticBook } from '../salesforce/synthetic-book.ts';
import { startHarness, type AdapterHarness } from './harness.ts';

let h: AdapterHarness;

beforeAll(async () => {
  h = await startHarness({ limits: { dailyApiRequests: 12 } });
  h.run.sandbox.loadBook(h.orgId, syntheticBook(5));
});
afterAll(() => h.close());
afterEach(() => {
  h.faults.clear();
  // The allowance rolls over 24 h: a day later each test starts afresh.
  h.clock.advance(86_400_000);
});

async function failure(promise: Promise<unknown>): Promise<CrmError> {
  const error = await promise.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(CrmError);
  return error as CrmError;
}

describe('Salesforce failures leave the adapter as CrmErrors, each after exactly one call', () => {
  it('a spent daily allowance is QUOTA_EXHAUSTED, and the usage is reported before it', async () => {
    const conn = h.connection();
    const page = await h.adapter.listChanged(conn, 'accounts', null, 2000);
    expect(page.apiUsage).toEqual({ used: 2, limit: 12 });
    expect(h.adapter.apiUsage(conn.installationId)).toEqual({ used: 2, limit: 12 });
    for (let i = 0; i < 10; i++) await h.adapter.listChanged(conn, 'accounts', null, 2000);
    const before = h.run.requests.length;
    const error = await failure(h.adapter.listChanged(conn, 'accounts', null, 2000));
    expect(error).toMatchObject({ code: 'QUOTA_EXHAUSTED', status: 403 });
    expect(error.retryAfterMs).toBeGreaterThan(0);
    expect(h.run.requests.length - before).toBe(1);
    expect(h.adapter.apiUsage(conn.installationId)).toEqual({ used: 12, limit: 12 });
  });

  it('the concurrent-request variant of REQUEST_LIMIT_EXCEEDED is RATE_LIMITED with a wait', async () => {
    h.faults.add({ tenant: h.orgId, route: 'query', fault: { kind: 'rate_limit', rate: 1 }, times: 1 });
    const error = await failure(h.adapter.listChanged(h.connection(), 'accounts', null, 2000));
    expect(error).toMatchObject({ code: 'RATE_LIMITED', status: 403 });
    expect(error.retryAfterMs).toBeGreaterThan(0);
  });

  it('an expired session is UNAUTHORIZED, with no refresh and no loop', async () => {
    const conn = h.connection();
    await h.adapter.listChanged(conn, 'owners', null, 2000);
    h.faults.add({ tenant: h.orgId, route: 'query', fault: { kind: 'token_expiry' }, times: 1 });
    const before = h.run.requests.length;
    const error = await failure(h.adapter.listChanged(conn, 'owners', null, 2000));
    expect(error).toMatchObject({ code: 'UNAUTHORIZED', status: 401 });
    expect(error.message).toContain('INVALID_SESSION_ID');
    expect(h.run.requests.length - before).toBe(1);
  });

  it('a 503 is TEMPORARY and jsforce does not retry it', async () => {
    const rule = h.faults.add({
      tenant: h.orgId,
      route: 'query',
      fault: { kind: 'server_error', status: 503, rate: 1 },
      times: 3,
    });
    const started = Date.now();
    const error = await failure(h.adapter.listChanged(h.connection(), 'contacts', null, 2000));
    expect(error).toMatchObject({ code: 'TEMPORARY', status: 503 });
    expect(rule.hits).toBe(1);
    // jsforce's own backoff would start at 500 ms.
    expect(Date.now() - started).toBeLessThan(400);
  });

  it('a field without field-level security named by the mapping is VALIDATION (INVALID_FIELD)', async () => {
    const jsforce = h.run.connect();
    await jsforce.tooling.sobject('CustomField').create({
      FullName: 'Account.Tier__c',
      Metadata: { label: 'Tier', type: 'Text', length: 20 },
    });
    // Describes are trusted for 15 minutes; after that the new field is seen.
    h.clock.advance(16 * 60_000);
    const error = await failure(
      h.adapter.listChanged(h.connection(), 'accounts', null, 2000, { extraProperties: ['Tier__c'] }),
    );
    expect(error).toMatchObject({ code: 'VALIDATION', status: 400 });
    expect(error.message).toContain('INVALID_FIELD');
    // A name that is no field at all is simply not requested.
    const page = await h.adapter.listChanged(h.connection(), 'accounts', null, 2000, { extraProperties: ['Nope__c'] });
    expect(page.records).toHaveLength(5);
  });

  it('an unreachable instance is TEMPORARY and a damaged cursor INVALID_CURSOR', async () => {
    const conn = { ...h.connection(), baseUrl: 'http://127.0.0.1:9' };
    expect(await failure(h.adapter.listChanged(conn, 'accounts', null, 10))).toMatchObject({ code: 'TEMPORARY' });
    const cursor = { v: 1 as const, modifiedAt: 5, id: "' OR Id != '", until: 10, phase: 'incremental' as const };
    expect(await failure(h.adapter.listChanged(h.connection(), 'accounts', cursor, 10))).toMatchObject({
      code: 'INVALID_CURSOR',
    });
  });
});
