import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createQueues, type Queues } from '../../../jobs/queues.ts';
import { runSync, SYNC_OBJECTS, type SyncSummary } from '../../../jobs/sync/run-sync.ts';
import type { CrmBook } from '../../../sandbox/generator/book.ts';
import { crmBook, generateBook } from '../../../sandbox/generator/generate-book.ts';
import { oauthConfigFromEnv } from '../../../server/crm/oauth-config.ts';
import { connectThroughOAuth } from '../../../server/demo.ts';
import { createApp } from '../../../server/http/app.ts';
import { createSealer } from '../../../server/platform/crypto.ts';
import type { DatabaseHandle } from '../../../server/platform/db/database.ts';
import { NORMALISED_TABLES } from '../../../server/platform/db/sync-store.ts';
import { parseEnv } from '../../../server/platform/env.ts';
import { silentLogger, testDatabases } from '../../support/databases.ts';
import { dropPrefix, uniquePrefix } from '../../support/redis.ts';
import { createSyncHarness, type SyncHarness } from '../../support/sync-harness.ts';
import { differences, liveRawRecords, summarise } from './convergence.ts';

/**
 * Acceptance 1, end to end against the stand-ins: a generated book of 10,000 accounts with their
 * owners, contacts, deals and tickets (about 211,000 records in each CRM) in the demo portal and the
 * demo org, both connected through the app's OAuth redirects, then a full sync of each. For every
 * object type the app's live ids, mapped values and associations equal the stand-in's, and the
 * normalised tables hold one row per live raw record, linked to the same account. The stand-ins'
 * limits are generous and no gate runs: speed is `npm run bench:sync`'s job. Postgres when
 * DATABASE_URL is set (quicker at this size), else PGlite. On two cores the file takes about 90 s on
 * Postgres and 120 s on PGlite alone, 110 s and 180 s beside the rest of the integration project;
 * most of it is the two syncs, which run at the same time.
 */

const ACCOUNTS = 10_000;
const databases = testDatabases();
const database = databases.find((candidate) => candidate.name === 'postgres') ?? databases[0]!;
const startedAt = performance.now();
const seconds = (from: number) => ((performance.now() - from) / 1000).toFixed(1);

let book: CrmBook;
let handle: DatabaseHandle;
let h: SyncHarness;
let server: Server | undefined;
let queues: Queues | undefined;
const prefix = uniquePrefix();
type Provider = 'hubspot' | 'salesforce';
let syncs: Promise<Record<Provider, { summary: SyncSummary; seconds: string }>> | undefined;

/** Both full syncs at once (the first test to ask starts them): the stand-ins and the database overlap. */
function fullSyncs() {
  const run = async (provider: Provider) => {
    const at = performance.now();
    const installation = h.installations[provider];
    const summary = await runSync(h.deps, {
      workspaceId: installation.workspaceId,
      installationId: installation.id,
      mode: 'full',
    });
    return { summary, seconds: seconds(at) };
  };
  syncs ??= Promise.all([run('hubspot'), run('salesforce')]).then(([hubspot, salesforce]) => ({ hubspot, salesforce }));
  return syncs;
}

/** The app's install routes on the harness's database, sealer key and stand-ins, as the process entry wires them. */
async function startApp(encryptionKey: Buffer): Promise<string> {
  server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const hubspot = h.hubspot.sandbox.oauth;
  const salesforce = h.salesforce.sandbox.oauth;
  // The stand-ins read their client's redirect URIs on every request: registering the app's is enough.
  hubspot.redirectUris = [...hubspot.redirectUris, `${url}/oauth/hubspot/callback`];
  salesforce.redirectUris = [...salesforce.redirectUris, `${url}/oauth/salesforce/callback`];
  queues = createQueues(h.redis, prefix);
  const oauth = oauthConfigFromEnv(parseEnv({}, '/tmp'), h.manifest, {
    hubspot: {
      clientId: hubspot.clientId,
      clientSecret: hubspot.clientSecret,
      apiBase: h.hubspot.url,
      authorizeUrl: `${h.hubspot.url}/oauth/authorize`,
    },
    salesforce: {
      clientId: salesforce.clientId,
      clientSecret: salesforce.clientSecret,
      loginUrl: h.salesforce.url,
      sandboxLoginUrl: h.salesforce.url,
    },
  });
  const app = createApp({
    logger: silentLogger,
    version: '0.0.0-test',
    bodyLimit: '100kb',
    readiness: {},
    install: {
      db: handle.db,
      sealer: createSealer(encryptionKey),
      queues,
      installations: h.repository,
      oauth,
      publicUrl: url,
    },
  });
  server.on('request', app);
  return url;
}

/** Whether the stand-in accepts an access token (an introspection, or a one-row query). */
async function accepted(provider: Provider, accessToken: string): Promise<boolean> {
  if (provider === 'hubspot') return (await fetch(`${h.hubspot.url}/oauth/v1/access-tokens/${accessToken}`)).ok;
  const versions = (await (await fetch(`${h.salesforce.url}/services/data`)).json()) as { url: string }[];
  const answer = await fetch(`${h.salesforce.url}${versions.at(-1)!.url}/query?q=SELECT+Id+FROM+Account+LIMIT+1`, {
    headers: { authorization: `Bearer ${accessToken}` },
  });
  return answer.ok;
}

/**
 * The harness connects the portal and the org by issuing tokens directly. Those grants (refresh
 * tokens with their access tokens) are revoked at the stand-ins and both are connected again
 * through the app's redirects, so every call of the sync runs on tokens the OAuth flow obtained.
 */
async function revokeHarnessGrants(): Promise<void> {
  for (const provider of ['hubspot', 'salesforce'] as const) {
    const tokens = await h.repository.tokens(h.workspaceId, h.installations[provider].id);
    const revoked =
      provider === 'hubspot'
        ? await fetch(`${h.hubspot.url}/oauth/v1/refresh-tokens/${tokens!.refreshToken!}`, { method: 'DELETE' })
        : await fetch(`${h.salesforce.url}/services/oauth2/revoke`, {
            method: 'POST',
            body: new URLSearchParams({ token: tokens!.refreshToken! }),
          });
    expect(revoked.ok).toBe(true);
    expect(await accepted(provider, tokens!.accessToken)).toBe(false);
  }
}

beforeAll(async () => {
  handle = await database.open();
  await handle.migrate();
  let at = performance.now();
  book = crmBook(generateBook({ seed: 7, accounts: ACCOUNTS, asOf: '2026-11-01' }).book);
  const generated = seconds(at);
  at = performance.now();
  const encryptionKey = randomBytes(32);
  h = await createSyncHarness({ db: handle, book, encryptionKey });
  console.info(
    `full book on ${database.name}: ${book.owners.length} owners, ${book.accounts.length} accounts, ` +
      `${book.contacts.length} contacts, ${book.deals.length} deals, ${book.tickets.length} tickets; ` +
      `generated in ${generated} s, loaded into both stand-ins in ${seconds(at)} s`,
  );
  await revokeHarnessGrants();
  const appUrl = await startApp(encryptionKey);
  const portal = await connectThroughOAuth(appUrl, 'hubspot', { portalId: h.hubspot.portalId });
  const org = await connectThroughOAuth(appUrl, 'salesforce', { cookie: portal.cookie });
  expect([portal.installationId, org.installationId]).toEqual([
    h.installations.hubspot.id,
    h.installations.salesforce.id,
  ]);
}, 120_000);

afterAll(async () => {
  if (server) {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server!.close(() => resolve()));
  }
  await queues?.close();
  await h?.close();
  await handle?.close();
  await database.cleanup();
  await dropPrefix(prefix);
  console.info(`full book: file done in ${seconds(startedAt)} s`);
});

describe('both installs went through the OAuth redirects', () => {
  it.each(['hubspot', 'salesforce'] as const)(
    '%s: one workspace, active, holding the tokens the redirects obtained',
    async (provider) => {
      const installation = h.installations[provider];
      const stored = await h.repository.findByExternalId(provider, installation.externalId);
      expect(stored).toMatchObject({ id: installation.id, workspaceId: h.workspaceId, status: 'active' });
      const tokens = await h.repository.tokens(h.workspaceId, installation.id);
      // The harness's grants are revoked: an access token the stand-in accepts came from the redirects.
      // (Not a refresh: that would rotate Salesforce's refresh token under the sync.)
      expect(await accepted(provider, tokens!.accessToken)).toBe(true);
    },
  );
});

describe.each(['hubspot', 'salesforce'] as const)('a full sync of the %s book', (provider) => {
  it('stores every live record of every object with the stand-in ids, mapped values and associations', async () => {
    const { summary, seconds: synced } = (await fullSyncs())[provider];
    expect(summary.skipped).toBeUndefined();
    expect(summary.objects.map((o) => o.objectType)).toEqual([...SYNC_OBJECTS]);

    const checkedAt = performance.now();
    const diffs = await differences(h, handle.db, provider);
    expect(summarise(diffs)).toEqual({});
    const records = Object.fromEntries(summary.objects.map((o) => [o.objectType, o.records]));
    expect(records.accounts).toBeGreaterThanOrEqual(ACCOUNTS);
    expect(records.contacts).toBeGreaterThanOrEqual(book.contacts.length);
    expect(records.deals).toBeGreaterThanOrEqual(book.deals.length);
    expect(records.tickets).toBeGreaterThanOrEqual(book.tickets.length);
    const total = summary.objects.reduce((sum, o) => sum + o.records, 0);
    console.info(
      `${provider}: full sync of ${total} records (${JSON.stringify(records)}) in ${synced} s (both CRMs at once), ` +
        `${summary.calls} calls; set equality checked in ${seconds(checkedAt)} s`,
    );
  }, 300_000);

  it('links every normalised contact, deal and ticket to the account its raw record is associated with', async () => {
    await fullSyncs();
    const key = { workspaceId: h.workspaceId, installationId: h.installations[provider].id };
    for (const object of ['contacts', 'deals', 'tickets'] as const) {
      const raw = await liveRawRecords(handle.db, key, object);
      const table = NORMALISED_TABLES[object];
      const normalised = await handle.db
        .select({ id: table.externalId, account: table.accountExternalId })
        .from(table)
        .where(
          and(
            eq(table.workspaceId, key.workspaceId),
            eq(table.installationId, key.installationId),
            eq(table.archived, false),
          ),
        );
      const accountOf = new Map(normalised.map((row) => [row.id, row.account]));
      const wrong = raw
        .filter((row) => {
          const linked = row.associations.accounts ?? [];
          const account = accountOf.get(row.id);
          return account === undefined || (linked.length === 0 ? account !== null : !linked.includes(account ?? ''));
        })
        .map((row) => `${row.id}: ${String(accountOf.get(row.id))} ∉ [${(row.associations.accounts ?? []).join(',')}]`);
      expect({ object, wrong: wrong.slice(0, 5), count: wrong.length }).toEqual({ object, wrong: [], count: 0 });
      expect(normalised.length).toBe(raw.length);
      // The book's people and deals all belong to an account: a link lost on the way would show here.
      expect(normalised.filter((row) => row.account === null).length).toBe(0);
    }
  });
});
