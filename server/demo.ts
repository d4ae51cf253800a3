import { setTimeout as sleep } from 'node:timers/promises';
import { and, eq, isNotNull } from 'drizzle-orm';
import { enqueueScore, type Queues } from '../jobs/queues.ts';
import type { Book, CrmBook, Sentiment, SurveyResponse, UsageDay } from '../sandbox/generator/book.ts';
import { crmBook, generateBook } from '../sandbox/generator/generate-book.ts';
import type { LinkedBook } from '../sandbox/generator/linked-book.ts';
import { DEFAULT_PORTALS } from '../sandbox/hubspot/index.ts';
import { createSignedRequest } from '../sandbox/salesforce/canvas.ts';
import { startSandboxes, type RunningSandboxes } from '../sandbox/start-sandboxes.ts';
import { normaliseDomain } from './core/accounts/normalise.ts';
import type { OAuthConfigOverrides } from './crm/oauth-config.ts';
import type { Database } from './platform/db/database.ts';
import {
  insertSentiment,
  insertSurveyResponses,
  matchAccounts,
  upsertUsageDaily,
  type IngestScope,
} from './platform/db/ingest-store.ts';
import { installations, syncState } from './platform/db/schema.ts';
import type { Logger } from './platform/logger.ts';

/**
 * The embedded demo: with no CRM credentials, `npm start` runs the stand-ins and connects a demo
 * portal and a demo org through the same OAuth redirects an admin's browser follows.
 */

const unescapeHtml = (value: string) =>
  value.replace(/&#(\d+);/g, (_m, code: string) => String.fromCharCode(Number(code)));

function hiddenFields(html: string): URLSearchParams {
  const form = new URLSearchParams();
  for (const match of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) {
    form.set(match[1] as string, unescapeHtml(match[2] as string));
  }
  return form;
}

async function submit(action: string, form: URLSearchParams, headers: Record<string, string>): Promise<URL> {
  const answer = await fetch(action, { method: 'POST', body: form, redirect: 'manual', headers });
  const location = answer.headers.get('location');
  if (answer.status !== 302 || !location) {
    throw new Error(`the consent form answered HTTP ${answer.status}: ${(await answer.text()).slice(0, 300)}`);
  }
  return new URL(location, action);
}

async function consentPage(authorizeUrl: string, crm: string): Promise<string> {
  const page = await fetch(authorizeUrl);
  const html = await page.text();
  if (page.status !== 200)
    throw new Error(`the ${crm} consent page answered HTTP ${page.status}: ${html.slice(0, 300)}`);
  return html;
}

/** The HubSpot stand-in's account chooser: picks a portal; resolves to the redirect (our callback with code and state). */
export async function approveHubspotConsent(authorizeUrl: string, portalId: string | number): Promise<URL> {
  const html = await consentPage(authorizeUrl, 'HubSpot');
  const item = html.split('<li>').find((part) => part.includes(`name="portal_id" value="${portalId}"`));
  if (!item) throw new Error(`portal ${portalId} is not offered on the HubSpot consent page`);
  return submit(new URL('/oauth/authorize', authorizeUrl).toString(), hiddenFields(item), {});
}

/** The Salesforce stand-in's "Allow Access?" page: logs in as the first user offered (or `user`, "orgId:userId"). */
export async function approveSalesforceConsent(
  authorizeUrl: string,
  options: { user?: string; decision?: 'allow' | 'deny' } = {},
): Promise<URL> {
  const html = await consentPage(authorizeUrl, 'Salesforce');
  const form = hiddenFields(html);
  const user = options.user ?? /<option value="([^"]+)"/.exec(html)?.[1];
  if (!user) throw new Error('the Salesforce consent page offers no user');
  form.set('user', user);
  form.set('decision', options.decision ?? 'allow');
  return submit(new URL('/services/oauth2/authorize', authorizeUrl).toString(), form, {});
}

export interface DemoSandboxes {
  sandboxes: RunningSandboxes;
  /** The stand-ins' OAuth clients, for oauthConfigFromEnv(env, manifest, overrides). */
  oauth: OAuthConfigOverrides;
  /** The generated book's ingest signals (absent when a CRM-only book was given). */
  signals?: DemoSignals;
  /** A Canvas signed_request for an Account of the demo org, signed as the Salesforce stand-in signs it. */
  signCanvasRequest(input: { consumerSecret: string; orgId: string; recordId: string }): string;
  close(): Promise<void>;
}

export interface StartDemoSandboxesOptions {
  /** Where browsers reach the app: the stand-ins accept its callback URLs as redirect URIs. */
  publicUrl: string;
  /** The book loaded into the demo portal and org; by default a generated one of `accounts` accounts. */
  book?: CrmBook;
  /** Instead of one book in both: one customer base split between the portal and the org (no ingest signals). */
  linkedBook?: LinkedBook;
  accounts?: number;
  seed?: number;
  host?: string;
  /** Fixed ports keep the stand-ins' addresses (and so the stored installations) the same across restarts. */
  hubspotPort?: number;
  salesforcePort?: number;
}

/** Day the generated demo book is "as of": today, so renewals and activity look current. */
const today = () => new Date().toISOString().slice(0, 10);

/** Starts both stand-ins with a book loaded and the app's callbacks registered with their OAuth clients. */
export async function startDemoSandboxes(options: StartDemoSandboxesOptions): Promise<DemoSandboxes> {
  const generated =
    options.book || options.linkedBook
      ? undefined
      : generateBook({ seed: options.seed ?? 42, accounts: options.accounts ?? 300, asOf: today() }).book;
  const sandboxes = await startSandboxes({
    ...(options.linkedBook ? { linkedBook: options.linkedBook } : { book: options.book ?? crmBook(generated!) }),
    hubspotWebhookUrl: new URL('/webhooks/hubspot', options.publicUrl).toString(),
    ...(options.host ? { host: options.host } : {}),
    ...(options.hubspotPort === undefined ? {} : { hubspotPort: options.hubspotPort }),
    ...(options.salesforcePort === undefined ? {} : { salesforcePort: options.salesforcePort }),
  });
  const hubspot = sandboxes.hubspot.sandbox.oauth;
  const salesforce = sandboxes.salesforce.sandbox.oauth;
  // The stand-ins read their client's redirect URIs on every request: registering ours is enough.
  const callback = (provider: string) => new URL(`/oauth/${provider}/callback`, options.publicUrl).toString();
  if (!hubspot.redirectUris.includes(callback('hubspot'))) {
    hubspot.redirectUris = [...hubspot.redirectUris, callback('hubspot')];
  }
  if (!salesforce.redirectUris.includes(callback('salesforce'))) {
    salesforce.redirectUris = [...salesforce.redirectUris, callback('salesforce')];
  }
  return {
    sandboxes,
    oauth: {
      hubspot: {
        clientId: hubspot.clientId,
        clientSecret: hubspot.clientSecret,
        apiBase: sandboxes.hubspot.url,
        authorizeUrl: `${sandboxes.hubspot.url}/oauth/authorize`,
      },
      salesforce: {
        clientId: salesforce.clientId,
        clientSecret: salesforce.clientSecret,
        loginUrl: sandboxes.salesforce.url,
        sandboxLoginUrl: sandboxes.salesforce.url,
      },
    },
    ...(generated ? { signals: demoSignals(generated) } : {}),
    signCanvasRequest({ consumerSecret, orgId, recordId }) {
      const org = sandboxes.salesforce.sandbox.orgs.get(orgId);
      const user = org?.users()[0];
      if (!org || !user) throw new Error(`the Salesforce stand-in has no org ${orgId}`);
      const instanceUrl = sandboxes.salesforce.url;
      return createSignedRequest({
        consumerSecret,
        instanceUrl,
        apiVersion: '66.0',
        org,
        user,
        oauthToken: 'demo',
        recordId,
      });
    },
    close: () => sandboxes.close(),
  };
}

/** A tiny cookie jar: the install flow needs its flow cookie back at the callback, and the session after. */
class CookieJar {
  private readonly cookies = new Map<string, string>();
  take(response: Response): void {
    for (const line of response.headers.getSetCookie()) {
      const pair = line.split(';')[0] ?? '';
      const at = pair.indexOf('=');
      if (at <= 0) continue;
      const name = pair.slice(0, at).trim();
      const value = pair.slice(at + 1).trim();
      if (value === '' || /max-age=0|expires=thu, 01 jan 1970/i.test(line)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }
  header(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }
}

export interface ConnectedInstall {
  installationId: string;
  /** The session cookie header this browser-less client ended with. */
  cookie: string;
}

async function step(url: string, jar: CookieJar, expect: number[]): Promise<Response> {
  const response = await fetch(url, { redirect: 'manual', headers: { cookie: jar.header() } });
  jar.take(response);
  if (!expect.includes(response.status)) {
    throw new Error(
      `${new URL(url).pathname} answered HTTP ${response.status}: ${(await response.text()).slice(0, 300)}`,
    );
  }
  return response;
}

const locationOf = (response: Response, base: string) =>
  new URL(response.headers.get('location') ?? '', base).toString();

/**
 * Connects one CRM through the app's real install flow, as a browser would: the app's start URL
 * (flow cookie set), the stand-in's consent page, the app's callback (session cookie set).
 */
export async function connectThroughOAuth(
  publicUrl: string,
  provider: 'hubspot' | 'salesforce',
  options: { portalId?: string | number; cookie?: string; domain?: 'production' | 'sandbox' } = {},
): Promise<ConnectedInstall> {
  const jar = new CookieJar();
  if (options.cookie)
    jar.take(new Response(null, { headers: options.cookie.split('; ').map((c) => ['set-cookie', c]) }));
  const start =
    provider === 'hubspot' ? '/install/hubspot' : `/install/salesforce?domain=${options.domain ?? 'production'}`;
  const started = await step(new URL(start, publicUrl).toString(), jar, [302]);
  const consent = locationOf(started, publicUrl);
  const callback =
    provider === 'hubspot'
      ? await approveHubspotConsent(consent, options.portalId ?? DEFAULT_PORTALS[0]?.id ?? '')
      : await approveSalesforceConsent(consent);
  const landed = await step(callback.toString(), jar, [303]);
  const page = new URL(locationOf(landed, publicUrl));
  const installationId = /^\/installations\/([^/]+)$/.exec(page.pathname)?.[1];
  if (!installationId) throw new Error(`the callback sent the browser to ${page.pathname}, not an installation page`);
  return { installationId, cookie: jar.header() };
}

export interface SignedIn {
  /** The status and where the app sent the browser: 303 to the dashboard, or 404 with the install-first page. */
  status: number;
  location: string | null;
  /** The cookies this browser-less client ended with (the session, when signed in). */
  cookie: string;
  body: string;
}

/**
 * Signs in through the CRM as a browser would: the app's sign-in start, the stand-in's consent page
 * (a HubSpot portal, or a Salesforce "orgId:userId"), then the app's callback.
 */
export async function signInThroughOAuth(
  publicUrl: string,
  provider: 'hubspot' | 'salesforce',
  options: { portalId?: string | number; user?: string; next?: string } = {},
): Promise<SignedIn> {
  const jar = new CookieJar();
  const start = new URL(provider === 'hubspot' ? '/signin/hubspot' : '/signin/salesforce?domain=production', publicUrl);
  if (options.next !== undefined) start.searchParams.set('next', options.next);
  const started = await step(start.toString(), jar, [302]);
  const consent = locationOf(started, publicUrl);
  const callback =
    provider === 'hubspot'
      ? await approveHubspotConsent(consent, options.portalId ?? DEFAULT_PORTALS[0]?.id ?? '')
      : await approveSalesforceConsent(consent, options.user === undefined ? {} : { user: options.user });
  const landed = await step(callback.toString(), jar, [303, 404]);
  return {
    status: landed.status,
    location: landed.headers.get('location'),
    cookie: jar.header(),
    body: await landed.text(),
  };
}

/**
 * The embedded demo, after the app listens: the demo portal and the demo org connected through the
 * OAuth flow into one workspace (each connect enqueues its first full sync).
 */
export async function connectDemo(
  publicUrl: string,
): Promise<{ hubspot: ConnectedInstall; salesforce: ConnectedInstall }> {
  const hubspot = await connectThroughOAuth(publicUrl, 'hubspot');
  const salesforce = await connectThroughOAuth(publicUrl, 'salesforce', { cookie: hubspot.cookie });
  return { hubspot, salesforce };
}

/** Days of usage the demo stores: enough for every window the default health model reads. */
export const DEMO_USAGE_DAYS = 120;
const DAY_MS = 86_400_000;
const INSERT_CHUNK = 1_000;

/** What the customer's systems would send the ingest API for the generated book. */
export interface DemoSignals {
  /** Book account id → its web domain, the way the ingest items name accounts. */
  domains: Map<string, string>;
  usage: UsageDay[];
  surveys: SurveyResponse[];
  sentiment: Sentiment[];
}

/** The book's last `usageDays` days of usage (up to its as-of day), every survey response and every CSM note. */
export function demoSignals(book: Book, usageDays = DEMO_USAGE_DAYS): DemoSignals {
  const from = new Date(Date.parse(`${book.meta.asOf}T00:00:00Z`) - (usageDays - 1) * DAY_MS)
    .toISOString()
    .slice(0, 10);
  return {
    domains: new Map(book.accounts.map((account) => [account.id, account.domain])),
    usage: book.usage.filter((day) => day.date >= from && day.date <= book.meta.asOf),
    surveys: book.surveys,
    sentiment: book.sentiment,
  };
}

export interface DemoSignalsLoaded {
  installationId: string;
  usageDays: number;
  surveys: number;
  sentiment: number;
  /** Book accounts whose domain names no single account of the installation (not in this CRM, or shared). */
  unmatchedAccounts: number;
}

async function inChunks<T>(
  rows: T[],
  store: (chunk: T[]) => Promise<number>,
  signal: AbortSignal | undefined,
): Promise<number> {
  let stored = 0;
  for (let start = 0; start < rows.length; start += INSERT_CHUNK) {
    // Stopping rolls the whole load back (one transaction), so a restart loads it again in full.
    signal?.throwIfAborted();
    stored += await store(rows.slice(start, start + INSERT_CHUNK));
  }
  return stored;
}

/**
 * Stores the signals for one installation through the ingest API's own store functions, each book
 * account resolved by its normalised domain among the installation's synced accounts. Idempotent:
 * a usage day is replaced only when it changed, a survey or note is kept by its book id.
 */
export async function loadDemoSignals(
  db: Database,
  scope: IngestScope,
  signals: DemoSignals,
  /** Stops the load at the next chunk, rolling it back. */
  stop?: AbortSignal,
): Promise<DemoSignalsLoaded> {
  const domainOf = new Map<string, string>();
  for (const [accountId, domain] of signals.domains) {
    const normalised = normaliseDomain(domain);
    if (normalised !== undefined) domainOf.set(accountId, normalised);
  }
  const found = await matchAccounts(db, scope, [], [...new Set(domainOf.values())]);
  const crmId = new Map<string, string>();
  for (const [accountId, domain] of domainOf) {
    const matches = found.domains.get(domain) ?? [];
    if (matches.length === 1) crmId.set(accountId, matches[0]!);
  }
  const usage = signals.usage.flatMap((day) => {
    const accountExternalId = crmId.get(day.accountId);
    if (accountExternalId === undefined) return [];
    const { date, activeUsers, licences, events, features } = day;
    return [{ accountExternalId, date, activeUsers, licences, events, features }];
  });
  const surveys = signals.surveys.flatMap((survey) => {
    const accountExternalId = crmId.get(survey.accountId);
    if (accountExternalId === undefined) return [];
    const { id, kind, score, verbatim, respondedAt } = survey;
    // The book's contact and CSM ids are not the CRM's: left unknown, as a sender without them would.
    return [
      {
        clientId: id,
        accountExternalId,
        kind,
        score,
        verbatim,
        contactExternalId: null,
        respondedAt: new Date(respondedAt),
      },
    ];
  });
  const sentiment = signals.sentiment.flatMap((entry) => {
    const accountExternalId = crmId.get(entry.accountId);
    if (accountExternalId === undefined) return [];
    const { id, note, recordedAt } = entry;
    return [
      {
        clientId: id,
        accountExternalId,
        sentiment: entry.sentiment,
        note,
        csmExternalId: null,
        recordedAt: new Date(recordedAt),
      },
    ];
  });
  // One transaction: on PGlite, one commit instead of one per statement.
  return db.transaction(async (tx) => ({
    installationId: scope.installationId,
    usageDays: await inChunks(usage, (chunk) => upsertUsageDaily(tx, scope, chunk), stop),
    surveys: await inChunks(surveys, (chunk) => insertSurveyResponses(tx, scope, chunk), stop),
    sentiment: await inChunks(sentiment, (chunk) => insertSentiment(tx, scope, chunk), stop),
    unmatchedAccounts: signals.domains.size - crmId.size,
  }));
}

/**
 * Waits until the installation's first sync has stored its accounts (ingest resolves accounts by
 * domain only among stored ones). False when stopped or out of time.
 */
export async function whenAccountsSynced(
  db: Database,
  scope: IngestScope,
  options: { signal?: AbortSignal; pollMs?: number; timeoutMs?: number } = {},
): Promise<boolean> {
  const deadline = Date.now() + (options.timeoutMs ?? 15 * 60_000);
  while (!options.signal?.aborted && Date.now() < deadline) {
    const [finished] = await db
      .select({ at: syncState.lastFinishedAt })
      .from(syncState)
      .where(
        and(
          eq(syncState.workspaceId, scope.workspaceId),
          eq(syncState.installationId, scope.installationId),
          eq(syncState.objectType, 'accounts'),
          isNotNull(syncState.lastFinishedAt),
        ),
      );
    if (finished) return true;
    try {
      await sleep(options.pollMs ?? 500, undefined, options.signal ? { signal: options.signal } : {});
    } catch {
      return false;
    }
  }
  return false;
}

export interface DemoSignalsOptions {
  /** The app's database: with it, the demo stores the book's usage, surveys and notes once each CRM has synced. */
  db?: Database;
  /** With it, a score of each installation is asked for once its signals are stored. */
  queues?: Queues;
  logger?: Logger;
}

/**
 * For each connected install: wait for its accounts, store the signals, ask for a score. Never
 * rejects (null for an install whose signals were not stored), so nothing needs to wait for it.
 */
export function loadSignalsWhenSynced(
  options: DemoSignalsOptions & { db: Database },
  signals: DemoSignals,
  installationIds: string[],
  signal: AbortSignal,
): Promise<(DemoSignalsLoaded | null)[]> {
  const { db, queues, logger } = options;
  return Promise.all(
    installationIds.map(async (installationId): Promise<DemoSignalsLoaded | null> => {
      try {
        // The install flow's callback named this installation; its workspace comes with it.
        const [row] = await db
          .select({ workspaceId: installations.workspaceId })
          .from(installations)
          .where(eq(installations.id, installationId));
        if (!row) return null;
        const scope = { workspaceId: row.workspaceId, installationId };
        if (!(await whenAccountsSynced(db, scope, { signal }))) return null;
        const started = performance.now();
        const loaded = await loadDemoSignals(db, scope, signals, signal);
        logger?.info({ ...loaded, ms: Math.round(performance.now() - started) }, 'demo signals stored');
        if (queues) await enqueueScore(queues, { ...scope, full: true, reason: 'ingest' });
        return loaded;
      } catch (error) {
        // A demo nicety: scores without these signals are still scores, so this never stops the app.
        if (!signal.aborted) logger?.warn({ err: error, installationId }, 'demo signals could not be stored');
        return null;
      }
    }),
  );
}

export interface RunningDemo extends DemoSandboxes {
  /** Stops waiting for syncs and loading signals (a load in progress rolls back); the stand-ins keep running. */
  stopBackground(): void;
  /**
   * After the app listens at publicUrl: connects the demo portal and org (idempotent: a re-install
   * each start). `queues`, known only once the jobs run, lets the stored signals ask for a score. With a database, `signals` settles once their usage, surveys and notes are stored
   * (null for an install whose signals could not be); it never rejects, and nothing waits for it.
   */
  connect(later?: { queues?: Queues }): Promise<{
    hubspot: ConnectedInstall;
    salesforce: ConnectedInstall;
    signals: Promise<(DemoSignalsLoaded | null)[]>;
  }>;
}

/**
 * `npm start` with no CRM credentials: the stand-ins with a generated book (300 accounts unless
 * told otherwise). Build the app with `oauthConfigFromEnv(env, manifest, demo.oauth)`, listen, then
 * `await demo.connect()`; close the demo on shutdown.
 */
export async function startDemo(options: StartDemoSandboxesOptions & DemoSignalsOptions): Promise<RunningDemo> {
  const sandboxes = await startDemoSandboxes({ accounts: 300, ...options });
  const stop = new AbortController();
  const pending: Promise<unknown>[] = [];
  return {
    ...sandboxes,
    async connect(later = {}) {
      const connected = await connectDemo(options.publicUrl);
      const { db } = options;
      const signals =
        db && sandboxes.signals
          ? loadSignalsWhenSynced(
              { ...options, ...later, db },
              sandboxes.signals,
              [connected.hubspot.installationId, connected.salesforce.installationId],
              stop.signal,
            )
          : Promise.resolve([]);
      pending.push(signals);
      return { ...connected, signals };
    },
    stopBackground() {
      stop.abort();
    },
    async close() {
      // Stop waiting for syncs and let a load in progress roll back before the database closes.
      stop.abort();
      await Promise.all(pending);
      await sandboxes.close();
    },
  };
}
