import { randomBytes, randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createQueues, type Queues } from '../../../jobs/queues.ts';
import { plansSchema, type Plans } from '../../../server/contracts/dashboard.ts';
import { errorBodySchema } from '../../../server/contracts/health.ts';
import { planFromTemplate, planTemplateSchema, type ObjectiveStatus } from '../../../server/core/plans/plan-model.ts';
import { createApp } from '../../../server/http/app.ts';
import { SESSION_COOKIE, sessionCookieValue } from '../../../server/http/install/cookies.ts';
import { createSealer } from '../../../server/platform/crypto.ts';
import type { DatabaseHandle } from '../../../server/platform/db/database.ts';
import { createWorkspace, installationRepository } from '../../../server/platform/db/installations.ts';
import { planStore, type PlanStore, type StageChange } from '../../../server/platform/db/plan-store.ts';
import { accounts, owners } from '../../../server/platform/db/schema.ts';
import type { InstallationKey } from '../../../server/platform/db/sync-store.ts';
import { createProducerConnection, whenReady, type Redis } from '../../../server/platform/redis.ts';
import { silentLogger, testDatabases } from '../../support/databases.ts';
import { dropPrefix, TEST_REDIS_URL, uniquePrefix } from '../../support/redis.ts';

/**
 * The plans view of the dashboard over HTTP on a small book seeded through the plan store (stays
 * recorded, plans made from a template, readings saved): the summary, the by-CSM and by-segment
 * figures, the paged table of plans behind with its objectives in their units and next milestones,
 * the CSV exports, filters, 400s on bad paging, 404 for another workspace, and pending before any
 * stage was recorded.
 */

const DAY = 86_400_000;
const FORMULA = '=HYPERLINK("http://evil.example","click")';
/** Stays and plans from here; a reading a month later; the dashboard asked the next day. */
const T0 = Date.parse('2026-09-01T06:00:00Z');
const EARLY = Date.parse('2026-05-01T06:00:00Z');
const READ_AT = Date.parse('2026-10-01T06:00:00Z');
const AS_OF = Date.parse('2026-10-02T12:00:00Z');

const TEMPLATE = planTemplateSchema.parse({
  key: 'onboarding_plan',
  name: 'Onboarding plan',
  stage: 'onboarding',
  objectives: [
    {
      key: 'active_users',
      title: '60% of licences in active use',
      metric: { kind: 'signal', signal: 'usage.active_user_ratio', windowDays: 28, aggregation: 'mean' },
      comparator: 'gte',
      target: 0.6,
      dueDays: 90,
    },
    {
      key: 'features_live',
      title: 'Three features in everyday use',
      metric: { kind: 'features_live', windowDays: 28 },
      comparator: 'gte',
      target: 3,
      dueDays: 90,
    },
    {
      key: 'sponsor_nps',
      title: 'Executive sponsor rates us 8 or more',
      metric: { kind: 'nps_from_role', role: 'executive_sponsor', windowDays: 180 },
      comparator: 'gte',
      target: 8,
      dueDays: 120,
    },
  ],
  milestones: [
    { key: 'kickoff', title: 'Kickoff held', dueDays: 7 },
    { key: 'first_users', title: 'First users active', dueDays: 21 },
    { key: 'success_review', title: 'Success review', dueDays: 75 },
  ],
});
const OBJECTIVE_KEYS = ['active_users', 'features_live', 'sponsor_nps'] as const;

interface Reading {
  status: ObjectiveStatus;
  value: number | null;
  expected?: number | null;
}

interface SeedAccount {
  id: string;
  name: string;
  segment: string | null;
  csm: string | null;
  arr: number;
  archived?: boolean;
  churned?: boolean;
  stage?: StageChange['stage'];
  enteredAt?: number;
  readings?: readonly [Reading, Reading, Reading];
  reached?: readonly string[];
}

const on = (value: number): Reading => ({ status: 'on_track', value });
const behind = (value: number, expected: number): Reading => ({ status: 'behind', value, expected });
const noData: Reading = { status: 'no_data', value: null };

/** Twelve small accounts at risk, each with one objective behind: enough for three pages of five. */
const SMALL = Array.from({ length: 12 }, (_, index): SeedAccount => ({
  id: `p-${String(index + 1).padStart(2, '0')}`,
  name: index === 11 ? FORMULA : `Small ${String(index + 1).padStart(2, '0')}`,
  segment: 'smb',
  csm: 'csm-2',
  arr: 500 * (index + 1),
  stage: 'at_risk',
  readings: [behind(0.2, 0.4), on(2), on(9)],
}));

const BOOK: SeedAccount[] = [
  {
    id: 'acc-1',
    name: 'Acme',
    segment: 'enterprise',
    csm: 'csm-1',
    arr: 100_000,
    stage: 'onboarding',
    readings: [behind(0.42, 0.5), on(2.5), noData],
    reached: ['kickoff', 'first_users'],
  },
  {
    id: 'acc-2',
    name: 'Bolt',
    segment: 'enterprise',
    csm: 'csm-1',
    arr: 50_000,
    stage: 'onboarding',
    readings: [{ status: 'achieved', value: 0.7 }, on(2), noData],
  },
  {
    id: 'acc-3',
    name: 'Cobalt',
    segment: 'mid_market',
    csm: 'csm-2',
    arr: 30_000,
    stage: 'adoption',
    enteredAt: EARLY,
    readings: [{ status: 'missed', value: 0.31, expected: 0.6 }, noData, behind(6, 7.5)],
  },
  {
    id: 'acc-4',
    name: 'Delta',
    segment: 'mid_market',
    csm: 'csm-2',
    arr: 20_000,
    stage: 'value',
    readings: [on(0.65), { status: 'achieved', value: 3.2 }, on(9)],
  },
  {
    id: 'acc-5',
    name: 'Ember',
    segment: 'smb',
    csm: null,
    arr: 10_000,
    stage: 'renewal',
    readings: [behind(0.1, 0.3), behind(1.5, 2), noData],
    reached: ['kickoff', 'first_users', 'success_review'],
  },
  {
    id: 'acc-6',
    name: 'Gone Ltd',
    segment: 'enterprise',
    csm: 'csm-1',
    arr: 999_000,
    archived: true,
    stage: 'onboarding',
    readings: [behind(0.1, 0.3), behind(1, 2), behind(5, 6)],
  },
  { id: 'acc-7', name: 'Former', segment: 'smb', csm: 'csm-1', arr: 5_000, churned: true, stage: 'churned' },
  { id: 'acc-8', name: 'Newcomer', segment: 'smb', csm: 'csm-1', arr: 7_000 },
  ...SMALL,
];

async function seed(db: DatabaseHandle['db'], store: PlanStore, key: InstallationKey, book: readonly SeedAccount[]) {
  await db.insert(owners).values(
    [
      { id: 'csm-1', name: 'Ada Lovelace' },
      { id: 'csm-2', name: 'Grace Hopper' },
    ].map((owner) => ({ ...key, externalId: owner.id, name: owner.name, modifiedAt: new Date(EARLY) })),
  );
  await db.insert(accounts).values(
    book.map((account) => ({
      ...key,
      externalId: account.id,
      name: account.name,
      segment: account.segment,
      csmExternalId: account.csm,
      ownerExternalId: 'ae-1',
      arr: account.arr.toFixed(2),
      licences: 100,
      customerStatus: account.churned ? ('churned' as const) : ('active' as const),
      archived: account.archived ?? false,
      modifiedAt: new Date(EARLY),
    })),
  );
  const staged = book.filter((account) => account.stage !== undefined);
  for (const at of [...new Set(staged.map((account) => account.enteredAt ?? T0))]) {
    const entered = await store.recordStages(
      key,
      staged
        .filter((account) => (account.enteredAt ?? T0) === at)
        .map((account) => ({ accountExternalId: account.id, stage: account.stage!, reason: 'seeded' })),
      new Date(at),
    );
    const withPlans = entered.filter((stay) => book.find((account) => account.id === stay.accountExternalId)?.readings);
    await store.createPlans(
      key,
      withPlans.map((stay) => {
        const account = book.find((one) => one.id === stay.accountExternalId)!;
        const draft = planFromTemplate(TEMPLATE, { startAt: at, csmId: account.csm, ownerId: 'ae-1' });
        return {
          accountExternalId: account.id,
          name: draft.name,
          templateKey: draft.templateKey,
          stage: stay.stage,
          stageEntryId: stay.id,
          startedAt: new Date(at),
          createdBy: 'system',
          objectives: draft.objectives.map((objective) => ({
            ...objective,
            startAt: new Date(objective.startAt),
            dueAt: new Date(objective.dueAt),
          })),
          milestones: draft.milestones.map((milestone) => ({ ...milestone, dueAt: new Date(milestone.dueAt) })),
        };
      }),
      new Date(at),
    );
  }
  const plans = await store.activePlans(key);
  await store.saveReadings(
    key,
    plans.map((plan) => {
      const account = book.find((one) => one.id === plan.accountExternalId)!;
      return {
        planId: plan.id,
        objectives: account.readings!.map((reading, index) => ({
          key: OBJECTIVE_KEYS[index]!,
          status: reading.status,
          value: reading.value,
          expected: reading.expected ?? reading.value,
          progress: null,
          startValue: reading.value === null ? null : 0,
          achievedAt: reading.status === 'achieved' ? new Date(READ_AT) : null,
        })),
        reached: account.reached ?? [],
      };
    }),
    new Date(READ_AT),
  );
}

describe.each(testDatabases())('the plans dashboard on %s', (database) => {
  let handle: DatabaseHandle;
  let redis: Redis;
  let queues: Queues;
  let prefix: string;
  let server: Server;
  let url: string;
  let store: PlanStore;
  let a: InstallationKey;
  let b: InstallationKey;
  let fresh: InstallationKey;
  let asA: Record<string, string>;
  let asB: Record<string, string>;
  let asFresh: Record<string, string>;

  const get = (key: InstallationKey, headers: Record<string, string>, query = '') =>
    fetch(`${url}/api/installations/${key.installationId}/dashboard/plans${query}`, { headers });
  const ready = async (response: Response): Promise<Extract<Plans, { status: 'ready' }>> => {
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    const body = plansSchema.parse(await response.json());
    if (body.status !== 'ready') throw new Error('plans pending');
    return body;
  };
  const csv = async (response: Response) => {
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/csv');
    expect(response.headers.get('content-disposition')).toMatch(/^attachment; filename="[\w.-]+\.csv"$/);
    return parse<Record<string, string>>(await response.text(), { bom: true, columns: true });
  };

  beforeAll(async () => {
    handle = await database.open();
    await handle.migrate();
    store = planStore(handle.db);
    redis = createProducerConnection(TEST_REDIS_URL, silentLogger);
    await whenReady(redis);
    prefix = uniquePrefix();
    queues = createQueues(redis, prefix);
    const sealer = createSealer(randomBytes(32));
    const installations = installationRepository(handle.db, sealer);
    const install = async (name: string) => {
      const workspace = await createWorkspace(handle.db, name);
      const row = await installations.install({
        workspaceId: workspace.id,
        provider: 'hubspot',
        externalId: `portal-${randomUUID()}`,
        displayName: name,
        baseUrl: null,
        scopes: [],
        tokens: { accessToken: 'access', refreshToken: 'refresh', accessTokenExpiresAt: null },
      });
      return { workspaceId: workspace.id, installationId: row.id };
    };
    a = await install('Plans A');
    b = await install('Plans B');
    fresh = await install('Plans C');
    await seed(handle.db, store, a, BOOK);
    // Another workspace's book under the same account ids: none of it may reach A's figures.
    await seed(handle.db, store, b, [{ ...BOOK[0]!, arr: 7, readings: [behind(0.1, 0.2), noData, noData] }]);

    server = createServer();
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    server.on(
      'request',
      createApp({
        logger: silentLogger,
        version: '0.0.0-test',
        bodyLimit: '1mb',
        readiness: {},
        install: { db: handle.db, sealer, queues, installations, oauth: {}, publicUrl: url, now: () => AS_OF },
        dashboard: { db: handle.db, queues },
      }),
    );
    const cookieFor = (key: InstallationKey) =>
      `${SESSION_COOKIE}=${sessionCookieValue({ sealer, now: () => AS_OF }, key)}`;
    asA = { cookie: cookieFor(a) };
    asB = { cookie: cookieFor(b) };
    asFresh = { cookie: cookieFor(fresh) };
  });

  afterAll(async () => {
    server?.closeAllConnections();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    await queues?.close();
    redis?.disconnect();
    await handle?.close();
    await database.cleanup();
    if (prefix) await dropPrefix(prefix);
  });

  it('counts plans, objectives by status, plans behind and accounts by stage; archived accounts left out', async () => {
    const plans = await ready(await get(a, asA));
    expect(plans.computedAt).toBe(new Date(READ_AT).toISOString());
    expect(plans.summary).toEqual({
      activePlans: 17,
      plansBehind: 15,
      objectives: { on_track: 28, behind: 16, achieved: 2, missed: 1, no_data: 4, total: 51 },
      stagedAccounts: 18,
      unstagedAccounts: 1,
    });
    const smallArr = SMALL.reduce((sum, account) => sum + account.arr, 0);
    expect(plans.stages).toEqual([
      { stage: 'onboarding', label: 'Onboarding', accounts: 2, arr: 150_000 },
      { stage: 'adoption', label: 'Adoption', accounts: 1, arr: 30_000 },
      { stage: 'value', label: 'Value', accounts: 1, arr: 20_000 },
      { stage: 'renewal', label: 'Renewal', accounts: 1, arr: 10_000 },
      { stage: 'at_risk', label: 'At risk', accounts: 12, arr: smallArr },
      { stage: 'churned', label: 'Churned', accounts: 1, arr: 5_000 },
    ]);
    expect(plans.definitions.map((one) => one.key)).toEqual(['lifecycle_stage', 'objective_status', 'plans_behind']);
  });

  it('splits plans behind by CSM (named from the owners) and by segment', async () => {
    const plans = await ready(await get(a, asA));
    expect(plans.byCsm).toEqual([
      { csmId: 'csm-2', name: 'Grace Hopper', plans: 14, plansBehind: 13, share: 13 / 14 },
      { csmId: 'csm-1', name: 'Ada Lovelace', plans: 2, plansBehind: 1, share: 0.5 },
      { csmId: null, name: null, plans: 1, plansBehind: 1, share: 1 },
    ]);
    expect(plans.bySegment).toEqual([
      { segment: 'smb', plans: 13, plansBehind: 13, share: 1 },
      { segment: 'enterprise', plans: 2, plansBehind: 1, share: 0.5 },
      { segment: 'mid_market', plans: 2, plansBehind: 1, share: 0.5 },
    ]);
  });

  it('lists the plans behind, largest ARR first, with what is late in its unit and what is next', async () => {
    const plans = await ready(await get(a, asA));
    expect(plans.plansBehindPage).toEqual({ page: 1, pageSize: 50 });
    expect(plans.plansBehind.map((row) => row.accountId)).toEqual([
      'acc-1',
      'acc-3',
      'acc-5',
      ...SMALL.map((account) => account.id).reverse(),
    ]);
    const [acme, cobalt, ember, small] = plans.plansBehind;
    expect(acme).toMatchObject({
      accountName: 'Acme',
      csmId: 'csm-1',
      csmName: 'Ada Lovelace',
      segment: 'enterprise',
      arr: 100_000,
      planName: 'Onboarding plan',
      stage: 'onboarding',
      stageLabel: 'Onboarding',
      daysInStage: Math.floor((AS_OF - T0) / DAY),
      // Kickoff and first users reached: the success review is next, not due yet.
      nextMilestone: {
        key: 'success_review',
        title: 'Success review',
        dueAt: new Date(T0 + 75 * DAY).toISOString(),
        overdue: false,
      },
    });
    expect(acme!.objectives).toEqual([
      {
        key: 'active_users',
        title: '60% of licences in active use',
        status: 'behind',
        comparator: 'gte',
        target: 0.6,
        value: 0.42,
        expected: 0.5,
        dueAt: new Date(T0 + 90 * DAY).toISOString(),
        valueText: '42% of licences',
        targetText: '≥ 60%',
        expectedText: '50%',
      },
    ]);
    expect(cobalt).toMatchObject({
      stage: 'adoption',
      daysInStage: Math.floor((AS_OF - EARLY) / DAY),
      nextMilestone: { key: 'kickoff', dueAt: new Date(EARLY + 7 * DAY).toISOString(), overdue: true },
    });
    expect(
      cobalt!.objectives.map((one) => [one.key, one.status, one.valueText, one.targetText, one.expectedText]),
    ).toEqual([
      ['active_users', 'missed', '31% of licences', '≥ 60%', '60%'],
      ['sponsor_nps', 'behind', '6 out of 10', '≥ 8 out of 10', '7.5 out of 10'],
    ]);
    expect(ember).toMatchObject({ csmId: null, csmName: null, stage: 'renewal', nextMilestone: null });
    expect(ember!.objectives.map((one) => [one.key, one.valueText, one.targetText])).toEqual([
      ['active_users', '10% of licences', '≥ 60%'],
      ['features_live', '1.5 features', '≥ 3.0 features'],
    ]);
    expect(small).toMatchObject({ accountName: FORMULA, stage: 'at_risk', csmName: 'Grace Hopper' });
    expect(small!.nextMilestone).toMatchObject({ key: 'kickoff', overdue: true });
  });

  it('pages the plans behind and refuses bad paging with the parameter’s path', async () => {
    const second = await ready(await get(a, asA, '?pageSize=5&page=2'));
    expect(second.plansBehindPage).toEqual({ page: 2, pageSize: 5 });
    expect(second.summary.plansBehind).toBe(15);
    expect(second.plansBehind.map((row) => row.accountId)).toEqual(['p-10', 'p-09', 'p-08', 'p-07', 'p-06']);
    const last = await ready(await get(a, asA, '?pageSize=5&page=3'));
    expect(last.plansBehind.map((row) => row.accountId)).toEqual(['p-05', 'p-04', 'p-03', 'p-02', 'p-01']);
    expect((await ready(await get(a, asA, '?pageSize=5&page=4'))).plansBehind).toEqual([]);

    for (const [query, path] of [
      ['?pageSize=201', 'pageSize'],
      ['?pageSize=0', 'pageSize'],
      ['?page=0', 'page'],
      ['?pageSize=ten', 'pageSize'],
      ['?sort=arr', ''],
    ] as const) {
      const refused = await get(a, asA, query);
      expect(refused.status, query).toBe(400);
      const error = errorBodySchema.parse(await refused.json()).error;
      if (path)
        expect(
          error.issues?.map((issue) => issue.path.replace(/^\$\./, '')),
          query,
        ).toContain(path);
      else expect(error.issues?.length, query).toBeGreaterThan(0);
    }
    expect((await get(a, asA, '?format=csv&table=bottom20')).status).toBe(400);
  });

  it('applies the segment and CSM filters to every figure', async () => {
    const enterprise = await ready(await get(a, asA, '?segment=Enterprise'));
    expect(enterprise.filters).toEqual({ segment: 'Enterprise', tier: null, csm: null });
    expect(enterprise.summary.activePlans).toBe(2);
    expect(enterprise.summary.plansBehind).toBe(1);
    expect(enterprise.stages.find((slice) => slice.stage === 'onboarding')).toMatchObject({ accounts: 2 });
    expect(enterprise.stages.reduce((sum, slice) => sum + slice.accounts, 0)).toBe(2);
    expect(enterprise.plansBehind.map((row) => row.accountId)).toEqual(['acc-1']);

    const unassigned = await ready(await get(a, asA, '?csm=none'));
    expect(unassigned.summary).toMatchObject({ activePlans: 1, plansBehind: 1 });
    expect(unassigned.byCsm).toEqual([{ csmId: null, name: null, plans: 1, plansBehind: 1, share: 1 }]);
  });

  it('exports every row as CSV, formulas neutralised', async () => {
    const rows = await csv(await get(a, asA, '?format=csv&pageSize=5'));
    expect(rows).toHaveLength(15);
    expect(rows.map((row) => row['Account id'])).toEqual([
      'acc-1',
      'acc-3',
      'acc-5',
      ...SMALL.map((account) => account.id).reverse(),
    ]);
    expect(rows[0]).toMatchObject({
      Account: 'Acme',
      CSM: 'Ada Lovelace',
      Segment: 'enterprise',
      ARR: '100000',
      Plan: 'Onboarding plan',
      Stage: 'Onboarding',
      'Days in stage': String(Math.floor((AS_OF - T0) / DAY)),
      'Objectives behind': '60% of licences in active use: 42% of licences (target ≥ 60%, expected 50% by now)',
      'Next milestone': 'Success review',
      'Milestone due': new Date(T0 + 75 * DAY).toISOString().slice(0, 10),
      'Milestone overdue': 'false',
    });
    expect(rows[1]!['Objectives behind']).toBe(
      '60% of licences in active use: 31% of licences (target ≥ 60%, missed); Executive sponsor rates us 8 or more: 6 out of 10 (target ≥ 8 out of 10, expected 7.5 out of 10 by now)',
    );
    expect(rows[3]!.Account).toBe(`'${FORMULA}`);

    const csms = await csv(await get(a, asA, '?format=csv&table=csms'));
    expect(csms.map((row) => [row.CSM, row['Active plans'], row['Plans behind']])).toEqual([
      ['Grace Hopper', '14', '13'],
      ['Ada Lovelace', '2', '1'],
      ['Unassigned', '1', '1'],
    ]);
    const segments = await csv(await get(a, asA, '?format=csv&table=segments'));
    expect(segments.map((row) => [row.Segment, row['Share behind']])).toEqual([
      ['smb', '1'],
      ['enterprise', '0.5'],
      ['mid_market', '0.5'],
    ]);
    const stages = await csv(await get(a, asA, '?format=csv&table=stages'));
    expect(stages.map((row) => [row.Stage, row.Accounts])).toEqual([
      ['Onboarding', '2'],
      ['Adoption', '1'],
      ['Value', '1'],
      ['Renewal', '1'],
      ['At risk', '12'],
      ['Churned', '1'],
    ]);
    const accept = await fetch(`${url}/api/installations/${a.installationId}/dashboard/plans`, {
      headers: { ...asA, accept: 'text/csv' },
    });
    expect(await csv(accept)).toHaveLength(15);
  });

  it('shows another workspace nothing (404) and says pending before any stage was recorded', async () => {
    for (const headers of [asB, asFresh]) {
      const other = await get(a, headers);
      expect(other.status).toBe(404);
      expect(errorBodySchema.parse(await other.json()).error.code).toBe('INSTALLATION_NOT_FOUND');
    }
    expect((await get(a, {})).status).toBe(401);
    const own = await ready(await get(b, asB));
    expect(own.summary).toMatchObject({ activePlans: 1, plansBehind: 1, stagedAccounts: 1 });
    expect(own.plansBehind[0]).toMatchObject({ accountId: 'acc-1', arr: 7 });

    const pending = plansSchema.parse(await (await get(fresh, asFresh)).json());
    expect(pending.status).toBe('pending');
    const csvPending = await get(fresh, asFresh, '?format=csv');
    expect(csvPending.status).toBe(409);
    expect(errorBodySchema.parse(await csvPending.json()).error.code).toBe('FIGURES_PENDING');
  });

  it('answers anew once the plans are read again (the cached answer is not served stale)', async () => {
    expect((await ready(await get(a, asA))).summary.plansBehind).toBe(15);
    const [bolt] = await store.activePlans(a, ['acc-2']);
    await store.saveReadings(
      a,
      [
        {
          planId: bolt!.id,
          objectives: [
            {
              key: 'features_live',
              status: 'behind',
              value: 1,
              expected: 2,
              progress: 0.3,
              startValue: 0,
              achievedAt: null,
            },
          ],
          reached: [],
        },
      ],
      new Date(READ_AT + DAY),
    );
    const after = await ready(await get(a, asA));
    expect(after.computedAt).toBe(new Date(READ_AT + DAY).toISOString());
    expect(after.summary.plansBehind).toBe(16);
    expect(after.summary.objectives).toMatchObject({ on_track: 27, behind: 17 });
    expect(after.byCsm.find((row) => row.csmId === 'csm-1')).toMatchObject({ plans: 2, plansBehind: 2, share: 1 });
  });
});
