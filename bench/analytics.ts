/**
 * `npm run bench:analytics`: one analytics run (training included) on a generated book of N accounts
 * (2,000 by default) written straight into the tables and scored, in PGlite or, when DATABASE_URL is
 * set, a fresh database on that Postgres server (dropped afterwards). Prints how long each phase took:
 * replay (learning the renewal model), forecast (with the least likely fifth's opportunities) and
 * figures (the dashboard's snapshots), and the whole run.
 *
 * Options: --accounts N, --seed S.
 */
import { parseArgs } from 'node:util';
import { sql } from 'drizzle-orm';
import { runAnalytics, type AnalyticsProgress } from '../jobs/analytics/analytics-run.ts';
import { runScore } from '../jobs/score/score-run.ts';
import { healthModelStore } from '../server/platform/db/health-model-store.ts';
import { healthScoreStore } from '../server/platform/db/health-score-store.ts';
import { overrideStore } from '../server/platform/db/override-store.ts';
import { generateBook } from '../sandbox/generator/generate-book.ts';
import { installBook, writeBook } from '../test/integration/analytics/seed-book.ts';
import { silentLogger, testDatabases } from '../test/support/databases.ts';

const { values } = parseArgs({
  options: { accounts: { type: 'string', default: '2000' }, seed: { type: 'string', default: '5' } },
});
const accounts = Number(values.accounts);
const seed = Number(values.seed);
if (![accounts, seed].every((value) => Number.isInteger(value) && value >= 1)) {
  console.error('usage: npm run bench:analytics -- [--accounts N] [--seed S]');
  process.exit(2);
}

// The last one is the DATABASE_URL server's when it is set, else PGlite.
const database = testDatabases().at(-1)!;
const handle = await database.open();
const seconds = (ms: number) => (ms / 1000).toFixed(1);
try {
  await handle.migrate();
  const now = new Date();
  const setupStarted = performance.now();
  const { book } = generateBook({ seed, accounts, asOf: now.toISOString().slice(0, 10), historyMonths: 24 });
  const key = await installBook(handle.db, 'Analytics bench', `bench-analytics-${seed}`);
  await writeBook(handle.db, key, book);
  const models = healthModelStore(handle.db);
  // As the job tests do: the analytics run forecasts from the score job's latest health.
  const deps = {
    db: handle.db,
    store: healthScoreStore(handle.db),
    models,
    overrides: overrideStore(handle.db),
    logger: silentLogger,
    now: () => now,
  };
  await runScore(deps, key, { full: true });
  // Fresh planner statistics, as autovacuum keeps them on Postgres (PGlite runs none).
  await handle.rows(sql`analyze`);
  console.log(
    `${database.name}: ${accounts} accounts (seed ${seed}) written and scored in ${seconds(performance.now() - setupStarted)} s`,
  );

  const started = performance.now();
  const marks: Partial<Record<'forecast' | 'figures' | 'end', number>> = {};
  const onProgress = ({ phase, done }: AnalyticsProgress) => {
    if (phase === 'forecast' && done === 0) marks.forecast = performance.now();
    if (phase === 'forecast' && done === 1) marks.figures = performance.now();
    if (phase === 'figures') marks.end = performance.now();
  };
  const summary = await runAnalytics({ db: handle.db, models, logger: silentLogger, now: () => now }, key, {
    train: true,
    onProgress,
  });
  const end = marks.end ?? performance.now();
  const rows = [
    { phase: 'replay', seconds: seconds((marks.forecast ?? started) - started) },
    { phase: 'forecast', seconds: seconds((marks.figures ?? end) - (marks.forecast ?? started)) },
    { phase: 'figures', seconds: seconds(end - (marks.figures ?? end)) },
    { phase: 'total', seconds: seconds(summary.durationMs) },
  ];
  console.table(rows);
  console.log(
    `replayed days ${summary.trained?.replayedDays ?? 0}, renewals forecast ${summary.renewals}, bottom fifth ${summary.bottom20}, basis ${summary.basis}` +
      (summary.failed.length > 0 ? `, failed: ${JSON.stringify(summary.failed)}` : ''),
  );
} finally {
  await handle.close();
  await database.cleanup();
}
