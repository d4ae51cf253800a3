import express, { type ErrorRequestHandler, type Express } from 'express';
import type { CrmBook } from '../generator/book.ts';
import { systemClock, type Clock } from '../shared/clock.ts';
import { FaultRegistry, faultAdminRouter } from '../shared/faults.ts';
import { appInstallRouter } from './app-install-routes.ts';
import { associationsRouter } from './associations-routes.ts';
import type { OAuthApp, SandboxContext } from './context.ts';
import { sendError } from './errors.ts';
import { loadBookIntoPortal, type BookIdMap } from './load-book.ts';
import { objectsRouter } from './objects-routes.ts';
import { KNOWN_SCOPES, oauthRouter, portalUser } from './oauth-routes.ts';
import { ownersRouter } from './owners-routes.ts';
import { PortalStore, type PortalInfo } from './portal-store.ts';
import { SEARCH_LIMITS } from './search.ts';
import { propertiesRouter } from './properties-routes.ts';
import { DEFAULT_LIMITS, PortalRateLimiter, type HubspotLimits } from './rate-limits.ts';
import { TokenStore } from './token-store.ts';
import { WebhookDispatcher, type WebhookOptions } from './webhooks.ts';

/**
 * The HubSpot stand-in: CRM v3 objects (companies, contacts, deals, tickets, tasks, notes), search,
 * properties and groups, associations v4, owners, OAuth, app uninstall and outgoing webhooks, with
 * HubSpot's limits and error bodies, state in memory per portal.
 *
 * Route names for faults (tenant = portal id): crm.objects.{list,get,create,update,archive,search},
 * crm.objects.batch.{read,create,update,archive}, crm.properties.{list,get,create,update},
 * crm.properties.groups.{list,get,create}, crm.associations.{list,create,createDefault,archive},
 * crm.associations.batch.{read,create,createDefault,archive}, crm.owners.{list,get},
 * appinstalls.uninstall, oauth.token (tenant = the refresh token's portal, else "*").
 */

export type { BookIdMap } from './load-book.ts';
export type { HubspotLimits } from './rate-limits.ts';
export type { WebhookOptions } from './webhooks.ts';
export type { PortalStore } from './portal-store.ts';
export type { OAuthApp } from './context.ts';
export type { WebhookDispatcher } from './webhooks.ts';
export type { PortalRateLimiter } from './rate-limits.ts';

export interface HubspotSandboxOptions {
  clock?: Clock;
  limits?: Partial<HubspotLimits>;
  faults?: FaultRegistry;
  oauth?: Partial<OAuthApp>;
  accessTokenTtlSeconds?: number;
  webhooks?: WebhookOptions;
  /** How long a write takes to show in search results (real HubSpot: a few seconds, up to ~30 s); default 0. */
  searchIndexLagMs?: number;
  /** Results one search query may page through; HubSpot's 10,000 unless a test lowers it. */
  searchResultCap?: number;
  /** Portals to create; by default a demo portal and a second one, so the consent page offers a choice. */
  portals?: { id: number; name: string; domain?: string }[];
}

export interface IssuedTokens {
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
}

export interface HubspotSandbox {
  /** Mount at the root of its own server; `@hubspot/api-client`'s `basePath` points there. */
  app: Express;
  portals: ReadonlyMap<string, PortalStore>;
  faults: FaultRegistry;
  oauth: OAuthApp;
  limiter: PortalRateLimiter;
  webhooks: WebhookDispatcher | undefined;
  /** Loads a book into a portal's store directly (no HTTP, no limits); returns book id → HubSpot id. */
  loadBook(portalId: number | string, book: CrmBook): BookIdMap;
  /** Installs the app on a portal without the browser step, as the consent page would. */
  issueTokens(portalId: number | string, scopes?: readonly string[]): IssuedTokens;
  /** Every access token of the portal expires now (refresh tokens stay valid). */
  expireAccessTokens(portalId: number | string): void;
  /** Stops webhook timers. */
  close(): void;
}

export const DEFAULT_PORTALS = [
  { id: 1000001, name: 'Bellwether demo', domain: 'bellwether-demo.example.com' },
  { id: 1000002, name: 'Bellwether second portal', domain: 'bellwether-second.example.com' },
];

export const DEFAULT_OAUTH: OAuthApp = {
  clientId: 'bellwether-sandbox-client-id',
  clientSecret: 'bellwether-sandbox-client-secret',
  redirectUris: ['http://localhost:3000/oauth/hubspot/callback'],
  appId: 424242,
};

export function createHubspotSandbox(options: HubspotSandboxOptions = {}): HubspotSandbox {
  const clock = options.clock ?? systemClock;
  const oauth: OAuthApp = { ...DEFAULT_OAUTH, ...options.oauth };
  const faults = options.faults ?? new FaultRegistry();
  const portals = new Map<string, PortalStore>();
  for (const portal of options.portals ?? DEFAULT_PORTALS) {
    const info: PortalInfo = {
      id: portal.id,
      name: portal.name,
      domain: portal.domain ?? `portal-${portal.id}.example.com`,
    };
    portals.set(String(portal.id), new PortalStore(info, clock.now(), options.searchIndexLagMs ?? 0));
  }
  const tokens = new TokenStore(clock, options.accessTokenTtlSeconds ?? 1800);
  const limiter = new PortalRateLimiter({ ...DEFAULT_LIMITS, ...options.limits }, clock);
  const webhooks = options.webhooks ? new WebhookDispatcher(options.webhooks, oauth.appId, clock) : undefined;
  const ctx: SandboxContext = {
    clock,
    portals,
    tokens,
    limiter,
    faults,
    oauth,
    webhooks,
    searchResultCap: options.searchResultCap ?? SEARCH_LIMITS.results,
  };

  const app = express();
  app.disable('x-powered-by');
  app.use('/_sandbox/faults', faultAdminRouter(faults));
  app.use(oauthRouter(ctx));
  app.use(objectsRouter(ctx));
  app.use(propertiesRouter(ctx));
  app.use(associationsRouter(ctx));
  app.use(ownersRouter(ctx));
  app.use(appInstallRouter(ctx));
  app.use((req, res) => {
    sendError(res, 404, 'OBJECT_NOT_FOUND', `No route for ${req.method} ${req.path}`);
  });
  const onError: ErrorRequestHandler = (error: unknown, _req, res, next) => {
    if (res.headersSent) {
      next(error);
      return;
    }
    // Body-parser failures (malformed JSON, a body too large) carry their HTTP status.
    const status = typeof error === 'object' && error !== null ? (error as { status?: unknown }).status : undefined;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      const message = error instanceof Error ? error.message : 'invalid request';
      sendError(res, status, 'VALIDATION_ERROR', `Invalid input JSON: ${message}`);
      return;
    }
    sendError(res, 500, 'INTERNAL_ERROR', 'internal error');
  };
  app.use(onError);

  function portalOf(portalId: number | string): PortalStore {
    const portal = portals.get(String(portalId));
    if (!portal) throw new Error(`no portal ${portalId} in this sandbox`);
    return portal;
  }

  return {
    app,
    portals,
    faults,
    oauth,
    limiter,
    webhooks,
    loadBook: (portalId, book) => loadBookIntoPortal(portalOf(portalId), book, clock.now()),
    issueTokens(portalId, scopes = [...KNOWN_SCOPES]) {
      const portal = portalOf(portalId);
      const grant = tokens.issue({
        portalId: String(portal.info.id),
        clientId: oauth.clientId,
        scopes: [...scopes],
        ...portalUser(portal),
      });
      return {
        accessToken: grant.token,
        refreshToken: grant.refreshToken,
        expiresIn: Math.round((grant.expiresAt - clock.now()) / 1000),
      };
    },
    expireAccessTokens: (portalId) => tokens.expireAccessTokens(String(portalOf(portalId).info.id)),
    close: () => webhooks?.close(),
  };
}
