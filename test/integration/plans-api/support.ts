import { randomBytes, randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createQueues, type Queues } from '../../../jobs/queues.ts';
import { DEFAULT_PLAN_TEMPLATES } from '../../../server/core/plans/default-templates.ts';
import { planFromTemplate, type PlanTemplate } from '../../../server/core/plans/plan-model.ts';
import { createApp } from '../../../server/http/app.ts';
import { SESSION_COOKIE, sessionCookieValue } from '../../../server/http/install/cookies.ts';
import type { InstallDeps } from '../../../server/http/install/deps.ts';
import { createSealer, type Sealer } from '../../../server/platform/crypto.ts';
import type { DatabaseHandle } from '../../../server/platform/db/database.ts';
import { createWorkspace, installationRepository } from '../../../server/platform/db/installations.ts';
import { planStore, type PlanStore, type PlanWithParts } from '../../../server/platform/db/plan-store.ts';
import { accounts, owners } from '../../../server/platform/db/schema.ts';
import type { InstallationKey } from '../../../server/platform/db/sync-store.ts';
import { createProducerConnection, whenReady, type Redis } from '../../../server/platform/redis.ts';
import { silentLogger, type TestDatabase } from '../../support/databases.ts';
import { dropPrefix, TEST_REDIS_URL, uniquePrefix } from '../../support/redis.ts';

/**
 * Two workspaces, each with a HubSpot portal, on a real Express app on loopback with a clock the
 * tests move. Workspace A holds Acme (an onboarding plan made from the enterprise template when it
 * entered the stage, with readings) and Globex; workspace B holds Bravo with a plan of its own.
 */

export const DAY = 86_400_000;
export const T0 = Date.parse('2026-09-01T06:00:00Z');
/** The name is markup on purpose: every page must escape what the CRM sends. */
export const ACME_NAME = 'Acme <b>Corp</b> & "Sons"';
export const CSM_EMAIL = 'casey@vendor.example';
export const SIGNED_IN_EMAIL = 'pat@vendor.example';

export const template = (key: string): PlanTemplate => {
  const found = DEFAULT_PLAN_TEMPLATES.find((one) => one.key === key);
  if (!found) throw new Error(`no default template ${key}`);
  return found;
};

export interface PlansWorld {
  url: string;
  db: DatabaseHandle['db'];
  queues: Queues;
  redis: Redis;
  sealer: Sealer;
  install: InstallDeps;
  store: PlanStore;
  a: InstallationKey;
  b: InstallationKey;
  /** A's onboarding plan for Acme, and B's plan for Bravo. */
  acmePlan: PlanWithParts;
  bravoPlan: PlanWithParts;
  clock: { now: number };
  /** Session headers for a signed-in user of A (named) or B, valid at the clock's time. */
  asA(): Record<string, string>;
  asB(): Record<string, string>;
  close(): Promise<void>;
}

export async function openPlansWorld(database: TestDatabase): Promise<PlansWorld> {
  const handle = await database.open();
  await handle.migrate();
  const redis = createProducerConnection(TEST_REDIS_URL, silentLogger);
  await whenReady(redis);
  const prefix = uniquePrefix();
  const queues = createQueues(redis, prefix);
  const sealer = createSealer(randomBytes(32));
  const installations = installationRepository(handle.db, sealer);
  const connect = async (name: string) => {
    const workspaceId = (await createWorkspace(handle.db, name)).id;
    const row = await installations.install({
      workspaceId,
      provider: 'hubspot',
      externalId: `hubspot-${randomUUID()}`,
      displayName: name,
      baseUrl: null,
      scopes: [],
      tokens: { accessToken: 'access', refreshToken: 'refresh', accessTokenExpiresAt: null },
    });
    return { workspaceId, installationId: row.id };
  };
  const a = await connect('Plans A');
  const b = await connect('Plans B');
  const modifiedAt = new Date(T0 - 30 * DAY);
  await handle.db.insert(accounts).values([
    {
      ...a,
      externalId: 'acme-1',
      name: ACME_NAME,
      segment: 'enterprise',
      csmExternalId: 'u-casey',
      ownerExternalId: 'u-owen',
      licences: 100,
      modifiedAt,
    },
    { ...a, externalId: 'globex-2', name: 'Globex Industries', segment: 'smb', ownerExternalId: 'u-owen', modifiedAt },
    { ...a, externalId: 'gone-3', name: 'Gone Away', segment: 'smb', archived: true, modifiedAt },
    { ...b, externalId: 'bravo-9', name: 'Bravo Limited', segment: 'enterprise', csmExternalId: 'u-bee', modifiedAt },
  ]);
  await handle.db.insert(owners).values([
    { ...a, externalId: 'u-casey', name: 'Casey Chen', email: CSM_EMAIL, modifiedAt },
    { ...a, externalId: 'u-owen', firstName: 'Owen', lastName: 'Park', email: 'owen@vendor.example', modifiedAt },
    { ...a, externalId: 'u-left', name: 'Lee Left', email: 'lee@vendor.example', active: false, modifiedAt },
    { ...b, externalId: 'u-bee', name: 'Bea Bravo', email: 'bea@other.example', modifiedAt },
  ]);

  const store = planStore(handle.db);
  const stageMadePlan = async (key: InstallationKey, accountId: string, csmId: string, startAt: number) => {
    const [stay] = await store.recordStages(
      key,
      [{ accountExternalId: accountId, stage: 'onboarding', reason: 'Onboarding: day 1 of 90' }],
      new Date(startAt),
    );
    const draft = planFromTemplate(template('enterprise_onboarding'), { startAt, csmId, ownerId: null });
    const [made] = await store.createPlans(
      key,
      [
        {
          accountExternalId: accountId,
          name: draft.name,
          templateKey: draft.templateKey,
          stage: draft.stage,
          stageEntryId: stay!.id,
          startedAt: new Date(startAt),
          createdBy: 'system',
          objectives: draft.objectives.map((one) => ({
            ...one,
            startAt: new Date(one.startAt),
            dueAt: new Date(one.dueAt),
          })),
          milestones: draft.milestones.map((one) => ({ ...one, dueAt: new Date(one.dueAt) })),
        },
      ],
      new Date(startAt),
    );
    return made!;
  };
  const acme = await stageMadePlan(a, 'acme-1', 'u-casey', T0 - 3 * DAY);
  const bravo = await stageMadePlan(b, 'bravo-9', 'u-bee', T0 - 3 * DAY);
  // What a plans run read from the signals: 42% of licences active, two features live.
  await store.saveReadings(
    a,
    [
      {
        planId: acme.id,
        objectives: [
          {
            key: 'active_users',
            status: 'on_track',
            value: 0.42,
            expected: 0.3,
            progress: 0.35,
            startValue: 0.2,
            achievedAt: null,
          },
          {
            key: 'features_live',
            status: 'behind',
            value: 2,
            expected: 2.5,
            progress: 0.5,
            startValue: 1,
            achievedAt: null,
          },
        ],
        reached: ['first_users'],
      },
    ],
    new Date(T0 - DAY),
  );
  await store.addNote(a, acme.id, 'system', 'Internal: sponsor is sceptical about the rollout', new Date(T0 - DAY));

  const clock = { now: T0 };
  const server: Server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const install: InstallDeps = {
    db: handle.db,
    sealer,
    queues,
    installations,
    oauth: {},
    publicUrl: url,
    now: () => clock.now,
  };
  server.on(
    'request',
    createApp({
      logger: silentLogger,
      version: '0.0.0-test',
      bodyLimit: '1mb',
      readiness: {},
      install,
      warnings: { db: handle.db },
    }),
  );
  const cookie = (key: InstallationKey, user?: { userId: string; email: string }) =>
    `${SESSION_COOKIE}=${sessionCookieValue(
      { sealer, now: () => clock.now },
      {
        ...key,
        ...(user
          ? {
              user: {
                provider: 'hubspot' as const,
                externalId: 'portal',
                userId: user.userId,
                name: null,
                email: user.email,
              },
            }
          : {}),
      },
    )}`;

  return {
    url,
    db: handle.db,
    queues,
    redis,
    sealer,
    install,
    store,
    a,
    b,
    acmePlan: (await store.plan(a, acme.id))!,
    bravoPlan: (await store.plan(b, bravo.id))!,
    clock,
    asA: () => ({ cookie: cookie(a, { userId: '77', email: SIGNED_IN_EMAIL }) }),
    asB: () => ({ cookie: cookie(b) }),
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await queues.close();
      redis.disconnect();
      await handle.close();
      await database.cleanup();
      await dropPrefix(prefix);
    },
  };
}

/** A JSON request with A's session unless told otherwise. */
export function sender(world: PlansWorld) {
  return (method: string, path: string, body?: unknown, headers: Record<string, string> = world.asA()) =>
    fetch(`${world.url}${path}`, {
      method,
      headers: body === undefined ? headers : { ...headers, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
}
