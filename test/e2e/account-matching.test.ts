import { once } from 'node:events';
import { mkdir } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureWebBuilt } from '../../extension-ui/web/build.ts';
import { count } from '../../extension-ui/web/src/format.ts';
import { createQueues, type Queues } from '../../jobs/queues.ts';
import { buildJobServices } from '../../jobs/sync/services.ts';
import { startWorkers, type RunningWorkers } from '../../jobs/worker.ts';
import { crmBook, generateBook } from '../../sandbox/generator/generate-book.ts';
import { linkBook } from '../../sandbox/generator/linked-book.ts';
import { accountMatchesSchema, type AccountMatches } from '../../server/contracts/account-matching.ts';
import { oauthConfigFromEnv } from '../../server/crm/oauth-config.ts';
import { connectThroughOAuth, startDemoSandboxes, type DemoSandboxes } from '../../server/demo.ts';
import { createApp } from '../../server/http/app.ts';
import { SESSION_COOKIE } from '../../server/http/install/cookies.ts';
import { createSealer } from '../../server/platform/crypto.ts';
import type { DatabaseHandle } from '../../server/platform/db/database.ts';
import { installationRepository } from '../../server/platform/db/installations.ts';
import { parseEnv } from '../../server/platform/env.ts';
import { loadManifest } from '../../server/platform/manifest.ts';
import {
  createProducerConnection,
  createWorkerConnection,
  whenReady,
  type Redis,
} from '../../server/platform/redis.ts';
import { MANIFEST_FILE } from '../../server/platform/runtime.ts';
import { launchChromium } from '../support/browser.ts';
import { silentLogger, testDatabases } from '../support/databases.ts';
import { dropPrefix, TEST_REDIS_URL, uniquePrefix } from '../support/redis.ts';

/**
 * One workspace that connects the demo portal and the demo org, loaded with one customer base split
 * between them the way HubSpot's Salesforce connector leaves it. The workers sync both CRMs and
 * match their accounts; in Chromium, the admin's "Account matching" tab shows the API's counts, and
 * confirming a proposed pair links it by hand once the matching run it starts has saved.
 */

const RESULTS_DIR = path.resolve(import.meta.dirname, '../../bench/results');
const database = testDatabases()[0]!;

let server: Server;
let url: string;
let handle: DatabaseHandle;
let redis: Redis;
let workerConnection: Redis;
let prefix: string;
let queues: Queues;
let demo: DemoSandboxes;
let workers: RunningWorkers;
let browser: Browser;
let page: Page;
let hubspotId: string;
let cookie: string;

const matchesPath = () => `/api/installations/${hubspotId}/account-matches`;

async function matches(): Promise<AccountMatches> {
  const response = await fetch(`${url}${matchesPath()}`, { headers: { cookie } });
  expect(response.status).toBe(200);
  return accountMatchesSchema.parse(await response.json());
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 120_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = await probe();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`${what} did not happen within ${timeoutMs} ms`);
    await sleep(500);
  }
}

beforeAll(async () => {
  server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const [opened, webDistDir] = await Promise.all([database.open(), ensureWebBuilt({ quiet: true })]);
  handle = opened;
  await handle.migrate();
  redis = createProducerConnection(TEST_REDIS_URL, silentLogger);
  await whenReady(redis);
  prefix = uniquePrefix();
  queues = createQueues(redis, prefix);
  const sealer = createSealer(randomBytes(32));
  const installations = installationRepository(handle.db, sealer);
  const book = crmBook(generateBook({ seed: 3, accounts: 120, asOf: '2026-11-01' }).book);
  demo = await startDemoSandboxes({ publicUrl: url, linkedBook: linkBook(book, { seed: 9 }) });
  const manifest = loadManifest(MANIFEST_FILE);
  const env = parseEnv({}, '/tmp');
  server.on(
    'request',
    createApp({
      logger: silentLogger,
      version: '0.0.0-test',
      bodyLimit: '1mb',
      readiness: {},
      install: {
        db: handle.db,
        sealer,
        queues,
        installations,
        oauth: oauthConfigFromEnv(env, manifest, demo.oauth),
        publicUrl: url,
      },
      warnings: { db: handle.db },
      dashboard: { db: handle.db, queues, webDistDir },
    }),
  );
  workerConnection = createWorkerConnection(TEST_REDIS_URL, silentLogger);
  workers = startWorkers({
    db: handle.db,
    connection: workerConnection,
    prefix,
    concurrency: 2,
    logger: silentLogger,
    services: buildJobServices(
      { env, database: handle, producer: redis, manifest, sealer, logger: silentLogger },
      queues,
      { oauth: demo.oauth },
    ),
  });
  // One browser connects HubSpot, then Salesforce into the same workspace.
  const hubspot = await connectThroughOAuth(url, 'hubspot', { portalId: 1000001 });
  const salesforce = await connectThroughOAuth(url, 'salesforce', { cookie: hubspot.cookie });
  hubspotId = hubspot.installationId;
  cookie = salesforce.cookie;
  browser = await launchChromium();
  const context = await browser.newContext({ viewport: { width: 1440, height: 1000 } });
  const session = cookie
    .split('; ')
    .map((pair) => pair.split('='))
    .find(([name]) => name === SESSION_COOKIE);
  await context.addCookies([{ name: SESSION_COOKIE, value: session![1]!, url }]);
  page = await context.newPage();
  await mkdir(RESULTS_DIR, { recursive: true });
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await workers?.close();
  workerConnection?.disconnect();
  server?.closeAllConnections();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  await demo?.close();
  await queues?.close();
  redis?.disconnect();
  await handle?.close();
  await database.cleanup();
  if (prefix) await dropPrefix(prefix);
});

describe('account matching in the admin pages', () => {
  it('shows the counts per rule the API answers, and links a proposed pair by hand', async () => {
    // Both syncs must have finished: every company and Account is matched or left unmatched.
    const first = await until('the first matching of both CRMs', async () => {
      const body = await matches();
      if (body.status !== 'ready') return undefined;
      const seen = body.counts.connector_id + body.counts.domain + body.counts.proposed;
      return seen >= 100 ? body : undefined;
    });
    if (first.status !== 'ready') throw new Error('not ready');
    expect(first.counts.connector_id).toBeGreaterThan(0);
    expect(first.proposals.length).toBeGreaterThan(0);

    await page.goto(`${url}/app/${hubspotId}/admin?tab=matching`);
    await page.waitForSelector('[data-testid="admin-matching"]', { timeout: 30_000 });
    for (const [id, value] of [
      ['matching-count-connector', first.counts.connector_id],
      ['matching-count-domain', first.counts.domain],
      ['matching-count-proposed', first.counts.proposed],
      ['matching-count-conflicts', first.counts.conflicts],
    ] as const) {
      expect(await page.locator(`[data-testid="${id}"]`).getAttribute('data-value')).toBe(String(value));
      expect(await page.locator(`[data-testid="${id}"]`).textContent()).toBe(count(value));
    }
    const linked = first.linksPage.total;
    expect(linked).toBeGreaterThan(50);
    expect(await page.locator('[data-testid="matching-links-count"]').textContent()).toBe(`(50 of ${linked})`);
    await page.screenshot({ path: path.join(RESULTS_DIR, 'dashboard-admin-matching.png'), fullPage: true });

    const proposal = first.proposals[0]!;
    await page
      .locator(
        `[data-testid="matching-proposals-table"] tbody tr[data-key="${proposal.hubspotId}:${proposal.salesforceId}"]`,
      )
      .getByRole('button', { name: 'Same customer' })
      .click();
    await page.waitForSelector('[data-testid="matching-notice"]');
    expect(await page.locator('[data-testid="matching-notice"]').textContent()).toContain('Linked');

    const after = await until('the manual link', async () => {
      const body = await matches();
      return body.status === 'ready' && body.counts.manual === 1 ? body : undefined;
    });
    if (after.status !== 'ready') throw new Error('not ready');
    expect(after.proposals.some((one) => one.hubspotId === proposal.hubspotId)).toBe(false);
    await page.reload();
    await page.waitForSelector('[data-testid="matching-count-manual"]');
    expect(await page.locator('[data-testid="matching-count-manual"]').getAttribute('data-value')).toBe('1');
  }, 240_000);
});
