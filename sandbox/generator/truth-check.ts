import { parseTruthCheckArgs, TRUTH_CHECK_USAGE, UsageError } from './cli-args.ts';
import { generateAccounts, planBook } from './generate-book.ts';
import { readBookDirectory } from './read-book.ts';
import type { AccountSlice } from './signals.ts';
import type { AccountTruth } from './truth.ts';
import { collectCases, formatReport, judgeCases } from './truth-check-report.ts';

/**
 * `npm run sandbox:truth-check -- [--accounts N] [--seed S] [--as-of DAY] | [--dir DIR]`: is the
 * planted truth learnable (latent AUC ≥ 0.85) but not trivial (no single signal reaches it)?
 * Exits 1 when not.
 */
async function main(argv: readonly string[]): Promise<number> {
  let args;
  try {
    args = parseTruthCheckArgs(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`sandbox:truth-check: ${error.message}\n${TRUTH_CHECK_USAGE}\n`);
    return 2;
  }

  let pairs: Iterable<{ slice: AccountSlice; truth: AccountTruth }>;
  let window: { historyStart: string; asOf: string };
  if (args.source === 'generate') {
    const plan = planBook({ seed: args.seed, accounts: args.accounts, asOf: args.asOf });
    process.stdout.write(`book: ${args.accounts} accounts, seed ${args.seed}, as of ${args.asOf} (generated)\n`);
    pairs = (function* () {
      for (const records of generateAccounts(plan)) yield { slice: records, truth: records.truth };
    })();
    window = plan.meta;
  } else {
    const read = await readBookDirectory(args.dir);
    process.stdout.write(
      `book: ${read.meta.accounts} accounts, seed ${read.meta.seed}, as of ${read.meta.asOf} (read from ${args.dir})\n`,
    );
    pairs = read.pairs;
    window = read.meta;
  }
  const result = judgeCases(collectCases(pairs, window.historyStart, window.asOf));
  process.stdout.write(`${formatReport(result)}\n`);
  return result.passed ? 0 : 1;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`sandbox:truth-check: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
