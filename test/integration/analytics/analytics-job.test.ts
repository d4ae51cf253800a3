import { and, eq, sql } from 'drizzle-orm';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAnalyticsJob, type AnalyticsJobServices } from '../../../jobs/analytics/analytics.job.ts';
import { createQueues, enqueueAnalytics, type Queues } from '../../../jobs/queues.ts';
import { runScore, type ScoreDeps, type StoredExplanation } from '../../../jobs/score/score-run.ts';
import { runScoreJob } from '../../../jobs/score/score.job.ts';
import { renewalProbability } from '../../../server/core/health/renewal-prior.ts';
import { parseRenewalModel } from '../../../server/core/revenue/forecast/model.ts';
import {
  saveAnalyticsSettings,
  saveRenewalModel,
  type AnalyticsSnapshotKind,
} from '../../../server/platform/db/analytics-store.ts';
import { createSealer } from '../../../server/platform/crypto.ts';
import type { DatabaseHandle } from '../../../server/platform/db/database.ts';
import { healthModelStore } from '../../../server/platform/db/health-model-store.ts';
import { healthScoreStore } from '../../../server/platform/db/health-score-store.ts';
import { installationRepository } from '../../../server/platform/db/installations.ts';
import { overrideStore } from '../../../server/platform/db/override-store.ts';
import {
  accountHealth,
  accountHealthCurrent,
  analyticsSnapshots,
  renewalForecasts,
  renewalModels,
} from '../../../server/platform/db/schema.ts';
import type { InstallationKey } from '../../../server/platform/db/sync-store.ts';
import { createLogger } from '../../../server/platform/logger.ts';
import { silentLogger, testDatabases } from '../../support/databases.ts';
import { dropPrefix, TEST_REDIS_URL, uniquePrefix } from '../../support/redis.ts';
import { fakeJob } from '../write-back/support.ts';
import { seedBook } from './seed-book.ts';

/**
 * The analytics job on generated books written into the tables: a book with two years of renewals
 * trains a model, whose probabilities the next score run writes; a thin one keeps the documented
 * prior and says why; the forecast holds one row per renewal due in the coming months, every figure
 * the dashboard reads is saved, and running again at the same instant changes no row. Another
 * installation's rows are never touched, and a stored settings or model row that no longer reads is
 * reported and replaced by the defaults.
 */

const database = testDatabases()[0]!;
const KINDS: AnalyticsSnapshotKind[] = ['forecast', 'retention', 'nps', 'portfolio', 'staffing'];

let handle: DatabaseHandle;
let redis: Redis;
let prefix: string;
let queues: Queues;
let now: Date;
let book: InstallationKey;
let thin: InstallationKey;
let services: AnalyticsJobServices;
let scoreDeps: ScoreDeps;
const logged: { level: string; msg: string; source?: string }[] = [];

async function forecastRows(key: InstallationKey) {
  return handle.db
    .select()
    .from(renewalForecasts)
    .where(
      and(eq(renewalForecasts.workspaceId, key.workspaceId), eq(renewalForecasts.installationId, key.installationId)),
    )
    .orderBy(renewalForecasts.rank);
}

async function snapshotRows(key: InstallationKey) {
  return handle.db
    .select()
    .from(analyticsSnapshots)
    .where(
      and(
        eq(analyticsSnapshots.workspaceId, key.workspaceId),
        eq(analyticsSnapshots.installationId, key.installationId),
      ),
    )
    .orderBy(analyticsSnapshots.kind);
}

async function modelRows(key: InstallationKey) {
  return handle.db
    .select()
    .from(renewalModels)
    .where(and(eq(renewalModels.workspaceId, key.workspaceId), eq(renewalModels.installationId, key.installationId)))
    .orderBy(renewalModels.version);
}

/** Customers whose renewal day is in [today, the first day of the sixth month after this one). */
async function renewalsDue(key: InstallationKey): Promise<number> {
  const first = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 6, 1)).toISOString().slice(0, 10);
  const result: unknown = await handle.db.execute(
    sql`select count(*)::int as n from accounts
        where workspace_id = ${key.workspaceId} and installation_id = ${key.installationId} and not archived
          and customer_status is distinct from 'churned'
          and renewal_date >= ${now.toISOString().slice(0, 10)}::date and renewal_date < ${first}::date`,
  );
  return Number((result as { rows: { n: number }[] }).rows[0]!.n);
}

const run = (key: InstallationKey, train: boolean) => runAnalyticsJob(services, { ...key, train }, fakeJob(), 'token');

beforeAll(async () => {
  handle = await database.open();
  await handle.migrate();
  redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: null });
  prefix = uniquePrefix();
  queues = createQueues(redis, prefix);
  now = new Date();
  const asOf = now.toISOString().slice(0, 10);
  book = (
    await seedBook(handle.db, { name: 'Two years', portal: `an-book-${database.name}`, seed: 5, accounts: 120, asOf })
  ).key;
  thin = (
    await seedBook(handle.db, {
      name: 'Thin',
      portal: `an-thin-${database.name}`,
      seed: 6,
      accounts: 12,
      asOf,
      historyMonths: 6,
    })
  ).key;
  const logger = createLogger(
    { level: 'info' },
    {
      write(line: string) {
        const entry = JSON.parse(line) as { level: string; msg: string; source?: string };
        logged.push({ level: entry.level, msg: entry.msg, ...(entry.source ? { source: entry.source } : {}) });
      },
    },
  );
  const models = healthModelStore(handle.db);
  scoreDeps = {
    db: handle.db,
    store: healthScoreStore(handle.db),
    models,
    overrides: overrideStore(handle.db),
    logger: silentLogger,
    now: () => now,
  };
  for (const key of [book, thin]) await runScore(scoreDeps, key, { full: true });
  services = {
    analytics: { db: handle.db, models, logger, now: () => now },
    installations: installationRepository(handle.db, createSealer(Buffer.alloc(32, 9))),
    queues,
    redis,
  };
}, 600_000);

afterAll(async () => {
  await queues?.close();
  redis?.disconnect();
  if (prefix) await dropPrefix(prefix);
  await handle?.close();
  await database.cleanup();
});

describe(`the analytics job (${database.name})`, () => {
  it('learns a model from two years of renewals, forecasts every renewal due and saves every figure', async () => {
    const result = await run(book, false);
    if (result.outcome !== 'computed') throw new Error(`not computed: ${JSON.stringify(result)}`);
    // No model yet: the run trains even though it was not asked to.
    expect(result.summary.trained).toMatchObject({ basis: 'learned', reason: null, savedVersion: 1, rescore: true });
    expect(result.summary.trained!.replayedDays).toBeGreaterThanOrEqual(20);
    const [stored] = await modelRows(book);
    expect(parseRenewalModel(stored!.model).basis).toBe('learned');

    const rows = await forecastRows(book);
    expect(rows).toHaveLength(await renewalsDue(book));
    expect(rows.map((row) => row.rank)).toEqual(rows.map((_, index) => index + 1));
    const probabilities = rows.map((row) => row.probability);
    expect(probabilities).toEqual([...probabilities].sort((a, b) => a - b));
    const bottom = rows.filter((row) => row.bottom20);
    expect(bottom).toHaveLength(Math.ceil(rows.length * 0.2));
    // The least likely fifth is the top of the ranking, each with up to three things to work on.
    expect(bottom.map((row) => row.rank)).toEqual(bottom.map((_, index) => index + 1));
    for (const row of bottom) expect((row.opportunities as unknown[]).length).toBeGreaterThan(0);
    for (const row of rows.filter((entry) => !entry.bottom20)) expect(row.opportunities).toEqual([]);
    for (const row of rows) {
      expect(row.basis).toBe('learned');
      // Expected and at-risk ARR add up to the ARR.
      expect(Number(row.expectedArr) + Number(row.revenueAtRisk)).toBeCloseTo(Number(row.arr ?? 0), 2);
    }

    const snapshots = await snapshotRows(book);
    expect(snapshots.map((row) => row.kind).sort()).toEqual([...KINDS].sort());
    for (const row of snapshots) expect(row.sourceVersion).toBe('model:1;settings:default');
    const forecast = snapshots.find((row) => row.kind === 'forecast')!.payload as {
      renewals: unknown[];
      basis: string;
    };
    expect(forecast.renewals).toHaveLength(rows.length);
    expect(forecast.basis).toBe('learned');

    // The new model is written back through a full score run.
    const scoreJobs = await queues.get('score').getJobs(['waiting', 'delayed', 'prioritized']);
    expect(scoreJobs.map((job) => job.data as unknown)).toContainEqual({ ...book, full: true, reason: 'forecast' });
  });

  it('running again at the same instant changes no row, training included', async () => {
    const before = {
      forecasts: await forecastRows(book),
      snapshots: await snapshotRows(book),
      models: await modelRows(book),
    };
    const result = await run(book, true);
    expect(result).toMatchObject({ outcome: 'computed', rescore: false });
    expect(result.outcome === 'computed' && result.summary.trained?.savedVersion).toBeNull();
    expect(await forecastRows(book)).toEqual(before.forecasts);
    expect(await snapshotRows(book)).toEqual(before.snapshots);
    expect(await modelRows(book)).toEqual(before.models);
  });

  it('the next score run writes the learned probability the forecast shows', async () => {
    await runScore(scoreDeps, book, { full: true });
    const rows = await forecastRows(book);
    const current = await handle.db
      .select({ id: accountHealthCurrent.accountExternalId, values: accountHealthCurrent.values })
      .from(accountHealthCurrent)
      .where(
        and(
          eq(accountHealthCurrent.workspaceId, book.workspaceId),
          eq(accountHealthCurrent.installationId, book.installationId),
        ),
      );
    const written = new Map(current.map((row) => [row.id, row.values]));
    for (const row of rows) {
      expect(written.get(row.accountExternalId)?.renewal_probability).toBe(Math.round(row.probability * 100));
    }
    const [health] = await handle.db
      .select({ explanation: accountHealth.explanation })
      .from(accountHealth)
      .where(
        and(
          eq(accountHealth.workspaceId, book.workspaceId),
          eq(accountHealth.installationId, book.installationId),
          eq(accountHealth.accountExternalId, rows[0]!.accountExternalId),
        ),
      );
    expect((health!.explanation as StoredExplanation).renewal).toMatchObject({
      basis: 'learned',
      renewalModelVersion: 1,
    });
  });

  it('a thin book keeps the documented prior, says why, and leaves the other installation alone', async () => {
    const other = { forecasts: await forecastRows(book), snapshots: await snapshotRows(book) };
    const result = await run(thin, true);
    if (result.outcome !== 'computed') throw new Error(`not computed: ${JSON.stringify(result)}`);
    expect(result.summary.trained).toMatchObject({ basis: 'prior', rescore: false, savedVersion: 1 });
    expect(result.summary.trained!.reason).toMatch(/needed to learn from/);
    const rows = await forecastRows(thin);
    expect(rows).toHaveLength(await renewalsDue(thin));
    const scores = await handle.db
      .select({ id: accountHealthCurrent.accountExternalId, values: accountHealthCurrent.values })
      .from(accountHealthCurrent)
      .where(
        and(
          eq(accountHealthCurrent.workspaceId, thin.workspaceId),
          eq(accountHealthCurrent.installationId, thin.installationId),
        ),
      );
    const written = new Map(scores.map((row) => [row.id, row.values]));
    for (const row of rows) {
      expect(row.basis).toBe('prior');
      const score = written.get(row.accountExternalId)?.health_score;
      // The prior is the written probability of today's score run.
      if (typeof score === 'number') expect(row.probability).toBeCloseTo(renewalProbability(score), 6);
    }
    expect(await forecastRows(book)).toEqual(other.forecasts);
    expect(await snapshotRows(book)).toEqual(other.snapshots);
  });

  it('a stored settings row that no longer reads is reported and the defaults are used', async () => {
    await saveAnalyticsSettings(handle.db, thin, { touch: { rules: 'everyone high touch' } }, 'admin@example.com', now);
    logged.length = 0;
    const result = await run(thin, false);
    if (result.outcome !== 'computed') throw new Error(`not computed: ${JSON.stringify(result)}`);
    expect(result.summary.settingsVersion).toBeNull();
    expect(result.summary.problems).toEqual([
      { source: 'settings', version: 1, problems: [expect.stringMatching(/^\$\.touch\.rules: /)] },
    ]);
    expect(logged).toContainEqual({
      level: 'warn',
      msg: 'stored analytics settings do not read; the defaults are used',
      source: 'settings',
    });
    for (const row of await snapshotRows(thin)) expect(row.sourceVersion).toBe('model:1;settings:default');
  });

  it('a stored model that no longer reads is reported, and a model is trained in its place', async () => {
    await saveRenewalModel(handle.db, thin, { basis: 'learned', coefficients: 'many' }, now);
    const result = await run(thin, false);
    if (result.outcome !== 'computed') throw new Error(`not computed: ${JSON.stringify(result)}`);
    expect(result.summary.problems.map((problem) => [problem.source, problem.version])).toContainEqual(['model', 2]);
    expect(result.summary.trained).toMatchObject({ basis: 'prior', savedVersion: 3 });
    expect(result.summary.modelVersion).toBe(3);
  });

  it('a score run asks for analytics without training, one run per installation', async () => {
    const analytics = queues.get('analytics');
    await analytics.obliterate({ force: true });
    const scored = await runScoreJob(
      { score: scoreDeps, installations: services.installations as never, queues, redis },
      { ...book, full: true, reason: 'schedule' },
      fakeJob(),
      'token',
    );
    expect(scored.outcome).toBe('scored');
    const again = await enqueueAnalytics(queues, { ...book, train: true });
    expect(again.deduplicated).toBe(true);
    const jobs = await analytics.getJobs(['waiting', 'delayed', 'prioritized']);
    expect(jobs.map((job) => job.data as unknown)).toEqual([{ ...book, train: false }]);
  });
});
