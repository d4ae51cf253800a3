import { Client } from '@hubspot/api-client';
import jsforce from 'jsforce';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createQueues, type Queues } from '../../../jobs/queues.ts';
import { runScore, type ScoreDeps } from '../../../jobs/score/score-run.ts';
import { runSync } from '../../../jobs/sync/run-sync.ts';
import { runWarningTasksJob, type WarningTasksServices } from '../../../jobs/warnings/warning-tasks.job.ts';
import { runWarningsJob, type WarningsJobServices } from '../../../jobs/warnings/warnings.job.ts';
import type { Book } from '../../../sandbox/generator/book.ts';
import { crmBook, generateBook } from '../../../sandbox/generator/generate-book.ts';
import { RULE_IDS } from '../../../server/core/warnings/rules-config.ts';
import type { DatabaseHandle } from '../../../server/platform/db/database.ts';
import { healthModelStore } from '../../../server/platform/db/health-model-store.ts';
import { healthScoreStore } from '../../../server/platform/db/health-score-store.ts';
import { overrideStore } from '../../../server/platform/db/override-store.ts';
import { warningStore, type WarningStore } from '../../../server/platform/db/warning-store.ts';
import { API_VERSION } from '../../contract/salesforce/start-sandbox.ts';
import { silentLogger, testDatabases } from '../../support/databases.ts';
import { dropPrefix, uniquePrefix } from '../../support/redis.ts';
import { createSyncHarness, type SyncHarness } from '../../support/sync-harness.ts';
import { ingestBookSignals } from '../score/support.ts';
import { fakeJob, grantFieldAccess } from '../write-back/support.ts';

/**
 * Early warnings end to end on both stand-ins: a synced, scored book opens warnings whose playbook
 * tasks reach the CRM once, however often the jobs run; turning the rules off resolves them and the
 * tasks are closed in the CRM with the reason. Tasks are counted through each CRM's API.
 */

const PROVIDERS = ['hubspot', 'salesforce'] as const;
type Provider = (typeof PROVIDERS)[number];
const database = testDatabases()[0]!;

let handle: DatabaseHandle;
let h: SyncHarness;
let prefix: string;
let queues: Queues;
let book: Book;
let now: Date;
let store: WarningStore;
let warningsServices: WarningsJobServices;
let tasksServices: WarningTasksServices;

const keyOf = (provider: Provider) => ({
  workspaceId: h.installations[provider].workspaceId,
  installationId: h.installations[provider].id,
});

interface CrmTaskRow {
  ref: string | null;
  completed: boolean;
  body: string;
}

/** Every task in the CRM with the Bellwether ref it carries, read through the CRM's own API. */
async function crmTasks(provider: Provider): Promise<CrmTaskRow[]> {
  if (provider === 'hubspot') {
    const crm = new Client({
      basePath: h.hubspot.url,
      accessToken: h.hubspot.sandbox.issueTokens(h.hubspot.portalId).accessToken,
    });
    const rows: CrmTaskRow[] = [];
    let after: string | undefined;
    do {
      const page = await crm.crm.objects.tasks.basicApi.getPage(100, after, ['hs_task_body', 'hs_task_status']);
      for (const result of page.results) {
        const body = result.properties.hs_task_body ?? '';
        rows.push({
          ref: /Bellwether ref: ([a-z0-9]+)/.exec(body)?.[1] ?? null,
          completed: result.properties.hs_task_status === 'COMPLETED',
          body,
        });
      }
      after = page.paging?.next?.after;
    } while (after !== undefined);
    return rows;
  }
  const session = h.salesforce.sandbox.issueSession({ instanceUrl: h.salesforce.url, withRefreshToken: false });
  const connection = new jsforce.Connection({
    instanceUrl: h.salesforce.url,
    accessToken: session.access_token,
    version: API_VERSION,
  });
  const rows = await connection.query<{ Activity_Key__c: string | null; Status: string; Description: string | null }>(
    'SELECT Activity_Key__c, Status, Description FROM Task',
  );
  return rows.records.map((row) => ({
    ref: row.Activity_Key__c,
    completed: row.Status === 'Completed',
    body: row.Description ?? '',
  }));
}

const refOf = (taskKey: string) => taskKey.replace(/-/g, '').toLowerCase();

async function ledger(provider: Provider) {
  const open = await store.open(keyOf(provider));
  return store.tasksOf(
    keyOf(provider),
    open.map((row) => row.id),
  );
}

async function runBoth(provider: Provider, full = true) {
  const data = { ...keyOf(provider), full };
  const evaluated = await runWarningsJob(warningsServices, data, fakeJob(), undefined);
  const tasks = await runWarningTasksJob(tasksServices, keyOf(provider), fakeJob(), undefined);
  return { evaluated, tasks };
}

beforeAll(async () => {
  handle = await database.open();
  await handle.migrate();
  now = new Date();
  book = generateBook({ seed: 23, accounts: 60, asOf: now.toISOString().slice(0, 10) }).book;
  h = await createSyncHarness({ db: handle, book: crmBook(book) });
  h.clock.set(now.getTime());
  // No managed package: the fields (the Task key field among them) through Tooling, and access granted.
  await h.adapters.salesforce.ensureSchema(h.deps.connections(h.installations.salesforce), h.manifest.fields, {
    createMissing: true,
  });
  grantFieldAccess(h);
  prefix = uniquePrefix();
  queues = createQueues(h.redis, prefix);
  store = warningStore(handle.db);
  const scoreDeps: ScoreDeps = {
    db: handle.db,
    store: healthScoreStore(handle.db),
    models: healthModelStore(handle.db),
    overrides: overrideStore(handle.db),
    logger: silentLogger,
    now: () => now,
  };
  warningsServices = {
    warnings: { ...scoreDeps, scores: healthScoreStore(handle.db), store },
    installations: h.repository,
    queues,
    redis: h.redis,
    now: () => h.clock.now(),
  };
  tasksServices = {
    db: handle.db,
    manifest: h.manifest,
    installations: h.repository,
    store,
    adapters: h.adapters,
    connections: h.deps.connections,
    tokens: h.tokens,
    queues,
    redis: h.redis,
    logger: silentLogger,
    now: () => h.clock.now(),
  };
  for (const provider of PROVIDERS) {
    await runSync(h.deps, { ...keyOf(provider), mode: 'full' });
    await ingestBookSignals(handle.db, h, book, provider, now);
    await runScore(scoreDeps, keyOf(provider), { full: true });
  }
}, 180_000);

afterAll(async () => {
  await queues?.close();
  await h?.close();
  await handle?.close();
  await database.cleanup();
  if (prefix) await dropPrefix(prefix);
});

describe.each(PROVIDERS)('early warnings on a synced %s book', (provider) => {
  it('opens warnings and puts each playbook step in the CRM exactly once, however often the jobs run', async () => {
    const first = await runBoth(provider);
    expect(first.evaluated).toMatchObject({ outcome: 'evaluated', summary: { evaluated: 60 } });
    const opened = first.evaluated.outcome === 'evaluated' ? first.evaluated.summary.opened : 0;
    expect(opened).toBeGreaterThan(0);
    const rows = await ledger(provider);
    expect(rows.length).toBeGreaterThanOrEqual(opened);
    expect(rows.every((row) => row.state === 'created' && row.crmTaskId !== null)).toBe(true);

    // Again at once: the same warnings stay open. And a day later (when new ones may open): nothing
    // reaches the CRM twice.
    const again = await runBoth(provider);
    expect(again.evaluated).toMatchObject({ summary: { opened: 0 } });
    expect(again.tasks).toMatchObject({ summary: { created: 0, found: 0 } });
    h.clock.advance(86_400_000);
    await runBoth(provider);
    const tasks = await crmTasks(provider);
    const perRef = new Map<string, number>();
    for (const task of tasks) if (task.ref) perRef.set(task.ref, (perRef.get(task.ref) ?? 0) + 1);
    const after = await ledger(provider);
    expect(after.map((row) => perRef.get(refOf(row.taskKey)) ?? 0)).toEqual(after.map(() => 1));
    expect(tasks.filter((task) => task.ref !== null)).toHaveLength(after.length);
  });

  it('resolves the warnings when their rules are turned off, and closes their tasks in the CRM saying why', async () => {
    const key = keyOf(provider);
    const before = await ledger(provider);
    expect(before.length).toBeGreaterThan(0);
    await store.saveRules(
      key,
      Object.fromEntries(RULE_IDS.map((rule) => [rule, { enabled: false }])),
      'admin:test',
      new Date(h.clock.now()),
    );
    try {
      const run = await runBoth(provider);
      expect(run.evaluated).toMatchObject({ summary: { opened: 0 } });
      expect(await store.open(key)).toEqual([]);
      expect(run.tasks).toMatchObject({ outcome: 'done', summary: { closed: before.length, failed: 0 } });
      const tasks = await crmTasks(provider);
      const refs = new Set(before.map((row) => refOf(row.taskKey)));
      const ours = tasks.filter((task) => task.ref !== null && refs.has(task.ref));
      expect(ours).toHaveLength(before.length);
      expect(ours.every((task) => task.completed)).toBe(true);
      expect(ours.every((task) => task.body.includes('The rule was turned off'))).toBe(true);
      // Closing again sends nothing: the ledger says closed.
      const again = await runWarningTasksJob(tasksServices, key, fakeJob(), undefined);
      expect(again).toMatchObject({ outcome: 'done', summary: { closed: 0, created: 0 } });
    } finally {
      await store.saveRules(key, {}, 'admin:test', new Date(h.clock.now()));
    }
  });
});
