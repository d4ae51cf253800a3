import express, { type Request, type Response, type Router } from 'express';
import { z } from 'zod';
import type { OrgStore } from './org-store.ts';
import { instanceUrlOf, type SandboxState } from './sandbox-state.ts';
import { s256 } from './sessions.ts';

/**
 * The web-server flow (reference §4.2–§4.3): a consent page, the token endpoint with PKCE and
 * refresh-token rotation, revoke, and the identity URL. OAuth errors are `{error, error_description}`.
 */

const authorizeQuery = z.object({
  response_type: z.string(),
  client_id: z.string(),
  redirect_uri: z.string(),
  state: z.string().optional(),
  scope: z.string().optional(),
  code_challenge: z.string().optional(),
  code_challenge_method: z.string().optional(),
  login_hint: z.string().optional(),
  prompt: z.string().optional(),
  display: z.string().optional(),
});

const consentForm = authorizeQuery.extend({
  user: z.string().regex(/^\w{18}:\w{18}$/),
  decision: z.enum(['allow', 'deny']),
});

const tokenForm = z.discriminatedUnion('grant_type', [
  z.object({
    grant_type: z.literal('authorization_code'),
    code: z.string().min(1),
    client_id: z.string(),
    client_secret: z.string().optional(),
    redirect_uri: z.string(),
    code_verifier: z.string().optional(),
  }),
  z.object({
    grant_type: z.literal('refresh_token'),
    refresh_token: z.string().min(1),
    client_id: z.string(),
    client_secret: z.string().optional(),
  }),
]);

const DEFAULT_SCOPE = 'api refresh_token';

function oauthError(res: Response, error: string, description: string, status = 400): void {
  res.status(status).json({ error, error_description: description });
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

function errorPage(res: Response, error: string, description: string): void {
  res
    .status(400)
    .type('html')
    .send(
      `<!doctype html><title>Error</title><p>error=${escapeHtml(error)}&amp;error_description=${escapeHtml(description)}</p>`,
    );
}

function redirectWith(res: Response, redirectUri: string, params: Record<string, string | undefined>): void {
  const target = new URL(redirectUri);
  for (const [key, value] of Object.entries(params)) if (value !== undefined) target.searchParams.set(key, value);
  res.redirect(302, target.toString());
}

export function oauthRouter(state: SandboxState): Router {
  const router = express.Router();
  const { client } = state.sessions;
  router.use('/services/oauth2', express.urlencoded({ extended: false }));

  /** Checks what can be checked before redirecting anywhere; answers the error page otherwise. */
  const checkAuthorize = (res: Response, input: unknown) => {
    const parsed = authorizeQuery.safeParse(input);
    if (!parsed.success) {
      errorPage(res, 'invalid_request', 'missing required parameter');
      return undefined;
    }
    const params = parsed.data;
    if (params.client_id !== client.clientId) {
      errorPage(res, 'invalid_client_id', 'client identifier invalid');
      return undefined;
    }
    if (!client.redirectUris.includes(params.redirect_uri)) {
      errorPage(res, 'redirect_uri_mismatch', 'redirect_uri must match configuration');
      return undefined;
    }
    if (params.response_type !== 'code') {
      redirectWith(res, params.redirect_uri, {
        error: 'unsupported_response_type',
        error_description: 'response type not supported',
        state: params.state,
      });
      return undefined;
    }
    // Only S256 is accepted; an omitted method is read as S256 (the reference leaves this open).
    if (params.code_challenge !== undefined && (params.code_challenge_method ?? 'S256') !== 'S256') {
      redirectWith(res, params.redirect_uri, {
        error: 'invalid_request',
        error_description: 'invalid code_challenge_method',
        state: params.state,
      });
      return undefined;
    }
    return params;
  };

  router.get('/services/oauth2/authorize', (req, res) => {
    const params = checkAuthorize(res, req.query);
    if (!params) return;
    const hidden = Object.entries(params)
      .filter(([, value]) => value !== undefined)
      .map(([key, value]) => `<input type="hidden" name="${key}" value="${escapeHtml(String(value))}">`)
      .join('');
    const options = [...state.orgs.values()]
      .flatMap((org) =>
        org.users().map((user) => {
          const selected = params.login_hint === user.username ? ' selected' : '';
          const label = `${org.name}: ${user.firstName} ${user.lastName} (${user.username})`;
          return `<option value="${org.id}:${user.id}"${selected}>${escapeHtml(label)}</option>`;
        }),
      )
      .join('');
    res
      .type('html')
      .send(
        `<!doctype html><html><head><title>Allow Access?</title></head><body>` +
          `<h1>Allow Access?</h1><p>Bellwether is asking to access your Salesforce data (${escapeHtml(params.scope ?? DEFAULT_SCOPE)}).</p>` +
          `<form method="post" action="/services/oauth2/authorize">${hidden}` +
          `<label>Log in as <select name="user">${options}</select></label>` +
          `<button name="decision" value="allow">Allow</button><button name="decision" value="deny">Deny</button>` +
          `</form></body></html>`,
      );
  });

  router.post('/services/oauth2/authorize', (req, res) => {
    const params = checkAuthorize(res, req.body);
    if (!params) return;
    const parsed = consentForm.safeParse(req.body);
    if (!parsed.success) {
      errorPage(res, 'invalid_request', 'missing or invalid user or decision');
      return;
    }
    if (parsed.data.decision === 'deny') {
      redirectWith(res, params.redirect_uri, {
        error: 'access_denied',
        error_description: 'end-user denied authorization',
        state: params.state,
      });
      return;
    }
    const [orgId, userId] = parsed.data.user.split(':') as [string, string];
    const org = state.orgs.get(orgId);
    if (!org || !org.users().some((user) => user.id === userId)) {
      errorPage(res, 'invalid_request', 'unknown user');
      return;
    }
    const code = state.sessions.createCode({
      orgId,
      userId,
      redirectUri: params.redirect_uri,
      scope: params.scope ?? DEFAULT_SCOPE,
      codeChallenge: params.code_challenge,
    });
    redirectWith(res, params.redirect_uri, { code, state: params.state });
  });

  router.post('/services/oauth2/token', async (req, res) => {
    const parsed = tokenForm.safeParse(req.body);
    if (!parsed.success) {
      const grantType = (req.body as Record<string, unknown> | undefined)?.grant_type;
      if (typeof grantType === 'string' && grantType !== 'authorization_code' && grantType !== 'refresh_token') {
        oauthError(res, 'unsupported_grant_type', 'grant type not supported');
      } else {
        oauthError(res, 'invalid_request', 'missing required parameter');
      }
      return;
    }
    const form = parsed.data;
    if (form.client_id !== client.clientId) {
      oauthError(res, 'invalid_client_id', 'client identifier invalid');
      return;
    }
    // Confidential clients send the secret; public (PKCE) clients must not, so it is checked when sent.
    if (form.client_secret !== undefined && form.client_secret !== client.clientSecret) {
      oauthError(res, 'invalid_client', 'invalid client credentials');
      return;
    }
    const instanceUrlFor = (org: OrgStore | undefined) => org?.instanceUrl ?? instanceUrlOf(req);
    if (form.grant_type === 'refresh_token') {
      const grantOrg = orgOfToken(state, form.refresh_token);
      if (grantOrg && (await tokenFaultsAnswered(state, grantOrg, res))) return;
      const answer = state.sessions.refresh(form.refresh_token, instanceUrlFor(grantOrg));
      if (!answer) {
        oauthError(res, 'invalid_grant', 'expired access/refresh token');
        return;
      }
      res.json(answer);
      return;
    }
    if (form.client_secret === undefined && form.code_verifier === undefined) {
      oauthError(res, 'invalid_client', 'invalid client credentials');
      return;
    }
    const pending = state.sessions.takeCode(form.code);
    if (!pending) {
      oauthError(res, 'invalid_grant', 'invalid authorization code');
      return;
    }
    if (pending.redirectUri !== form.redirect_uri) {
      oauthError(res, 'invalid_grant', 'redirect_uri must match configuration');
      return;
    }
    if (pending.codeChallenge !== undefined) {
      if (form.code_verifier === undefined) {
        oauthError(res, 'invalid_grant', 'invalid code verifier');
        return;
      }
      if (s256(form.code_verifier) !== pending.codeChallenge) {
        oauthError(res, 'invalid_request', 'invalid code verifier');
        return;
      }
    }
    const org = state.orgs.get(pending.orgId);
    if (org && (await tokenFaultsAnswered(state, org, res))) return;
    const scopes = pending.scope.split(/\s+/);
    const withRefresh =
      scopes.includes('refresh_token') || scopes.includes('offline_access') || scopes.includes('full');
    res.json(state.sessions.issue(pending.orgId, pending.userId, pending.scope, instanceUrlFor(org), withRefresh));
  });

  const revoke = (req: Request, res: Response) => {
    const source: unknown = req.method === 'GET' ? req.query : req.body;
    const parsed = z.object({ token: z.string().min(1) }).safeParse(source);
    if (!parsed.success) {
      oauthError(res, 'unsupported_token_type', 'missing token');
      return;
    }
    if (!state.sessions.revoke(parsed.data.token)) {
      oauthError(res, 'invalid_token', 'invalid token');
      return;
    }
    res.status(200).end();
  };
  router.post('/services/oauth2/revoke', revoke);
  router.get('/services/oauth2/revoke', revoke);

  router.get('/id/:orgId/:userId', (req, res) => {
    const token = bearer(req) ?? (typeof req.query.oauth_token === 'string' ? req.query.oauth_token : undefined);
    const session = token ? state.sessions.use(token) : undefined;
    if (!session) {
      res.status(403).type('text').send('Bad_OAuth_Token');
      return;
    }
    const org = state.orgs.get(req.params.orgId);
    const user = org?.users().find((candidate) => candidate.id === req.params.userId);
    if (!org || !user || org.id !== session.orgId) {
      res.status(404).type('text').send('Bad_Id');
      return;
    }
    res.json(identity(org.instanceUrl ?? instanceUrlOf(req), org, user));
  });

  return router;
}

export function bearer(req: Request): string | undefined {
  const header = req.get('authorization');
  const match = header ? /^(?:Bearer|OAuth)\s+(\S+)$/i.exec(header) : null;
  return match?.[1];
}

function orgOfToken(state: SandboxState, refreshToken: string): OrgStore | undefined {
  const orgId = state.sessions.orgOfRefreshToken(refreshToken);
  return orgId === undefined ? undefined : state.orgs.get(orgId);
}

/**
 * Faults on `oauth.token`: latency delays the answer, server_error answers a 5xx, hang never
 * answers. Salesforce documents no throttling body for its token endpoint, so rate_limit, like the
 * record-level faults, does not apply here.
 */
async function tokenFaultsAnswered(state: SandboxState, org: OrgStore, res: Response): Promise<boolean> {
  for (const fault of state.faults.fire(org.id, 'oauth.token')) {
    if (fault.kind === 'latency') await new Promise((resolve) => setTimeout(resolve, fault.ms));
    if (fault.kind === 'server_error') {
      res.status(fault.status).json({ error: 'server_error', error_description: 'internal server error' });
      return true;
    }
    if (fault.kind === 'hang') return true;
  }
  return false;
}

function identity(instanceUrl: string, org: OrgStore, user: ReturnType<OrgStore['users']>[number]) {
  const base = `${instanceUrl}/services`;
  return {
    id: `${instanceUrl}/id/${org.id}/${user.id}`,
    asserted_user: true,
    user_id: user.id,
    organization_id: org.id,
    username: user.username,
    nick_name: user.username.split('@')[0],
    display_name: `${user.firstName} ${user.lastName}`.trim(),
    email: user.email,
    email_verified: true,
    first_name: user.firstName,
    last_name: user.lastName,
    timezone: 'GMT',
    status: { created_date: null, body: null },
    active: true,
    user_type: 'STANDARD',
    language: 'en_US',
    locale: 'en_US',
    utcOffset: 0,
    urls: {
      rest: `${base}/data/v{version}/`,
      sobjects: `${base}/data/v{version}/sobjects/`,
      search: `${base}/data/v{version}/search/`,
      query: `${base}/data/v{version}/query/`,
      recent: `${base}/data/v{version}/recent/`,
      tooling_rest: `${base}/data/v{version}/tooling/`,
      profile: `${instanceUrl}/${user.id}`,
      custom_domain: instanceUrl,
    },
    is_app_installed: true,
    last_modified_date: new Date(0).toISOString().replace('Z', '+0000'),
  };
}
