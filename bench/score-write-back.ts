/**
 * The write side of `npm run bench:score`: a generated book synced from both stand-ins, its usage and
 * surveys ingested, scored by the real score job and written back by the real write-back job. Then
 * a second run with nothing changed, and a run after 1% of the accounts' usage changed. Reports, per
 * CRM, the write calls and rows of each run and the write calls per changed account, plus the score
 * job's own speed with the database in the loop.
 */
import { createQueues } from '../jobs/queues.ts';
import { runScore, type ScoreDeps } from '../jobs/score/score-run.ts';
import { runSync } from '../jobs/sync/run-sync.ts';
import { runWriteBackJob } from '../jobs/write-back/write-back.job.ts';
import { crmBook, generateBook } from '../sandbox/generator/generate-book.ts';
import { healthModelStore } from '../server/platform/db/health-model-store.ts';
import { healthScoreStore } from '../server/platform/db/health-score-store.ts';
import { upsertUsageDaily } from '../server/platform/db/ingest-store.ts';
import { overrideStore } from '../server/platform/db/override-store.ts';
import { silentLogger, testDatabases } from '../test/support/databases.ts';
import { dropPrefix, uniquePrefix } from '../test/support/redis.ts';
import { createSyncHarness } from '../test/support/sync-harness.ts';
import { ingestBookSignals } from '../test/integration/score/support.ts';
import {
  grantFieldAccess,
  writeBackServices,
  writeCalls,
  type Provider,
} from '../test/integration/write-back/support.ts';

export interface WriteRunFigures {
  changedAccounts: number;
  writeCalls: number;
  rowsWritten: number;
}

export interface WriteBackFigures {
  provider: Provider;
  accounts: number;
  scoreRun: { ms: number; accountsPerSecond: number };
  first: WriteRunFigures;
  unchanged: WriteRunFigures;
  onePercent: WriteRunFigures & { callsPerChangedAccount: number; rowsPerChangedAccount: number };
}

const PROVIDERS: Provider[] = ['hubspot', 'salesforce'];

export async function measureWriteBack(options: { accounts: number; seed: number }): Promise<WriteBackFigures[]> {
  const database = testDatabases()[0]!;
  const handle = await database.open();
  await handle.migrate();
  const now = new Date();
  const book = generateBook({
    seed: options.seed,
    accounts: options.accounts,
    asOf: now.toISOString().slice(0, 10),
  }).book;
  const h = await createSyncHarness({ db: handle, book: crmBook(book) });
  const prefix = uniquePrefix();
  const queues = createQueues(h.redis, prefix);
  try {
    await h.adapters.salesforce.ensureSchema(h.deps.connections(h.installations.salesforce), h.manifest.fields, {
      createMissing: true,
    });
    grantFieldAccess(h);
    const writeBack = writeBackServices(h, handle.db, queues);
    const deps: ScoreDeps = {
      db: handle.db,
      store: healthScoreStore(handle.db),
      models: healthModelStore(handle.db),
      overrides: overrideStore(handle.db),
      logger: silentLogger,
      now: () => now,
    };
    const figures: WriteBackFigures[] = [];
    for (const provider of PROVIDERS) {
      const installation = h.installations[provider];
      const key = { workspaceId: installation.workspaceId, installationId: installation.id };
      await runSync(h.deps, { ...key, mode: 'full' });
      await ingestBookSignals(handle.db, h, book, provider, now);

      const write = async (changedAccounts: number): Promise<WriteRunFigures> => {
        h.resetCounters();
        const result = await runWriteBackJob(
          writeBack,
          key,
          { updateProgress: async () => {}, moveToDelayed: async () => {} },
          undefined,
        );
        const rowsWritten = result.outcome === 'written' ? result.summary.written : 0;
        return { changedAccounts, writeCalls: writeCalls(h, provider), rowsWritten };
      };

      const started = performance.now();
      const full = await runScore(deps, key, { full: true });
      const ms = performance.now() - started;
      const first = await write(full.changedValues);
      const unchanged = await write((await runScore(deps, key, { full: false })).changedValues);

      // 1% of the accounts: a week in which nobody used the product.
      const ids = (await deps.store.peerSignals(key)).map((row) => row.accountExternalId).sort();
      const picked = ids.filter((_, index) => index % 100 === 0);
      const days = Array.from({ length: 7 }, (_, index) =>
        new Date(now.getTime() - index * 86_400_000).toISOString().slice(0, 10),
      );
      await handle.db.transaction((tx) =>
        upsertUsageDaily(
          tx,
          key,
          picked.flatMap((id) =>
            days.map((date) => ({
              accountExternalId: id,
              date,
              activeUsers: 0,
              licences: null,
              events: 0,
              features: {},
            })),
          ),
        ),
      );
      const partial = await runScore(deps, key, { full: false });
      const after = await write(partial.changedValues);
      const per = (value: number) =>
        after.changedAccounts === 0 ? 0 : Math.round((value / after.changedAccounts) * 1000) / 1000;
      figures.push({
        provider,
        accounts: full.accounts,
        scoreRun: { ms: Math.round(ms), accountsPerSecond: Math.round((full.accounts / ms) * 1000) },
        first,
        unchanged,
        onePercent: {
          ...after,
          callsPerChangedAccount: per(after.writeCalls),
          rowsPerChangedAccount: per(after.rowsWritten),
        },
      });
    }
    return figures;
  } finally {
    await queues.close();
    await h.close();
    await handle.close();
    await database.cleanup();
    await dropPrefix(prefix);
  }
}
