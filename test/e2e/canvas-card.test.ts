import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdir } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import express from 'express';
import type { Browser, Frame, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureSalesforceCardBuilt } from '../../extension-ui/salesforce/build.ts';
import { formatScore } from '@bellwether/card-view';
import { createQueues, type Queues } from '../../jobs/queues.ts';
import { signCanvasRequest } from '../../sandbox/salesforce/canvas.ts';
import { createApp } from '../../server/http/app.ts';
import type { PreviewSignInput } from '../../server/http/preview/deps.ts';
import { mountPreview } from '../../server/http/preview/routes.ts';
import { createSealer } from '../../server/platform/crypto.ts';
import type { DatabaseHandle } from '../../server/platform/db/database.ts';
import { createWorkspace, installationRepository, type Installation } from '../../server/platform/db/installations.ts';
import { planStore } from '../../server/platform/db/plan-store.ts';
import { createProducerConnection, whenReady, type Redis } from '../../server/platform/redis.ts';
import { launchChromium } from '../support/browser.ts';
import { silentLogger, testDatabases, type TestDatabase } from '../support/databases.ts';
import { dropPrefix, TEST_REDIS_URL, uniquePrefix } from '../support/redis.ts';
import { markSynced, seedScoredAccounts, type SeededAccount } from '../integration/http/cards-seed.ts';

/**
 * The Salesforce Canvas card in Chromium: the app serves POST /canvas and the built card, a forged
 * signed_request is refused, a genuine one (posted from a form, as Salesforce posts it) renders the
 * account's real score and drivers, and the local preview shows the same card on a mock Account page.
 */

const CONSUMER_SECRET = 'salesforce-consumer-secret-for-canvas-e2e';
const ORG_ID = '00D00000000000EAAA';
const USER_ID = '005000000000001AAA';
const ACCOUNT_IDS = ['001000000000001AAA', '001000000000002AAA', '001000000000003AAA', '001000000000004AAA'];
// Gitignored, beside the benchmarks' output.
const RESULTS_DIR = path.resolve(import.meta.dirname, '../../bench/results');

function envelope(orgId: string, recordId: string) {
  return {
    algorithm: 'HMACSHA256',
    userId: USER_ID,
    issuedAt: null,
    context: {
      user: { userId: USER_ID, userName: 'csm@example.com', fullName: 'Casey Example' },
      organization: { organizationId: orgId, name: 'Example' },
      environment: { parameters: { recordId }, record: {}, displayLocation: 'Visualforce' },
    },
    client: {
      instanceUrl: 'https://example.my.salesforce.com',
      targetOrigin: 'https://example.my.salesforce.com',
      oauthToken: 'stand-in-token',
    },
  };
}
const signRequest = (input: PreviewSignInput) =>
  signCanvasRequest(envelope(input.orgId, input.recordId), input.consumerSecret);

let database: TestDatabase;
let handle: DatabaseHandle;
let redis: Redis;
let queues: Queues;
let server: Server;
let url: string;
let browser: Browser;
let installation: Installation;
let scored: SeededAccount;
const prefix = uniquePrefix();

beforeAll(async () => {
  const [distDir, chromium] = await Promise.all([ensureSalesforceCardBuilt({ quiet: true }), launchChromium()]);
  browser = chromium;
  server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  database = testDatabases()[0]!;
  handle = await database.open();
  await handle.migrate();
  redis = createProducerConnection(TEST_REDIS_URL, silentLogger);
  await whenReady(redis);
  queues = createQueues(redis, prefix);
  const installations = installationRepository(handle.db, createSealer(randomBytes(32)));
  const workspace = await createWorkspace(handle.db, 'Canvas card');
  installation = await installations.install({
    workspaceId: workspace.id,
    provider: 'salesforce',
    externalId: ORG_ID,
    displayName: 'Example org',
    baseUrl: 'https://example.my.salesforce.com',
    scopes: ['api', 'refresh_token', 'id'],
    tokens: { accessToken: 'access', refreshToken: 'refresh', accessTokenExpiresAt: null },
  });
  const key = { workspaceId: workspace.id, installationId: installation.id };
  const now = Date.now();
  const seeded = await seedScoredAccounts(handle.db, key, ACCOUNT_IDS, { now, historyDays: 84 });
  await markSynced(handle.db, key, new Date(now));
  scored = seeded.find((account) => account.score !== null && account.drivers.length > 0)!;
  await seedPlan(key, scored.externalId, now);

  const app = createApp({
    logger: silentLogger,
    version: '0.0.0-test',
    bodyLimit: '100kb',
    readiness: {},
    cards: {
      db: handle.db,
      queues,
      installations,
      sealer: createSealer(randomBytes(32)),
      publicUrl: url,
      hubspotClientSecret: undefined,
      salesforceConsumerSecret: CONSUMER_SECRET,
      canvasDistDir: distDir,
    },
  });
  // The preview is mounted by the process entry in demo mode; here in front of the same app.
  const outer = express();
  mountPreview(outer, {
    db: handle.db,
    sealer: createSealer(randomBytes(32)),
    publicUrl: url,
    salesforceConsumerSecret: CONSUMER_SECRET,
    installations: () => installations.list(workspace.id),
    signRequest,
    canvasDistDir: distDir,
  });
  outer.use(app);
  server.on('request', outer);
});

/** The scored account in onboarding for 12 days, with its plan as the plans step last read it. */
async function seedPlan(key: { workspaceId: string; installationId: string }, account: string, now: number) {
  const plans = planStore(handle.db);
  const day = 86_400_000;
  const start = now - 11 * day - 3_600_000;
  const on = (days: number) => new Date(start + days * day);
  await plans.recordStages(
    key,
    [{ accountExternalId: account, stage: 'onboarding', reason: 'Onboarding: day 12 of 90' }],
    on(0),
  );
  const stay = (await plans.currentStages(key, [account])).get(account)!;
  const metric = { kind: 'signal', signal: 'usage.active_user_ratio', windowDays: 28, aggregation: 'mean' };
  const [plan] = await plans.createPlans(
    key,
    [
      {
        accountExternalId: account,
        name: 'Mid-market onboarding',
        templateKey: 'mid_market_onboarding',
        stage: 'onboarding',
        stageEntryId: stay.id,
        startedAt: on(0),
        createdBy: 'system',
        objectives: [
          {
            key: 'active_users',
            position: 0,
            title: 'Half of licences in active use',
            metric,
            comparator: 'gte',
            target: 0.5,
            startAt: on(0),
            dueAt: on(60),
          },
          {
            key: 'features_live',
            position: 1,
            title: 'Two features in everyday use',
            metric: { kind: 'features_live', windowDays: 28 },
            comparator: 'gte',
            target: 2,
            startAt: on(0),
            dueAt: on(60),
          },
        ],
        milestones: [
          {
            key: 'kickoff',
            position: 0,
            title: 'Kickoff call with the champion',
            dueAt: on(7),
            ownerExternalId: null,
            reachedWhen: null,
          },
          {
            key: 'review',
            position: 1,
            title: 'Onboarding review with the champion',
            dueAt: on(45),
            ownerExternalId: null,
            reachedWhen: null,
          },
        ],
      },
    ],
    on(0),
  );
  await plans.saveReadings(
    key,
    [
      {
        planId: plan!.id,
        objectives: [
          {
            key: 'active_users',
            status: 'behind',
            value: 0.31,
            expected: 0.35,
            progress: 0.42,
            startValue: 0.1,
            achievedAt: null,
          },
          {
            key: 'features_live',
            status: 'achieved',
            value: 2.4,
            expected: 1,
            progress: 1,
            startValue: 0.5,
            achievedAt: on(9),
          },
        ],
        reached: [],
      },
    ],
    new Date(now),
  );
}

afterAll(async () => {
  await browser?.close();
  server?.closeAllConnections();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  await queues?.close();
  redis?.disconnect();
  await handle?.close();
  await database?.cleanup();
  await dropPrefix(prefix);
});

/** A page that records every console error and uncaught exception, in any frame. */
async function watchedPage(): Promise<{ page: Page; problems: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  // Console messages about failed loads do not name the resource; the responses do.
  page.on('response', (response) => {
    if (response.status() >= 400) problems.push(`${response.status()} ${new URL(response.url()).pathname}`);
  });
  return { page, problems };
}

/** Posts a signed_request the way Salesforce does: a form in the browser, submitted to /canvas. */
async function openCanvas(page: Page, signedRequest: string): Promise<void> {
  // A signed request is base64 and a dot: safe inside an attribute as it is.
  expect(signedRequest).toMatch(/^[A-Za-z0-9+/=]+\.[A-Za-z0-9+/=]+$/);
  await page.setContent(
    `<form method="post" action="${url}/canvas"><input type="hidden" name="signed_request" value="${signedRequest}"><button type="submit">Open</button></form>`,
  );
  await Promise.all([page.waitForURL(`${url}/canvas`), page.getByRole('button', { name: 'Open' }).click()]);
}

const expectedScore = () => formatScore(scored.score, { locale: 'en-GB' });

describe('Salesforce Canvas card in Chromium', () => {
  it('refuses a forged signed_request with 401', async () => {
    const forged = signCanvasRequest(envelope(ORG_ID, scored.externalId), 'not-the-consumer-secret');
    const response = await fetch(`${url}/canvas`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ signed_request: forged }).toString(),
    });
    expect(response.status).toBe(401);
    const body = (await response.json()) as { error: { code: string } };
    expect(body.error.code).toBe('SIGNED_REQUEST_INVALID');
  });

  it('renders the real score and drivers from a genuine signed_request, then overrides and rescores', async () => {
    const { page, problems } = await watchedPage();
    await openCanvas(page, signCanvasRequest(envelope(ORG_ID, scored.externalId), CONSUMER_SECRET));

    await expect.poll(() => page.locator('[data-testid="score"]').textContent()).toBe(expectedScore());
    const drivers = page.locator('[data-testid="drivers"] li .bw-driver-text');
    expect(await drivers.first().textContent()).toBe(scored.drivers[0]);
    expect(await drivers.allTextContents()).toEqual(scored.drivers);
    expect(await page.locator('[data-testid="band"]').textContent()).toBe(
      { red: 'Red', yellow: 'Yellow', green: 'Green' }[scored.band as 'red' | 'yellow' | 'green'],
    );
    expect(await page.locator('.bw-sparkline path').getAttribute('d')).toMatch(
      /^M[\d.]+ [\d.]+( L[\d.]+ [\d.]+){10,}$/,
    );
    expect(await page.locator('[data-testid="lifecycle"]').textContent()).toBe('Lifecycle Onboarding · day 12');
    expect(await page.locator('[data-testid="objectives"] > li').count()).toBe(2);
    expect(
      await page.locator('[data-testid="objective-active_users"] [role="progressbar"]').getAttribute('aria-valuenow'),
    ).toBe('42');
    expect(await page.locator('[data-testid="next-milestone"]').textContent()).toMatch(
      /^Next: Kickoff call with the champion \(Overdue since .+\)$/,
    );
    // SLDS is loaded: its card class has a border radius from the design system.
    // A function, not a string: a string is evaluated as an expression and would hand back the function itself.
    const radius = await page
      .locator('.slds-card')
      .evaluate(
        (card) =>
          (globalThis as unknown as { getComputedStyle(e: unknown): { borderRadius: string } }).getComputedStyle(card)
            .borderRadius,
      );
    expect(radius).toMatch(/^[1-9][\d.]*px$/);

    await mkdir(RESULTS_DIR, { recursive: true });
    await page.screenshot({ path: path.join(RESULTS_DIR, 'canvas-card.png'), fullPage: true });

    await page.getByRole('button', { name: 'My view differs: set an override' }).click();
    await page.locator('#bw-override-band').selectOption('red');
    await page.locator('#bw-override-reason').fill('Champion left last week; renewal at risk.');
    await page.getByRole('button', { name: 'Save override' }).click();
    await expect.poll(() => page.locator('[data-testid="band"]').textContent()).toBe('Red');
    expect(
      await page.getByText(/^CSM override: Red until .* — Champion left last week; renewal at risk\.$/).count(),
    ).toBe(1);

    await page.getByRole('button', { name: 'Clear override' }).click();
    await expect.poll(() => page.getByText(/^CSM override/).count()).toBe(0);

    await page.getByRole('button', { name: 'Rescore now' }).click();
    await expect.poll(() => page.locator('[data-testid="notice"]').textContent()).toContain('Rescore queued');
    await page.getByRole('button', { name: 'Rescore now' }).click();
    await expect
      .poll(() => page.locator('[data-testid="notice"]').textContent())
      .toMatch(/^A rescore was requested a moment ago\. Try again in \d+ s\.$/);
    // The refused rescore answers 429, which the browser logs as a failed resource; nothing else may.
    expect(problems.filter((problem) => !problem.includes('429'))).toEqual([]);
    await page.close();
  });

  it('shows the error kindly when the record has no card', async () => {
    const { page, problems } = await watchedPage();
    await openCanvas(page, signCanvasRequest(envelope(ORG_ID, '001000000000999AAA'), CONSUMER_SECRET));
    await expect
      .poll(() => page.locator('[data-testid="error"]').textContent())
      .toBe('No such account in this installation');
    expect(await page.locator('[data-testid="score"]').count()).toBe(0);
    expect(await page.getByRole('status').count()).toBe(0);
    // The card's own 404 is expected (logged by the browser as a failed load); nothing else.
    expect(problems.filter((problem) => !problem.includes('404'))).toEqual([]);
    await page.close();
  });

  it('shows the demo accounts on /preview and opens one on a mock Account page with both layouts', async () => {
    const { page, problems } = await watchedPage();
    await page.goto(`${url}/preview`);
    for (const id of ACCOUNT_IDS) expect(await page.getByRole('link', { name: `Account ${id}` }).count()).toBe(1);

    await page.getByRole('link', { name: scored.name }).click();
    await page.waitForURL(/\/preview\/salesforce\/[0-9a-f-]{36}\/accounts\//);
    expect(await page.locator('#account-name').textContent()).toBe(scored.name);

    const frameOf = async (selector: string): Promise<Frame> =>
      (await (await page.waitForSelector(selector)).contentFrame())!;
    const salesforce = await frameOf('#salesforce-card');
    await expect.poll(() => salesforce.locator('[data-testid="score"]').textContent()).toBe(expectedScore());
    expect(await salesforce.locator('[data-testid="drivers"] li .bw-driver-text').first().textContent()).toBe(
      scored.drivers[0],
    );
    const hubspot = await frameOf('#hubspot-card');
    await expect.poll(() => hubspot.locator('[data-testid="hubspot-score"]').textContent()).toBe(expectedScore());
    expect(await hubspot.locator('.hs-table tbody tr td').first().textContent()).toBe(scored.drivers[0]);
    expect(await hubspot.locator('[data-testid="hubspot-plan"] strong').first().textContent()).toBe(
      'Success plan: Mid-market onboarding',
    );

    await page.screenshot({ path: path.join(RESULTS_DIR, 'canvas-preview.png'), fullPage: true });
    expect(problems).toEqual([]);
    await page.close();
  });
});
