import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HubspotContract } from '../../support/hubspot-openapi.ts';
import { contractProblems, startHubspot, type HubspotHarness } from '../../support/hubspot-harness.ts';

const REDIRECT = 'http://localhost:3000/oauth/hubspot/callback';

describe('HubSpot stand-in: OAuth through @hubspot/api-client', () => {
  let hub: HubspotHarness;
  let contract: HubspotContract;

  beforeAll(async () => {
    contract = await HubspotContract.load();
    hub = await startHubspot({ oauth: { clientId: 'cid', clientSecret: 'csecret', redirectUris: [REDIRECT] } });
  });

  afterAll(async () => {
    await hub.close();
  });

  function authorizeUrl(overrides: Record<string, string> = {}): string {
    const url = new URL(
      hub
        .client()
        .oauth.getAuthorizationUrl(
          'cid',
          REDIRECT,
          'oauth crm.objects.companies.read crm.schemas.companies.write',
          undefined,
          'xyz',
        ),
    );
    const local = new URL(`${hub.baseUrl}${url.pathname}${url.search}`);
    for (const [key, value] of Object.entries(overrides)) local.searchParams.set(key, value);
    return local.toString();
  }

  /** Chooses a portal on the consent page the way a browser would submit its form. */
  async function consent(portalId: string): Promise<URL> {
    const page = await fetch(authorizeUrl());
    const html = await page.text();
    const form = html.split('<li>').find((item) => item.includes(`name="portal_id" value="${portalId}"`));
    expect(form).toBeDefined();
    const fields = new URLSearchParams();
    for (const [, name, value] of form!.matchAll(/name="([^"]+)" value="([^"]*)"/g))
      fields.set(
        name!,
        value!.replace(/&#(\d+);/g, (_, code) => String.fromCharCode(Number(code))),
      );
    const answer = await fetch(`${hub.baseUrl}/oauth/authorize`, { method: 'POST', body: fields, redirect: 'manual' });
    expect(answer.status).toBe(302);
    return new URL(answer.headers.get('location') ?? '');
  }

  it('shows a consent page listing every portal and refuses a bad client, redirect or scope', async () => {
    const page = await fetch(authorizeUrl());
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('Bellwether demo (1000001)');
    expect(html).toContain('Bellwether second portal (1000002)');
    for (const bad of [
      { client_id: 'other' },
      { redirect_uri: 'https://evil.example/cb' },
      { scope: 'oauth crm.everything' },
      { scope: '' },
    ]) {
      const refused = await fetch(authorizeUrl(bad));
      expect(refused.status).toBe(400);
    }
  });

  it('exchanges the code from the redirect for tokens, describes them, and refreshes', async () => {
    const redirected = await consent('1000002');
    expect(`${redirected.origin}${redirected.pathname}`).toBe(REDIRECT);
    expect(redirected.searchParams.get('state')).toBe('xyz');
    const code = redirected.searchParams.get('code') ?? '';
    const oauth = hub.client().oauth;
    const tokens = await oauth.tokensApi.create('authorization_code', code, REDIRECT, 'cid', 'csecret');
    expect(tokens).toMatchObject({ tokenType: 'bearer', expiresIn: 1800 });
    expect(tokens.accessToken.length).toBeLessThanOrEqual(300);

    const info = await oauth.accessTokensApi.get(tokens.accessToken);
    expect(info).toMatchObject({ hubId: 1000002, appId: hub.sandbox.oauth.appId, expiresIn: 1800 });
    expect(info.scopes).toEqual(['oauth', 'crm.objects.companies.read', 'crm.schemas.companies.write']);
    const refreshInfo = await oauth.refreshTokensApi.get(tokens.refreshToken);
    expect(refreshInfo).toMatchObject({ hubId: 1000002, clientId: 'cid' });

    // A code is spent on first use.
    await expect(oauth.tokensApi.create('authorization_code', code, REDIRECT, 'cid', 'csecret')).rejects.toMatchObject({
      code: 400,
      body: { status: 'BAD_AUTH_CODE' },
    });
    const refreshed = await oauth.tokensApi.create(
      'refresh_token',
      undefined,
      undefined,
      'cid',
      'csecret',
      tokens.refreshToken,
    );
    expect(refreshed.accessToken).not.toBe(tokens.accessToken);
    const companies = await hub.client(refreshed.accessToken).crm.companies.basicApi.getPage();
    expect(companies.results).toEqual([]);
    // The granted scopes are enforced: companies may be read but not written, contacts not read.
    const granted = hub.client(refreshed.accessToken);
    await expect(granted.crm.contacts.basicApi.getPage()).rejects.toMatchObject({
      code: 403,
      body: {
        status: 'error',
        category: 'MISSING_SCOPES',
        errors: [{ context: { requiredGranularScopes: ['crm.objects.contacts.read'] } }],
      },
    });
    await expect(
      granted.crm.companies.basicApi.create({ properties: { name: 'x' }, associations: [] }),
    ).rejects.toMatchObject({
      code: 403,
      body: { errors: [{ context: { requiredGranularScopes: ['crm.objects.companies.write'] } }] },
    });
    await expect(
      granted.crm.properties.groupsApi.create('companies', { name: 'health', label: 'Health' }),
    ).resolves.toMatchObject({
      name: 'health',
    });
  });

  it('answers BAD_REFRESH_TOKEN for an unknown refresh token and other errors for a bad client', async () => {
    const oauth = hub.client().oauth;
    await expect(
      oauth.tokensApi.create('refresh_token', undefined, undefined, 'cid', 'csecret', 'nope'),
    ).rejects.toMatchObject({
      code: 400,
      body: { status: 'BAD_REFRESH_TOKEN', message: 'missing or unknown refresh token', error: 'invalid_grant' },
    });
    const issued = hub.sandbox.issueTokens(1000001);
    await expect(
      oauth.tokensApi.create('refresh_token', undefined, undefined, 'cid', 'wrong', issued.refreshToken),
    ).rejects.toMatchObject({
      code: 400,
      body: { status: 'BAD_CLIENT_SECRET' },
    });
    await expect(oauth.tokensApi.create('password', undefined, undefined, 'cid', 'csecret')).rejects.toMatchObject({
      code: 400,
      body: { status: 'BAD_GRANT_TYPE' },
    });
    await expect(oauth.accessTokensApi.get('unknown')).rejects.toMatchObject({ code: 404 });
    await oauth.refreshTokensApi.archive(issued.refreshToken);
    await expect(oauth.refreshTokensApi.get(issued.refreshToken)).rejects.toMatchObject({ code: 404 });
    await expect(
      oauth.tokensApi.create('refresh_token', undefined, undefined, 'cid', 'csecret', issued.refreshToken),
    ).rejects.toMatchObject({
      code: 400,
      body: { status: 'BAD_REFRESH_TOKEN' },
    });
  });

  it('revokes every token of the portal when the app uninstalls itself', async () => {
    const issued = hub.sandbox.issueTokens(1000001);
    const client = hub.client(issued.accessToken);
    const answer = await client.apiRequest({ method: 'DELETE', path: '/appinstalls/v3/external-install' });
    expect(answer.status).toBe(204);
    await expect(client.crm.companies.basicApi.getPage()).rejects.toMatchObject({ code: 401 });
    await expect(
      hub.client().oauth.tokensApi.create('refresh_token', undefined, undefined, 'cid', 'csecret', issued.refreshToken),
    ).rejects.toMatchObject({ code: 400, body: { status: 'BAD_REFRESH_TOKEN' } });
  });

  it('answers only HubSpot-shaped bodies (checked against the OpenAPI files)', () => {
    expect(contractProblems(contract, hub.exchanges)).toEqual([]);
  });
});
