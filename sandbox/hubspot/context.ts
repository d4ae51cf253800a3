import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { Clock } from '../shared/clock.ts';
import type { Fault, FaultRegistry } from '../shared/faults.ts';
import { errorBody, sendError } from './errors.ts';
import type { PortalStore } from './portal-store.ts';
import type { PortalRateLimiter, RequestKind } from './rate-limits.ts';
import { rateLimitBody } from './rate-limits.ts';
import type { TokenStore } from './token-store.ts';
import { requiredScopes } from './scopes.ts';
import type { WebhookDispatcher } from './webhooks.ts';

export interface OAuthApp {
  clientId: string;
  clientSecret: string;
  redirectUris: readonly string[];
  appId: number;
}

/** What every route reads: the portals, tokens, limits, faults and clock of one sandbox. */
export interface SandboxContext {
  clock: Clock;
  portals: Map<string, PortalStore>;
  tokens: TokenStore;
  limiter: PortalRateLimiter;
  faults: FaultRegistry;
  oauth: OAuthApp;
  webhooks: WebhookDispatcher | undefined;
  /** Results any one search query may page through (HubSpot: 10,000); tests lower it to reach the cap cheaply. */
  searchResultCap: number;
}

/** Set on `res.locals` by the CRM pipeline for the handler. */
export interface CallLocals {
  portal: PortalStore;
  route: string;
  /** short_page fault: the most records a page may hold. */
  pageCap?: number;
  /** partial_batch fault: the share of batch inputs to fail. */
  failShare?: number;
}

export function locals(res: Response): CallLocals {
  return res.locals as CallLocals;
}

function bearer(req: Request): string | undefined {
  const header = req.headers.authorization;
  if (!header) return undefined;
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  return match?.[1];
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * The chain every authenticated CRM call goes through: bearer token, then the faults switched on for
 * the portal and route, then the portal's rate limits. `kind` says which bucket the call spends.
 */
export function crmCall(
  ctx: SandboxContext,
  route: string,
  kind: RequestKind,
  handler: RequestHandler,
): RequestHandler[] {
  const authenticate: RequestHandler = (req, res, next) => {
    const token = bearer(req);
    if (!token) {
      sendError(
        res,
        401,
        'INVALID_AUTHENTICATION',
        'Authentication credentials not found. This API supports OAuth 2.0 authentication and you can find more details at https://developers.hubspot.com/docs/methods/auth/oauth-overview',
      );
      return;
    }
    const grant = ctx.tokens.accessGrant(token);
    const portal = grant ? ctx.portals.get(grant.portalId) : undefined;
    if (!grant || !portal) {
      sendError(res, 401, 'INVALID_AUTHENTICATION', 'The OAuth token used to make this call is invalid.');
      return;
    }
    const fired = ctx.faults.fire(grant.portalId, route);
    const now = ctx.clock.now();
    const expired = grant.expiresAt <= now || fired.some((fault) => fault.kind === 'token_expiry');
    if (expired) {
      const expiredAt = Math.min(grant.expiresAt, now);
      sendError(
        res,
        401,
        'EXPIRED_AUTHENTICATION',
        `The OAuth token used to make this call expired ${Math.floor((now - expiredAt) / 1000)} second(s) ago.`,
        { context: { 'expire time': [new Date(expiredAt).toISOString()] } },
      );
      return;
    }
    const needed = requiredScopes(route, req);
    if (needed && !needed.some((scope) => grant.scopes.includes(scope))) {
      sendError(
        res,
        403,
        'MISSING_SCOPES',
        "This app hasn't been granted all required scopes to make this call. Read more about required scopes here: https://developers.hubspot.com/scopes.",
        {
          errors: [
            {
              message: 'One or more of the following scopes are required.',
              context: { requiredGranularScopes: needed },
            },
          ],
        },
      );
      return;
    }
    const call: CallLocals = { portal, route };
    Object.assign(res.locals, call);
    void applyFaults(fired, req, res, next, portal.info.id);
  };

  const limit: RequestHandler = (_req, res, next) => {
    const portalId = String(locals(res).portal.info.id);
    const admission = ctx.limiter.admit(portalId, kind);
    res.set(admission.headers);
    if (!admission.allowed) {
      res.status(429).json(admission.body);
      return;
    }
    next();
  };

  return [authenticate, limit, handler];
}

/** Answers the first fault that ends the request, waits out latency, flags page/batch faults; otherwise next(). */
export async function applyFaults(
  fired: Fault[],
  _req: Request,
  res: Response,
  next: NextFunction,
  portalId: number,
): Promise<void> {
  for (const fault of fired) {
    switch (fault.kind) {
      case 'hang':
        // Accept and never answer: the client's own timeout has to save it.
        return;
      case 'latency':
        await sleep(fault.ms);
        break;
      case 'rate_limit':
        res.status(429).json(rateLimitBody('TEN_SECONDLY_ROLLING', String(portalId)));
        return;
      case 'server_error':
        res
          .status(fault.status)
          .json(errorBody('INTERNAL_ERROR', 'internal error', { subCategory: 'sandbox.injected' }));
        return;
      case 'short_page':
        locals(res).pageCap = fault.size;
        break;
      case 'partial_batch':
        locals(res).failShare = fault.rate;
        break;
      case 'token_expiry':
        break;
    }
  }
  next();
}
