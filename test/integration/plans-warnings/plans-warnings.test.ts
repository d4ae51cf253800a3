import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runWarnings, type WarningsDeps } from '../../../jobs/warnings/warnings-run.ts';
import { DEFAULT_PLAN_TEMPLATES } from '../../../server/core/plans/default-templates.ts';
import { planFromTemplate } from '../../../server/core/plans/plan-model.ts';
import type { DatabaseHandle } from '../../../server/platform/db/database.ts';
import { healthModelStore } from '../../../server/platform/db/health-model-store.ts';
import { healthScoreStore } from '../../../server/platform/db/health-score-store.ts';
import { overrideStore } from '../../../server/platform/db/override-store.ts';
import { planStore, type PlanStore } from '../../../server/platform/db/plan-store.ts';
import { accounts } from '../../../server/platform/db/schema.ts';
import type { InstallationKey } from '../../../server/platform/db/sync-store.ts';
import { warningStore, type WarningStore } from '../../../server/platform/db/warning-store.ts';
import { installBook } from '../analytics/seed-book.ts';
import { silentLogger, testDatabases, type TestDatabase } from '../../support/databases.ts';

/**
 * Warnings from stored success plans through the warnings run: an onboarding plan with overdue,
 * unreached milestones opens `onboarding_stalled` once with its playbook tasks, a second run opens
 * nothing, and reaching a milestone resolves it; an objective behind its trajectory long enough opens
 * `objective_behind`, which resolves once the reading is back on track.
 */

const DAY_MS = 86_400_000;
const NOW = Date.UTC(2026, 5, 30, 12);
const STARTED = NOW - 40 * DAY_MS;
const template = DEFAULT_PLAN_TEMPLATES.find((item) => item.key === 'enterprise_onboarding')!;

describe.each(testDatabases())('on $name', (each) => {
  let database: TestDatabase;
  let handle: DatabaseHandle;
  let key: InstallationKey;
  let plans: PlanStore;
  let store: WarningStore;
  let deps: WarningsDeps;
  let stalledPlan: string;
  let freshPlan: string;

  const run = (at: number) => runWarnings(deps, key, { full: true, at });
  const openOf = async (rule: string) => (await store.open(key)).filter((row) => row.rule === rule);

  beforeAll(async () => {
    database = each;
    handle = await database.open();
    await handle.migrate();
    key = await installBook(handle.db, 'Plan warnings', `plan-warnings-${database.name}`);
    await handle.db.insert(accounts).values(
      ['acc-stalled', 'acc-fresh'].map((externalId) => ({
        ...key,
        externalId,
        modifiedAt: new Date(STARTED),
        createdAtCrm: new Date(STARTED),
        name: externalId === 'acc-stalled' ? 'Acme Stalled' : 'Fresh Start',
        segment: 'enterprise',
        ownerExternalId: 'owner-1',
        csmExternalId: 'csm-1',
        licences: 50,
        customerStatus: 'active' as const,
      })),
    );
    plans = planStore(handle.db);
    store = warningStore(handle.db);
    deps = {
      db: handle.db,
      store,
      scores: healthScoreStore(handle.db),
      models: healthModelStore(handle.db),
      overrides: overrideStore(handle.db),
      logger: silentLogger,
    };
    // Acme entered onboarding 40 days ago; Fresh Start 10 days ago (its plan cannot have stalled yet).
    const [stalledStay] = await plans.recordStages(
      key,
      [{ accountExternalId: 'acc-stalled', stage: 'onboarding', reason: 'Onboarding: day 1 of 90' }],
      new Date(STARTED),
    );
    const [freshStay] = await plans.recordStages(
      key,
      [{ accountExternalId: 'acc-fresh', stage: 'onboarding', reason: 'Onboarding: day 1 of 90' }],
      new Date(NOW - 10 * DAY_MS),
    );
    const newPlan = (accountExternalId: string, stay: { id: string; enteredAt: Date }) => {
      const draft = planFromTemplate(template, {
        startAt: stay.enteredAt.getTime(),
        csmId: 'csm-1',
        ownerId: 'owner-1',
      });
      return {
        accountExternalId,
        name: draft.name,
        templateKey: draft.templateKey,
        stage: draft.stage,
        stageEntryId: stay.id,
        startedAt: stay.enteredAt,
        createdBy: 'system',
        objectives: draft.objectives.map((objective) => ({
          ...objective,
          startAt: new Date(objective.startAt),
          dueAt: new Date(objective.dueAt),
        })),
        milestones: draft.milestones.map((milestone) => ({ ...milestone, dueAt: new Date(milestone.dueAt) })),
      };
    };
    const made = await plans.createPlans(
      key,
      [newPlan('acc-stalled', stalledStay!), newPlan('acc-fresh', freshStay!)],
      new Date(STARTED),
    );
    stalledPlan = made.find((plan) => plan.accountExternalId === 'acc-stalled')!.id;
    freshPlan = made.find((plan) => plan.accountExternalId === 'acc-fresh')!.id;
  }, 120_000);

  afterAll(async () => {
    await handle?.close();
    await database.cleanup();
  });

  it('opens onboarding_stalled once for the plan whose milestones are overdue, with its playbook tasks', async () => {
    const summary = await run(NOW);
    expect(summary.evaluated).toBe(2);
    const stalled = await openOf('onboarding_stalled');
    expect(stalled.map((row) => [row.accountExternalId, row.dedupeKey])).toEqual([
      ['acc-stalled', `onboarding_stalled:acc-stalled:${stalledPlan}`],
    ]);
    expect(stalled[0]).toMatchObject({
      severity: 'medium',
      title: 'Onboarding stalled: no milestone reached in 40 days',
      evidence: {
        values: {
          daysSinceProgress: 40,
          milestonesReached: 0,
          milestonesTotal: template.milestones.length,
          nextMilestone: template.milestones[0]!.title,
          planName: 'Enterprise onboarding',
        },
        thresholds: { stalledDays: 21 },
      },
    });
    const tasks = await store.tasksOf(key, [stalled[0]!.id]);
    expect(tasks.map((task) => [task.step, task.subject, task.assigneeExternalId])).toEqual([
      [0, 'Restart onboarding at Acme Stalled', 'csm-1'],
      [1, 'Review the stalled onboarding of Acme Stalled', 'owner-1'],
    ]);
    expect(tasks[0]!.body).toContain(
      `No milestone of the plan "Enterprise onboarding" has been reached for 40 days (0 of 4 done). The next one is "${template.milestones[0]!.title}".`,
    );
    expect(tasks[0]!.body).toContain('Why: No milestone of "Enterprise onboarding" has been reached in the 40 days');
  });

  it('opens nothing new on a second run', async () => {
    const summary = await run(NOW + 3_600_000);
    expect(summary.opened).toBe(0);
    expect((await openOf('onboarding_stalled')).length).toBe(1);
  });

  it('resolves once a milestone is reached', async () => {
    const [warning] = await openOf('onboarding_stalled');
    expect(await plans.markMilestone(key, stalledPlan, 'kickoff', { at: new Date(NOW + 7_200_000), by: 'csm-1' })).toBe(
      true,
    );
    const summary = await run(NOW + 3 * 3_600_000);
    expect(summary.resolved).toBeGreaterThanOrEqual(1);
    expect(await openOf('onboarding_stalled')).toEqual([]);
    const history = await store.ofAccount(key, 'acc-stalled');
    expect(history.find((row) => row.id === warning!.id)).toMatchObject({ status: 'resolved' });
  });

  it('opens objective_behind after the objective has been behind long enough, and resolves it when on track', async () => {
    const reading = (status: 'behind' | 'on_track', value: number) => ({
      planId: freshPlan,
      objectives: [
        {
          key: 'active_users',
          status,
          value,
          expected: 0.2,
          progress: 0.1,
          startValue: 0.05,
          achievedAt: null,
        },
      ],
      reached: [],
    });
    // Behind since 13 days ago: not yet.
    await plans.saveReadings(key, [reading('behind', 0.08)], new Date(NOW - 13 * DAY_MS));
    await run(NOW + 4 * 3_600_000);
    expect(await openOf('objective_behind')).toEqual([]);
    // A day later it has been behind 14 days.
    await run(NOW + DAY_MS);
    const [behind, ...more] = await openOf('objective_behind');
    expect(more).toEqual([]);
    expect(behind).toMatchObject({
      accountExternalId: 'acc-fresh',
      dedupeKey: `objective_behind:acc-fresh:${freshPlan}:active_users`,
      severity: 'medium',
      evidence: {
        values: {
          objective: template.objectives[0]!.title,
          value: '8% of licences',
          expected: '20% of licences',
          target: 'at least 60% of licences',
          daysBehind: 14,
          planName: 'Enterprise onboarding',
        },
      },
    });
    const tasks = await store.tasksOf(key, [behind!.id]);
    expect(tasks.map((task) => task.subject)).toEqual([
      `Get "${template.objectives[0]!.title}" back on track at Fresh Start`,
    ]);

    await plans.saveReadings(key, [reading('on_track', 0.3)], new Date(NOW + DAY_MS + 1_000));
    await run(NOW + DAY_MS + 3_600_000);
    expect(await openOf('objective_behind')).toEqual([]);
    const history = await store.ofAccount(key, 'acc-fresh');
    expect(history.find((row) => row.id === behind!.id)).toMatchObject({ status: 'resolved' });
  });
});
