import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  exchangeHubspotCode,
  hubspotAuthorizeUrl,
  hubspotRefresher,
  uninstallHubspotApp,
  type HubspotOAuthConfig,
} from '../../../server/crm/hubspot/oauth.ts';
import { CrmError } from '../../../server/crm/errors.ts';
import type { Installation } from '../../../server/platform/db/installations.ts';
import { approveHubspotConsent } from '../../../server/demo.ts';
import { startHubspot, type HubspotHarness } from '../../support/hubspot-harness.ts';

const REDIRECT = 'https://app.bellwether.test/oauth/hubspot/callback';
const PORTAL = 1000001;

let hub: HubspotHarness;
let config: HubspotOAuthConfig;
const installation = { provider: 'hubspot', baseUrl: null } as unknown as Installation;

beforeAll(async () => {
  hub = await startHubspot({ oauth: { clientId: 'cid', clientSecret: 'csecret', redirectUris: [REDIRECT] } });
  config = {
    clientId: 'cid',
    clientSecret: 'csecret',
    apiBase: hub.baseUrl,
    authorizeUrl: `${hub.baseUrl}/oauth/authorize`,
    scopes: {
      required: ['oauth', 'crm.objects.companies.read', 'crm.schemas.companies.write'],
      optional: ['crm.objects.owners.read'],
    },
  };
});
afterAll(() => hub.close());

async function install(portalId = PORTAL) {
  const callback = await approveHubspotConsent(
    hubspotAuthorizeUrl(config, { state: 's-1', redirectUri: REDIRECT }),
    portalId,
  );
  expect(`${callback.origin}${callback.pathname}`).toBe(REDIRECT);
  expect(callback.searchParams.get('state')).toBe('s-1');
  return exchangeHubspotCode(config, { code: callback.searchParams.get('code') ?? '', redirectUri: REDIRECT });
}

async function rejected(promise: Promise<unknown>): Promise<CrmError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(CrmError);
  return error as CrmError;
}

describe('HubSpot OAuth client against the stand-in', () => {
  it('asks for the required and optional scopes with the state', () => {
    const url = new URL(hubspotAuthorizeUrl(config, { state: 'abc', redirectUri: REDIRECT }));
    expect(url.searchParams.get('client_id')).toBe('cid');
    expect(url.searchParams.get('scope')).toBe('oauth crm.objects.companies.read crm.schemas.companies.write');
    expect(url.searchParams.get('optional_scope')).toBe('crm.objects.owners.read');
    expect(url.searchParams.get('state')).toBe('abc');
    expect(url.searchParams.get('redirect_uri')).toBe(REDIRECT);
  });

  it('exchanges a code for tokens and reads the portal id, domain and granted scopes', async () => {
    const before = Date.now();
    const result = await install();
    expect(result.portalId).toBe(String(PORTAL));
    expect(result.hubDomain).toBe('bellwether-demo.example.com');
    expect(result.scopes).toEqual(
      expect.arrayContaining(['oauth', 'crm.objects.companies.read', 'crm.objects.owners.read']),
    );
    expect(result.tokens.refreshToken).toBeTruthy();
    const expiresIn = (result.tokens.accessTokenExpiresAt?.getTime() ?? 0) - before;
    expect(expiresIn).toBeGreaterThan(1_790_000);
    expect(expiresIn).toBeLessThanOrEqual(1_801_000);
  });

  it('refuses a bad or spent code with an error that says so', async () => {
    const error = await rejected(exchangeHubspotCode(config, { code: 'not-a-code', redirectUri: REDIRECT }));
    expect(error.code).toBe('VALIDATION');
    expect(error.message).toMatch(/refused the authorization code.*BAD_AUTH_CODE/);

    const callback = await approveHubspotConsent(
      hubspotAuthorizeUrl(config, { state: 's', redirectUri: REDIRECT }),
      PORTAL,
    );
    const code = callback.searchParams.get('code') ?? '';
    await exchangeHubspotCode(config, { code, redirectUri: REDIRECT });
    expect((await rejected(exchangeHubspotCode(config, { code, redirectUri: REDIRECT }))).code).toBe('VALIDATION');
  });

  it('names a wrong client secret instead of treating it as a revoked grant', async () => {
    const error = await rejected(
      exchangeHubspotCode({ ...config, clientSecret: 'wrong' }, { code: 'x', redirectUri: REDIRECT }),
    );
    expect(error.code).toBe('VALIDATION');
    expect(error.message).toMatch(/BAD_CLIENT_SECRET/);
  });

  it('refreshes: a new access token that the API accepts, and a later expiry', async () => {
    const first = await install();
    const outcome = await hubspotRefresher(config)(installation, first.tokens.refreshToken ?? '');
    expect(outcome.kind).toBe('refreshed');
    if (outcome.kind !== 'refreshed') return;
    expect(outcome.tokens.accessToken).not.toBe(first.tokens.accessToken);
    expect(outcome.tokens.refreshToken).toBe(first.tokens.refreshToken);
    const info = await fetch(`${hub.baseUrl}/oauth/v1/access-tokens/${outcome.tokens.accessToken}`);
    expect(info.status).toBe(200);
  });

  it('reports a refresh token the portal no longer honours as revoked (after the app uninstalls itself)', async () => {
    const granted = await install(1000002);
    await uninstallHubspotApp(config, granted.tokens.accessToken);
    const outcome = await hubspotRefresher(config)(installation, granted.tokens.refreshToken ?? '');
    expect(outcome).toEqual({ kind: 'revoked', reason: expect.stringMatching(/BAD_REFRESH_TOKEN/) });
    expect((await hubspotRefresher(config)(installation, 'unknown-token')).kind).toBe('revoked');
  });

  it('turns a token endpoint outage into TEMPORARY (retried), never into revoked', async () => {
    const granted = await install();
    const rule = hub.sandbox.faults.add({ route: 'oauth.token', fault: { kind: 'server_error', status: 503 } });
    try {
      const error = await rejected(hubspotRefresher(config)(installation, granted.tokens.refreshToken ?? ''));
      expect(error.code).toBe('TEMPORARY');
    } finally {
      hub.sandbox.faults.remove(rule.id);
    }
    const unreachable = { ...config, apiBase: 'http://127.0.0.1:9' };
    expect((await rejected(hubspotRefresher(unreachable)(installation, 'x'))).code).toBe('TEMPORARY');
  });
});
