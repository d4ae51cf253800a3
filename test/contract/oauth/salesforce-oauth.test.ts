import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CrmError } from '../../../server/crm/errors.ts';
import {
  createPkcePair,
  exchangeSalesforceCode,
  revokeSalesforceToken,
  salesforceAuthorizeUrl,
  salesforceRefresher,
  type SalesforceOAuthConfig,
} from '../../../server/crm/salesforce/oauth.ts';
import type { Installation } from '../../../server/platform/db/installations.ts';
import { approveSalesforceConsent } from '../../../server/demo.ts';
import { startSandbox, type RunningSandbox } from '../salesforce/start-sandbox.ts';

const REDIRECT = 'https://app.bellwether.test/oauth/salesforce/callback';
const client = { clientId: 'cid-bw', clientSecret: 'csecret-bw', redirectUris: [REDIRECT] };

let rotating: RunningSandbox;
let steady: RunningSandbox;

beforeAll(async () => {
  rotating = await startSandbox({ oauth: { ...client, rotateRefreshTokens: true } });
  steady = await startSandbox({ oauth: { ...client, rotateRefreshTokens: false } });
});
afterAll(async () => {
  await rotating.close();
  await steady.close();
});

const configFor = (run: RunningSandbox): SalesforceOAuthConfig => ({
  clientId: client.clientId,
  clientSecret: client.clientSecret,
  loginUrl: run.url,
  // Another host name for the same stand-in, so the test can tell which one was used.
  sandboxLoginUrl: run.url.replace('127.0.0.1', 'localhost'),
  scopes: ['api', 'refresh_token', 'id'],
});

async function install(run: RunningSandbox, loginDomain: 'production' | 'sandbox' = 'production') {
  const config = configFor(run);
  const { codeVerifier, codeChallenge } = createPkcePair();
  const authorize = salesforceAuthorizeUrl(config, {
    state: 'st-1',
    redirectUri: REDIRECT,
    codeChallenge,
    loginDomain,
  });
  const callback = await approveSalesforceConsent(authorize);
  expect(callback.searchParams.get('state')).toBe('st-1');
  const code = callback.searchParams.get('code') ?? '';
  return {
    config,
    code,
    codeVerifier,
    result: await exchangeSalesforceCode(config, { code, redirectUri: REDIRECT, codeVerifier, loginDomain }),
  };
}

const installationAt = (baseUrl: string | null) => ({ provider: 'salesforce', baseUrl }) as unknown as Installation;

async function rejected(promise: Promise<unknown>): Promise<CrmError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(CrmError);
  return error as CrmError;
}

describe('Salesforce OAuth client against the stand-in', () => {
  it('sends PKCE S256 and the scopes to the chosen login domain', () => {
    const config = configFor(rotating);
    const production = new URL(
      salesforceAuthorizeUrl(config, {
        state: 'x',
        redirectUri: REDIRECT,
        codeChallenge: 'ch',
        loginDomain: 'production',
      }),
    );
    const sandbox = new URL(
      salesforceAuthorizeUrl(config, {
        state: 'x',
        redirectUri: REDIRECT,
        codeChallenge: 'ch',
        loginDomain: 'sandbox',
      }),
    );
    expect(production.origin).toBe(rotating.url);
    expect(sandbox.hostname).toBe('localhost');
    expect(production.pathname).toBe('/services/oauth2/authorize');
    expect(Object.fromEntries(production.searchParams)).toMatchObject({
      response_type: 'code',
      client_id: 'cid-bw',
      code_challenge: 'ch',
      code_challenge_method: 'S256',
      scope: 'api refresh_token id',
      state: 'x',
    });
  });

  it('exchanges the code with the verifier: tokens, instance URL, org and user from the identity URL', async () => {
    const { result } = await install(rotating);
    expect(result.orgId).toBe(rotating.sandbox.defaultOrg.id);
    expect(result.userId).toMatch(/^005\w{15}$/);
    expect(result.instanceUrl).toBe(rotating.url);
    expect(result.username).toBe('integration@bellwether-demo.example');
    expect(result.tokens.refreshToken).toBeTruthy();
    expect(result.tokens.accessTokenExpiresAt).toBeNull();
    expect(result.scopes).toEqual(['api', 'refresh_token', 'id']);
  });

  it('works on the sandbox login domain too', async () => {
    const { result } = await install(rotating, 'sandbox');
    expect(result.orgId).toBe(rotating.sandbox.defaultOrg.id);
  });

  it('refuses a wrong verifier and a bad code with errors that say so', async () => {
    const config = configFor(rotating);
    const { codeChallenge } = createPkcePair();
    const callback = await approveSalesforceConsent(
      salesforceAuthorizeUrl(config, { state: 's', redirectUri: REDIRECT, codeChallenge, loginDomain: 'production' }),
    );
    const wrongVerifier = await rejected(
      exchangeSalesforceCode(config, {
        code: callback.searchParams.get('code') ?? '',
        redirectUri: REDIRECT,
        codeVerifier: createPkcePair().codeVerifier,
        loginDomain: 'production',
      }),
    );
    expect(wrongVerifier.code).toBe('VALIDATION');
    expect(wrongVerifier.message).toMatch(/refused the authorization code: invalid code verifier/);

    const badCode = await rejected(
      exchangeSalesforceCode(config, {
        code: 'aPrxnope',
        redirectUri: REDIRECT,
        codeVerifier: 'v'.repeat(43),
        loginDomain: 'production',
      }),
    );
    expect(badCode.message).toMatch(/invalid authorization code \(invalid_grant\)/);
  });

  it('keeps the rotated refresh token, and reports the replaced one as revoked', async () => {
    const { config, result } = await install(rotating);
    const first = result.tokens.refreshToken ?? '';
    const refresher = salesforceRefresher(config);
    const outcome = await refresher(installationAt(result.instanceUrl), first);
    expect(outcome.kind).toBe('refreshed');
    if (outcome.kind !== 'refreshed') return;
    expect(outcome.tokens.refreshToken).toBeTruthy();
    expect(outcome.tokens.refreshToken).not.toBe(first);
    expect(outcome.tokens.accessToken).not.toBe(result.tokens.accessToken);
    // The replaced token is dead: a refresher that kept it would loop on invalid_grant.
    expect(await refresher(installationAt(result.instanceUrl), first)).toEqual({
      kind: 'revoked',
      reason: expect.stringMatching(/invalid_grant/),
    });
    const again = await refresher(installationAt(null), outcome.tokens.refreshToken ?? '');
    expect(again.kind).toBe('refreshed');
  });

  it('keeps the same refresh token when the org does not rotate', async () => {
    const { config, result } = await install(steady);
    const outcome = await salesforceRefresher(config)(
      installationAt(result.instanceUrl),
      result.tokens.refreshToken ?? '',
    );
    expect(outcome.kind === 'refreshed' && outcome.tokens.refreshToken).toBe(result.tokens.refreshToken);
  });

  it('revokes: the refresh token then answers revoked; revoking twice is not an error', async () => {
    const { config, result } = await install(steady);
    const token = result.tokens.refreshToken ?? '';
    await revokeSalesforceToken(config, result.instanceUrl, token);
    await revokeSalesforceToken(config, result.instanceUrl, token);
    expect((await salesforceRefresher(config)(installationAt(result.instanceUrl), token)).kind).toBe('revoked');
  });

  it('turns a token endpoint outage into TEMPORARY', async () => {
    const { config, result } = await install(steady);
    const rule = steady.sandbox.faults.add({ route: 'oauth.token', fault: { kind: 'server_error', status: 503 } });
    try {
      const error = await rejected(
        salesforceRefresher(config)(installationAt(result.instanceUrl), result.tokens.refreshToken ?? ''),
      );
      expect(error.code).toBe('TEMPORARY');
    } finally {
      steady.sandbox.faults.remove(rule.id);
    }
  });
});
