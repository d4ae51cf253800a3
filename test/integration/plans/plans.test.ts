import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { createQueues, type Queues } from '../../../jobs/queues.ts';
import type { ScoreDeps } from '../../../jobs/score/score-run.ts';
import { runScoreJob, type ScoreJobResult } from '../../../jobs/score/score.job.ts';
import { runSync } from '../../../jobs/sync/run-sync.ts';
import type { WriteBackServices } from '../../../jobs/write-back/write-back.job.ts';
import type { Book } from '../../../sandbox/generator/book.ts';
import { crmBook, generateBook } from '../../../sandbox/generator/generate-book.ts';
import { DEFAULT_PLAN_TEMPLATES } from '../../../server/core/plans/default-templates.ts';
import {
  OBJECTIVE_STATUSES,
  conditionHolds,
  metricSchema,
  metricValue,
  milestoneTemplateSchema,
  templateFor,
} from '../../../server/core/plans/plan-model.ts';
import { LIFECYCLE_STAGES, type LifecycleStage } from '../../../server/core/plans/stages.ts';
import type { DatabaseHandle } from '../../../server/platform/db/database.ts';
import { healthModelStore } from '../../../server/platform/db/health-model-store.ts';
import { loadAccountFacts, loadFactsContext } from '../../../server/platform/db/health-facts-store.ts';
import { healthScoreStore } from '../../../server/platform/db/health-score-store.ts';
import { insertSurveyResponses, upsertUsageDaily } from '../../../server/platform/db/ingest-store.ts';
import { overrideStore } from '../../../server/platform/db/override-store.ts';
import { planStore, type PlanStore, type PlanWithParts } from '../../../server/platform/db/plan-store.ts';
import {
  accountHealthCurrent,
  accounts,
  accountStageHistory,
  contacts,
  type HealthFieldValues,
} from '../../../server/platform/db/schema.ts';
import type { InstallationKey } from '../../../server/platform/db/sync-store.ts';
import { silentLogger, testDatabases } from '../../support/databases.ts';
import { dropPrefix, uniquePrefix } from '../../support/redis.ts';
import { createSyncHarness, type SyncHarness } from '../../support/sync-harness.ts';
import { ingestBookSignals } from '../score/support.ts';
import {
  crmDifferences,
  crmValues,
  fakeJob,
  grantFieldAccess,
  runJob,
  writeBackServices,
  type Provider,
} from '../write-back/support.ts';

/**
 * Lifecycle stages and success plans on a synced book with its usage and surveys ingested (issue 10,
 * acceptance 2): after the score job every current customer has a stage and every account in
 * onboarding has exactly one plan, from its segment's onboarding template; a second run makes no plan,
 * no stay and no written change; the stage reaches both CRMs; a milestone condition met in the
 * signals is reached by 'signal' and an objective's status follows the signal.
 *
 * The book is generated as of today with 80 accounts: a customer whose first contract started within
 * the 90 onboarding days (and whose active-user share is still under half) is in onboarding, and the
 * generator draws contract starts across the whole last year, so the book has some (checked below).
 */

const database = testDatabases()[0]!;
const PROVIDERS: Provider[] = ['hubspot', 'salesforce'];
const DAY_MS = 86_400_000;
/** The onboarding template each segment of the book gets. */
const ONBOARDING_TEMPLATE: Record<string, string> = {
  enterprise: 'enterprise_onboarding',
  mid_market: 'mid_market_onboarding',
  smb: 'tech_touch_onboarding',
};

let handle: DatabaseHandle;
let h: SyncHarness;
let book: Book;
let prefix: string;
let queues: Queues;
let deps: ScoreDeps;
let plans: PlanStore;
let writeBack: WriteBackServices;
let now: Date;
const firstRun = new Map<Provider, Extract<ScoreJobResult, { outcome: 'scored' }>>();

const keyOf = (provider: Provider): InstallationKey => ({
  workspaceId: h.installations[provider].workspaceId,
  installationId: h.installations[provider].id,
});

function bookIdOf(provider: Provider): Map<string, string> {
  const ids = provider === 'hubspot' ? h.hubspot.ids!.companies : h.salesforce.ids!.accounts;
  return new Map([...ids].map(([bookId, crmId]) => [crmId, bookId]));
}

async function scoreJob(provider: Provider, full: boolean) {
  const services = { score: deps, installations: h.repository, queues, redis: h.redis };
  const result = await runScoreJob(
    services,
    { ...keyOf(provider), full, reason: full ? 'schedule' : 'sync' },
    fakeJob(),
    'token',
  );
  if (result.outcome !== 'scored') throw new Error(`not scored: ${JSON.stringify(result)}`);
  return result;
}

async function liveAccounts(provider: Provider) {
  const key = keyOf(provider);
  return handle.db
    .select({ id: accounts.externalId, status: accounts.customerStatus, segment: accounts.segment })
    .from(accounts)
    .where(
      and(
        eq(accounts.workspaceId, key.workspaceId),
        eq(accounts.installationId, key.installationId),
        eq(accounts.archived, false),
      ),
    );
}

async function currentValues(provider: Provider): Promise<Map<string, HealthFieldValues>> {
  const key = keyOf(provider);
  const rows = await handle.db
    .select({ id: accountHealthCurrent.accountExternalId, values: accountHealthCurrent.values })
    .from(accountHealthCurrent)
    .where(
      and(
        eq(accountHealthCurrent.workspaceId, key.workspaceId),
        eq(accountHealthCurrent.installationId, key.installationId),
      ),
    );
  return new Map(rows.map((row) => [row.id, row.values]));
}

async function allStays(provider: Provider) {
  const key = keyOf(provider);
  return handle.db
    .select()
    .from(accountStageHistory)
    .where(
      and(
        eq(accountStageHistory.workspaceId, key.workspaceId),
        eq(accountStageHistory.installationId, key.installationId),
      ),
    )
    .orderBy(accountStageHistory.id);
}

/** Every plan of the installation with its parts, read times left out (the only thing a rerun may move). */
async function plansWithoutReadTimes(provider: Provider) {
  const ids = (await liveAccounts(provider)).map((row) => row.id).sort();
  const all: PlanWithParts[] = [];
  for (const id of ids) all.push(...(await plans.plansOf(keyOf(provider), id)));
  return all.map(({ readAt: _plan, objectives, ...plan }) => ({
    ...plan,
    objectives: objectives.map(({ readAt: _objective, ...objective }) => objective),
  }));
}

function usageDays(accountExternalId: string, activeUsers: number, features: Record<string, number>) {
  // The 29 days before today: every window up to 28 days ends in them, whatever the hour of `now`.
  return Array.from({ length: 29 }, (_, index) => ({
    accountExternalId,
    date: new Date(now.getTime() - (index + 1) * DAY_MS).toISOString().slice(0, 10),
    activeUsers,
    licences: 100,
    events: activeUsers * 20,
    features,
  }));
}

beforeAll(async () => {
  handle = await database.open();
  await handle.migrate();
  now = new Date();
  book = generateBook({ seed: 10, accounts: 80, asOf: now.toISOString().slice(0, 10) }).book;
  h = await createSyncHarness({ db: handle, book: crmBook(book) });
  h.clock.set(now.getTime());
  await h.adapters.salesforce.ensureSchema(h.deps.connections(h.installations.salesforce), h.manifest.fields, {
    createMissing: true,
  });
  grantFieldAccess(h);
  prefix = uniquePrefix();
  queues = createQueues(h.redis, prefix);
  writeBack = writeBackServices(h, handle.db, queues);
  plans = planStore(handle.db);
  deps = {
    db: handle.db,
    store: healthScoreStore(handle.db),
    models: healthModelStore(handle.db),
    overrides: overrideStore(handle.db),
    plans,
    logger: silentLogger,
    now: () => now,
  };
  for (const provider of PROVIDERS) {
    await runSync(h.deps, { ...keyOf(provider), mode: 'full' });
    await ingestBookSignals(handle.db, h, book, provider, now);
  }
}, 180_000);

afterAll(async () => {
  await queues?.close();
  await h?.close();
  await handle?.close();
  await database.cleanup();
  if (prefix) await dropPrefix(prefix);
});

describe.each(PROVIDERS)('stages and plans on a synced %s book', (provider) => {
  it('gives every current customer a stage and each onboarding account its segment’s plan once', async () => {
    const result = await scoreJob(provider, true);
    firstRun.set(provider, result);
    const key = keyOf(provider);
    const live = await liveAccounts(provider);
    const stays = await plans.currentStages(key);
    const counts = Object.fromEntries(LIFECYCLE_STAGES.map((stage) => [stage, 0])) as Record<LifecycleStage, number>;
    for (const account of live) {
      const stay = stays.get(account.id);
      expect(stay, `stage of ${account.id}`).toBeDefined();
      expect(stay!.stage === 'churned').toBe(account.status === 'churned');
      counts[stay!.stage] += 1;
    }
    console.log(`${provider}: ${live.length} accounts by stage ${JSON.stringify(counts)}`);
    expect(result.summary.stages).toEqual(counts);
    expect(counts.onboarding).toBeGreaterThan(0);
    // Every current customer was scored, and its written stage is its stay.
    const values = await currentValues(provider);
    for (const account of live.filter((row) => row.status !== 'churned')) {
      expect(values.get(account.id)?.lifecycle_stage).toBe(stays.get(account.id)!.stage);
    }

    const segmentOf = bookIdOf(provider);
    const bookSegment = new Map(book.accounts.map((account) => [account.id, account.segment]));
    let withTemplate = 0;
    for (const account of live) {
      const stay = stays.get(account.id)!;
      const accountPlans = await plans.plansOf(key, account.id);
      const template = templateFor(DEFAULT_PLAN_TEMPLATES, stay.stage, account.segment);
      if (stay.stage === 'onboarding') {
        const segment = bookSegment.get(segmentOf.get(account.id)!)!;
        expect(accountPlans.map((plan) => plan.templateKey)).toEqual([ONBOARDING_TEMPLATE[segment]]);
      }
      if (template === null) {
        expect(accountPlans).toEqual([]);
        continue;
      }
      withTemplate += 1;
      expect(accountPlans).toHaveLength(1);
      const [plan] = accountPlans;
      expect(plan).toMatchObject({
        templateKey: template.key,
        stage: stay.stage,
        stageEntryId: stay.id,
        status: 'active',
        createdBy: 'system',
        startedAt: stay.enteredAt,
        readAt: now,
      });
      expect(plan!.objectives.map((objective) => objective.key)).toEqual(template.objectives.map((o) => o.key));
      expect(plan!.milestones.map((milestone) => milestone.key)).toEqual(template.milestones.map((m) => m.key));
    }
    expect(result.plans.plansCreated).toBe(withTemplate);
    expect(result.plans.plansRead).toBe(withTemplate);
  });

  it('reads each objective and milestone condition from the signals, with facts of the whole window', async () => {
    const key = keyOf(provider);
    const active = await plans.activePlans(key);
    expect(active.length).toBeGreaterThan(0);
    // A year of every kind of fact: whatever window a metric has, the plans step must have read as far.
    const facts = await loadAccountFacts(handle.db, key, {
      asOf: now,
      lookbackDays: 365,
      accountIds: active.map((plan) => plan.accountExternalId),
    });
    const factsOf = new Map(facts.map((account) => [account.externalId, account]));
    const context = await loadFactsContext(handle.db, key);
    const statuses = Object.fromEntries(OBJECTIVE_STATUSES.map((status) => [status, 0]));
    let reached = 0;
    for (const plan of active) {
      const account = factsOf.get(plan.accountExternalId)!;
      for (const objective of plan.objectives) {
        expect(objective.readAt).toEqual(now);
        const value = metricValue(metricSchema.parse(objective.metric), account, now.getTime(), context);
        expect(objective.value, `${plan.templateKey}.${objective.key}`).toBe(value);
        // The first reading is the start.
        expect(objective.startValue).toBe(value);
        statuses[objective.status]! += 1;
      }
      for (const milestone of plan.milestones) {
        const condition = milestoneTemplateSchema.shape.reachedWhen.parse(milestone.reachedWhen);
        const holds = condition !== null && conditionHolds(condition, account, now.getTime(), context);
        expect(milestone.reachedAt, `${plan.templateKey}.${milestone.key}`).toEqual(holds ? now : null);
        expect(milestone.reachedBy).toBe(holds ? 'signal' : null);
        if (holds) reached += 1;
      }
    }
    expect(statuses).toEqual(firstRun.get(provider)!.plans.objectives);
    expect(reached).toBe(firstRun.get(provider)!.plans.milestonesReached);
  });

  it('makes no plan, no stay and no written change when score and plans run again', async () => {
    const [values, stays, before] = [
      await currentValues(provider),
      await allStays(provider),
      await plansWithoutReadTimes(provider),
    ];
    for (const full of [true, false]) {
      const again = await scoreJob(provider, full);
      expect(again.summary.changedValues).toBe(0);
      expect(again.plans.plansCreated).toBe(0);
    }
    expect(await currentValues(provider)).toEqual(values);
    expect(await allStays(provider)).toEqual(stays);
    expect(await plansWithoutReadTimes(provider)).toEqual(before);
  });

  it('writes each account’s stage to the CRM record', async () => {
    await runJob(writeBack, h, provider);
    const values = await currentValues(provider);
    expect(crmDifferences(values, h, provider)).toEqual([]);
    const stays = await plans.currentStages(keyOf(provider));
    for (const id of values.keys()) {
      const stage = crmValues(h, provider, id).lifecycle_stage;
      expect(String(stage).toLowerCase(), id).toBe(stays.get(id)!.stage);
    }
  });

  it('records a customer who churns in the CRM as churned and writes that stage', async () => {
    const key = keyOf(provider);
    const stays = await plans.currentStages(key);
    const values = await currentValues(provider);
    const id = [...values.keys()].sort().find((candidate) => stays.get(candidate)?.stage !== 'churned')!;
    const before = stays.get(id)!;
    h.clock.advance(60_000);
    if (provider === 'hubspot') {
      const portal = h.hubspot.sandbox.portals.get(String(h.hubspot.portalId))!;
      portal.update(portal.get('companies', id)!, { customer_status: 'churned' }, h.clock.now());
    } else {
      const org = h.salesforce.sandbox.orgs.get(h.salesforce.orgId)!;
      org.update('Account', id, { Customer_Status__c: 'Churned' }, org.users()[0]!.id);
    }
    h.clock.advance(60_000);
    await runSync(h.deps, { ...key, mode: 'incremental' });

    const result = await scoreJob(provider, false);
    expect(result.summary.stages.churned).toBeGreaterThanOrEqual(1);
    expect(result.summary.changedValues).toBe(1);
    const after = await plans.stageHistory(key, id);
    expect(after[0]).toMatchObject({ stage: 'churned', reason: 'Churned in the CRM', leftAt: null });
    expect(after.find((stay) => stay.id === before.id)?.leftAt).toEqual(now);
    expect((await currentValues(provider)).get(id)?.lifecycle_stage).toBe('churned');

    await runJob(writeBack, h, provider);
    expect(String(crmValues(h, provider, id).lifecycle_stage).toLowerCase()).toBe('churned');
    expect(crmDifferences(await currentValues(provider), h, provider)).toEqual([]);
  });

  it('reaches a milestone by signal and moves an objective with the signal', async () => {
    const key = keyOf(provider);
    const stays = await plans.currentStages(key);
    const sponsors = await handle.db
      .select({ id: contacts.externalId, account: contacts.accountExternalId })
      .from(contacts)
      .where(
        and(
          eq(contacts.workspaceId, key.workspaceId),
          eq(contacts.installationId, key.installationId),
          eq(contacts.archived, false),
          eq(contacts.role, 'executive_sponsor'),
        ),
      )
      .orderBy(contacts.accountExternalId, contacts.externalId);
    // An onboarding account with an executive sponsor among its contacts.
    const sponsor = sponsors.find((row) => row.account !== null && stays.get(row.account)?.stage === 'onboarding');
    expect(sponsor, 'an onboarding account with an executive sponsor').toBeDefined();
    const account = sponsor!.account!;
    // A plan made by a CSM ten days ago: read from the signals like any other.
    const [made] = await plans.createPlans(
      key,
      [
        {
          accountExternalId: account,
          name: 'Rollout to the support team',
          templateKey: null,
          stage: 'onboarding',
          stageEntryId: null,
          startedAt: new Date(now.getTime() - 10 * DAY_MS),
          createdBy: 'csm@example.com',
          objectives: [
            {
              key: 'features_live',
              position: 0,
              title: 'Three features in everyday use',
              metric: { kind: 'features_live', windowDays: 28 },
              comparator: 'gte',
              target: 3,
              startAt: new Date(now.getTime() - 10 * DAY_MS),
              dueAt: new Date(now.getTime() + 50 * DAY_MS),
            },
            {
              key: 'sponsor_nps',
              position: 1,
              title: 'The executive sponsor rates us 8 or more',
              metric: { kind: 'nps_from_role', role: 'executive_sponsor', windowDays: 90 },
              comparator: 'gte',
              target: 8,
              startAt: new Date(now.getTime() - 10 * DAY_MS),
              dueAt: new Date(now.getTime() + 50 * DAY_MS),
            },
          ],
          milestones: [
            {
              key: 'team_active',
              position: 0,
              title: 'A fifth of the licences active for a week',
              dueAt: new Date(now.getTime() + 20 * DAY_MS),
              ownerExternalId: null,
              reachedWhen: {
                metric: { kind: 'signal', signal: 'usage.active_user_ratio', windowDays: 7, aggregation: 'mean' },
                comparator: 'gte',
                target: 0.2,
              },
            },
          ],
        },
      ],
      now,
    );
    expect(made).toBeDefined();
    const plan = async () => (await plans.plan(key, made!.id))!;
    const ingest = (rows: ReturnType<typeof usageDays>) =>
      handle.db.transaction((tx) => upsertUsageDaily(tx, key, rows));

    // Nobody uses the product: the objective starts at 0, short of the line to its target.
    await ingest(usageDays(account, 0, {}));
    const idle = await scoreJob(provider, false);
    expect(idle.summary.accounts).toBeGreaterThanOrEqual(1);
    const behind = await plan();
    expect(behind.objectives[0]).toMatchObject({ status: 'behind', value: 0, startValue: 0, achievedAt: null });
    // Three of the 60 days, from 0 to 3: a tenth of the way at day 10 of 60 is 0.5.
    expect(behind.objectives[0]!.expected).toBeCloseTo(0.5, 9);
    expect(behind.objectives[1]).toMatchObject({ status: 'no_data', value: null });
    expect(behind.milestones[0]).toMatchObject({ reachedAt: null, reachedBy: null });

    // A third of the licences active every day, four features each used by all of them, and the
    // executive sponsor answers the NPS survey with a 9.
    await ingest(usageDays(account, 30, { reports: 30, alerts: 30, exports: 30, dashboards: 30 }));
    await handle.db.transaction((tx) =>
      insertSurveyResponses(tx, key, [
        {
          clientId: `sponsor-${provider}`,
          accountExternalId: account,
          kind: 'nps',
          score: 9,
          verbatim: null,
          contactExternalId: sponsor!.id,
          respondedAt: new Date(now.getTime() - DAY_MS),
        },
      ]),
    );
    await scoreJob(provider, false);
    const moved = await plan();
    expect(moved.objectives[0]).toMatchObject({
      status: 'achieved',
      value: 4,
      startValue: 0,
      progress: 1,
      achievedAt: now,
      statusSince: now,
    });
    expect(moved.milestones[0]).toMatchObject({ reachedAt: now, reachedBy: 'signal' });
    expect(moved.objectives[1]).toMatchObject({ status: 'achieved', value: 9 });
    const [facts] = await loadAccountFacts(handle.db, key, { asOf: now, lookbackDays: 30, accountIds: [account] });
    expect(facts!.surveys.filter((survey) => survey.respondentRole === 'executive_sponsor')).toEqual([
      { kind: 'nps', score: 9, at: now.getTime() - DAY_MS, respondentRole: 'executive_sponsor' },
    ]);
  });
});

describe('a plans step that fails', () => {
  it('keeps the score run and its follow-ups, fails the job, and the retry reads every plan', async () => {
    const key = keyOf('hubspot');
    const failing: PlanStore = { ...plans, activePlans: () => Promise.reject(new Error('plans unreadable')) };
    // Queues of its own: nothing asked for before is in them.
    const own = uniquePrefix();
    const ownQueues = createQueues(h.redis, own);
    onTestFinished(async () => {
      await ownQueues.close();
      await dropPrefix(own);
    });
    const services = { installations: h.repository, queues: ownQueues, redis: h.redis };
    const write = ownQueues.get('write-back');
    const warnings = ownQueues.get('warnings');
    // A change to one account: the score run has a value to write.
    const stays = await plans.currentStages(key);
    const [id] = [...(await currentValues('hubspot')).keys()].filter(
      (account) => stays.get(account)?.stage !== 'churned',
    );
    await handle.db.transaction((tx) => upsertUsageDaily(tx, key, usageDays(id!, 0, {})));
    const watermark = await deps.store.watermark(key);

    const failed = runScoreJob(
      { ...services, score: { ...deps, plans: failing } },
      { ...key, full: false, reason: 'sync' },
      fakeJob(),
      'token',
    );
    await expect(failed).rejects.toThrow('plans unreadable');
    // The scores are saved and what follows them is asked for.
    expect((await deps.store.watermark(key))!.getTime()).toBeGreaterThan(watermark!.getTime());
    expect(await write.getJobCounts('waiting', 'delayed', 'prioritized')).toMatchObject({ waiting: 1 });
    expect((await warnings.getJobs(['waiting', 'delayed', 'prioritized'])).map((job) => job.data as unknown)).toEqual([
      expect.objectContaining({ ...key, full: false }),
    ]);

    // The retry has nothing left to score, yet reads every active plan: the failed attempt's accounts among them.
    const retry = await runScoreJob(
      { ...services, score: deps },
      { ...key, full: false, reason: 'sync' },
      { ...fakeJob(), attemptsStarted: 2 },
      'token',
    );
    if (retry.outcome !== 'scored') throw new Error('not scored');
    expect(retry.summary.accounts).toBe(0);
    expect(retry.plans.plansRead).toBe((await plans.activePlans(key)).length);
    expect(retry.plans.plansRead).toBeGreaterThan(0);
  });
});

describe('the installation’s stage rules', () => {
  it('apply to the stages, and a saved set that no longer parses falls back to the defaults', async () => {
    const key = keyOf('salesforce');
    const baseline = await scoreJob('salesforce', true);
    expect(baseline.summary.stages.onboarding).toBeGreaterThan(0);

    // Nobody is onboarding for more than a day.
    await plans.saveSettings(key, { stageRules: { onboardingDays: 1 } }, 'admin@example.com', now);
    const shorter = await scoreJob('salesforce', true);
    expect(shorter.summary.stages.onboarding).toBe(0);
    expect(shorter.summary.changedValues).toBeGreaterThan(0);

    await plans.saveSettings(key, { stageRules: { onboardingDays: 'ninety' } }, 'admin@example.com', now);
    const fallback = await scoreJob('salesforce', true);
    expect(fallback.summary.stages).toEqual(baseline.summary.stages);
    await plans.saveSettings(key, { stageRules: null }, 'admin@example.com', now);
  });
});
