import type { Request } from 'express';
import type { Queues } from '../../../jobs/queues.ts';
import type { Database } from '../../platform/db/database.ts';
import {
  dashboardStore,
  type BookAccount,
  type DashboardStore,
  type ForecastRow,
} from '../../platform/db/dashboard-store.ts';
import type { Installation } from '../../platform/db/installations.ts';
import type { InstallationKey } from '../../platform/db/sync-store.ts';
import { viewerActor } from '../ingest/keys.ts';
import { installationFor } from '../install/access.ts';
import { readSession } from '../install/cookies.ts';
import type { InstallContext } from '../install/deps.ts';
import { readCache, type ReadCache } from './read-cache.ts';

/** What the dashboard API needs; access is the install flow's, so it exists only with `install`. */
export interface DashboardDeps {
  db: Database;
  /** Saving analytics settings asks for the figures again; without queues they wait for the daily run. */
  queues?: Queues;
  /** Off: every request reads the database (what `bench:dashboard --no-cache` measures). */
  cache?: boolean;
}

export interface DashboardContext {
  db: Database;
  queues: Queues | undefined;
  store: DashboardStore;
  install: InstallContext;
  now: () => number;
  /** The book and owners' names, read at most every BOOK_TTL_MS per installation. */
  books: ReadCache<{ book: BookAccount[]; names: Map<string, string | null>; readAt: number }>;
  /** The forecast rows of the run that wrote them (keyed by its time). */
  forecasts: ReadCache<ForecastRow[]>;
  /**
   * Serialised JSON answers by view and filters, while what they were made from is unchanged (the
   * settings version, the book read, the snapshot's time): the same morning view costs one computation.
   */
  answers: ReadCache<string>;
}

/** How stale the portfolio and team views may be: a score run's changes show within this. */
export const BOOK_TTL_MS = 30_000;
const FORECAST_TTL_MS = 10 * 60_000;
const CACHED_INSTALLATIONS = 16;
const CACHED_ANSWERS = 256;

/** The answers cache's key of a view with its filters. */
export const answerKey = (view: string, key: InstallationKey, filters: object) =>
  `${key.installationId}|${view}|${JSON.stringify(filters)}`;

export function dashboardContext(deps: DashboardDeps, install: InstallContext): DashboardContext {
  const now = install.now;
  const ttl = (ms: number) => (deps.cache === false ? 0 : ms);
  return {
    db: deps.db,
    queues: deps.queues,
    store: dashboardStore(deps.db),
    install,
    now,
    books: readCache({ ttlMs: ttl(BOOK_TTL_MS), maxEntries: CACHED_INSTALLATIONS, now }),
    forecasts: readCache({ ttlMs: ttl(FORECAST_TTL_MS), maxEntries: CACHED_INSTALLATIONS, now }),
    answers: readCache({ ttlMs: ttl(BOOK_TTL_MS), maxEntries: CACHED_ANSWERS, now }),
  };
}

/** The installation's current customers and owners' names, from the cache when fresh. */
export function bookOf(ctx: DashboardContext, key: InstallationKey) {
  return ctx.books.get(key.installationId, '', async () => {
    const [book, names] = await Promise.all([ctx.store.book(key), ctx.store.ownerNames(key)]);
    return { book, names, readAt: ctx.now() };
  });
}

const CRM = { hubspot: 'HubSpot', salesforce: 'Salesforce' } as const;

/** The installation the caller may see (404 otherwise), its key, and the caller's name for audit. */
export async function callerOf(
  req: Request,
  ctx: DashboardContext,
): Promise<{ installation: Installation; key: InstallationKey; actor: string }> {
  const { installation, viewer } = await installationFor(req, ctx.install, req.params.id);
  const user = viewer.kind === 'session' ? readSession(req, ctx.install.cookies)?.user : undefined;
  return {
    installation,
    key: { workspaceId: installation.workspaceId, installationId: installation.id },
    // A user who signed in through the CRM is named; a session from installing is the workspace's.
    actor: user ? `${CRM[user.provider]} user ${user.email ?? user.name ?? user.userId}` : viewerActor(viewer),
  };
}
