import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSealer } from '../../../server/platform/crypto.ts';
import type { DatabaseHandle } from '../../../server/platform/db/database.ts';
import { createWorkspace, installationRepository } from '../../../server/platform/db/installations.ts';
import { planStore, type NewPlan, type PlanStore } from '../../../server/platform/db/plan-store.ts';
import { accounts } from '../../../server/platform/db/schema.ts';
import type { InstallationKey } from '../../../server/platform/db/sync-store.ts';
import { testDatabases } from '../../support/databases.ts';

const DAY = 86_400_000;
const at = (iso: string) => new Date(iso);
const T0 = at('2026-09-01T06:00:00Z');

function newPlan(
  accountExternalId: string,
  stageEntryId: string | null,
  templateKey: string | null = 'onboarding',
): NewPlan {
  return {
    accountExternalId,
    name: 'Onboarding',
    templateKey,
    stage: 'onboarding',
    stageEntryId,
    startedAt: T0,
    createdBy: 'system',
    objectives: [
      {
        key: 'licence_use',
        position: 0,
        title: 'Licence use at 60%',
        metric: { kind: 'signal', signal: 'usage.active_user_ratio', windowDays: 28, aggregation: 'mean' },
        comparator: 'gte',
        target: 0.6,
        startAt: T0,
        dueAt: new Date(T0.getTime() + 90 * DAY),
      },
    ],
    milestones: [
      {
        key: 'kickoff',
        position: 0,
        title: 'Kickoff',
        dueAt: new Date(T0.getTime() + 7 * DAY),
        ownerExternalId: 'u1',
        reachedWhen: null,
      },
      {
        key: 'live',
        position: 1,
        title: 'First team live',
        dueAt: new Date(T0.getTime() + 30 * DAY),
        ownerExternalId: 'u1',
        reachedWhen: null,
      },
    ],
  };
}

describe.each(testDatabases())('plan store on $name', (database) => {
  let handle: DatabaseHandle;
  let store: PlanStore;
  let portal: InstallationKey;
  let stranger: InstallationKey;

  beforeAll(async () => {
    handle = await database.open();
    await handle.migrate();
    store = planStore(handle.db);
    const repo = installationRepository(handle.db, createSealer(Buffer.alloc(32, 7)));
    const install = async (workspaceId: string) => {
      const row = await repo.install({
        workspaceId,
        provider: 'hubspot',
        externalId: `hubspot-${randomUUID()}`,
        displayName: 'portal',
        baseUrl: null,
        scopes: [],
        tokens: { accessToken: 'a', refreshToken: null, accessTokenExpiresAt: null },
      });
      return { workspaceId, installationId: row.id };
    };
    portal = await install((await createWorkspace(handle.db, 'Plans A')).id);
    stranger = await install((await createWorkspace(handle.db, 'Plans B')).id);
    for (const key of [portal, stranger]) {
      await handle.db.insert(accounts).values(
        ['a1', 'a2', 'a3'].map((externalId) => ({
          ...key,
          externalId,
          segment: 'enterprise',
          csmExternalId: 'u1',
          modifiedAt: at('2026-05-01T00:00:00Z'),
        })),
      );
    }
  });

  afterAll(async () => {
    await handle?.close();
    await database.cleanup();
  });

  it('keeps a stay while the stage holds, opens another when it changes, and changes nothing when run again', async () => {
    const first = await store.recordStages(
      portal,
      [
        { accountExternalId: 'a1', stage: 'onboarding', reason: 'Onboarding: day 3 of 90' },
        { accountExternalId: 'a2', stage: 'value', reason: 'Active users 72% of licences' },
      ],
      T0,
    );
    expect(first.map((row) => row.accountExternalId).sort()).toEqual(['a1', 'a2']);
    const again = await store.recordStages(
      portal,
      [{ accountExternalId: 'a1', stage: 'onboarding', reason: 'Onboarding: day 4 of 90' }],
      new Date(T0.getTime() + DAY),
    );
    expect(again).toEqual([]);
    expect((await store.currentStages(portal)).get('a1')).toMatchObject({
      reason: 'Onboarding: day 4 of 90',
      enteredAt: T0,
    });

    const moved = await store.recordStages(
      portal,
      [{ accountExternalId: 'a2', stage: 'renewal', reason: 'Renewal in 80 days' }],
      new Date(T0.getTime() + 2 * DAY),
    );
    expect(moved).toHaveLength(1);
    const history = await store.stageHistory(portal, 'a2');
    expect(history.map((row) => [row.stage, row.leftAt])).toEqual([
      ['renewal', null],
      ['value', new Date(T0.getTime() + 2 * DAY)],
    ]);
    // Another installation's accounts of the same ids have no stays.
    expect((await store.currentStages(stranger)).size).toBe(0);
  });

  it('makes one plan per stay, skips a template plan already active, and closes the earlier stage plan', async () => {
    const stays = await store.staysWithoutPlan(portal, ['onboarding']);
    expect(stays.map((stay) => stay.accountExternalId)).toEqual(['a1']);
    const stay = stays[0]!;
    expect(stay).toMatchObject({ segment: 'enterprise', csmExternalId: 'u1' });

    const made = await Promise.all([
      store.createPlans(portal, [newPlan('a1', stay.entryId)], T0),
      store.createPlans(portal, [newPlan('a1', stay.entryId)], T0),
    ]);
    expect(made.flat()).toHaveLength(1);
    expect(await store.staysWithoutPlan(portal, ['onboarding'])).toEqual([]);

    // Back in onboarding after a detour: a new stay, but the onboarding plan is still active.
    await store.recordStages(
      portal,
      [{ accountExternalId: 'a1', stage: 'at_risk', reason: 'Health band red' }],
      new Date(T0.getTime() + 3 * DAY),
    );
    const [back] = await store.recordStages(
      portal,
      [{ accountExternalId: 'a1', stage: 'onboarding', reason: 'Onboarding: day 5 of 90' }],
      new Date(T0.getTime() + 4 * DAY),
    );
    expect(await store.createPlans(portal, [newPlan('a1', back!.id)], T0)).toEqual([]);

    // Renewal plan for a new stay closes the onboarding plan; a plan made by hand stays active.
    const manual = await store.createPlans(portal, [{ ...newPlan('a1', null, null), name: 'Exec alignment' }], T0);
    expect(manual).toHaveLength(1);
    const [renewal] = await store.recordStages(
      portal,
      [{ accountExternalId: 'a1', stage: 'renewal', reason: 'Renewal in 60 days' }],
      new Date(T0.getTime() + 5 * DAY),
    );
    await store.createPlans(
      portal,
      [{ ...newPlan('a1', renewal!.id, 'renewal'), stage: 'renewal', name: 'Renewal' }],
      new Date(T0.getTime() + 5 * DAY),
    );
    const plans = await store.plansOf(portal, 'a1');
    expect(plans.map((plan) => [plan.name, plan.status]).sort()).toEqual([
      ['Exec alignment', 'active'],
      ['Onboarding', 'closed'],
      ['Renewal', 'active'],
    ]);
    expect(plans.find((plan) => plan.name === 'Onboarding')!.objectives.map((row) => row.key)).toEqual(['licence_use']);
    expect(await store.plansOf(stranger, 'a1')).toEqual([]);
  });

  it('keeps when an objective status began while it holds, and a reached milestone keeps its date', async () => {
    const [stay] = await store.recordStages(
      portal,
      [{ accountExternalId: 'a3', stage: 'onboarding', reason: 'Onboarding: day 1 of 90' }],
      T0,
    );
    const [plan] = await store.createPlans(portal, [newPlan('a3', stay!.id)], T0);
    const reading = (status: 'behind' | 'on_track', value: number) => ({
      planId: plan!.id,
      objectives: [
        { key: 'licence_use', status, value, expected: 0.3, progress: 0.2, startValue: 0.1, achievedAt: null },
      ],
      reached: ['live'],
    });
    const t1 = new Date(T0.getTime() + 10 * DAY);
    const t2 = new Date(T0.getTime() + 11 * DAY);
    const t3 = new Date(T0.getTime() + 12 * DAY);
    await store.saveReadings(portal, [reading('behind', 0.2)], t1);
    await store.saveReadings(portal, [reading('behind', 0.21)], t2);
    let stored = (await store.plan(portal, plan!.id))!;
    expect(stored.objectives[0]).toMatchObject({ status: 'behind', statusSince: t1, value: 0.21, readAt: t2 });
    expect(stored.milestones.find((row) => row.key === 'live')).toMatchObject({ reachedAt: t1, reachedBy: 'signal' });
    await store.saveReadings(portal, [reading('on_track', 0.4)], t3);
    stored = (await store.plan(portal, plan!.id))!;
    expect(stored.objectives[0]).toMatchObject({ status: 'on_track', statusSince: t3 });

    expect(await store.markMilestone(portal, plan!.id, 'kickoff', { at: t2, by: 'csm@example.com' })).toBe(true);
    expect(await store.markMilestone(stranger, plan!.id, 'kickoff', null)).toBe(false);
    expect(await store.markMilestone(portal, plan!.id, 'nope', null)).toBe(false);
  });

  it('closes the active plans of churned accounts only', async () => {
    const at = new Date(T0.getTime() + 20 * DAY);
    await store.recordStages(portal, [{ accountExternalId: 'a1', stage: 'churned', reason: 'Churned in the CRM' }], at);
    expect(await store.closePlansOfChurned(stranger, at)).toBe(0);
    expect(await store.closePlansOfChurned(portal, at)).toBe(2);
    expect((await store.plansOf(portal, 'a1')).every((plan) => plan.status === 'closed')).toBe(true);
    expect((await store.activePlans(portal)).map((plan) => plan.accountExternalId)).toEqual(['a3']);
    expect(await store.closePlansOfChurned(portal, at)).toBe(0);
  });

  it('opens a share link only by its token, before expiry and until revoked', async () => {
    const [plan] = await store.activePlans(portal, ['a3']);
    const link = await store.createShareLink(portal, {
      planId: plan!.id,
      tokenHash: 'f'.repeat(64),
      createdBy: 'csm@example.com',
      createdAt: T0,
      expiresAt: new Date(T0.getTime() + 30 * DAY),
    });
    expect(await store.openShareLink('f'.repeat(64), new Date(T0.getTime() + DAY))).toMatchObject({
      key: portal,
      planId: plan!.id,
    });
    expect(await store.openShareLink('e'.repeat(64), T0)).toBeNull();
    expect(await store.openShareLink('f'.repeat(64), new Date(T0.getTime() + 30 * DAY))).toBeNull();
    expect(await store.revokeShareLink(stranger, plan!.id, link.id, T0)).toBe(false);
    expect(await store.revokeShareLink(portal, plan!.id, link.id, T0)).toBe(true);
    expect(await store.openShareLink('f'.repeat(64), new Date(T0.getTime() + DAY))).toBeNull();
    expect((await store.shareLinks(portal, plan!.id))[0]).toMatchObject({
      revokedAt: T0,
      lastOpenedAt: new Date(T0.getTime() + DAY),
    });
  });
});
