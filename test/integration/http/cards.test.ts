import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createQueues, SCORE_JOB, type Queues } from '../../../jobs/queues.ts';
import { accountCardSchema } from '../../../server/contracts/cards.ts';
import { errorBodySchema } from '../../../server/contracts/health.ts';
import { signV3 } from '../../../server/crm/hubspot/request-signature.ts';
import { createApp } from '../../../server/http/app.ts';
import { CANVAS_DATA_ELEMENT_ID } from '../../../server/http/cards/canvas-page.ts';
import { createSealer } from '../../../server/platform/crypto.ts';
import { readBriefLink } from '../../../server/http/qbr/brief-links.ts';
import type { DatabaseHandle } from '../../../server/platform/db/database.ts';
import { createWorkspace, installationRepository } from '../../../server/platform/db/installations.ts';
import { planStore, type NewPlan } from '../../../server/platform/db/plan-store.ts';
import { accounts, qbrBriefs, warnings, warningTasks } from '../../../server/platform/db/schema.ts';
import type { InstallationKey } from '../../../server/platform/db/sync-store.ts';
import { createProducerConnection, whenReady, type Redis } from '../../../server/platform/redis.ts';
import { signCanvasRequest } from '../../../sandbox/salesforce/canvas.ts';
import { silentLogger, testDatabases } from '../../support/databases.ts';
import { dropPrefix, TEST_REDIS_URL, uniquePrefix } from '../../support/redis.ts';
import { markSynced, seedScoredAccounts, type SeededAccount } from './cards-seed.ts';

/**
 * The card API over a real database and Redis: HubSpot's signed requests (v3), two portals whose
 * record ids overlap, and the Salesforce Canvas entry with its short sessions.
 */

const HUBSPOT_SECRET = 'hubspot-client-secret-for-card-tests';
const SALESFORCE_SECRET = 'salesforce-consumer-secret-for-card-tests';
const PORTAL_A = '1001';
const PORTAL_B = '2002';
const ORG = '00D000000000001AAA';
const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

/** An onboarding plan as a template makes it, started at `start`, for one account. */
function onboardingPlan(accountExternalId: string, stageEntryId: string | null, start: number): NewPlan {
  const on = (days: number) => new Date(start + days * DAY);
  return {
    accountExternalId,
    name: stageEntryId === null ? 'Rollout to the second team' : 'Mid-market onboarding',
    templateKey: stageEntryId === null ? null : 'mid_market_onboarding',
    stage: 'onboarding',
    stageEntryId,
    startedAt: on(0),
    createdBy: stageEntryId === null ? 'hubspot:user:42' : 'system',
    objectives: [
      {
        key: 'active_users',
        position: 0,
        title: 'Half of licences in active use',
        metric: { kind: 'signal', signal: 'usage.active_user_ratio', windowDays: 28, aggregation: 'mean' },
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
      {
        // Written by a release whose metric kinds this one does not know.
        key: 'legacy',
        position: 2,
        title: 'Weekly report opened',
        metric: { kind: 'report_opens', windowDays: 7 },
        comparator: 'gte',
        target: 1,
        startAt: on(0),
        dueAt: on(60),
      },
    ],
    milestones: [
      { key: 'kickoff', position: 0, title: 'Kickoff call', dueAt: on(2), ownerExternalId: '42', reachedWhen: null },
      {
        key: 'first_users',
        position: 1,
        title: 'First users active',
        dueAt: on(14),
        ownerExternalId: '42',
        reachedWhen: { metric: { kind: 'features_live', windowDays: 7 }, comparator: 'gte', target: 1 },
      },
      {
        key: 'review',
        position: 2,
        title: 'Onboarding review',
        dueAt: on(45),
        ownerExternalId: '42',
        reachedWhen: null,
      },
    ],
  };
}

describe.each(testDatabases())('card API on $name', (database) => {
  let handle: DatabaseHandle;
  let redis: Redis;
  let queues: Queues;
  let server: Server;
  let url: string;
  let portalA: InstallationKey;
  let portalB: InstallationKey;
  let org: InstallationKey;
  let distDir: string;
  let installations: ReturnType<typeof installationRepository>;
  const sealer = createSealer(randomBytes(32));
  const seeded = new Map<string, SeededAccount>();
  const prefix = uniquePrefix();

  function hubspot(
    method: string,
    pathAndQuery: string,
    options: {
      body?: unknown;
      secret?: string;
      timestamp?: number;
      sign?: string;
      headers?: Record<string, string>;
    } = {},
  ): Promise<Response> {
    const full = `${url}${pathAndQuery}`;
    const raw = options.body === undefined ? '' : JSON.stringify(options.body);
    const stamp = String(options.timestamp ?? Date.now());
    const signature = signV3(
      options.secret ?? HUBSPOT_SECRET,
      method,
      `${url}${options.sign ?? pathAndQuery}`,
      raw,
      stamp,
    );
    return fetch(full, {
      method,
      headers: {
        'x-hubspot-signature-v3': signature,
        'x-hubspot-request-timestamp': stamp,
        ...(raw ? { 'content-type': 'application/json' } : {}),
        ...options.headers,
      },
      ...(raw ? { body: raw } : {}),
    });
  }
  const cardPath = (portalId: string, objectId: string, action = '', userId = '42') =>
    `/api/cards/account${action}?portalId=${portalId}&objectId=${encodeURIComponent(objectId)}&userId=${userId}`;

  async function refusal(response: Response, status: number) {
    expect(response.status).toBe(status);
    return errorBodySchema.parse(await response.json()).error;
  }

  function canvasEnvelope(recordId: string, orgId = ORG) {
    return {
      algorithm: 'HMACSHA256',
      userId: '005000000000001AAA',
      issuedAt: null,
      context: {
        user: { userId: '005000000000001AAA', userName: 'csm@example.com' },
        organization: { organizationId: orgId, name: 'Example' },
        environment: { parameters: { recordId }, record: {}, displayLocation: 'Visualforce' },
      },
      client: {
        instanceUrl: 'https://example.my.salesforce.com',
        targetOrigin: 'https://example.my.salesforce.com',
        oauthToken: 'x',
      },
    };
  }
  const postCanvas = (signedRequest: string) =>
    fetch(`${url}/canvas`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ signed_request: signedRequest }).toString(),
    });
  async function openSession(recordId: string): Promise<string> {
    const response = await postCanvas(signCanvasRequest(canvasEnvelope(recordId), SALESFORCE_SECRET));
    expect(response.status).toBe(200);
    const html = await response.text();
    const match = new RegExp(`<script id="${CANVAS_DATA_ELEMENT_ID}" type="application/json">(.*?)</script>`).exec(
      html,
    );
    const data = JSON.parse(match?.[1] ?? 'null') as { session: string; recordId: string };
    expect(data.recordId).toBe(recordId);
    return data.session;
  }
  const canvas = (method: string, path: string, session: string, body?: unknown) =>
    fetch(`${url}/api/canvas${path}`, {
      method,
      headers: { authorization: `Bearer ${session}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });

  async function scoreJobs(installationId: string) {
    const jobs = await queues.get('score').getJobs(['waiting', 'delayed', 'prioritized']);
    return jobs.filter(
      (job) => job.name === SCORE_JOB && (job.data as { installationId?: unknown }).installationId === installationId,
    );
  }

  beforeAll(async () => {
    handle = await database.open();
    await handle.migrate();
    redis = createProducerConnection(TEST_REDIS_URL, silentLogger);
    await whenReady(redis);
    queues = createQueues(redis, prefix);
    installations = installationRepository(handle.db, sealer);
    const install = async (workspaceId: string, provider: 'hubspot' | 'salesforce', externalId: string) => {
      const row = await installations.install({
        workspaceId,
        provider,
        externalId,
        displayName: externalId,
        baseUrl: null,
        scopes: [],
        tokens: { accessToken: 'access', refreshToken: 'refresh', accessTokenExpiresAt: null },
      });
      return { workspaceId, installationId: row.id };
    };
    const a = await createWorkspace(handle.db, 'Workspace A');
    const b = await createWorkspace(handle.db, 'Workspace B');
    portalA = await install(a.id, 'hubspot', PORTAL_A);
    portalB = await install(b.id, 'hubspot', PORTAL_B);
    org = await install(a.id, 'salesforce', ORG);

    const now = Date.now();
    const options = { now, historyDays: 84 };
    for (const account of await seedScoredAccounts(handle.db, portalA, ['500', '501'], { ...options, seed: 1 })) {
      seeded.set(`A:${account.externalId}`, account);
    }
    for (const account of await seedScoredAccounts(handle.db, portalB, ['500', '777'], { ...options, seed: 2 })) {
      seeded.set(`B:${account.externalId}`, account);
    }
    await seedScoredAccounts(handle.db, org, ['001000000000001AAA', '001000000000002AAA'], { ...options, seed: 3 });
    // Enough accounts to reach the installation's rescore limit.
    await handle.db
      .insert(accounts)
      .values(
        Array.from({ length: 31 }, (_, index) => ({ ...portalA, externalId: `r${index}`, modifiedAt: new Date() })),
      );
    await markSynced(handle.db, portalA, new Date(now - 5 * MINUTE));

    // A built Canvas page as the Salesforce card's build leaves it (Vite, base /canvas/assets/).
    distDir = await mkdtemp(path.join(os.tmpdir(), 'canvas-dist-'));
    await mkdir(path.join(distDir, 'assets'));
    await writeFile(
      path.join(distDir, 'index.html'),
      '<!doctype html><html><head><script type="module" src="/canvas/assets/assets/card-1a2b.js"></script></head><body><div id="root"></div></body></html>',
    );
    await writeFile(path.join(distDir, 'assets', 'card-1a2b.js'), 'console.log("card");');

    server = createServer();
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const app = createApp({
      logger: silentLogger,
      version: '0.0.0-test',
      bodyLimit: '1mb',
      readiness: {},
      cards: {
        db: handle.db,
        queues,
        installations,
        sealer,
        publicUrl: url,
        hubspotClientSecret: HUBSPOT_SECRET,
        salesforceConsumerSecret: SALESFORCE_SECRET,
        canvasDistDir: distDir,
      },
    });
    server.on('request', app);
  });

  afterAll(async () => {
    server?.closeAllConnections();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    await queues?.close();
    redis?.disconnect();
    await handle?.close();
    await database.cleanup();
    await dropPrefix(prefix);
    if (distDir) await rm(distDir, { recursive: true, force: true });
  });

  it('answers the view model of a signed request, from the rows, in well under 1 MB', async () => {
    const response = await hubspot('GET', cardPath(PORTAL_A, '500'));
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    const text = await response.text();
    expect(Buffer.byteLength(text)).toBeLessThan(1_000_000);
    const card = accountCardSchema.parse(JSON.parse(text));
    const expected = seeded.get('A:500')!;
    expect(card.account).toMatchObject({ id: '500', name: expected.name, crm: 'hubspot' });
    expect(card.health?.computed.score).toBe(expected.score);
    expect(card.drivers.map((driver) => driver.text)).toEqual(expected.drivers);
    expect(card.history).toHaveLength(84);
    expect(card.measures.length).toBeGreaterThan(10);
    expect(card.freshness).toMatchObject({ stale: false, staleReason: null });
  });

  it.each([
    ['unsigned', { headers: { 'x-hubspot-signature-v3': '' } }, 'SIGNATURE_MISMATCH'],
    ['signed with another secret', { secret: 'not-the-secret' }, 'SIGNATURE_MISMATCH'],
    ['six minutes old', { timestamp: Date.now() - 6 * MINUTE }, 'SIGNATURE_STALE'],
    ['signed for another record', { sign: cardPath(PORTAL_A, '501') }, 'SIGNATURE_MISMATCH'],
  ] as const)('refuses a request %s with 401', async (_name, options, code) => {
    expect((await refusal(await hubspot('GET', cardPath(PORTAL_A, '500'), options), 401)).code).toBe(code);
  });

  it('refuses a request with no signature headers at all, or only a legacy signature', async () => {
    const bare = await fetch(`${url}${cardPath(PORTAL_A, '500')}`);
    expect(await refusal(bare, 401)).toMatchObject({ code: 'SIGNATURE_MISSING' });
    const legacy = await fetch(`${url}${cardPath(PORTAL_A, '500')}`, { headers: { 'x-hubspot-signature': 'abc' } });
    expect((await refusal(legacy, 401)).code).toBe('SIGNATURE_MISSING');
  });

  it('keeps portals apart even where their record ids overlap', async () => {
    const ofA = accountCardSchema.parse(await (await hubspot('GET', cardPath(PORTAL_A, '500'))).json());
    const ofB = accountCardSchema.parse(await (await hubspot('GET', cardPath(PORTAL_B, '500'))).json());
    expect(ofA.health?.computed.score).toBe(seeded.get('A:500')!.score);
    expect(ofB.health?.computed.score).toBe(seeded.get('B:500')!.score);
    expect(ofA.drivers).not.toEqual(ofB.drivers);
    // B's record through A's portal, an unknown record and an unknown portal all answer the same 404.
    const answers = await Promise.all([
      hubspot('GET', cardPath(PORTAL_A, '777')),
      hubspot('GET', cardPath(PORTAL_A, 'nope')),
      hubspot('GET', cardPath('3003', '500')),
    ]);
    const bodies = await Promise.all(answers.map((answer) => refusal(answer, 404)));
    expect(new Set(bodies.map((body) => `${body.code}:${body.message}`)).size).toBe(1);
  });

  it('finds no account through a portal that is no longer active', async () => {
    const before = await hubspot('GET', cardPath(PORTAL_B, '777'));
    expect(before.status).toBe(200);
    await installations.setStatus(portalB.workspaceId, portalB.installationId, 'needs_reauth', 'test');
    try {
      expect((await refusal(await hubspot('GET', cardPath(PORTAL_B, '777')), 404)).code).toBe('ACCOUNT_NOT_FOUND');
    } finally {
      await installations.setStatus(portalB.workspaceId, portalB.installationId, 'active', null);
    }
  });

  it('shows the open warnings with their next steps and the latest QBR brief with working links', async () => {
    const at = new Date();
    const [warning] = await handle.db
      .insert(warnings)
      .values({
        ...portalA,
        accountExternalId: '500',
        rule: 'usage_drop',
        dedupeKey: 'usage_drop:500',
        severity: 'high',
        status: 'open',
        title: 'Usage fell 40% against its own baseline',
        evidence: { text: 'Active users over 14 days are 60% of the 56 days before', values: {}, thresholds: {} },
        openedAt: at,
        lastSeenAt: at,
      })
      .returning();
    await handle.db.insert(warningTasks).values(
      ['Call the admin', 'Send the adoption guide'].map((subject, step) => ({
        ...portalA,
        warningId: warning!.id,
        step,
        taskKey: `bw-test-${warning!.id.slice(0, 8)}-${step}`,
        accountExternalId: '500',
        subject,
        body: subject,
        dueAt: new Date(at.getTime() + (step + 1) * 86_400_000),
        state: 'pending' as const,
      })),
    );
    const [brief] = await handle.db
      .insert(qbrBriefs)
      .values({
        ...portalA,
        accountExternalId: '500',
        qbrDate: '2027-01-12',
        periodStart: '2026-10-14',
        periodEnd: '2027-01-11',
        version: 3,
        contentHash: 'h',
        brief: {},
        trigger: 'schedule',
        generatedAt: at,
        noteState: 'written',
      })
      .returning();
    const card = accountCardSchema.parse(await (await hubspot('GET', cardPath(PORTAL_A, '500'))).json());
    expect(card.alerts).toEqual([
      expect.objectContaining({
        id: warning!.id,
        severity: 'critical',
        title: 'Usage fell 40% against its own baseline',
        detail: 'Active users over 14 days are 60% of the 56 days before',
        nextStep: 'Call the admin',
        nextSteps: [
          expect.objectContaining({ text: 'Call the admin', done: false }),
          expect.objectContaining({ text: 'Send the adoption guide', done: false }),
        ],
      }),
    ]);
    expect(card.qbr.latest).toMatchObject({ id: brief!.id, version: 3, qbrDate: '2027-01-12' });
    const token = new URL(card.qbr.latest!.links.pdf).searchParams.get('t');
    expect(readBriefLink(sealer, brief!.id, token, Date.now())).toEqual({ key: portalA, briefId: brief!.id });
    // Another portal's card says nothing of A's warnings or briefs.
    const ofB = accountCardSchema.parse(await (await hubspot('GET', cardPath(PORTAL_B, '500'))).json());
    expect(ofB.alerts).toEqual([]);
    expect(ofB.qbr.latest).toBeNull();
  });

  it('shows the lifecycle stage and the newest active success plan, the same through HubSpot and Canvas', async () => {
    const plans = planStore(handle.db);
    const now = Date.now();
    const entered = now - 3 * DAY - 60 * MINUTE;
    const byCrm = [
      { key: portalA, account: '501' },
      { key: org, account: '001000000000001AAA' },
    ];
    for (const { key, account } of byCrm) {
      await plans.recordStages(
        key,
        [{ accountExternalId: account, stage: 'onboarding', reason: 'Onboarding: day 4 of 90' }],
        new Date(entered),
      );
      const stay = (await plans.currentStages(key, [account])).get(account)!;
      // A plan made by hand a week earlier stays active beside the stage's plan; the card shows the newer.
      await plans.createPlans(key, [onboardingPlan(account, null, entered - 7 * DAY)], new Date(entered));
      const [made] = await plans.createPlans(key, [onboardingPlan(account, stay.id, entered)], new Date(entered));
      await plans.saveReadings(
        key,
        [
          {
            planId: made!.id,
            objectives: [
              {
                key: 'active_users',
                status: 'behind',
                value: 0.312,
                expected: 0.3,
                progress: 0.424,
                startValue: 0.1,
                achievedAt: null,
              },
              {
                key: 'legacy',
                status: 'on_track',
                value: 0.4567,
                expected: 0.1,
                progress: 0.4567,
                startValue: 0,
                achievedAt: null,
              },
            ],
            reached: ['first_users'],
          },
        ],
        new Date(now - MINUTE),
      );
    }

    const ofHubspot = accountCardSchema.parse(await (await hubspot('GET', cardPath(PORTAL_A, '501'))).json());
    const active = await plans.activePlans(portalA, ['501']);
    expect(active).toHaveLength(2);
    const newest = active.find((plan) => plan.stageEntryId !== null)!;
    expect(ofHubspot.stage).toEqual({
      stage: 'onboarding',
      label: 'Onboarding',
      reason: 'Onboarding: day 4 of 90',
      daysInStage: 3,
    });
    const day = (offset: number) => new Date(entered + offset * DAY).toISOString().slice(0, 10);
    expect(ofHubspot.plan).toEqual({
      id: newest.id,
      name: 'Mid-market onboarding',
      stage: 'onboarding',
      objectives: [
        {
          key: 'active_users',
          title: 'Half of licences in active use',
          status: 'behind',
          statusLabel: 'Behind',
          valueText: '31%',
          targetText: '≥ 50%',
          dueOn: day(60),
          progress: 0.424,
        },
        {
          key: 'features_live',
          title: 'Two features in everyday use',
          status: 'no_data',
          statusLabel: 'No data yet',
          valueText: null,
          targetText: '≥ 2.0 features',
          dueOn: day(60),
          progress: null,
        },
        {
          key: 'legacy',
          title: 'Weekly report opened',
          status: 'on_track',
          statusLabel: 'On track',
          valueText: '0.46',
          targetText: '≥ 1',
          dueOn: day(60),
          progress: 0.4567,
        },
      ],
      // The kickoff was due two days into the stage, which began three days ago; first users were reached.
      nextMilestone: { title: 'Kickoff call', dueOn: day(2), overdue: true },
      milestonesReached: 1,
      milestonesTotal: 3,
    });

    const session = await openSession('001000000000001AAA');
    const ofCanvas = accountCardSchema.parse(await (await canvas('GET', '/card', session)).json());
    expect(ofCanvas.stage).toEqual(ofHubspot.stage);
    expect({ ...ofCanvas.plan, id: newest.id }).toEqual(ofHubspot.plan);

    // Another portal's account of the same id, and an account with no stay, show neither.
    const ofB = accountCardSchema.parse(await (await hubspot('GET', cardPath(PORTAL_B, '777'))).json());
    expect([ofB.stage, ofB.plan]).toEqual([null, null]);
    const other = accountCardSchema.parse(await (await hubspot('GET', cardPath(PORTAL_A, '500'))).json());
    expect([other.stage, other.plan]).toEqual([null, null]);

    // Closing the stage's plan brings the older plan made by hand to the card.
    await plans.closePlan(portalA, newest.id, new Date());
    const after = accountCardSchema.parse(await (await hubspot('GET', cardPath(PORTAL_A, '501'))).json());
    expect(after.plan).toMatchObject({ name: 'Rollout to the second team', milestonesReached: 0, milestonesTotal: 3 });
  });

  it('queues a QBR brief from the card, once a minute per account', async () => {
    const first = await hubspot('POST', cardPath(PORTAL_A, '501', '/qbr'));
    expect(first.status).toBe(202);
    const jobs = await queues.get('qbr').getJobs(['waiting', 'delayed', 'prioritized']);
    expect(jobs.map((job) => job.data as Record<string, unknown>)).toContainEqual(
      expect.objectContaining({
        ...portalA,
        accountExternalId: '501',
        trigger: 'card',
        requestedBy: 'hubspot:user:42',
      }),
    );
    const second = await hubspot('POST', cardPath(PORTAL_A, '501', '/qbr'));
    expect((await refusal(second, 429)).code).toBe('BRIEF_RATE_LIMITED');
    expect(second.headers.get('retry-after')).not.toBeNull();
  });

  it('answers 400 naming a malformed query', async () => {
    const error = await refusal(await hubspot('GET', '/api/cards/account?portalId=abc&objectId=500&userId=42'), 400);
    expect(error.issues?.map((issue) => issue.path)).toContain('portalId');
  });

  it('sets and clears an override through the HubSpot card', async () => {
    const expiresAt = new Date(Date.now() + 7 * 24 * 60 * MINUTE).toISOString();
    const set = await hubspot('PUT', cardPath(PORTAL_A, '501', '/override'), {
      body: { band: 'red', reason: 'champion left last week', expiresAt },
    });
    expect(set.status).toBe(200);
    const card = accountCardSchema.parse(await set.json());
    expect(card.health).toMatchObject({ band: 'red', source: 'override' });
    expect(card.override).toMatchObject({ band: 'red', author: 'hubspot:user:42', active: true, expiresAt });
    expect((await scoreJobs(portalA.installationId)).length).toBeGreaterThan(0);

    const bad = await hubspot('PUT', cardPath(PORTAL_A, '501', '/override'), {
      body: { band: 'red', reason: 'x', expiresAt: new Date(Date.now() - MINUTE).toISOString() },
    });
    const issues = (await refusal(bad, 400)).issues?.map((issue) => issue.path) ?? [];
    expect(issues).toEqual(expect.arrayContaining(['reason']));

    const cleared = await hubspot('DELETE', cardPath(PORTAL_A, '501', '/override'));
    expect(cleared.status).toBe(200);
    const after = accountCardSchema.parse(await cleared.json());
    expect(after.override).toBeNull();
    expect(after.health?.source).toBe('computed');
    expect((await refusal(await hubspot('DELETE', cardPath(PORTAL_A, '501', '/override')), 404)).code).toBe(
      'OVERRIDE_NOT_FOUND',
    );
    // Portal B cannot set an override on A's account.
    const foreign = await hubspot('PUT', cardPath(PORTAL_B, '501', '/override'), {
      body: { band: 'red', reason: 'champion left last week', expiresAt },
    });
    expect(foreign.status).toBe(404);
  });

  it('rate limits rescores per account and per installation with 429 and Retry-After', async () => {
    const first = await hubspot('POST', cardPath(PORTAL_A, 'r0', '/rescore'));
    expect(first.status).toBe(202);
    const again = await hubspot('POST', cardPath(PORTAL_A, 'r0', '/rescore'));
    expect((await refusal(again, 429)).code).toBe('RESCORE_RATE_LIMITED');
    expect(Number(again.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(Number(again.headers.get('retry-after'))).toBeLessThanOrEqual(60);

    for (let index = 1; index < 30; index += 1) {
      expect((await hubspot('POST', cardPath(PORTAL_A, `r${index}`, '/rescore'))).status).toBe(202);
    }
    const over = await hubspot('POST', cardPath(PORTAL_A, 'r30', '/rescore'));
    expect(await refusal(over, 429)).toMatchObject({ message: expect.stringContaining('per installation') });
    // Another installation has its own budget.
    expect((await hubspot('POST', cardPath(PORTAL_B, '777', '/rescore'))).status).toBe(202);
    const jobs = await scoreJobs(portalB.installationId);
    expect(jobs.map((job) => job.data as unknown)).toContainEqual({
      ...portalB,
      full: false,
      reason: 'card',
      accounts: ['777'],
    });
  });

  it('refuses a forged Canvas signed_request with 401', async () => {
    const forged = signCanvasRequest(canvasEnvelope('001000000000001AAA'), 'not-the-consumer-secret');
    expect((await refusal(await postCanvas(forged), 401)).code).toBe('SIGNED_REQUEST_INVALID');
    const genuine = signCanvasRequest(canvasEnvelope('001000000000001AAA'), SALESFORCE_SECRET);
    const [signature, context] = genuine.split('.');
    const swapped = `${signature}.${Buffer.from(JSON.stringify(canvasEnvelope('001000000000002AAA'))).toString('base64')}`;
    expect(context).toBeDefined();
    expect((await refusal(await postCanvas(swapped), 401)).code).toBe('SIGNED_REQUEST_INVALID');
    expect((await refusal(await postCanvas(''), 401)).code).toBe('SIGNED_REQUEST_INVALID');
  });

  it('opens a Canvas session that reads its own record only', async () => {
    const response = await postCanvas(signCanvasRequest(canvasEnvelope('001000000000001AAA'), SALESFORCE_SECRET));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/html');
    expect(response.headers.get('x-frame-options')).toBeNull();
    expect(response.headers.get('content-security-policy')).toContain(
      "frame-ancestors 'self' https://*.force.com https://*.salesforce.com https://*.salesforce-setup.com https://example.my.salesforce.com",
    );

    const html = await response.text();
    expect(html).toContain('<script type="module" src="/canvas/assets/assets/card-1a2b.js"></script>');
    expect(html).toContain(`<script id="${CANVAS_DATA_ELEMENT_ID}" type="application/json">`);
    const asset = await fetch(`${url}/canvas/assets/assets/card-1a2b.js`);
    expect(asset.status).toBe(200);
    expect(asset.headers.get('cache-control')).toContain('immutable');
    expect(await asset.text()).toBe('console.log("card");');

    const session = await openSession('001000000000001AAA');
    const card = accountCardSchema.parse(await (await canvas('GET', '/card', session)).json());
    expect(card.account).toMatchObject({ id: '001000000000001AAA', crm: 'salesforce' });
    // The query cannot move a session to another record.
    const moved = accountCardSchema.parse(
      await (await canvas('GET', '/card?recordId=001000000000002AAA&objectId=001000000000002AAA', session)).json(),
    );
    expect(moved.account.id).toBe('001000000000001AAA');

    const unknown = await openSession('001999999999999AAA');
    expect((await canvas('GET', '/card', unknown)).status).toBe(404);
    expect((await refusal(await fetch(`${url}/api/canvas/card`), 401)).code).toBe('SESSION_MISSING');
    const guessed = randomBytes(32).toString('base64url');
    expect((await refusal(await canvas('GET', '/card', guessed), 401)).code).toBe('SESSION_EXPIRED');
  });

  it('sets and clears an override through the Canvas session', async () => {
    const session = await openSession('001000000000002AAA');
    const expiresAt = new Date(Date.now() + 3 * 24 * 60 * MINUTE).toISOString();
    const set = await canvas('PUT', '/card/override', session, {
      score: 35,
      reason: 'budget cut announced',
      expiresAt,
    });
    expect(set.status).toBe(200);
    expect(accountCardSchema.parse(await set.json()).override).toMatchObject({
      score: 35,
      band: 'red',
      author: 'salesforce:user:005000000000001AAA',
      active: true,
    });
    const cleared = await canvas('DELETE', '/card/override', session);
    expect(accountCardSchema.parse(await cleared.json()).override).toBeNull();
    expect((await canvas('POST', '/card/rescore', session)).status).toBe(202);
    expect((await canvas('POST', '/card/rescore', session)).status).toBe(429);
  });
});
