import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CrmError } from '../../../server/crm/errors.ts';
import type { CrmConnection } from '../../../server/crm/types.ts';
import { contractProblems } from '../../support/hubspot-harness.ts';
import { HubspotContract } from '../../support/hubspot-openapi.ts';
import { syntheticCrmBook } from '../../support/synthetic-crm-book.ts';
import { startAdapterHarness, type AdapterHarness } from './adapter-harness.ts';

const PORTAL = 1000001;
const INCREMENTAL = { v: 1 as const, phase: 'incremental' as const, modifiedAt: 0, id: '' };

async function failure(promise: Promise<unknown>): Promise<CrmError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(CrmError);
  return error as CrmError;
}

describe('HubSpot adapter: every failure leaves as a CrmError with the code the job layer acts on', () => {
  let h: AdapterHarness;
  let conn: CrmConnection;

  beforeAll(async () => {
    h = await startAdapterHarness({ limits: { perTenSeconds: 3, searchPerSecond: 2, daily: 1_000_000 } });
    h.hub.sandbox.loadBook(PORTAL, syntheticCrmBook(5, 1));
    conn = h.connect(PORTAL);
  });

  afterAll(async () => {
    await h.close();
  });

  it('a 429 storm (fault) gives RATE_LIMITED with the rolling window as the wait, one call spent', async () => {
    h.hub.sandbox.faults.add({ tenant: String(PORTAL), route: 'crm.objects.list', fault: { kind: 'rate_limit' } });
    const requestsBefore = h.hub.exchanges.length;
    const error = await failure(h.adapter.listChanged(conn, 'accounts', null, 100));
    expect(error).toMatchObject({ code: 'RATE_LIMITED', status: 429, retryAfterMs: 10_000 });
    // The adapter does not retry by itself.
    expect(h.hub.exchanges.length - requestsBefore).toBe(1);
    h.hub.sandbox.faults.clear(String(PORTAL));
  });

  it('the real ten-second and search limits give RATE_LIMITED with their own waits', async () => {
    h.clock.advance(20_000);
    for (let i = 0; i < 3; i++) await h.adapter.listChanged(conn, 'accounts', null, 100);
    const tenSecondly = await failure(h.adapter.listChanged(conn, 'accounts', null, 100));
    expect(tenSecondly).toMatchObject({ code: 'RATE_LIMITED', retryAfterMs: 10_000 });
    // Companies need no association reads, so these three calls are searches only.
    h.clock.advance(2_000);
    await h.adapter.listChanged(conn, 'accounts', INCREMENTAL, 10);
    await h.adapter.listChanged(conn, 'accounts', INCREMENTAL, 10);
    const secondly = await failure(h.adapter.listChanged(conn, 'accounts', INCREMENTAL, 10));
    expect(secondly).toMatchObject({ code: 'RATE_LIMITED', retryAfterMs: 1_000 });
  });

  it('a spent daily allowance gives QUOTA_EXHAUSTED', async () => {
    const limited = await startAdapterHarness({ limits: { perTenSeconds: 100, searchPerSecond: 100, daily: 1 } });
    try {
      const other = limited.connect(PORTAL);
      await limited.adapter.listChanged(other, 'accounts', null, 10);
      const error = await failure(limited.adapter.listChanged(other, 'accounts', null, 10));
      expect(error).toMatchObject({ code: 'QUOTA_EXHAUSTED', status: 429 });
    } finally {
      await limited.close();
    }
  });

  it('an expired token gives UNAUTHORIZED; a token without the scope gives MISSING_SCOPE', async () => {
    h.clock.advance(20_000);
    const expired = h.connect(PORTAL);
    h.hub.sandbox.expireAccessTokens(PORTAL);
    expect(await failure(h.adapter.listChanged(expired, 'accounts', null, 10))).toMatchObject({
      code: 'UNAUTHORIZED',
      status: 401,
    });
    const narrow = h.connect(PORTAL, ['oauth', 'crm.objects.contacts.read']);
    expect(await failure(h.adapter.listChanged(narrow, 'accounts', null, 10))).toMatchObject({
      code: 'MISSING_SCOPE',
      status: 403,
    });
  });

  it('a 5xx and a refused connection give TEMPORARY', async () => {
    h.clock.advance(20_000);
    h.hub.sandbox.faults.add({
      tenant: String(PORTAL),
      route: 'crm.objects.search',
      fault: { kind: 'server_error', status: 502 },
      times: 1,
    });
    expect(await failure(h.adapter.listChanged(h.connect(PORTAL), 'accounts', INCREMENTAL, 10))).toMatchObject({
      code: 'TEMPORARY',
      status: 502,
    });
    const nowhere: CrmConnection = { ...conn, baseUrl: 'http://127.0.0.1:9' };
    expect(await failure(h.adapter.listChanged(nowhere, 'accounts', null, 10))).toMatchObject({ code: 'TEMPORARY' });
  });

  it('a damaged paging token gives INVALID_CURSOR', async () => {
    const damaged = { ...INCREMENTAL, until: h.clock.now(), after: 'not-an-offset' };
    expect(await failure(h.adapter.listChanged(conn, 'accounts', damaged, 10))).toMatchObject({
      code: 'INVALID_CURSOR',
    });
  });

  it('called only operations the HubSpot OpenAPI files name, and got answers they describe', async () => {
    const contract = await HubspotContract.load();
    expect(contractProblems(contract, h.hub.exchanges)).toEqual([]);
  });
});
