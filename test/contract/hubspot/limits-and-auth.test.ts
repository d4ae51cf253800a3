import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../sandbox/shared/clock.ts';
import { HubspotContract } from '../../support/hubspot-openapi.ts';
import { contractProblems, startHubspot, type HubspotHarness } from '../../support/hubspot-harness.ts';

const PORTAL = 1000001;
const OTHER = 1000002;

describe('HubSpot stand-in: rate limits and bearer tokens through @hubspot/api-client', () => {
  const clock = new ManualClock(Date.parse('2026-03-02T10:00:00Z'));
  let hub: HubspotHarness;
  let contract: HubspotContract;

  beforeAll(async () => {
    contract = await HubspotContract.load();
    hub = await startHubspot({
      clock,
      limits: { perTenSeconds: 4, searchPerSecond: 2, daily: 12 },
      accessTokenTtlSeconds: 600,
    });
  });

  afterAll(async () => {
    await hub.close();
  });

  it('admits the ten-second allowance with its headers, then answers the real 429 with policyName', async () => {
    const token = hub.sandbox.issueTokens(PORTAL).accessToken;
    const seen = [];
    for (let i = 0; i < 4; i++) {
      const answer = await fetch(`${hub.baseUrl}/crm/v3/objects/companies`, {
        headers: { authorization: `Bearer ${token}` },
      });
      seen.push([
        answer.status,
        answer.headers.get('x-hubspot-ratelimit-max'),
        answer.headers.get('x-hubspot-ratelimit-remaining'),
        answer.headers.get('x-hubspot-ratelimit-interval-milliseconds'),
      ]);
    }
    expect(seen).toEqual([
      [200, '4', '3', '10000'],
      [200, '4', '2', '10000'],
      [200, '4', '1', '10000'],
      [200, '4', '0', '10000'],
    ]);
    const refused = await hub
      .client(token)
      .crm.companies.basicApi.getPage()
      .catch((error: unknown) => error);
    expect(refused).toMatchObject({
      code: 429,
      body: {
        status: 'error',
        message: 'You have reached your ten_secondly_rolling limit.',
        errorType: 'RATE_LIMIT',
        policyName: 'TEN_SECONDLY_ROLLING',
      },
    });
    // Another portal has its own bucket; search is exempt from the ten-second one.
    const other = hub.sandbox.issueTokens(OTHER).accessToken;
    await expect(hub.client(other).crm.companies.basicApi.getPage()).resolves.toMatchObject({ results: [] });
    await expect(
      hub
        .client(token)
        .crm.companies.searchApi.doSearch({ filterGroups: [], sorts: [], properties: [], limit: 1, after: '0' }),
    ).resolves.toMatchObject({ total: 0 });
    // The window rolls: ten seconds after the first request the bucket has room again.
    clock.advance(10_000);
    await expect(hub.client(token).crm.companies.basicApi.getPage()).resolves.toMatchObject({ results: [] });
  });

  it('limits searches per second with the secondly 429 body', async () => {
    clock.advance(10_000);
    const token = hub.sandbox.issueTokens(OTHER).accessToken;
    const client = hub.client(token);
    const search = () =>
      client.crm.contacts.searchApi.doSearch({ filterGroups: [], sorts: [], properties: [], limit: 1, after: '0' });
    await search();
    await search();
    await expect(search()).rejects.toMatchObject({
      code: 429,
      body: { message: 'You have reached your secondly limit.', errorType: 'RATE_LIMIT', policyName: 'SECONDLY' },
    });
    clock.advance(1000);
    await expect(search()).resolves.toMatchObject({ total: 0 });
  });

  it('stops the portal for the rest of the UTC day with the DAILY 429', async () => {
    const client = hub.client(hub.sandbox.issueTokens(OTHER).accessToken);
    // The other portal has spent 5 of its 12: one list page, four searches (one refused, not counted).
    let answered = 0;
    let refusal: unknown;
    for (let i = 0; i < 20 && refusal === undefined; i++) {
      clock.advance(10_000);
      await client.crm.deals.basicApi.getPage().then(
        () => answered++,
        (error: unknown) => (refusal = error),
      );
    }
    expect(answered).toBe(8);
    expect(refusal).toMatchObject({
      code: 429,
      body: { policyName: 'DAILY', message: 'You have reached your daily limit.' },
    });
    clock.set(Date.parse('2026-03-03T00:00:01Z'));
    const nextDay = hub.client(hub.sandbox.issueTokens(OTHER).accessToken);
    await expect(nextDay.crm.deals.basicApi.getPage()).resolves.toMatchObject({ results: [] });
  });

  it('answers 401 for a missing, unknown or expired token, and the refreshed token works', async () => {
    const issued = hub.sandbox.issueTokens(PORTAL);
    await expect(hub.client().crm.companies.basicApi.getPage()).rejects.toMatchObject({
      code: 401,
      body: { status: 'error', category: 'INVALID_AUTHENTICATION' },
    });
    await expect(hub.client('not-a-token').crm.companies.basicApi.getPage()).rejects.toMatchObject({
      code: 401,
      body: { category: 'INVALID_AUTHENTICATION' },
    });
    clock.advance(issued.expiresIn * 1000 + 75_000);
    const expired = await hub
      .client(issued.accessToken)
      .crm.companies.basicApi.getPage()
      .catch((error: unknown) => error);
    expect(expired).toMatchObject({
      code: 401,
      body: {
        category: 'EXPIRED_AUTHENTICATION',
        message: 'The OAuth token used to make this call expired 75 second(s) ago.',
      },
    });
    const { clientId, clientSecret } = hub.sandbox.oauth;
    const refreshed = await hub
      .client()
      .oauth.tokensApi.create('refresh_token', undefined, undefined, clientId, clientSecret, issued.refreshToken);
    expect(refreshed.expiresIn).toBe(600);
    expect(refreshed.refreshToken).toBe(issued.refreshToken);
    await expect(hub.client(refreshed.accessToken).crm.companies.basicApi.getPage()).resolves.toMatchObject({
      results: [],
    });
    // The test hook: every access token of the portal expires at once.
    hub.sandbox.expireAccessTokens(PORTAL);
    await expect(hub.client(refreshed.accessToken).crm.companies.basicApi.getPage()).rejects.toMatchObject({
      code: 401,
      body: { category: 'EXPIRED_AUTHENTICATION' },
    });
  });

  it('answers only HubSpot-shaped bodies (checked against the OpenAPI files)', () => {
    expect(hub.exchanges.some((e) => e.status === 429)).toBe(true);
    expect(contractProblems(contract, hub.exchanges)).toEqual([]);
  });
});
