import { z } from 'zod';
import type { InstallationTokens } from '../../platform/db/installations.ts';
import { CrmError } from '../errors.ts';
import type { Refresher } from '../token-service.ts';

/**
 * HubSpot's OAuth: the consent URL, the code exchange (then the token's metadata for the portal id
 * and domain), refreshes for the token service, and the app uninstalling itself from a portal.
 * Every answer is parsed with zod; every failure leaves as a CrmError.
 */

export interface HubspotOAuthConfig {
  clientId: string;
  clientSecret: string;
  /** The API and token endpoint base (https://api.hubapi.com, or the stand-in). */
  apiBase: string;
  /** Where admins consent (https://app.hubspot.com/oauth/authorize). */
  authorizeUrl: string;
  scopes: { required: string[]; optional: string[] };
}

export const HUBSPOT_PUBLIC_API_BASE = 'https://api.hubapi.com';
export const HUBSPOT_PUBLIC_AUTHORIZE_URL = 'https://app.hubspot.com/oauth/authorize';

const TIMEOUT_MS = 15_000;

const tokenAnswer = z.object({
  access_token: z.string().min(1),
  refresh_token: z.string().min(1),
  expires_in: z.number().int().nonnegative(),
});

const tokenInfo = z.object({
  hub_id: z.union([z.number().int(), z.string().regex(/^\d+$/)]).transform(String),
  hub_domain: z.string().optional(),
  scopes: z.array(z.string()),
});

/** HubSpot's token endpoint errors: `{status, message}` and, lately, the OAuth pair as well. */
const errorBody = z.object({
  status: z.string().optional(),
  message: z.string().optional(),
  category: z.string().optional(),
  error: z.string().optional(),
  error_description: z.string().optional(),
});
type ErrorBody = z.infer<typeof errorBody>;

const url = (base: string, path: string) => `${base.replace(/\/$/, '')}${path}`;

export function hubspotAuthorizeUrl(config: HubspotOAuthConfig, input: { state: string; redirectUri: string }): string {
  const target = new URL(config.authorizeUrl);
  target.searchParams.set('client_id', config.clientId);
  target.searchParams.set('redirect_uri', input.redirectUri);
  target.searchParams.set('scope', config.scopes.required.join(' '));
  if (config.scopes.optional.length > 0) target.searchParams.set('optional_scope', config.scopes.optional.join(' '));
  target.searchParams.set('state', input.state);
  return target.toString();
}

interface Answer {
  status: number;
  body: unknown;
  retryAfter: string | null;
}

async function call(what: string, target: string, init: RequestInit): Promise<Answer> {
  let response: Response;
  try {
    response = await fetch(target, { ...init, signal: AbortSignal.timeout(TIMEOUT_MS) });
  } catch (error) {
    throw new CrmError('TEMPORARY', `HubSpot ${what}: no answer (${(error as Error).message})`, { cause: error });
  }
  const text = await response.text();
  let body: unknown;
  if (text.length > 0) {
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined;
    }
  }
  return { status: response.status, body, retryAfter: response.headers.get('retry-after') };
}

function describe(body: ErrorBody): string {
  const parts = [body.message ?? body.error_description, body.status ?? body.error].filter(Boolean);
  return parts.length > 0 ? `${parts[0]}${parts[1] ? ` (${parts[1]})` : ''}` : 'no error details';
}

/** Errors other than "this grant is no good", which each caller words itself. */
function failure(what: string, answer: Answer): CrmError {
  const parsed = errorBody.safeParse(answer.body);
  const detail = parsed.success ? describe(parsed.data) : 'unreadable answer';
  const message = `HubSpot ${what} failed with HTTP ${answer.status}: ${detail}`;
  if (answer.status === 429) {
    const seconds = Number(answer.retryAfter);
    return new CrmError('RATE_LIMITED', message, {
      status: 429,
      retryAfterMs: Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : 10_000,
    });
  }
  if (answer.status >= 500) return new CrmError('TEMPORARY', message, { status: answer.status });
  if (answer.status === 401) return new CrmError('UNAUTHORIZED', message, { status: 401 });
  if (answer.status === 403) return new CrmError('MISSING_SCOPE', message, { status: 403 });
  if (answer.status === 404) return new CrmError('NOT_FOUND', message, { status: 404 });
  return new CrmError('VALIDATION', message, { status: answer.status });
}

function parseOk<T>(what: string, schema: z.ZodType<T>, answer: Answer): T {
  const parsed = schema.safeParse(answer.body);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((issue) => `${issue.path.join('.') || '(body)'} ${issue.message}`);
    throw new CrmError('UNKNOWN', `HubSpot ${what} answered an unexpected body: ${issues.join('; ')}`);
  }
  return parsed.data;
}

const isBadGrant = (answer: Answer): ErrorBody | undefined => {
  if (answer.status !== 400) return undefined;
  const parsed = errorBody.safeParse(answer.body);
  if (!parsed.success) return undefined;
  const { status, error } = parsed.data;
  const bad =
    status === 'BAD_AUTH_CODE' ||
    status === 'BAD_REFRESH_TOKEN' ||
    status === 'BAD_REDIRECT_URI' ||
    error === 'invalid_grant';
  return bad ? parsed.data : undefined;
};

const postForm = (config: HubspotOAuthConfig, fields: Record<string, string>) =>
  call('token request', url(config.apiBase, '/oauth/v1/token'), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
    body: new URLSearchParams(fields),
  });

const tokensOf = (answer: z.infer<typeof tokenAnswer>, now: number): InstallationTokens => ({
  accessToken: answer.access_token,
  refreshToken: answer.refresh_token,
  accessTokenExpiresAt: new Date(now + answer.expires_in * 1000),
});

export async function exchangeHubspotCode(
  config: HubspotOAuthConfig,
  input: { code: string; redirectUri: string },
): Promise<{ tokens: InstallationTokens; portalId: string; hubDomain: string; scopes: string[] }> {
  const answer = await postForm(config, {
    grant_type: 'authorization_code',
    client_id: config.clientId,
    client_secret: config.clientSecret,
    redirect_uri: input.redirectUri,
    code: input.code,
  });
  const bad = isBadGrant(answer);
  if (bad) {
    throw new CrmError('VALIDATION', `HubSpot refused the authorization code: ${describe(bad)}`, { status: 400 });
  }
  if (answer.status !== 200) throw failure('code exchange', answer);
  const granted = parseOk('code exchange', tokenAnswer, answer);
  const tokens = tokensOf(granted, Date.now());

  // The token answer's hub_id is optional in the spec; the metadata endpoint always names the portal.
  const infoAnswer = await call(
    'token metadata',
    url(config.apiBase, `/oauth/v1/access-tokens/${encodeURIComponent(granted.access_token)}`),
    { headers: { accept: 'application/json' } },
  );
  if (infoAnswer.status !== 200) throw failure('token metadata', infoAnswer);
  const info = parseOk('token metadata', tokenInfo, infoAnswer);
  return {
    tokens,
    portalId: info.hub_id,
    hubDomain: info.hub_domain ?? `portal ${info.hub_id}`,
    scopes: info.scopes,
  };
}

/** The token service's refresher: a refused refresh token is "revoked" (uninstalled or access withdrawn). */
export function hubspotRefresher(config: HubspotOAuthConfig): Refresher {
  return async (_installation, refreshToken) => {
    const answer = await postForm(config, {
      grant_type: 'refresh_token',
      client_id: config.clientId,
      client_secret: config.clientSecret,
      refresh_token: refreshToken,
    });
    const bad = isBadGrant(answer);
    if (bad) return { kind: 'revoked', reason: `HubSpot refused the refresh token: ${describe(bad)}` };
    if (answer.status !== 200) throw failure('token refresh', answer);
    return { kind: 'refreshed', tokens: tokensOf(parseOk('token refresh', tokenAnswer, answer), Date.now()) };
  };
}

/** The app removes itself from the portal; every token of the portal stops working. */
export async function uninstallHubspotApp(config: HubspotOAuthConfig, accessToken: string): Promise<void> {
  const answer = await call('uninstall', url(config.apiBase, '/appinstalls/v3/external-install'), {
    method: 'DELETE',
    headers: { authorization: `Bearer ${accessToken}`, accept: 'application/json' },
  });
  if (answer.status === 204 || answer.status === 200) return;
  throw failure('uninstall', answer);
}
