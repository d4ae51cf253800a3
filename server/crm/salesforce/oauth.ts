import { createHash, randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { InstallationTokens } from '../../platform/db/installations.ts';
import { CrmError } from '../errors.ts';
import type { Refresher } from '../token-service.ts';

/**
 * Salesforce's web-server flow with PKCE (S256) on the production or the sandbox login domain, the
 * refresh-token grant for the token service (rotated refresh tokens kept, an unrotated one carried
 * over) and revoke. Salesforce states no expiry for access tokens: they are refreshed when the API
 * rejects them (INVALID_SESSION_ID).
 */

export interface SalesforceOAuthConfig {
  clientId: string;
  clientSecret: string;
  /** https://login.salesforce.com, or the stand-in. */
  loginUrl: string;
  /** https://test.salesforce.com for Salesforce sandboxes. */
  sandboxLoginUrl: string;
  scopes: string[];
}

export type SalesforceLoginDomain = 'production' | 'sandbox';

export const SALESFORCE_PUBLIC_LOGIN_URL = 'https://login.salesforce.com';
export const SALESFORCE_PUBLIC_SANDBOX_LOGIN_URL = 'https://test.salesforce.com';

const TIMEOUT_MS = 15_000;

const tokenAnswer = z.object({
  access_token: z.string().min(1),
  refresh_token: z.string().min(1).optional(),
  instance_url: z.url(),
  id: z.url(),
  scope: z.string().optional(),
});

const errorBody = z.object({ error: z.string(), error_description: z.string().optional() });

const identityAnswer = z.object({
  username: z.string().optional(),
  display_name: z.string().optional(),
});

/** `…/id/<orgId>/<userId>`: jsforce relies on this shape too. */
const ID_URL = /\/id\/(00D[A-Za-z0-9]{12}(?:[A-Za-z0-9]{3})?)\/(005[A-Za-z0-9]{12}(?:[A-Za-z0-9]{3})?)\/?$/;

const url = (base: string, path: string) => `${base.replace(/\/$/, '')}${path}`;

export const loginUrlFor = (config: SalesforceOAuthConfig, domain: SalesforceLoginDomain) =>
  domain === 'sandbox' ? config.sandboxLoginUrl : config.loginUrl;

/** A PKCE pair: a 43-character verifier and its S256 challenge. */
export function createPkcePair(): { codeVerifier: string; codeChallenge: string } {
  const codeVerifier = randomBytes(32).toString('base64url');
  return { codeVerifier, codeChallenge: pkceChallenge(codeVerifier) };
}

export function pkceChallenge(codeVerifier: string): string {
  return createHash('sha256').update(codeVerifier).digest('base64url');
}

export function salesforceAuthorizeUrl(
  config: SalesforceOAuthConfig,
  input: { state: string; redirectUri: string; codeChallenge: string; loginDomain: SalesforceLoginDomain },
): string {
  const target = new URL(url(loginUrlFor(config, input.loginDomain), '/services/oauth2/authorize'));
  target.searchParams.set('response_type', 'code');
  target.searchParams.set('client_id', config.clientId);
  target.searchParams.set('redirect_uri', input.redirectUri);
  target.searchParams.set('scope', config.scopes.join(' '));
  target.searchParams.set('state', input.state);
  target.searchParams.set('code_challenge', input.codeChallenge);
  target.searchParams.set('code_challenge_method', 'S256');
  return target.toString();
}

interface Answer {
  status: number;
  body: unknown;
  text: string;
}

async function call(what: string, target: string, init: RequestInit): Promise<Answer> {
  let response: Response;
  try {
    response = await fetch(target, { ...init, signal: AbortSignal.timeout(TIMEOUT_MS) });
  } catch (error) {
    throw new CrmError('TEMPORARY', `Salesforce ${what}: no answer (${(error as Error).message})`, { cause: error });
  }
  const text = await response.text();
  let body: unknown;
  try {
    body = text.length > 0 ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  return { status: response.status, body, text };
}

function oauthError(answer: Answer): z.infer<typeof errorBody> | undefined {
  const parsed = errorBody.safeParse(answer.body);
  return parsed.success ? parsed.data : undefined;
}

function failure(what: string, answer: Answer): CrmError {
  const error = oauthError(answer);
  const detail = error
    ? `${error.error_description ?? error.error} (${error.error})`
    : answer.text.slice(0, 200) || 'no details';
  const message = `Salesforce ${what} failed with HTTP ${answer.status}: ${detail}`;
  if (answer.status >= 500) return new CrmError('TEMPORARY', message, { status: answer.status });
  if (answer.status === 429 || answer.status === 420) {
    return new CrmError('RATE_LIMITED', message, { status: answer.status, retryAfterMs: 10_000 });
  }
  if (answer.status === 401 || answer.status === 403) {
    return new CrmError('UNAUTHORIZED', message, { status: answer.status });
  }
  return new CrmError('VALIDATION', message, { status: answer.status });
}

function parseToken(what: string, answer: Answer) {
  const parsed = tokenAnswer.safeParse(answer.body);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((issue) => `${issue.path.join('.') || '(body)'} ${issue.message}`);
    throw new CrmError('UNKNOWN', `Salesforce ${what} answered an unexpected body: ${issues.join('; ')}`);
  }
  return parsed.data;
}

/** Org and user from the token answer's identity URL. */
export function parseIdentityUrl(idUrl: string): { orgId: string; userId: string } {
  const match = ID_URL.exec(new URL(idUrl).pathname);
  if (!match) throw new CrmError('UNKNOWN', `Salesforce identity URL ${idUrl} does not name an org and a user`);
  return { orgId: match[1] as string, userId: match[2] as string };
}

const postToken = (base: string, fields: Record<string, string>) =>
  call('token request', url(base, '/services/oauth2/token'), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
    body: new URLSearchParams(fields),
  });

export async function exchangeSalesforceCode(
  config: SalesforceOAuthConfig,
  input: { code: string; redirectUri: string; codeVerifier: string; loginDomain: SalesforceLoginDomain },
): Promise<{
  tokens: InstallationTokens;
  instanceUrl: string;
  orgId: string;
  userId: string;
  orgName?: string;
  username?: string;
  scopes: string[];
}> {
  const answer = await postToken(loginUrlFor(config, input.loginDomain), {
    grant_type: 'authorization_code',
    code: input.code,
    client_id: config.clientId,
    client_secret: config.clientSecret,
    redirect_uri: input.redirectUri,
    code_verifier: input.codeVerifier,
  });
  if (answer.status !== 200) {
    const error = oauthError(answer);
    if (answer.status === 400 && error && (error.error === 'invalid_grant' || error.error === 'invalid_request')) {
      throw new CrmError(
        'VALIDATION',
        `Salesforce refused the authorization code: ${error.error_description ?? error.error} (${error.error})`,
        { status: 400 },
      );
    }
    throw failure('code exchange', answer);
  }
  const granted = parseToken('code exchange', answer);
  const { orgId, userId } = parseIdentityUrl(granted.id);
  const instanceUrl = granted.instance_url.replace(/\/$/, '');
  // Names are for display only: an identity call that fails does not fail the install.
  const identity = await call('identity', granted.id, {
    headers: { authorization: `Bearer ${granted.access_token}`, accept: 'application/json' },
  }).catch(() => undefined);
  const person = identity?.status === 200 ? identityAnswer.safeParse(identity.body) : undefined;
  return {
    tokens: {
      accessToken: granted.access_token,
      refreshToken: granted.refresh_token ?? null,
      accessTokenExpiresAt: null,
    },
    instanceUrl,
    orgId,
    userId,
    ...(person?.success && person.data.username ? { username: person.data.username } : {}),
    scopes: (granted.scope ?? config.scopes.join(' ')).split(/\s+/).filter((scope) => scope.length > 0),
  };
}

/**
 * Refreshes at the installation's instance URL (its My Domain also serves the token endpoint), else
 * at the login URL. With rotation the answer carries a new refresh token; without it the old one stays.
 */
export function salesforceRefresher(config: SalesforceOAuthConfig): Refresher {
  return async (installation, refreshToken) => {
    const answer = await postToken(installation.baseUrl ?? config.loginUrl, {
      grant_type: 'refresh_token',
      refresh_token: refreshToken,
      client_id: config.clientId,
      client_secret: config.clientSecret,
    });
    if (answer.status !== 200) {
      const error = oauthError(answer);
      if (answer.status === 400 && error?.error === 'invalid_grant') {
        return {
          kind: 'revoked',
          reason: `Salesforce refused the refresh token: ${error.error_description ?? error.error} (invalid_grant)`,
        };
      }
      throw failure('token refresh', answer);
    }
    const granted = parseToken('token refresh', answer);
    return {
      kind: 'refreshed',
      tokens: {
        accessToken: granted.access_token,
        refreshToken: granted.refresh_token ?? refreshToken,
        accessTokenExpiresAt: null,
      },
    };
  };
}

/** Revokes a refresh token (and the access tokens it issued) or an access token. An unknown token is not an error. */
export async function revokeSalesforceToken(
  config: SalesforceOAuthConfig,
  instanceUrl: string | null,
  token: string,
): Promise<void> {
  const answer = await call('revoke', url(instanceUrl ?? config.loginUrl, '/services/oauth2/revoke'), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ token }),
  });
  if (answer.status === 200) return;
  if (answer.status === 400 && oauthError(answer)?.error === 'invalid_token') return;
  throw failure('revoke', answer);
}
