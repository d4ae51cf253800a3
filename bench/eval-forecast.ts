/**
 * `npm run eval:forecast -- [--accounts 2000] [--seed 7] [--as-of 2026-06-30] [--horizon-days 183]`:
 * does the renewal forecast learned from a book's own past renewals foresee the renewals it has not
 * seen, on a generated book whose churn is known?
 *
 * The book is generated with 24 months of history (sandbox/generator) and each account turned into
 * the facts Bellwether would hold (bench/book-facts.ts). The last 6 months are held out: cutoff =
 * as-of − 6 months. Health scores are replayed (bench/book-replay.ts: the shipped model, signals from
 * the facts as of each day, ranked against that day's customers, the trend from the weekly scores
 * before) every week up to the cutoff and on a monthly snapshot day. Each snapshot and each renewal
 * decided (won or lost deal) within the horizon after it, on or before the cutoff, is an example; the
 * model is trained on them alone. Then every customer's renewal due in (cutoff, as-of] is forecast at
 * the cutoff and compared with its deal's outcome. Nothing after the cutoff reaches the training.
 *
 * Prints the renewals trained on, the Brier score (learned against the documented prior alone), the
 * calibration table, predicted against actual renewed ARR overall and by month (target within ±10 %),
 * the bottom 20 %'s share of churned ARR (target ≥ 60 %) and the runtime; writes
 * bench/results/eval-forecast.json. Exits 1 when a target is missed, 2 on bad arguments.
 *
 * "Renewed ARR" is the ARR up for renewal at the cutoff (what the forecast multiplies by its
 * probability) summed over the renewals won; the won deals' own amounts, which carry the uplift or
 * contraction agreed at renewal, are printed beside it.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { SingleBar } from 'cli-progress';
import { z } from 'zod';
import { FEATURES } from '../sandbox/generator/book.ts';
import { generateAccounts, planBook } from '../sandbox/generator/generate-book.ts';
import { arrAt, lookbackOf, measureSpecs, type FactsContext } from '../server/core/health/facts.ts';
import { DEFAULT_MODEL } from '../server/core/health/model.ts';
import { DAY_MS } from '../server/core/health/signals.ts';
import {
  brierScore,
  calibrationTable,
  featureInputOf,
  forecastRenewals,
  trainingExamples,
  trainRenewalModel,
  type AccountHistory,
  type AccountSnapshot,
  type CalibrationBucket,
  type RenewalForecast,
  type RenewalModel,
  type UpcomingRenewal,
} from '../server/core/revenue/forecast/index.ts';
import { dayStart, factsOf } from './book-facts.ts';
import { replayScores, type ReplayAccount, type ReplayPoint } from './book-replay.ts';
import { UsageError, wholeNumber } from './eval-options.ts';

const TARGET_ARR_GAP = 0.1;
const TARGET_BOTTOM20_SHARE = 0.6;
const HISTORY_MONTHS = 24;
const HOLDOUT_MONTHS = 6;
const USAGE = 'usage: npm run eval:forecast -- [--accounts N] [--seed S] [--as-of YYYY-MM-DD] [--horizon-days D]';

const optionsSchema = z.strictObject({
  accounts: wholeNumber('--accounts', 50, 200_000),
  seed: wholeNumber('--seed', 0, 2 ** 32 - 1),
  asOf: z.iso.date('--as-of must be a day as YYYY-MM-DD'),
  // A snapshot learns from the renewals decided this many days after it: the forecast's own reach.
  horizonDays: wholeNumber('--horizon-days', 30, 366),
});
type Options = z.infer<typeof optionsSchema>;

function parseOptions(argv: readonly string[]): Options {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        accounts: { type: 'string', default: '2000' },
        seed: { type: 'string', default: '7' },
        'as-of': { type: 'string', default: '2026-06-30' },
        'horizon-days': { type: 'string', default: '183' },
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
  });
  if (!parsed.success) throw new UsageError(parsed.error.issues.map((issue) => issue.message).join('; '));
  return parsed.data;
}

/** The same day of the month `months` later (or the month's last day), as the calendar counts months. */
function shiftMonths(day: string, months: number): string {
  const [year, month, date] = day.split('-').map(Number) as [number, number, number];
  const first = new Date(Date.UTC(year, month - 1 + months, 1));
  const last = new Date(Date.UTC(first.getUTCFullYear(), first.getUTCMonth() + 1, 0)).getUTCDate();
  return new Date(Date.UTC(first.getUTCFullYear(), first.getUTCMonth(), Math.min(date, last)))
    .toISOString()
    .slice(0, 10);
}

const isoDay = (at: number) => new Date(at).toISOString().slice(0, 10);
const endOfDay = (day: string) => dayStart(day) + DAY_MS - 1;

interface Held {
  id: string;
  name: string;
  csmId: string;
  segment: string;
  replay: ReplayAccount;
}

interface HeldOutRenewal {
  upcoming: UpcomingRenewal;
  renewed: boolean;
  /** The won deal's amount (with its uplift or contraction), or the lost deal's. */
  dealAmount: number | null;
}

function snapshotOf(point: ReplayPoint, arr: number | null, segment: string): AccountSnapshot {
  const input = featureInputOf({
    score: point.score,
    band: point.band,
    trend: point.trend,
    arr,
    segment,
    renewalDate: null,
    at: point.at,
    signals: point.signals,
    scoreSlope: point.trendSlope,
    groupScores: point.groups,
  });
  const { daysToRenewal: _days, ...snapshot } = input;
  return { at: point.at, ...snapshot };
}

interface ArrComparison {
  month: string;
  renewals: number;
  arrUp: number;
  predicted: number;
  predictedPrior: number;
  actual: number;
  actualDealAmounts: number;
  gap: number | null;
  gapPrior: number | null;
}

function compareArr(
  held: readonly HeldOutRenewal[],
  learned: RenewalForecast,
  prior: RenewalForecast,
): { months: ArrComparison[]; overall: ArrComparison } {
  const outcome = new Map(held.map((renewal) => [renewal.upcoming.accountId, renewal]));
  const rows = new Map<string, ArrComparison>();
  const empty = (month: string): ArrComparison => ({
    month,
    renewals: 0,
    arrUp: 0,
    predicted: 0,
    predictedPrior: 0,
    actual: 0,
    actualDealAmounts: 0,
    gap: null,
    gapPrior: null,
  });
  for (const month of learned.months) rows.set(month.month, empty(month.month));
  const overall = empty('overall');
  const priorById = new Map(prior.renewals.map((row) => [row.accountId, row]));
  for (const row of learned.renewals) {
    const truth = outcome.get(row.accountId)!;
    const arr = Math.max(0, row.arr ?? 0);
    for (const target of [rows.get(row.month)!, overall]) {
      target.renewals += 1;
      target.arrUp += arr;
      target.predicted += row.expectedRenewedArr;
      target.predictedPrior += priorById.get(row.accountId)?.expectedRenewedArr ?? 0;
      if (truth.renewed) {
        target.actual += arr;
        target.actualDealAmounts += truth.dealAmount ?? 0;
      }
    }
  }
  const withGaps = (row: ArrComparison) => ({
    ...row,
    gap: row.actual > 0 ? (row.predicted - row.actual) / row.actual : null,
    gapPrior: row.actual > 0 ? (row.predictedPrior - row.actual) / row.actual : null,
  });
  return { months: [...rows.values()].map(withGaps), overall: withGaps(overall) };
}

function bottomShare(forecast: RenewalForecast, held: readonly HeldOutRenewal[]) {
  const lost = held.filter((renewal) => !renewal.renewed);
  const churnedArr = lost.reduce((sum, renewal) => sum + Math.max(0, renewal.upcoming.arr ?? 0), 0);
  const bottom = new Set(forecast.bottom20);
  const caught = lost.filter((renewal) => bottom.has(renewal.upcoming.accountId));
  const caughtArr = caught.reduce((sum, renewal) => sum + Math.max(0, renewal.upcoming.arr ?? 0), 0);
  return {
    renewals: forecast.bottom20.length,
    lost: lost.length,
    lostInBottom: caught.length,
    churnedArr,
    churnedArrInBottom: caughtArr,
    share: churnedArr > 0 ? caughtArr / churnedArr : null,
  };
}

const fixed = (value: number | null, digits = 3) => (value === null ? '–' : value.toFixed(digits));
const percent = (value: number | null, digits = 1) => (value === null ? '–' : `${(value * 100).toFixed(digits)}%`);
const signedPercent = (value: number | null) =>
  value === null ? '–' : `${value >= 0 ? '+' : '−'}${Math.abs(value * 100).toFixed(1)}%`;
const money = (value: number) => `$${Math.round(value).toLocaleString('en-US')}`;
const verdict = (met: boolean) => (met ? 'met' : 'NOT met');

function calibrationLines(title: string, table: readonly CalibrationBucket[]): string[] {
  return [
    `${title.padEnd(14)} renewals  mean predicted  observed renewal`,
    ...table
      .filter((bucket) => bucket.count > 0)
      .map(
        (bucket) =>
          `  ${`${bucket.from.toFixed(1)}–${bucket.to.toFixed(1)}`.padEnd(12)} ${String(bucket.count).padStart(8)} ${percent(bucket.meanPredicted).padStart(15)} ${percent(bucket.observed).padStart(17)}`,
      ),
  ];
}

function coefficientLines(model: RenewalModel): string[] {
  if (model.basis === 'prior') return [`model: the documented prior (${model.reason ?? ''})`];
  return [
    `coefficients (log-odds on top of the prior, λ = ${model.penalty}):`,
    ...model.features.map(
      (feature, index) => `  ${feature.padEnd(22)} ${(model.coefficients[index] ?? 0).toFixed(3).padStart(8)}`,
    ),
  ];
}

async function main(argv: readonly string[]): Promise<number> {
  let options: Options;
  try {
    options = parseOptions(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`eval:forecast: ${error.message}\n${USAGE}\n`);
    return 2;
  }
  const started = performance.now();
  const model = DEFAULT_MODEL;
  const cutoffDay = shiftMonths(options.asOf, -HOLDOUT_MONTHS);
  const cutoff = endOfDay(cutoffDay);
  const asOfEnd = endOfDay(options.asOf);
  const context: FactsContext = { featuresOffered: FEATURES.length };

  const plan = planBook({
    seed: options.seed,
    accounts: options.accounts,
    asOf: options.asOf,
    historyMonths: HISTORY_MONTHS,
  });
  const historyStart = dayStart(plan.meta.historyStart);
  const featuresSeen = new Set<string>();
  const held: Held[] = [];
  const bar = new SingleBar({ stream: process.stderr, format: '{phase} {bar} {value}/{total} | {duration}s' });
  bar.start(options.accounts, 0, { phase: 'generating accounts' });
  for (const records of generateAccounts(plan)) {
    const facts = factsOf(records, historyStart, featuresSeen);
    held.push({
      id: records.account.id,
      name: records.account.name,
      csmId: records.account.csmId,
      segment: records.account.segment,
      replay: { id: records.account.id, segment: records.account.segment, facts },
    });
    if (held.length % 100 === 0) bar.update(held.length);
  }
  bar.update(held.length);
  if (featuresSeen.size !== context.featuresOffered) {
    bar.stop();
    throw new Error(`usage shows ${featuresSeen.size} features, the evaluation assumed ${context.featuresOffered}`);
  }
  const generatedMs = performance.now() - started;

  // Scores start once the usage window is full; snapshots once the trend has its long window of scores.
  const firstScore = historyStart + (lookbackOf(measureSpecs(model)).usage + 1) * DAY_MS;
  const firstSnapshot = firstScore + model.trend.longWeeks * 7 * DAY_MS;
  const snapshotDays: number[] = [];
  for (let back = 0; ; back += 1) {
    const at = endOfDay(shiftMonths(cutoffDay, -back));
    if (at < firstSnapshot) break;
    snapshotDays.unshift(at);
  }
  const replayDays = new Set(snapshotDays);
  for (let at = cutoff; at >= firstScore; at -= 7 * DAY_MS) replayDays.add(at);
  const days = [...replayDays].sort((a, b) => a - b);

  const replayStarted = performance.now();
  bar.setTotal(days.length);
  bar.update(0, { phase: `replaying scores on ${days.length} days` });
  const points = replayScores(
    held.map((account) => account.replay),
    days,
    model,
    context,
    (done) => bar.update(done),
  );
  bar.stop();
  const replayMs = performance.now() - replayStarted;

  // Training: the monthly snapshots and the renewals decided by the cutoff.
  const trainStarted = performance.now();
  const snapshotSet = new Set(snapshotDays);
  const histories: AccountHistory[] = held.map((account) => ({
    accountId: account.id,
    snapshots: (points.get(account.id) ?? [])
      .filter((point) => snapshotSet.has(point.at))
      .map((point) => snapshotOf(point, arrAt(account.replay.facts.deals, point.at), account.segment)),
    deals: account.replay.facts.deals,
  }));
  const examples = trainingExamples(histories, { horizonDays: options.horizonDays, knownBy: cutoff });
  const renewalModel = trainRenewalModel(examples, { asOf: cutoff, horizonDays: options.horizonDays });
  const trainMs = performance.now() - trainStarted;

  // The held-out renewals: every customer at the cutoff whose renewal is decided in (cutoff, as-of].
  const heldOut: HeldOutRenewal[] = [];
  for (const account of held) {
    const atCutoff = (points.get(account.id) ?? []).find((point) => point.at === cutoff);
    if (!atCutoff) continue;
    const renewal = account.replay.facts.deals.find(
      (deal) =>
        deal.kind === 'renewal' &&
        deal.stage !== 'open' &&
        deal.closeDate !== null &&
        deal.closeDate > cutoff &&
        deal.closeDate <= asOfEnd,
    );
    if (!renewal || renewal.closeDate === null) continue;
    const arr = arrAt(account.replay.facts.deals, cutoff);
    heldOut.push({
      upcoming: {
        accountId: account.id,
        name: account.name,
        segment: account.segment,
        csm: account.csmId,
        arr,
        renewalDate: renewal.closeDate,
        input: featureInputOf({
          score: atCutoff.score,
          band: atCutoff.band,
          trend: atCutoff.trend,
          arr,
          segment: account.segment,
          renewalDate: renewal.closeDate,
          at: cutoff,
          signals: atCutoff.signals,
          scoreSlope: atCutoff.trendSlope,
          groupScores: atCutoff.groups,
        }),
        healthDrivers: null,
      },
      renewed: renewal.stage === 'won',
      dealAmount: renewal.amount,
    });
  }
  // Calendar months from the cutoff's month to the as-of day's.
  const months = HOLDOUT_MONTHS + 1;
  const upcoming = heldOut.map((renewal) => renewal.upcoming);
  const learned = forecastRenewals({ renewals: upcoming, model: renewalModel, asOf: cutoff, months });
  const priorOnly = forecastRenewals({ renewals: upcoming, model: null, asOf: cutoff, months });
  const outcomeOf = new Map(heldOut.map((renewal) => [renewal.upcoming.accountId, renewal.renewed]));
  const outcomes = learned.renewals.map((row) => outcomeOf.get(row.accountId) ?? false);
  const brier = {
    learned: brierScore(
      learned.renewals.map((row) => row.probability),
      outcomes,
    ),
    prior: brierScore(
      learned.renewals.map((row) => row.prior),
      outcomes,
    ),
  };
  const calibration = {
    learned: calibrationTable(
      learned.renewals.map((row) => row.probability),
      outcomes,
      10,
    ),
    prior: calibrationTable(
      learned.renewals.map((row) => row.prior),
      outcomes,
      10,
    ),
  };
  const arr = compareArr(heldOut, learned, priorOnly);
  const bottom = { learned: bottomShare(learned, heldOut), prior: bottomShare(priorOnly, heldOut) };
  const totalMs = performance.now() - started;

  const arrMet = arr.overall.gap !== null && Math.abs(arr.overall.gap) <= TARGET_ARR_GAP;
  const monthsMet = arr.months.every((row) => row.gap === null || Math.abs(row.gap) <= TARGET_ARR_GAP);
  const bottomMet = bottom.learned.share !== null && bottom.learned.share >= TARGET_BOTTOM20_SHARE;
  const lines = [
    `book: ${options.accounts} accounts, seed ${options.seed}, ${HISTORY_MONTHS} months of history to ${options.asOf}; held out: after ${cutoffDay}`,
    `replayed ${days.length} days (${isoDay(days[0] ?? cutoff)} to ${cutoffDay}), ${snapshotDays.length} monthly snapshots; horizon ${options.horizonDays} days`,
    `trained on ${renewalModel.trainedOn.renewals} renewals (${renewalModel.trainedOn.won} won, ${renewalModel.trainedOn.lost} lost; ${renewalModel.trainedOn.examples} examples), basis ${renewalModel.basis}`,
    `  ${renewalModel.explanation}`,
    '',
    `held-out renewals (${isoDay(cutoff + 1)} to ${options.asOf}): ${learned.renewals.length}, lost ${bottom.learned.lost}`,
    `Brier: learned ${fixed(brier.learned, 4)}  prior only ${fixed(brier.prior, 4)}  (cross-validated on training: ${fixed(renewalModel.brier.crossValidated, 4)} against ${fixed(renewalModel.brier.prior, 4)})`,
    '',
    ...calibrationLines('learned', calibration.learned),
    ...calibrationLines('prior only', calibration.prior),
    '',
    'renewed ARR   renewals       ARR up     predicted       actual     gap   prior only     gap   won deal amounts',
    ...[...arr.months, arr.overall].map(
      (row) =>
        `  ${row.month.padEnd(10)} ${String(row.renewals).padStart(8)} ${money(row.arrUp).padStart(12)} ${money(row.predicted).padStart(13)} ${money(row.actual).padStart(12)} ${signedPercent(row.gap).padStart(7)} ${money(row.predictedPrior).padStart(12)} ${signedPercent(row.gapPrior).padStart(7)} ${money(row.actualDealAmounts).padStart(18)}`,
    ),
    `predicted against actual renewed ARR: ${signedPercent(arr.overall.gap)}  target within ±${TARGET_ARR_GAP * 100}%  ${verdict(arrMet)}; every month within it: ${verdict(monthsMet)}`,
    `bottom 20% (${bottom.learned.renewals} renewals): ${percent(bottom.learned.share)} of churned ARR (${bottom.learned.lostInBottom} of ${bottom.learned.lost} lost renewals)  target ≥ ${TARGET_BOTTOM20_SHARE * 100}%  ${verdict(bottomMet)}; prior only ${percent(bottom.prior.share)}`,
    '',
    ...coefficientLines(renewalModel),
    '',
    `time: ${(totalMs / 1000).toFixed(1)} s (generating ${(generatedMs / 1000).toFixed(1)} s, replaying ${(replayMs / 1000).toFixed(1)} s, training ${(trainMs / 1000).toFixed(1)} s); peak RSS ${Math.round(process.resourceUsage().maxRSS / 1024)} MB`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);

  await mkdir('bench/results', { recursive: true });
  await writeFile(
    'bench/results/eval-forecast.json',
    `${JSON.stringify(
      {
        options: { ...options, historyMonths: HISTORY_MONTHS, holdoutMonths: HOLDOUT_MONTHS },
        cutoff: cutoffDay,
        targets: { arrGap: TARGET_ARR_GAP, bottom20ChurnedArrShare: TARGET_BOTTOM20_SHARE },
        met: { arr: arrMet, everyMonth: monthsMet, bottom20: bottomMet },
        replay: { days: days.length, snapshots: snapshotDays.map(isoDay) },
        model: renewalModel,
        heldOut: {
          renewals: learned.renewals.length,
          lost: bottom.learned.lost,
          brier,
          calibration,
          renewedArr: arr,
          bottom20: bottom,
        },
        timing: {
          totalMs: Math.round(totalMs),
          generatedMs: Math.round(generatedMs),
          replayMs: Math.round(replayMs),
          trainMs: Math.round(trainMs),
        },
        peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
        node: process.version,
      },
      null,
      2,
    )}\n`,
  );
  return arrMet && bottomMet ? 0 : 1;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`eval:forecast: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
  },
);
