import { createHash, createHmac } from 'node:crypto';
import jsforce from 'jsforce';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../sandbox/shared/clock.ts';
import { API_VERSION, startSandbox, type RunningSandbox } from './start-sandbox.ts';

const clock = new ManualClock(Date.parse('2026-03-02T09:00:00Z'));
const REDIRECT = 'https://app.bellwether.test/oauth/salesforce/callback';
const oauth = {
  clientId: 'cid-bellwether',
  clientSecret: 'csecret-bellwether',
  redirectUris: [REDIRECT],
  rotateRefreshTokens: true,
};
let run: RunningSandbox;

beforeAll(async () => {
  run = await startSandbox({ clock, oauth, sessionTtlSeconds: 600 });
});
afterAll(() => run.close());

function oauth2(extra: Record<string, unknown> = {}) {
  return new jsforce.OAuth2({
    loginUrl: run.url,
    clientId: oauth.clientId,
    clientSecret: oauth.clientSecret,
    redirectUri: REDIRECT,
    ...extra,
  });
}

/** Opens the consent page, picks the first user and allows; returns the redirect. */
async function consent(authorizeUrl: string, decision = 'allow'): Promise<URL> {
  const page = await fetch(authorizeUrl);
  expect(page.status).toBe(200);
  const html = await page.text();
  expect(html).toContain('Allow Access?');
  const form = new URLSearchParams();
  for (const match of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) {
    form.set(
      match[1] as string,
      (match[2] as string).replace(/&#(\d+);/g, (_m, code: string) => String.fromCharCode(Number(code))),
    );
  }
  form.set('user', /<option value="([^"]+)"/.exec(html)?.[1] as string);
  form.set('decision', decision);
  const answer = await fetch(`${run.url}/services/oauth2/authorize`, {
    method: 'POST',
    body: form,
    redirect: 'manual',
  });
  expect(answer.status).toBe(302);
  return new URL(answer.headers.get('location') as string);
}

async function tokenRequest(body: Record<string, string>) {
  const answer = await fetch(`${run.url}/services/oauth2/token`, { method: 'POST', body: new URLSearchParams(body) });
  return { status: answer.status, body: (await answer.json()) as Record<string, unknown> };
}

describe('OAuth web-server flow with PKCE', () => {
  it('authorizes with a code and verifier, answers the reference token shape, and the identity URL', async () => {
    const client = oauth2({ useVerifier: true });
    const redirect = await consent(
      client.getAuthorizationUrl({ scope: 'api refresh_token', state: 'st-1', code_challenge_method: 'S256' }),
    );
    expect(`${redirect.origin}${redirect.pathname}`).toBe(REDIRECT);
    expect(redirect.searchParams.get('state')).toBe('st-1');
    const code = redirect.searchParams.get('code') as string;

    const conn = new jsforce.Connection({ oauth2: client, instanceUrl: run.url, version: API_VERSION });
    const tokens: jsforce.TokenResponse[] = [];
    const original = client.requestToken.bind(client);
    client.requestToken = async (...args: Parameters<typeof original>) => {
      const response = await original(...args);
      tokens.push(response);
      return response;
    };
    const userInfo = await conn.authorize(code);
    const org = run.sandbox.defaultOrg;
    expect(userInfo.organizationId).toBe(org.id);
    expect(userInfo.id).toBe(org.users()[0]?.id);

    const token = tokens[0] as unknown as Record<string, string>;
    expect(Object.keys(token).sort()).toEqual(
      ['access_token', 'id', 'instance_url', 'issued_at', 'refresh_token', 'scope', 'signature', 'token_type'].sort(),
    );
    expect(token).toMatchObject({
      instance_url: run.url,
      token_type: 'Bearer',
      scope: 'api refresh_token',
      issued_at: String(clock.now()),
    });
    expect(token.id).toBe(`${run.url}/id/${org.id}/${userInfo.id}`);
    expect(token.signature).toBe(
      createHmac('sha256', oauth.clientSecret).update(`${token.id}${token.issued_at}`).digest('base64'),
    );

    const identity = (await conn.identity()) as unknown as Record<string, unknown>;
    expect(identity).toMatchObject({
      user_id: userInfo.id,
      organization_id: org.id,
      username: org.users()[0]?.username,
    });
    // The code is single-use.
    const again = await tokenRequest({
      grant_type: 'authorization_code',
      code,
      client_id: oauth.clientId,
      client_secret: oauth.clientSecret,
      redirect_uri: REDIRECT,
      code_verifier: 'x'.repeat(43),
    });
    expect(again).toEqual({
      status: 400,
      body: { error: 'invalid_grant', error_description: 'invalid authorization code' },
    });
  });

  it('checks the verifier against the S256 challenge', async () => {
    const verifier = 'v'.repeat(64);
    const challenge = createHash('sha256').update(verifier).digest('base64url');
    const authorize = (state: string) =>
      `${run.url}/services/oauth2/authorize?${new URLSearchParams({ response_type: 'code', client_id: oauth.clientId, redirect_uri: REDIRECT, state, code_challenge: challenge, code_challenge_method: 'S256' }).toString()}`;
    const exchange = async (state: string, extra: Record<string, string>) => {
      const code = (await consent(authorize(state))).searchParams.get('code') as string;
      return tokenRequest({
        grant_type: 'authorization_code',
        code,
        client_id: oauth.clientId,
        client_secret: oauth.clientSecret,
        redirect_uri: REDIRECT,
        ...extra,
      });
    };
    expect(await exchange('a', { code_verifier: 'w'.repeat(64) })).toEqual({
      status: 400,
      body: { error: 'invalid_request', error_description: 'invalid code verifier' },
    });
    expect(await exchange('b', {})).toEqual({
      status: 400,
      body: { error: 'invalid_grant', error_description: 'invalid code verifier' },
    });
    const good = await exchange('c', { code_verifier: verifier });
    expect(good.status).toBe(200);
    expect(good.body.access_token).toMatch(/^00D\w{12}!/);
  });

  it('validates client_id and redirect_uri before redirecting, and reports a denial', async () => {
    const base = { response_type: 'code', client_id: oauth.clientId, redirect_uri: REDIRECT };
    const wrongClient = await fetch(
      `${run.url}/services/oauth2/authorize?${new URLSearchParams({ ...base, client_id: 'nope' }).toString()}`,
    );
    expect(wrongClient.status).toBe(400);
    expect(await wrongClient.text()).toContain('error=invalid_client_id');
    const wrongRedirect = await fetch(
      `${run.url}/services/oauth2/authorize?${new URLSearchParams({ ...base, redirect_uri: 'https://evil.test/cb' }).toString()}`,
      { redirect: 'manual' },
    );
    expect(wrongRedirect.status).toBe(400);
    expect(await wrongRedirect.text()).toContain('redirect_uri_mismatch');
    const denied = await consent(
      `${run.url}/services/oauth2/authorize?${new URLSearchParams({ ...base, state: 's' }).toString()}`,
      'deny',
    );
    expect(denied.searchParams.get('error')).toBe('access_denied');
    expect(denied.searchParams.get('state')).toBe('s');
  });

  it('refreshes with rotation: a new refresh token, the old one answers invalid_grant', async () => {
    const session = run.sandbox.issueSession({ instanceUrl: run.url });
    const client = oauth2();
    const refreshed = await client.refreshToken(session.refresh_token as string);
    expect(refreshed.refresh_token).toBeDefined();
    expect(refreshed.refresh_token).not.toBe(session.refresh_token);
    expect(refreshed.access_token).not.toBe(session.access_token);
    await expect(client.refreshToken(session.refresh_token as string)).rejects.toThrow(/expired access\/refresh token/);
    const raw = await tokenRequest({
      grant_type: 'refresh_token',
      refresh_token: session.refresh_token as string,
      client_id: oauth.clientId,
      client_secret: oauth.clientSecret,
    });
    expect(raw).toEqual({
      status: 400,
      body: { error: 'invalid_grant', error_description: 'expired access/refresh token' },
    });
    expect((await client.refreshToken(refreshed.refresh_token as string)).access_token).toBeDefined();
  });

  it('without rotation answers no refresh token and keeps the old one valid', async () => {
    const plain = await startSandbox({ oauth: { ...oauth, rotateRefreshTokens: false } });
    try {
      const session = plain.sandbox.issueSession({ instanceUrl: plain.url });
      const client = new jsforce.OAuth2({
        loginUrl: plain.url,
        clientId: oauth.clientId,
        clientSecret: oauth.clientSecret,
        redirectUri: REDIRECT,
      });
      const first = await client.refreshToken(session.refresh_token as string);
      expect(first).not.toHaveProperty('refresh_token');
      const second = await client.refreshToken(session.refresh_token as string);
      expect(second.access_token).not.toBe(first.access_token);
    } finally {
      await plain.close();
    }
  });

  it('answers 401 INVALID_SESSION_ID for an expired session, and jsforce refreshes and retries', async () => {
    const session = run.sandbox.issueSession({ instanceUrl: run.url });
    const conn = new jsforce.Connection({
      instanceUrl: run.url,
      accessToken: session.access_token,
      refreshToken: session.refresh_token as string,
      oauth2: { loginUrl: run.url, clientId: oauth.clientId, clientSecret: oauth.clientSecret, redirectUri: REDIRECT },
      version: API_VERSION,
    });
    const refreshes: { accessToken: string; refreshToken: unknown }[] = [];
    conn.on('refresh', (accessToken: string, res: { refresh_token?: string }) => {
      refreshes.push({ accessToken, refreshToken: res.refresh_token });
    });
    expect((await conn.query('SELECT Id FROM User')).totalSize).toBe(1);
    clock.advance(601_000);

    const raw = await fetch(`${run.url}/services/data/v${API_VERSION}/limits`, {
      headers: { Authorization: `Bearer ${session.access_token}` },
    });
    expect(raw.status).toBe(401);
    expect(await raw.json()).toEqual([{ message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID' }]);

    expect((await conn.query('SELECT Id FROM User')).totalSize).toBe(1);
    expect(refreshes).toHaveLength(1);
    expect(refreshes[0]?.accessToken).toBe(conn.accessToken);
    expect(refreshes[0]?.refreshToken).not.toBe(session.refresh_token);
  });

  it('answers 401 without a session and INVALID_AUTH_HEADER for another scheme', async () => {
    const none = await fetch(`${run.url}/services/data/v${API_VERSION}/sobjects`);
    expect(none.status).toBe(401);
    expect(await none.json()).toEqual([{ message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID' }]);
    const basic = await fetch(`${run.url}/services/data/v${API_VERSION}/sobjects`, {
      headers: { Authorization: 'Basic abc' },
    });
    expect(await basic.json()).toEqual([{ message: 'INVALID_HEADER_TYPE', errorCode: 'INVALID_AUTH_HEADER' }]);
  });

  it('revokes a refresh token together with its access tokens', async () => {
    const session = run.sandbox.issueSession({ instanceUrl: run.url });
    await oauth2().revokeToken(session.refresh_token as string);
    const answer = await fetch(`${run.url}/services/data/v${API_VERSION}/limits`, {
      headers: { Authorization: `Bearer ${session.access_token}` },
    });
    expect(answer.status).toBe(401);
    const again = await fetch(`${run.url}/services/oauth2/revoke`, {
      method: 'POST',
      body: new URLSearchParams({ token: session.refresh_token as string }),
    });
    expect(again.status).toBe(400);
    expect(await again.json()).toEqual({ error: 'invalid_token', error_description: 'invalid token' });
  });
});
