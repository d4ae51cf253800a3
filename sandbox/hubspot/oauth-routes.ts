import { randomUUID } from 'node:crypto';
import express, { type Response, type Router } from 'express';
import { z } from 'zod';
import { applyFaults, type SandboxContext } from './context.ts';
import { sendError } from './errors.ts';
import type { PortalStore } from './portal-store.ts';
import type { AccessGrant, RefreshGrant } from './token-store.ts';

/**
 * OAuth: the consent page (`/oauth/authorize`, listing the portals), the form-encoded token endpoint
 * (`/oauth/v1/token`, authorization_code and refresh_token) and token metadata. Route names for
 * faults: `oauth.token`, `oauth.access-token`, `oauth.refresh-token`.
 */

export const KNOWN_SCOPES = new Set([
  'oauth',
  'crm.objects.companies.read',
  'crm.objects.companies.write',
  'crm.objects.contacts.read',
  'crm.objects.contacts.write',
  'crm.objects.deals.read',
  'crm.objects.deals.write',
  'crm.objects.owners.read',
  'tickets',
  'crm.schemas.companies.read',
  'crm.schemas.companies.write',
  'crm.schemas.contacts.read',
  'crm.schemas.contacts.write',
  'crm.schemas.deals.read',
  'crm.schemas.deals.write',
  'crm.schemas.tickets.read',
  'crm.schemas.tickets.write',
  'crm.objects.custom.read',
  'crm.objects.custom.write',
]);

const scopeList = z
  .string()
  .optional()
  .transform((text) => (text ?? '').split(/[\s+]+/).filter((scope) => scope.length > 0));

const authorizeQuery = z.object({
  client_id: z.string().min(1),
  redirect_uri: z.string().min(1),
  scope: scopeList,
  optional_scope: scopeList,
  state: z.string().optional(),
});

const consentForm = authorizeQuery.extend({
  portal_id: z.string().regex(/^\d+$/),
  scope: z.string(),
  optional_scope: z.string().optional(),
});

const tokenForm = z.object({
  grant_type: z.string().optional(),
  client_id: z.string().optional(),
  client_secret: z.string().optional(),
  code: z.string().optional(),
  redirect_uri: z.string().optional(),
  refresh_token: z.string().optional(),
});

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

function errorPage(res: Response, message: string): void {
  res
    .status(400)
    .type('html')
    .send(
      `<!doctype html><html><head><title>Authorization error</title></head><body><h1>Authorization error</h1><p>${escapeHtml(message)}</p></body></html>`,
    );
}

/** The v1 token endpoint's error body: a status code word, a message, and the OAuth error pair. */
function tokenError(res: Response, status: string, message: string, error: string): void {
  res.status(400).json({ status, message, correlationId: randomUUID(), error, error_description: message });
}

/** How both token-metadata answers open: the token, the user it was issued to and their portal. */
function tokenHolder(grant: RefreshGrant, portal: PortalStore) {
  return {
    token: grant.token,
    user: grant.userEmail,
    hub_domain: portal.info.domain,
    scopes: grant.scopes,
    hub_id: portal.info.id,
  };
}

export function portalUser(portal: PortalStore) {
  return { userId: portal.info.id + 5_000_000, userEmail: `admin@${portal.info.domain}` };
}

export function oauthRouter(ctx: SandboxContext): Router {
  const router = express.Router();
  const form = express.urlencoded({ extended: false });

  function checkAuthorize(query: z.infer<typeof authorizeQuery>): string | undefined {
    if (query.client_id !== ctx.oauth.clientId) return `Unknown client_id ${query.client_id}.`;
    if (!ctx.oauth.redirectUris.includes(query.redirect_uri)) {
      return `The redirect_uri ${query.redirect_uri} does not match any redirect URL of this app.`;
    }
    if (query.scope.length === 0) return 'The scope parameter is required.';
    const unknown = [...query.scope, ...query.optional_scope].find((scope) => !KNOWN_SCOPES.has(scope));
    if (unknown) return `Invalid scope: ${unknown}.`;
    return undefined;
  }

  router.get('/oauth/authorize', (req, res) => {
    const parsed = authorizeQuery.safeParse(req.query);
    if (!parsed.success) {
      errorPage(
        res,
        `Invalid authorization request: ${parsed.error.issues.map((issue) => `${issue.path.join('.')} ${issue.message}`).join('; ')}`,
      );
      return;
    }
    const problem = checkAuthorize(parsed.data);
    if (problem) {
      errorPage(res, problem);
      return;
    }
    const hidden = Object.entries({
      client_id: parsed.data.client_id,
      redirect_uri: parsed.data.redirect_uri,
      scope: parsed.data.scope.join(' '),
      optional_scope: parsed.data.optional_scope.join(' '),
      state: parsed.data.state ?? '',
    })
      .map(([name, value]) => `<input type="hidden" name="${name}" value="${escapeHtml(value)}">`)
      .join('');
    const choices = [...ctx.portals.values()]
      .map(
        (portal) =>
          `<li><form method="post" action="/oauth/authorize">${hidden}<input type="hidden" name="portal_id" value="${portal.info.id}"><button type="submit">${escapeHtml(portal.info.name)} (${portal.info.id})</button></form></li>`,
      )
      .join('');
    res
      .type('html')
      .send(
        `<!doctype html><html><head><title>Choose an account</title></head><body><h1>Choose an account</h1><p>The app asks for: ${escapeHtml(parsed.data.scope.join(', '))}</p><ul>${choices}</ul></body></html>`,
      );
  });

  router.post('/oauth/authorize', form, (req, res) => {
    const parsed = consentForm.safeParse(req.body);
    if (!parsed.success) {
      errorPage(res, 'Invalid consent form.');
      return;
    }
    const query = authorizeQuery.parse({ ...parsed.data });
    const problem = checkAuthorize(query);
    const portal = ctx.portals.get(parsed.data.portal_id);
    if (problem || !portal) {
      errorPage(res, problem ?? `Unknown account ${parsed.data.portal_id}.`);
      return;
    }
    const code = ctx.tokens.createCode({
      portalId: parsed.data.portal_id,
      clientId: query.client_id,
      redirectUri: query.redirect_uri,
      scopes: [...query.scope, ...query.optional_scope],
    });
    const target = new URL(query.redirect_uri);
    target.searchParams.set('code', code);
    if (query.state) target.searchParams.set('state', query.state);
    res.redirect(302, target.toString());
  });

  router.post(
    '/oauth/v1/token',
    form,
    (req, res, next) => {
      const fields = tokenForm.safeParse(req.body ?? {});
      const refreshToken = fields.success ? fields.data.refresh_token : undefined;
      const tenant = refreshToken === undefined ? undefined : ctx.tokens.refreshGrant(refreshToken)?.portalId;
      void applyFaults(ctx.faults.fire(tenant ?? '*', 'oauth.token'), req, res, next, Number(tenant ?? 0));
    },
    (req, res) => {
      const parsed = tokenForm.safeParse(req.body ?? {});
      const body = parsed.success ? parsed.data : {};
      if (body.grant_type !== 'authorization_code' && body.grant_type !== 'refresh_token') {
        tokenError(
          res,
          'BAD_GRANT_TYPE',
          'grant_type must be authorization_code or refresh_token',
          'unsupported_grant_type',
        );
        return;
      }
      if (body.client_id !== ctx.oauth.clientId) {
        tokenError(res, 'BAD_CLIENT_ID', 'missing or unknown client id', 'invalid_client');
        return;
      }
      if (body.client_secret !== ctx.oauth.clientSecret) {
        tokenError(res, 'BAD_CLIENT_SECRET', 'missing or invalid client secret', 'invalid_client');
        return;
      }
      let grant: AccessGrant | undefined;
      if (body.grant_type === 'authorization_code') {
        if (!body.redirect_uri || !ctx.oauth.redirectUris.includes(body.redirect_uri)) {
          tokenError(
            res,
            'BAD_REDIRECT_URI',
            'redirect_uri does not match the one used in the authorization request',
            'invalid_request',
          );
          return;
        }
        const code = body.code ? ctx.tokens.redeemCode(body.code, body.client_id, body.redirect_uri) : undefined;
        const portal = code && ctx.portals.get(code.portalId);
        if (!code || !portal) {
          tokenError(res, 'BAD_AUTH_CODE', 'missing or unknown auth code', 'invalid_grant');
          return;
        }
        grant = ctx.tokens.issue({
          portalId: code.portalId,
          clientId: code.clientId,
          scopes: code.scopes,
          ...portalUser(portal),
        });
      } else {
        grant = body.refresh_token ? ctx.tokens.refreshAccess(body.refresh_token, body.client_id) : undefined;
        if (!grant) {
          tokenError(res, 'BAD_REFRESH_TOKEN', 'missing or unknown refresh token', 'invalid_grant');
          return;
        }
      }
      res.json({
        token_type: 'bearer',
        refresh_token: grant.refreshToken,
        access_token: grant.token,
        expires_in: Math.max(0, Math.round((grant.expiresAt - ctx.clock.now()) / 1000)),
        token_use: 'access_token',
        hub_id: Number(grant.portalId),
        user_id: grant.userId,
        scopes: grant.scopes,
      });
    },
  );

  router.get('/oauth/v1/access-tokens/:token', (req, res) => {
    const grant = ctx.tokens.accessGrant(req.params.token);
    const now = ctx.clock.now();
    const portal = grant && ctx.portals.get(grant.portalId);
    if (!grant || !portal || grant.expiresAt <= now) {
      sendError(res, 404, 'OBJECT_NOT_FOUND', 'access token not found or expired');
      return;
    }
    res.json({
      ...tokenHolder(grant, portal),
      app_id: ctx.oauth.appId,
      expires_in: Math.round((grant.expiresAt - now) / 1000),
      user_id: grant.userId,
      token_type: 'access',
      is_private_distribution: false,
    });
  });

  router.get('/oauth/v1/refresh-tokens/:token', (req, res) => {
    const grant = ctx.tokens.refreshGrant(req.params.token);
    const portal = grant && ctx.portals.get(grant.portalId);
    if (!grant || !portal) {
      sendError(res, 404, 'OBJECT_NOT_FOUND', 'refresh token not found');
      return;
    }
    res.json({
      ...tokenHolder(grant, portal),
      client_id: grant.clientId,
      user_id: grant.userId,
      token_type: 'refresh',
    });
  });

  router.delete('/oauth/v1/refresh-tokens/:token', (req, res) => {
    if (ctx.tokens.deleteRefresh(req.params.token)) res.status(204).end();
    else sendError(res, 404, 'OBJECT_NOT_FOUND', 'refresh token not found');
  });

  return router;
}
