import { UnrecoverableError } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { outcomeFromDeals, runBacktestJob, type OutcomeDeal } from '../../../jobs/score/backtest.job.ts';
import { backtestJobDataSchema, type BacktestJobInput } from '../../../jobs/queues.ts';
import type { BacktestReport } from '../../../server/core/health/backtest.ts';
import { DEFAULT_MODEL } from '../../../server/core/health/model.ts';
import { createSealer } from '../../../server/platform/crypto.ts';
import type { DatabaseHandle } from '../../../server/platform/db/database.ts';
import { healthModelStore, type HealthModelStore } from '../../../server/platform/db/health-model-store.ts';
import { createWorkspace, installationRepository } from '../../../server/platform/db/installations.ts';
import { accounts, contacts, deals, usageDaily } from '../../../server/platform/db/schema.ts';
import type { InstallationKey } from '../../../server/platform/db/sync-store.ts';
import { silentLogger, testDatabases } from '../../support/databases.ts';

/**
 * A backtest on a small installation written straight into the normalised tables: accounts whose
 * product usage was low before the backtest day lost their renewal after it (with one exception
 * each way), and accounts that were not customers on that day, or belong to another workspace or
 * to an uninstalled installation, stay out.
 */

const DAY_MS = 86_400_000;
const AS_OF = '2026-01-31';
const HORIZON_DAYS = 182;
const day = (iso: string, plus: number) =>
  new Date(Date.parse(`${iso}T00:00:00Z`) + plus * DAY_MS).toISOString().slice(0, 10);

type Usage = 'low' | 'high';
interface Planned {
  id: string;
  usage: Usage;
  /** Deals as [kind, stage, close day]. */
  deals: [OutcomeDeal['kind'], OutcomeDeal['stage'], string][];
  status: 'active' | 'churned';
  archived?: boolean;
}

const won = (closeDate: string): Planned['deals'][number] => ['new_business', 'won', closeDate];
const renewal = (stage: OutcomeDeal['stage'], closeDate: string): Planned['deals'][number] => [
  'renewal',
  stage,
  closeDate,
];

/** 22 customers on AS_OF: 18 renewed, 4 churned (3 with low usage); 5 accounts that are no case. */
function plannedBook(): Planned[] {
  const book: Planned[] = [];
  for (let n = 1; n <= 15; n++) {
    book.push({
      id: `h-${String(n).padStart(2, '0')}`,
      usage: 'high',
      deals: [won('2025-02-15'), renewal('won', '2026-02-15')],
      status: 'active',
    });
  }
  for (let n = 1; n <= 3; n++) {
    book.push({
      id: `l-${n}`,
      usage: 'low',
      deals: [won('2025-03-10'), renewal('lost', '2026-03-10')],
      status: 'churned',
    });
  }
  book.push(
    // The exceptions: a low-usage account that renewed, a high-usage one that churned.
    { id: 'l-renewed', usage: 'low', deals: [won('2025-04-01'), renewal('won', '2026-04-01')], status: 'active' },
    { id: 'h-churned', usage: 'high', deals: [won('2025-05-20'), renewal('lost', '2026-05-20')], status: 'churned' },
    // A customer without deals in the CRM, and one whose renewal is lost only after the horizon.
    { id: 'h-no-deals', usage: 'high', deals: [], status: 'active' },
    {
      id: 'h-lost-late',
      usage: 'high',
      deals: [won('2025-01-05'), renewal('lost', day(AS_OF, HORIZON_DAYS + 10))],
      status: 'churned',
    },
    // Not customers on AS_OF: won after it, lost before it, no deals and churned, archived.
    { id: 'x-new', usage: 'low', deals: [won('2026-02-20')], status: 'active' },
    { id: 'x-gone', usage: 'low', deals: [won('2024-12-01'), renewal('lost', '2025-12-01')], status: 'churned' },
    { id: 'x-no-deals', usage: 'low', deals: [], status: 'churned' },
    {
      id: 'x-archived',
      usage: 'low',
      deals: [won('2025-02-01'), renewal('lost', '2026-02-01')],
      status: 'churned',
      archived: true,
    },
  );
  return book;
}

async function writeBook(handle: DatabaseHandle, key: InstallationKey, book: readonly Planned[]): Promise<void> {
  const modifiedAt = new Date('2026-07-01T00:00:00Z');
  await handle.db.insert(accounts).values(
    book.map((account) => ({
      ...key,
      externalId: account.id,
      modifiedAt,
      createdAtCrm: new Date('2024-11-01T00:00:00Z'),
      archived: account.archived ?? false,
      name: `Account ${account.id}`,
      domain: `${account.id}.example`,
      // The CRM's ARR drops to 0 once a customer has churned.
      arr: account.status === 'churned' ? '0' : '12000',
      segment: 'smb',
      licences: 50,
      customerStatus: account.status,
    })),
  );
  await handle.db.insert(contacts).values(
    book.map((account) => ({
      ...key,
      externalId: `c-${account.id}`,
      modifiedAt,
      createdAtCrm: new Date('2024-11-01T00:00:00Z'),
      accountExternalId: account.id,
      role: 'champion' as const,
      lastEngagedAt: new Date(`${day(AS_OF, -5)}T10:00:00Z`),
    })),
  );
  const dealRows = book.flatMap((account) =>
    account.deals.map(([kind, stage, closeDate], index) => ({
      ...key,
      externalId: `d-${account.id}-${index}`,
      modifiedAt,
      createdAtCrm: new Date(`${day(closeDate, -30)}T00:00:00Z`),
      accountExternalId: account.id,
      name: `${kind} ${account.id}`,
      amount: '12000',
      closeDate,
      stage,
      kind,
    })),
  );
  await handle.db.insert(deals).values(dealRows);
  // 35 days of usage up to AS_OF, and 40 days after it that turn the levels round: a backtest must not see them.
  const usageRows = book.flatMap((account) =>
    Array.from({ length: 75 }, (_, index) => {
      const offset = index - 34;
      const low = (account.usage === 'low') !== offset > 0;
      return {
        ...key,
        accountExternalId: account.id,
        date: day(AS_OF, offset),
        activeUsers: low ? 4 : 38,
        licences: 50,
        events: low ? 40 : 900,
        features: low ? { reports: 2, alerts: 0, exports: 0 } : { reports: 30, alerts: 20, exports: 12 },
      };
    }),
  );
  await handle.db.insert(usageDaily).values(usageRows);
}

function fakeJob() {
  const progress: { phase: string; done: number; total: number }[] = [];
  return {
    progress,
    updateProgress(value: unknown) {
      progress.push(value as (typeof progress)[number]);
      return Promise.resolve();
    },
  };
}

describe('outcomeFromDeals', () => {
  const horizonEnd = day(AS_OF, HORIZON_DAYS);
  it.each<[string, OutcomeDeal[], 'active' | 'churned' | 'other' | null, { customer: boolean; churned: boolean }]>([
    [
      'won before, renewal lost in the horizon',
      [d('new_business', 'won', '2025-01-01'), d('renewal', 'lost', '2026-03-01')],
      'churned',
      { customer: true, churned: true },
    ],
    [
      'won before, renewal won in the horizon',
      [d('new_business', 'won', '2025-01-01'), d('renewal', 'won', '2026-03-01')],
      'active',
      { customer: true, churned: false },
    ],
    [
      'a won renewal alone makes a customer',
      [d('renewal', 'won', '2025-06-01')],
      'active',
      { customer: true, churned: false },
    ],
    [
      'renewal lost on the backtest day: already gone',
      [d('new_business', 'won', '2025-01-01'), d('renewal', 'lost', AS_OF)],
      'churned',
      { customer: false, churned: false },
    ],
    [
      'renewal lost on the horizon’s last day',
      [d('new_business', 'won', '2025-01-01'), d('renewal', 'lost', horizonEnd)],
      'churned',
      { customer: true, churned: true },
    ],
    [
      'renewal lost the day after the horizon',
      [d('new_business', 'won', '2025-01-01'), d('renewal', 'lost', day(horizonEnd, 1))],
      'churned',
      { customer: true, churned: false },
    ],
    [
      'won only after the backtest day',
      [d('new_business', 'won', '2026-02-01')],
      'active',
      { customer: false, churned: false },
    ],
    ['only an expansion won', [d('expansion', 'won', '2025-01-01')], 'active', { customer: false, churned: false }],
    [
      'an open renewal decides nothing',
      [d('new_business', 'won', '2025-01-01'), d('renewal', 'open', '2026-03-01')],
      'active',
      { customer: true, churned: false },
    ],
    [
      'a lost expansion is no churn',
      [d('new_business', 'won', '2025-01-01'), d('expansion', 'lost', '2026-03-01')],
      'active',
      { customer: true, churned: false },
    ],
    ['no deals, active', [], 'active', { customer: true, churned: false }],
    ['no deals, churned', [], 'churned', { customer: false, churned: false }],
    ['no deals, status unknown', [], null, { customer: false, churned: false }],
  ])('%s', (_what, accountDeals, status, expected) => {
    expect(outcomeFromDeals(accountDeals, status, AS_OF, horizonEnd)).toMatchObject(expected);
  });

  it('takes the churned ARR from the first renewal lost in the horizon', () => {
    const outcome = outcomeFromDeals(
      [
        d('new_business', 'won', '2025-01-01'),
        { kind: 'renewal', stage: 'lost', closeDate: '2026-05-01', amount: 900 },
        { kind: 'renewal', stage: 'lost', closeDate: '2026-03-01', amount: 1_500 },
      ],
      'churned',
      AS_OF,
      horizonEnd,
    );
    expect(outcome).toEqual({ customer: true, churned: true, churnedArr: 1_500 });
  });

  function d(kind: OutcomeDeal['kind'], stage: OutcomeDeal['stage'], closeDate: string): OutcomeDeal {
    return { kind, stage, closeDate, amount: 1_000 };
  }
});

describe.each(testDatabases())('the backtest job on $name', (database) => {
  let handle: DatabaseHandle;
  let models: HealthModelStore;
  let key: InstallationKey;
  let draftVersion: number;
  const run = (input: Omit<BacktestJobInput, 'workspaceId' | 'requestedBy'>, job = fakeJob(), now?: Date) =>
    runBacktestJob(
      { db: handle.db, models, logger: silentLogger, ...(now ? { now: () => now } : {}) },
      backtestJobDataSchema.parse({ workspaceId: key.workspaceId, requestedBy: 'admin@example.com', ...input }),
      job,
    );

  beforeAll(async () => {
    handle = await database.open();
    await handle.migrate();
    models = healthModelStore(handle.db);
    const repo = installationRepository(handle.db, createSealer(Buffer.alloc(32, 5)));
    const tokens = { accessToken: 'a', refreshToken: 'r', accessTokenExpiresAt: null };
    const install = async (workspaceId: string, externalId: string) => {
      const installation = await repo.install({
        workspaceId,
        provider: 'hubspot',
        externalId,
        displayName: externalId,
        baseUrl: null,
        scopes: [],
        tokens,
      });
      return { workspaceId, installationId: installation.id };
    };
    const workspace = await createWorkspace(handle.db, 'Backtested');

    // Churn everywhere else: an uninstalled installation of the workspace and another workspace.
    const everyoneChurned = (prefix: string): Planned[] =>
      Array.from({ length: 6 }, (_, n) => ({
        id: `${prefix}-${n}`,
        usage: 'high',
        deals: [won('2025-02-01'), renewal('lost', '2026-02-10')],
        status: 'churned',
      }));
    const uninstalled = await install(workspace.id, `portal-${database.name}-2`);
    await writeBook(handle, uninstalled, everyoneChurned('u'));
    await repo.setStatus(uninstalled.workspaceId, uninstalled.installationId, 'uninstalled', 'test');
    // The portal connected after the first was disconnected: a workspace holds one at a time.
    key = await install(workspace.id, `portal-${database.name}-1`);
    await writeBook(handle, key, plannedBook());
    const other = await createWorkspace(handle.db, 'Someone else');
    await writeBook(handle, await install(other.id, `portal-${database.name}-3`), everyoneChurned('o'));

    const definition = JSON.parse(JSON.stringify(DEFAULT_MODEL)) as Record<string, unknown>;
    draftVersion = (await models.createDraft(key.workspaceId, definition, 'admin@example.com')).version;
  });

  afterAll(async () => {
    await handle?.close();
    await database.cleanup();
  });

  let report: BacktestReport;
  const job = fakeJob();

  it('counts the customers of that day and the churn after it, from the deals', async () => {
    report = await run({ version: draftVersion, asOf: AS_OF, horizonDays: HORIZON_DAYS }, job);
    expect(report).toMatchObject({ asOf: AS_OF, horizonDays: HORIZON_DAYS, accounts: 22, scored: 22, churned: 4 });
    expect(report.bySegment).toEqual({ smb: { accounts: 22, churned: 4, auc: report.auc } });
  });

  it('separates renewals from churn by the usage before the day', () => {
    // Low usage and churn go together except for one account each way. Of the 18 × 4 renewal–churn
    // pairs: 16 high-usage renewals (h-*, h-no-deals) beat the 3 low-usage churns (48) and tie h-churned
    // (8); h-lost-late, whose year-old won deal adds a known ARR change, beats all 4 (4); l-renewed ties
    // the 3 low-usage churns (1.5). 61.5 of 72.
    expect(report.auc).toBeCloseTo(61.5 / 72, 10);
    // The bottom 20% (4 of 22) are the four low-usage customers: three churned, each worth its lost renewal.
    expect(report.bottom20).toEqual({
      accounts: 4,
      churnedArrShare: 0.75,
      churnRate: 0.75,
      baseChurnRate: 4 / 22,
    });
    expect(report.calibration.reduce((sum, bucket) => sum + bucket.accounts, 0)).toBe(22);
    expect(report.calibration.reduce((sum, bucket) => sum + bucket.churned, 0)).toBe(4);
  });

  it('keeps the report on the model version', async () => {
    const stored = await models.get(key.workspaceId, draftVersion);
    expect(stored?.backtest).toEqual(report);
  });

  it('reports its progress through both phases up to every account', () => {
    const last = (phase: string) => job.progress.filter((p) => p.phase === phase).at(-1);
    // The 26 accounts of the active installation but the archived one.
    expect(last('signals')).toEqual({ phase: 'signals', done: 25, total: 25 });
    expect(last('scores')).toEqual({ phase: 'scores', done: 25, total: 25 });
    expect(job.progress.findIndex((p) => p.phase === 'scores')).toBeGreaterThan(
      job.progress.findIndex((p) => p.phase === 'signals'),
    );
  });

  it('gives the same report when run again', async () => {
    expect(await run({ version: draftVersion, asOf: AS_OF, horizonDays: HORIZON_DAYS })).toEqual(report);
  });

  it('backtests the horizon before today when no day is given', async () => {
    const result = await run(
      { version: draftVersion, horizonDays: HORIZON_DAYS },
      fakeJob(),
      new Date('2026-08-01T10:00:00Z'),
    );
    expect(result).toEqual(report);
  });

  it('backtests the shipped model, which has no row to keep the report on', async () => {
    const result = await run({ version: 1, asOf: AS_OF, horizonDays: HORIZON_DAYS });
    expect(result).toEqual(report);
    expect(await models.get(key.workspaceId, 1)).toBeNull();
  });

  it('keeps no report when the draft is edited while its backtest runs', async () => {
    const definition = JSON.parse(JSON.stringify(DEFAULT_MODEL)) as { name: string };
    const { version } = await models.createDraft(key.workspaceId, definition, 'admin@example.com');
    let edited = false;
    const editing = {
      progress: [],
      async updateProgress() {
        if (edited) return;
        edited = true;
        await models.updateDraft(key.workspaceId, version, { ...definition, name: 'Edited meanwhile' });
      },
    };
    expect(await run({ version, asOf: AS_OF, horizonDays: HORIZON_DAYS }, editing)).toEqual(report);
    expect(edited).toBe(true);
    expect((await models.get(key.workspaceId, version))?.backtest).toBeNull();
  });

  it('fails for good on a model version that does not exist', async () => {
    const failure = run({ version: 999, asOf: AS_OF });
    await expect(failure).rejects.toBeInstanceOf(UnrecoverableError);
    await expect(failure).rejects.toThrow('health model version 999 does not exist');
  });

  it('fails for good on an invalid definition, naming each problem', async () => {
    const broken = JSON.parse(JSON.stringify(DEFAULT_MODEL)) as {
      groups: { weight: number; measures: { signal: string }[] }[];
    };
    broken.groups[0]!.weight = 10;
    broken.groups[1]!.measures[0]!.signal = 'support.nonsense';
    const { version } = await models.createDraft(key.workspaceId, broken, 'admin@example.com');
    const failure = run({ version, asOf: AS_OF });
    await expect(failure).rejects.toBeInstanceOf(UnrecoverableError);
    await expect(failure).rejects.toThrow(/\$\.groups: group weights must add up to 100/);
    await expect(failure).rejects.toThrow(/\$\.groups\[1\]\.measures\[0\]\.signal: unknown signal "support\.nonsense"/);
    expect((await models.get(key.workspaceId, version))?.backtest).toBeNull();
  });
});
