/**
 * `npm run eval:health -- [--accounts 10000] [--seed 7] [--as-of 2026-06-30] [--horizon-days 182] [--model path.json]`:
 * how well a health model foresees churn on a generated book of business, whose planted churn
 * process is known.
 *
 * The book is generated one account at a time (sandbox/generator, streamed). Each active account is
 * turned into the facts Bellwether would hold about it — the CRM records as the sync normalises
 * them and the usage, surveys and CSM notes the ingest API takes — and nothing else: the latent
 * health and the shocks stay out. Signals are computed as of the end of the book's as-of day, with the
 * product's own signal code, and only they are kept; then the percentile peers are built and every
 * account is scored (the default model or --model). The label comes from the truth: an account
 * churned when its upcoming renewal (planted, not yet in the book) falls within the horizon and is lost.
 *
 * Prints accounts, churn, the AUC (target ≥ 0.75), the bottom 20 %'s share of churned ARR, the
 * calibration table, the AUC per segment and per measure (to see which signals carry the score), and
 * the time taken; writes bench/results/eval-health.json. Exits 1 when the AUC is below the target, 2 on
 * bad arguments or an invalid model.
 */
import { readFile, mkdir, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { SingleBar } from 'cli-progress';
import { z } from 'zod';
import { FEATURES } from '../sandbox/generator/book.ts';
import type { AccountRecords } from '../sandbox/generator/account-generator.ts';
import { generateAccounts, planBook } from '../sandbox/generator/generate-book.ts';
import {
  evaluateBacktest,
  separationAuc,
  type BacktestCase,
  type BacktestReport,
} from '../server/core/health/backtest.ts';
import type { FactsContext } from '../server/core/health/facts.ts';
import { computeSignals, lookbackOf, measureSpecs } from '../server/core/health/facts.ts';
import { DEFAULT_MODEL, validateModel, type HealthModel } from '../server/core/health/model.ts';
import { compileModel, percentileTables, type Score } from '../server/core/health/score.ts';
import { DAY_MS, type SignalValues } from '../server/core/health/signals.ts';
import { dayStart, factsOf } from './book-facts.ts';
import { UsageError, wholeNumber } from './eval-options.ts';

const TARGET_AUC = 0.75;
const USAGE =
  'usage: npm run eval:health -- [--accounts N] [--seed S] [--as-of YYYY-MM-DD] [--horizon-days D] [--model path.json]';

const optionsSchema = z.strictObject({
  accounts: wholeNumber('--accounts', 1, 1_000_000),
  seed: wholeNumber('--seed', 0, 2 ** 32 - 1),
  asOf: z.iso.date('--as-of must be a day as YYYY-MM-DD'),
  // The book plants one upcoming renewal per account, within the 364 days after its as-of day.
  horizonDays: wholeNumber('--horizon-days', 30, 364),
  model: z.string().min(1).optional(),
});
type Options = z.infer<typeof optionsSchema>;

function parseOptions(argv: readonly string[]): Options {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        accounts: { type: 'string', default: '10000' },
        seed: { type: 'string', default: '7' },
        'as-of': { type: 'string', default: '2026-06-30' },
        'horizon-days': { type: 'string', default: '182' },
        model: { type: 'string' },
      },
    }));
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const parsed = optionsSchema.safeParse({
    accounts: values.accounts,
    seed: values.seed,
    asOf: values['as-of'],
    horizonDays: values['horizon-days'],
    model: values.model,
  });
  if (!parsed.success) {
    throw new UsageError(parsed.error.issues.map((issue) => issue.message).join('; '));
  }
  return parsed.data;
}

async function loadModel(path: string | undefined): Promise<HealthModel> {
  if (path === undefined) return DEFAULT_MODEL;
  let input: unknown;
  try {
    input = JSON.parse(await readFile(path, 'utf8'));
  } catch (error) {
    throw new UsageError(`--model ${path}: ${error instanceof Error ? error.message : String(error)}`);
  }
  const result = validateModel(input);
  if (!result.ok) {
    throw new UsageError(
      `--model ${path} is not a valid health model:\n${result.problems.map((p) => `  ${p.path}: ${p.message}`).join('\n')}`,
    );
  }
  return result.model;
}

/** From the truth: the upcoming renewal falls within the horizon and is lost. */
function outcomeOf(
  records: AccountRecords,
  asOfDay: string,
  horizonDays: number,
): { churned: boolean; decided: boolean } {
  const upcoming = records.truth.renewals.find((renewal) => renewal.future);
  if (!upcoming) return { churned: false, decided: false };
  const decided = dayStart(upcoming.date) <= dayStart(asOfDay) + horizonDays * DAY_MS;
  return { churned: decided && upcoming.outcome === 'lost', decided };
}

// ---------------------------------------------------------------------------------------------

interface Kept {
  accountId: string;
  segment: string;
  arr: number;
  signals: SignalValues;
  churned: boolean;
  decided: boolean;
}

interface MeasureRow {
  key: string;
  signal: string;
  /** Share of accounts with the measure present. */
  coverage: number;
  /** AUC of the measure's sub-score alone over the accounts that have it. */
  auc: number | null;
  /** AUC of the raw signal, read the model's way round: below the sub-score's, the normalisation loses information. */
  rawAuc: number | null;
}

function measureRows(kept: readonly Kept[], scores: readonly Score[]): MeasureRow[] {
  const byKey = new Map<
    string,
    { signal: string; subs: number[]; renewed: boolean[]; raws: number[]; rawRenewed: boolean[] }
  >();
  scores.forEach((score, index) => {
    const renewed = !(kept[index] as Kept).churned;
    for (const measure of score.measures) {
      let row = byKey.get(measure.key);
      if (!row) {
        row = { signal: measure.signal, subs: [], renewed: [], raws: [], rawRenewed: [] };
        byKey.set(measure.key, row);
      }
      if (measure.raw !== null) {
        const raw = Number(measure.raw);
        row.raws.push(measure.direction === 'higher_is_better' ? raw : -raw);
        row.rawRenewed.push(renewed);
      }
      if (measure.subScore === null) continue;
      row.subs.push(measure.subScore);
      row.renewed.push(renewed);
    }
  });
  return [...byKey].map(([key, row]) => ({
    key,
    signal: row.signal,
    coverage: kept.length === 0 ? 0 : row.subs.length / kept.length,
    auc: separationAuc(row.subs, row.renewed),
    rawAuc: separationAuc(row.raws, row.rawRenewed),
  }));
}

const fixed = (value: number | null, digits = 3) => (value === null ? '–' : value.toFixed(digits));
const percent = (value: number | null) => (value === null ? '–' : `${(value * 100).toFixed(1)}%`);

function formatReport(
  report: BacktestReport,
  measures: readonly MeasureRow[],
  extra: { decidedAuc: number | null; decided: number },
) {
  const lines = [
    `accounts active at ${report.asOf}: ${report.accounts}, scored ${report.scored}`,
    `churned within ${report.horizonDays} days: ${report.churned} (${percent(report.bottom20.baseChurnRate)} of scored)`,
    `AUC (renewals score above churn): ${fixed(report.auc)}  target ≥ ${TARGET_AUC}  ${report.auc !== null && report.auc >= TARGET_AUC ? 'met' : 'NOT met'}`,
    `  among the ${extra.decided} accounts whose renewal falls in the horizon: ${fixed(extra.decidedAuc)}`,
    `bottom 20% (${report.bottom20.accounts} accounts): ${percent(report.bottom20.churnedArrShare)} of churned ARR, churn rate ${percent(report.bottom20.churnRate)} against ${percent(report.bottom20.baseChurnRate)}`,
    '',
    'calibration   accounts  churned  observed renewal  prior renewal',
    ...report.calibration.map(
      (bucket) =>
        `  ${`${bucket.from}–${bucket.to}`.padEnd(10)} ${String(bucket.accounts).padStart(8)} ${String(bucket.churned).padStart(8)} ${percent(bucket.observedRenewal).padStart(17)} ${percent(bucket.predictedRenewal).padStart(14)}`,
    ),
    '',
    'segment        accounts  churned    AUC',
    ...Object.entries(report.bySegment).map(
      ([segment, row]) =>
        `  ${segment.padEnd(12)} ${String(row.accounts).padStart(8)} ${String(row.churned).padStart(8)} ${fixed(row.auc).padStart(6)}`,
    ),
    '',
    'measure alone                   coverage  AUC of sub-score  AUC of raw value   signal',
    ...measures.map(
      (row) =>
        `  ${row.key.padEnd(28)} ${percent(row.coverage).padStart(8)} ${fixed(row.auc).padStart(17)} ${fixed(row.rawAuc).padStart(17)}   ${row.signal}`,
    ),
  ];
  return lines.join('\n');
}

async function main(argv: readonly string[]): Promise<number> {
  let options: Options;
  let model: HealthModel;
  try {
    options = parseOptions(argv);
    model = await loadModel(options.model);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`eval:health: ${error.message}\n${USAGE}\n`);
    return 2;
  }

  const started = performance.now();
  const plan = planBook({ seed: options.seed, accounts: options.accounts, asOf: options.asOf });
  const specs = measureSpecs(model);
  // Signals as the score job would compute them at the end of the as-of day.
  const asOf = dayStart(options.asOf) + DAY_MS - 1;
  const usageFrom = dayStart(options.asOf) - lookbackOf(specs).usage * DAY_MS;
  // The product's features as the installation's usage shows them; checked against what was seen below.
  const context: FactsContext = { featuresOffered: FEATURES.length };
  const featuresSeen = new Set<string>();

  const bar = new SingleBar({
    stream: process.stderr,
    format: '{phase} {bar} {value}/{total} accounts | {duration}s',
  });
  bar.start(options.accounts, 0, { phase: 'generating and computing signals' });
  const kept: Kept[] = [];
  let generated = 0;
  for (const records of generateAccounts(plan)) {
    generated += 1;
    if (generated % 100 === 0) bar.update(generated);
    if (records.account.status !== 'active') continue;
    const facts = factsOf(records, usageFrom, featuresSeen);
    kept.push({
      accountId: records.account.id,
      segment: records.account.segment,
      arr: records.account.arr,
      signals: computeSignals(facts, specs, asOf, context),
      ...outcomeOf(records, options.asOf, options.horizonDays),
    });
  }
  bar.update(generated);
  const signalsMs = performance.now() - started;
  if (featuresSeen.size !== context.featuresOffered) {
    bar.stop();
    throw new Error(`usage shows ${featuresSeen.size} features, the evaluation assumed ${context.featuresOffered}`);
  }

  const scoringStarted = performance.now();
  bar.setTotal(kept.length);
  bar.update(0, { phase: 'scoring' });
  const scorer = compileModel(model);
  const peers = percentileTables(model, kept);
  const scores: Score[] = [];
  const cases: BacktestCase[] = kept.map((account, index) => {
    const score = scorer.score({ segment: account.segment, signals: account.signals, peers });
    scores.push(score);
    if (index % 500 === 0) bar.update(index);
    return {
      accountId: account.accountId,
      segment: account.segment,
      arr: account.arr,
      score: score.score,
      churned: account.churned,
    };
  });
  bar.update(kept.length);
  bar.stop();
  const report = evaluateBacktest(cases, { asOf: options.asOf, horizonDays: options.horizonDays });
  const scoringMs = performance.now() - scoringStarted;

  const decided = cases.filter((_, index) => (kept[index] as Kept).decided && cases[index]?.score !== null);
  const decidedAuc = separationAuc(
    decided.map((c) => c.score as number),
    decided.map((c) => !c.churned),
  );
  const measures = measureRows(kept, scores);
  const totalMs = performance.now() - started;
  process.stdout.write(
    `book: ${options.accounts} accounts, seed ${options.seed}, as of ${options.asOf}; model ${model.id} v${model.version}\n`,
  );
  process.stdout.write(`${formatReport(report, measures, { decidedAuc, decided: decided.length })}\n\n`);
  process.stdout.write(
    `time: ${(totalMs / 1000).toFixed(1)} s (generating and signals ${(signalsMs / 1000).toFixed(1)} s, scoring and evaluating ${(scoringMs / 1000).toFixed(1)} s); peak RSS ${Math.round(process.resourceUsage().maxRSS / 1024)} MB\n`,
  );

  const met = report.auc !== null && report.auc >= TARGET_AUC;
  await mkdir('bench/results', { recursive: true });
  await writeFile(
    'bench/results/eval-health.json',
    `${JSON.stringify(
      {
        options: { ...options, model: options.model ?? null },
        model: `${model.id} v${model.version}`,
        target: { auc: TARGET_AUC },
        met,
        report,
        decidedInHorizon: { accounts: decided.length, auc: decidedAuc },
        measures,
        timing: { totalMs: Math.round(totalMs), signalsMs: Math.round(signalsMs), scoringMs: Math.round(scoringMs) },
        peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
        node: process.version,
      },
      null,
      2,
    )}\n`,
  );
  return met ? 0 : 1;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`eval:health: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
  },
);
