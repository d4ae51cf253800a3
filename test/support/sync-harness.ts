import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Express } from 'express';
import { Redis } from 'ioredis';
import type { CrmBook } from '../../sandbox/generator/book.ts';
import type { LinkedBook } from '../../sandbox/generator/linked-book.ts';
import { loadLinkedBook, type LinkedTruth } from '../../sandbox/load-linked-book.ts';
import {
  createHubspotSandbox,
  DEFAULT_PORTALS,
  type HubspotSandbox,
  type HubspotSandboxOptions,
} from '../../sandbox/hubspot/index.ts';
import type { BookIdMap } from '../../sandbox/hubspot/load-book.ts';
import type { SalesforceIdMap } from '../../sandbox/salesforce/load-book.ts';
import {
  createSalesforceSandbox,
  type SalesforceSandbox,
  type SalesforceSandboxOptions,
} from '../../sandbox/salesforce/salesforce-sandbox.ts';
import { ManualClock } from '../../sandbox/shared/clock.ts';
import { createCallGate, type CallGateOptions } from '../../server/crm/call-gate.ts';
import { createConnectionFactory } from '../../server/crm/connections.ts';
import { refreshersFor } from '../../server/crm/oauth-config.ts';
import { createAdapters, type AdapterOverrides, type Adapters } from '../../server/crm/registry.ts';
import { createTokenService, type TokenService } from '../../server/crm/token-service.ts';
import { createSealer } from '../../server/platform/crypto.ts';
import type { DatabaseHandle } from '../../server/platform/db/database.ts';
import {
  createWorkspace,
  installationRepository,
  type Installation,
  type InstallationRepository,
} from '../../server/platform/db/installations.ts';
import { mappingRepository } from '../../server/platform/db/mappings.ts';
import { syncStore } from '../../server/platform/db/sync-store.ts';
import { loadManifest, type Manifest } from '../../server/platform/manifest.ts';
import { createRateLimiter, type RateLimiter } from '../../server/platform/rate-limit.ts';
import { MANIFEST_FILE } from '../../server/platform/runtime.ts';
import type { SyncDeps } from '../../jobs/sync/run-sync.ts';
import { silentLogger } from './databases.ts';
import { TEST_REDIS_URL } from './redis.ts';

/**
 * Both stand-ins on loopback, one portal and one org installed in a fresh workspace by issuing
 * tokens directly (no browser), and everything `runSync` needs against them. The stand-ins and the
 * adapters share a manual clock (advance it to let time pass for windows, expiry and deletes).
 * Every request the stand-ins receive is counted, CRM API calls apart from token calls.
 */

export const HARNESS_GENEROUS_LIMITS = { perTenSeconds: 1_000_000, searchPerSecond: 1_000_000, daily: 100_000_000 };

export interface StandInCounters {
  /** CRM API requests (everything but OAuth). */
  api: number;
  /** Token endpoint requests (refreshes). */
  token: number;
  /** Requests by path without the query, for a closer look. */
  byPath: Map<string, number>;
}

export interface RunningStandIn<S> {
  sandbox: S;
  url: string;
  counters: StandInCounters;
}

export interface SyncHarnessOptions {
  db: DatabaseHandle;
  /** Loaded into the portal and the org before they are installed. */
  book?: CrmBook;
  /** Instead of `book`: one customer base split between the two CRMs as HubSpot's Salesforce connector leaves it. */
  linkedBook?: LinkedBook;
  hubspot?: HubspotSandboxOptions;
  salesforce?: SalesforceSandboxOptions;
  /** Shared by both stand-ins and the adapters; starts at the current time by default. */
  clock?: ManualClock;
  adapters?: AdapterOverrides;
  /** The per-installation rate-limit gate (LIMITS' createCallGate); off unless given. */
  gate?: Partial<Omit<CallGateOptions, 'limiter' | 'provider' | 'installationId' | 'redis'>>;
  /** HubSpot access token lifetime in the stand-in (default 1,800 s). */
  accessTokenTtlSeconds?: number;
  /** The key tokens are sealed with (a worker process of the test must be given the same one). */
  encryptionKey?: Buffer;
}

export interface SyncHarness {
  clock: ManualClock;
  manifest: Manifest;
  hubspot: RunningStandIn<HubspotSandbox> & { portalId: number; ids: BookIdMap | undefined };
  salesforce: RunningStandIn<SalesforceSandbox> & { orgId: string; ids: SalesforceIdMap | undefined };
  /** With `linkedBook`: which records are the same customer (for judging the product only). */
  linkedTruth: LinkedTruth | undefined;
  workspaceId: string;
  installations: { hubspot: Installation; salesforce: Installation };
  repository: InstallationRepository;
  tokens: TokenService;
  adapters: Adapters;
  limiter: RateLimiter;
  /** A Redis connection of the harness's own (locks, rate limits). */
  redis: Redis;
  deps: SyncDeps;
  /** Sets every counter back to zero. */
  resetCounters(): void;
  close(): Promise<void>;
}

function counting(app: Express, counters: StandInCounters, isToken: (path: string) => boolean) {
  const server = createServer(app);
  server.prependListener('request', (req: IncomingMessage) => {
    const path = (req.url ?? '').split('?')[0] ?? '';
    if (path.startsWith('/_sandbox')) return;
    if (isToken(path)) counters.token++;
    else counters.api++;
    counters.byPath.set(path, (counters.byPath.get(path) ?? 0) + 1);
  });
  return server;
}

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const emptyCounters = (): StandInCounters => ({ api: 0, token: 0, byPath: new Map() });

export async function createSyncHarness(options: SyncHarnessOptions): Promise<SyncHarness> {
  const clock = options.clock ?? new ManualClock(Date.now());
  const manifest = loadManifest(MANIFEST_FILE);
  const hubspotSandbox = createHubspotSandbox({
    clock,
    limits: HARNESS_GENEROUS_LIMITS,
    ...(options.accessTokenTtlSeconds === undefined ? {} : { accessTokenTtlSeconds: options.accessTokenTtlSeconds }),
    ...options.hubspot,
  });
  const salesforceSandbox = createSalesforceSandbox({ clock, ...options.salesforce });
  const portalId = (options.hubspot?.portals?.[0] ?? DEFAULT_PORTALS[0])!.id;
  const orgId = salesforceSandbox.defaultOrg.id;
  if (options.book && options.linkedBook) throw new Error('give the harness a book or a linked book, not both');
  const linked = options.linkedBook
    ? loadLinkedBook(hubspotSandbox, salesforceSandbox, portalId, orgId, options.linkedBook)
    : undefined;
  const hubspotIds = options.book ? hubspotSandbox.loadBook(portalId, options.book) : linked?.hubspot;
  const salesforceIds = options.book ? salesforceSandbox.loadBook(orgId, options.book) : linked?.salesforce;

  const hubspotCounters = emptyCounters();
  const salesforceCounters = emptyCounters();
  const hubspotServer = counting(hubspotSandbox.app, hubspotCounters, (path) => path.startsWith('/oauth'));
  const salesforceServer = counting(salesforceSandbox.app, salesforceCounters, (path) =>
    path.startsWith('/services/oauth2'),
  );
  const hubspotUrl = await listen(hubspotServer);
  const salesforceUrl = await listen(salesforceServer);

  const { db } = options.db;
  const redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: 1 });
  const sealer = createSealer(options.encryptionKey ?? randomBytes(32));
  const repository = installationRepository(db, sealer);
  const workspace = await createWorkspace(db, `Sync harness ${randomBytes(3).toString('hex')}`);

  const hubspotTokens = hubspotSandbox.issueTokens(portalId);
  const hubspotInstallation = await repository.install({
    workspaceId: workspace.id,
    provider: 'hubspot',
    externalId: String(portalId),
    displayName: 'Harness portal',
    baseUrl: hubspotUrl,
    scopes: [...manifest.crms.hubspot.scopes.required, ...manifest.crms.hubspot.scopes.optional],
    tokens: {
      accessToken: hubspotTokens.accessToken,
      refreshToken: hubspotTokens.refreshToken,
      accessTokenExpiresAt: new Date(clock.now() + hubspotTokens.expiresIn * 1000),
    },
  });
  const session = salesforceSandbox.issueSession({ instanceUrl: salesforceUrl, withRefreshToken: true });
  const salesforceInstallation = await repository.install({
    workspaceId: workspace.id,
    provider: 'salesforce',
    externalId: orgId,
    displayName: 'Harness org',
    baseUrl: salesforceUrl,
    scopes: session.scope.split(' '),
    tokens: {
      accessToken: session.access_token,
      refreshToken: session.refresh_token ?? null,
      accessTokenExpiresAt: null,
    },
  });

  const tokens = createTokenService({
    installations: repository,
    redis,
    now: () => clock.now(),
    refreshers: refreshersFor({
      hubspot: {
        clientId: hubspotSandbox.oauth.clientId,
        clientSecret: hubspotSandbox.oauth.clientSecret,
        apiBase: hubspotUrl,
        authorizeUrl: `${hubspotUrl}/oauth/authorize`,
        scopes: {
          required: [...manifest.crms.hubspot.scopes.required],
          optional: [...manifest.crms.hubspot.scopes.optional],
        },
      },
      salesforce: {
        clientId: salesforceSandbox.oauth.clientId,
        clientSecret: salesforceSandbox.oauth.clientSecret,
        loginUrl: salesforceUrl,
        sandboxLoginUrl: salesforceUrl,
        scopes: [...manifest.crms.salesforce.scopes.required],
      },
    }),
  });
  const adapters = createAdapters(manifest, {
    ...options.adapters,
    hubspot: { now: () => clock.now(), indexLagMs: 1_000, ...options.adapters?.hubspot },
    salesforce: { now: () => clock.now(), ...options.adapters?.salesforce },
  });
  const limiter = createRateLimiter(redis);
  const gate = options.gate;
  const connections = createConnectionFactory(
    gate === undefined
      ? { tokens }
      : {
          tokens,
          gate: (installation) =>
            createCallGate({
              lastApiUsage: () => adapters.salesforce.apiUsage(installation.id),
              ...gate,
              limiter,
              provider: installation.provider,
              installationId: installation.id,
              redis,
            }),
        },
  );
  const deps: SyncDeps = {
    db,
    installations: repository,
    store: syncStore(db),
    mappings: mappingRepository(db),
    adapters,
    connections,
    logger: silentLogger,
  };

  const close = async (server: Server) =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });

  return {
    clock,
    manifest,
    hubspot: { sandbox: hubspotSandbox, url: hubspotUrl, counters: hubspotCounters, portalId, ids: hubspotIds },
    salesforce: {
      sandbox: salesforceSandbox,
      url: salesforceUrl,
      counters: salesforceCounters,
      orgId,
      ids: salesforceIds,
    },
    linkedTruth: linked?.truth,
    workspaceId: workspace.id,
    installations: { hubspot: hubspotInstallation, salesforce: salesforceInstallation },
    repository,
    tokens,
    adapters,
    limiter,
    redis,
    deps,
    resetCounters() {
      for (const counters of [hubspotCounters, salesforceCounters]) {
        counters.api = 0;
        counters.token = 0;
        counters.byPath.clear();
      }
    },
    async close() {
      hubspotSandbox.close();
      await Promise.all([close(hubspotServer), close(salesforceServer)]);
      redis.disconnect();
    },
  };
}
