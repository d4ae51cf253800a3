import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { SalesforceApiError, invalidSession, notFound, sendApiError } from './errors.ts';
import type { OrgStore } from './org-store.ts';
import { bearer } from './oauth-routes.ts';
import type { SandboxState } from './sandbox-state.ts';

/**
 * What runs before every REST handler, in Salesforce's order: the API version, the session
 * (401 INVALID_SESSION_ID), the org's API allowance over a rolling 24 h (403 REQUEST_LIMIT_EXCEEDED, not counted),
 * `Sforce-Limit-Info` on the answer, then the faults switched on for the org and route.
 *
 * Fault mapping: Salesforce has no 429 for REST limits, so `rate_limit` answers the transient
 * 403 REQUEST_LIMIT_EXCEEDED of the concurrent-request limit; `server_error` answers 500
 * UNKNOWN_EXCEPTION or 503 SERVER_UNAVAILABLE; `token_expiry` ends every session of the org and
 * answers 401; `short_page` and `partial_batch` are left for the query and collection handlers.
 */

export interface ApiContext {
  org: OrgStore;
  userId: string;
  apiVersion: string;
  /** Cap on query batch size from a short_page fault. */
  shortPage: number | undefined;
  /** Per-record failure share from a partial_batch fault. */
  partialBatch: number | undefined;
}

const contexts = new WeakMap<Request, ApiContext>();

export function contextOf(req: Request): ApiContext {
  const context = contexts.get(req);
  if (!context) throw new Error('api guard did not run');
  return context;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Wraps a handler: errors thrown as SalesforceApiError become their wire body. */
export function handle(fn: (req: Request, res: Response) => void | Promise<void>): RequestHandler {
  return (req, res, next) => {
    Promise.resolve()
      .then(() => fn(req, res))
      .catch((error: unknown) => {
        if (error instanceof SalesforceApiError) sendApiError(res, error);
        else next(error);
      });
  };
}

export function apiGuard(state: SandboxState, route: string): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    void guard(state, route, req, res).then(
      (passed) => {
        if (passed) next();
      },
      (error: unknown) => next(error),
    );
  };
}

async function guard(state: SandboxState, route: string, req: Request, res: Response): Promise<boolean> {
  const version = /^v(\d+\.\d)$/.exec(String(req.params.version))?.[1];
  if (!version) {
    sendApiError(res, notFound());
    return false;
  }
  const header = req.get('authorization');
  const token = bearer(req);
  if (header !== undefined && token === undefined) {
    sendApiError(res, new SalesforceApiError(401, 'INVALID_AUTH_HEADER', 'INVALID_HEADER_TYPE'));
    return false;
  }
  const session = token ? state.sessions.use(token) : undefined;
  const org = session ? state.orgs.get(session.orgId) : undefined;
  if (!session || !org) {
    sendApiError(res, invalidSession());
    return false;
  }

  const faults = state.faults.fire(org.id, route);
  if (faults.some((fault) => fault.kind === 'token_expiry')) {
    state.sessions.expireOrgSessions(org.id);
    sendApiError(res, invalidSession());
    return false;
  }

  const admission = state.allowance.take(org.id);
  res.set('Sforce-Limit-Info', `api-usage=${state.allowance.count(org.id)}/${state.allowance.limit}`);
  res.type('application/json;charset=UTF-8');
  if (!admission.allowed) {
    sendApiError(res, new SalesforceApiError(403, 'REQUEST_LIMIT_EXCEEDED', 'TotalRequests Limit exceeded.'));
    return false;
  }

  let shortPage: number | undefined;
  let partialBatch: number | undefined;
  for (const fault of faults) {
    switch (fault.kind) {
      case 'hang':
        // Accept the request and never answer; the client's timeout is what is under test.
        return false;
      case 'latency':
        await sleep(fault.ms);
        break;
      case 'server_error':
        sendApiError(
          res,
          fault.status === 503
            ? new SalesforceApiError(
                503,
                'SERVER_UNAVAILABLE',
                'Server is temporarily unavailable. Please try again later.',
              )
            : new SalesforceApiError(
                fault.status,
                'UNKNOWN_EXCEPTION',
                'An unexpected error occurred. Please include this ErrorId if you contact support: 1234567890-12345 (-1234567890)',
              ),
        );
        return false;
      case 'rate_limit':
        sendApiError(
          res,
          new SalesforceApiError(403, 'REQUEST_LIMIT_EXCEEDED', 'ConcurrentPerOrgLongTxn Limit exceeded.'),
        );
        return false;
      case 'short_page':
        shortPage = Math.min(shortPage ?? Infinity, fault.size);
        break;
      case 'partial_batch':
        partialBatch = fault.rate;
        break;
      case 'token_expiry':
        break;
    }
  }
  contexts.set(req, { org, userId: session.userId, apiVersion: version, shortPage, partialBatch });
  return true;
}
