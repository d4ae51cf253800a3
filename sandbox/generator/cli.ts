import { SingleBar } from 'cli-progress';
import { parseSeedArgs, SEED_USAGE, UsageError } from './cli-args.ts';
import { planBook } from './generate-book.ts';
import { writeBook, type BookSummary } from './write-book.ts';

/**
 * `npm run sandbox:seed -- --accounts N --seed S [--as-of YYYY-MM-DD] [--out DIR]`: writes a
 * book, its truth and the ingest files, and prints what it wrote.
 */
async function main(argv: readonly string[]): Promise<number> {
  let args;
  try {
    args = parseSeedArgs(argv, new Date().toISOString().slice(0, 10));
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`sandbox:seed: ${error.message}\n${SEED_USAGE}\n`);
    return 2;
  }

  const started = performance.now();
  const plan = planBook({
    seed: args.seed,
    accounts: args.accounts,
    asOf: args.asOf,
    historyMonths: args.historyMonths,
  });
  const bar = process.stderr.isTTY
    ? new SingleBar({ stream: process.stderr, format: 'generating {bar} {value}/{total} accounts | {eta}s left' })
    : null;
  bar?.start(args.accounts, 0);
  let summary: BookSummary;
  try {
    summary = await writeBook(plan, args.out, (done) => {
      if (done % 50 === 0 || done === args.accounts) bar?.update(done);
    });
  } finally {
    bar?.stop();
  }
  const seconds = (performance.now() - started) / 1000;
  process.stdout.write(`${describe(summary, args, seconds)}\n`);
  return 0;
}

function describe(summary: BookSummary, args: { seed: number; asOf: string; out: string }, seconds: number): string {
  const usd = (value: number) => `$${Math.round(value).toLocaleString('en-US')}`;
  const percent = (part: number, whole: number) => (whole === 0 ? '–' : `${((100 * part) / whole).toFixed(1)}%`);
  return [
    `book for seed ${args.seed} as of ${args.asOf} written to ${args.out} in ${seconds.toFixed(1)} s`,
    `  accounts       ${summary.accounts} (${summary.active} active, ${summary.churned} churned)`,
    `  owners         ${summary.owners}`,
    `  contacts       ${summary.contacts}`,
    `  deals          ${summary.deals}`,
    `  tickets        ${summary.tickets}`,
    `  usage days     ${summary.usageDays}`,
    `  surveys        ${summary.surveys}`,
    `  CSM notes      ${summary.sentimentNotes}`,
    `  ARR (active)   ${usd(summary.arr)}`,
    `  renewals due in the next 12 months: ${summary.upcomingRenewals} worth ${usd(summary.upcomingRenewalArr)}`,
    `  renewals decided in the history: ${summary.renewalsInHistory}, lost ${summary.renewalsLostInHistory} (churn ${percent(summary.renewalsLostInHistory, summary.renewalsInHistory)})`,
  ].join('\n');
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`sandbox:seed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
