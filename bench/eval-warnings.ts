/**
 * `npm run eval:warnings -- [--accounts 2000] [--seed 7] [--months 6] [--as-of 2026-06-30] [--rules path.json]`:
 * do the early warnings come early, right and quietly enough, on a generated book whose churn is known?
 * `--rules` evaluates a saved rule set (what an installation stores; unnamed fields take the defaults)
 * instead of the shipped defaults.
 *
 * The book is generated (sandbox/generator) and each account turned into the facts Bellwether would
 * hold (bench/book-facts.ts). Then the last `--months` months before the as-of day are replayed one
 * day at a time, as production runs them: at the end of each day every customer's signals are
 * computed as of that instant, the percentile peers built from that day's signals, each account
 * scored with the default model and the point added to its score history; then the warning input is
 * cut from the facts at that instant, the default rules evaluated, and the findings reconciled with
 * the open warnings and applied, exactly as jobs/warnings/warnings-run.ts does. Before the window the
 * scores run alone long enough to give the rules their history, then the warnings run a warm-up
 * whose openings are not counted, so the first replayed day is not a flood of old conditions.
 *
 * Judged against the planted truth (the rules never see it):
 * - lead time: for each account that churned in the window (its renewal was lost there), the days
 *   from the first warning opened in the 180 days before the churn to the churn; target median ≥ 30;
 * - "at risk", as a CS team reads its at-risk list: on a day, an account is flagged when it has an
 *   open high-severity warning or at least two open warnings; it truly is at risk when its next
 *   renewal falls within 180 days and is lost. Precision and recall are pooled over every replayed
 *   day and every customer whose renewal falls within those 180 days (a renewal further out has no
 *   outcome to judge the flag by);
 * - noise: warnings opened per CSM per week (target ≤ 5 for the CSM at the 90th percentile, so no
 *   CSM's book drowns), and per rule.
 *
 * Writes bench/results/eval-warnings.json; exits 1 when a target is missed, 2 on bad arguments.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { SingleBar } from 'cli-progress';
import { z } from 'zod';
import { FEATURES } from '../sandbox/generator/book.ts';
import { generateAccounts, planBook } from '../sandbox/generator/generate-book.ts';
import { computeSignals, lookbackOf, measureSpecs, type FactsContext } from '../server/core/health/facts.ts';
import { DEFAULT_MODEL } from '../server/core/health/model.ts';
import { compileModel, percentileTables } from '../server/core/health/score.ts';
import { DAY_MS, type SignalValues } from '../server/core/health/signals.ts';
import { trendOf, type ScorePoint } from '../server/core/health/trend.ts';
import { evaluateRules } from '../server/core/warnings/evaluate.ts';
import type { Finding } from '../server/core/warnings/finding.ts';
import { warningInputFrom, warningLookbackDays, type HistoryPoint } from '../server/core/warnings/input.ts';
import { applyReconciliation, reconcileWarnings, type WarningState } from '../server/core/warnings/reconcile.ts';
import {
  DEFAULT_WARNING_RULES,
  RULE_IDS,
  type RuleId,
  type WarningRules,
  type WarningSeverity,
  validateWarningRules,
} from '../server/core/warnings/rules-config.ts';
import { dayStart, factsOf, type BookFacts } from './book-facts.ts';
import { UsageError, wholeNumber } from './eval-options.ts';

const TARGET_MEDIAN_LEAD_DAYS = 30;
const TARGET_P90_PER_CSM_WEEK = 5;
/** How far ahead a warning may come and still count for a churn, and how far ahead "at risk" looks. */
const HORIZON_DAYS = 180;
/** Warnings evaluated before the window but not counted: long-standing conditions open here. */
const WARM_UP_DAYS = 42;
const USAGE =
  'usage: npm run eval:warnings -- [--accounts N] [--seed S] [--months M] [--as-of YYYY-MM-DD] [--rules path.json]';

const optionsSchema = z.strictObject({
  accounts: wholeNumber('--accounts', 1, 200_000),
  seed: wholeNumber('--seed', 0, 2 ** 32 - 1),
  // The generator keeps at most 36 months of history; the replay needs some before its window.
  months: wholeNumber('--months', 1, 30),
  asOf: z.iso.date('--as-of must be a day as YYYY-MM-DD'),
  rules: z.string().min(1).optional(),
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
        months: { type: 'string', default: '6' },
        'as-of': { type: 'string', default: '2026-06-30' },
        rules: { type: 'string' },
      },
    }));
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const parsed = optionsSchema.safeParse({
    accounts: values.accounts,
    seed: values.seed,
    months: values.months,
    asOf: values['as-of'],
    rules: values.rules,
  });
  if (!parsed.success) throw new UsageError(parsed.error.issues.map((issue) => issue.message).join('; '));
  return parsed.data;
}

async function loadRules(path: string | undefined): Promise<WarningRules> {
  if (path === undefined) return DEFAULT_WARNING_RULES;
  let input: unknown;
  try {
    input = JSON.parse(await readFile(path, 'utf8'));
  } catch (error) {
    throw new UsageError(`--rules ${path}: ${error instanceof Error ? error.message : String(error)}`);
  }
  const result = validateWarningRules(input);
  if (!result.ok) {
    throw new UsageError(
      `--rules ${path} is not a valid rule set:\n${result.problems.map((p) => `  ${p.path}: ${p.message}`).join('\n')}`,
    );
  }
  return result.rules;
}

// ---------------------------------------------------------------------------------------------
// The replay

interface Tracked {
  id: string;
  name: string;
  csmId: string;
  segment: string;
  /** Start of the first day as a customer, and of the churn day (null when it did not churn by asOf). */
  from: number;
  churnOn: number | null;
  facts: BookFacts;
  /** Daily scores, oldest first. */
  history: HistoryPoint[];
  /** The same scores as the trend reads them. */
  scores: ScorePoint[];
  /** From the truth, for judging only: each renewal's day and whether it was lost. */
  renewals: { on: number; lost: boolean }[];
}

interface Opened {
  accountId: string;
  csmId: string;
  rule: RuleId;
  severity: WarningSeverity;
  at: number;
  counted: boolean;
}

/** The index of the first usage day at or after `from` (usage is ascending). */
function firstUsageFrom(usage: BookFacts['usage'], from: number): number {
  let low = 0;
  let high = usage.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if ((usage[middle] as BookFacts['usage'][number]).day < from) low = middle + 1;
    else high = middle;
  }
  return low;
}

/** The facts with only the usage of the `days` days up to `at`, as the job's loader reads them. */
function factsWithin(facts: BookFacts, at: number, days: number): BookFacts {
  const from = firstUsageFrom(facts.usage, Math.floor(at / DAY_MS) * DAY_MS - days * DAY_MS);
  const to = firstUsageFrom(facts.usage, at + 1);
  return { ...facts, usage: facts.usage.slice(from, to) };
}

const isoDay = (at: number) => new Date(at).toISOString().slice(0, 10);

interface Tally {
  truePositive: number;
  falsePositive: number;
  falseNegative: number;
  trueNegative: number;
}

interface ReplayResult {
  days: number;
  opened: Opened[];
  tally: Tally;
}

function replay(
  tracked: readonly Tracked[],
  rules: WarningRules,
  window: { scoreFrom: number; warningsFrom: number; countFrom: number; to: number },
  onDay: (done: number) => void,
): ReplayResult {
  const model = DEFAULT_MODEL;
  const scorer = compileModel(model);
  const specs = measureSpecs(model);
  const scoreUsageDays = lookbackOf(specs).usage;
  const lookbackDays = warningLookbackDays(rules);
  const trendDays = model.trend.longWeeks * 7;
  const context: FactsContext = { featuresOffered: FEATURES.length };

  let state: WarningState = { open: [], lastResolvedByKey: new Map() };
  const opened: Opened[] = [];
  const tally: Tally = { truePositive: 0, falsePositive: 0, falseNegative: 0, trueNegative: 0 };
  const csmOf = new Map(tracked.map((account) => [account.id, account.csmId]));
  let days = 0;

  for (let day = window.scoreFrom; day <= window.to; day += DAY_MS) {
    // The daily jobs run after the day is over: the score, then the warnings.
    const at = day + DAY_MS - 1;
    const customers = tracked.filter(
      (account) => account.from <= day && (account.churnOn === null || day < account.churnOn),
    );

    const rows: { account: Tracked; segment: string; signals: SignalValues }[] = customers.map((account) => ({
      account,
      segment: account.segment,
      signals: computeSignals(factsWithin(account.facts, at, scoreUsageDays), specs, at, context),
    }));
    const peers = percentileTables(model, rows);
    const health = new Map<
      string,
      { score: number | null; band: HistoryPoint['band']; trend: ReturnType<typeof trendOf>['direction'] | null }
    >();
    for (const row of rows) {
      const score = scorer.score({ segment: row.segment, signals: row.signals, peers });
      const earlier = row.account.scores.slice(-trendDays);
      const trend = score.score === null ? null : trendOf([...earlier, { at, score: score.score }], model.trend, at);
      row.account.history.push({ day: isoDay(day), score: score.score, band: score.band });
      if (score.score !== null) row.account.scores.push({ at, score: score.score });
      health.set(row.account.id, { score: score.score, band: score.band, trend: trend?.direction ?? null });
    }

    if (day >= window.warningsFrom) {
      const findings: Finding[] = [];
      const active: string[] = [];
      for (const account of customers) {
        const input = warningInputFrom(
          {
            account: { id: account.id, name: account.name },
            facts: factsWithin(account.facts, at, lookbackDays),
            history: account.history.slice(-(lookbackDays + 1)),
            health: health.get(account.id) ?? { score: null, band: null, trend: null },
            override: null,
            bands: model.bands,
          },
          at,
          lookbackDays,
        );
        if (input.account.status === 'churned') continue;
        active.push(account.id);
        findings.push(...evaluateRules(input, rules, at));
      }
      const changes = reconcileWarnings({
        findings,
        open: state.open,
        lastResolvedByKey: state.lastResolvedByKey,
        rules,
        at,
        activeAccounts: active,
      });
      state = applyReconciliation(state, changes, at);
      for (const finding of changes.open) {
        opened.push({
          accountId: finding.accountId,
          csmId: csmOf.get(finding.accountId) ?? 'unassigned',
          rule: finding.rule,
          severity: finding.severity,
          at,
          counted: day >= window.countFrom,
        });
      }
    }

    if (day >= window.countFrom) {
      days += 1;
      tallyAtRisk(tally, customers, state, day);
    }
    onDay(Math.round((day - window.scoreFrom) / DAY_MS) + 1);
  }
  return { days, opened, tally };
}

/** One day's at-risk list against the renewals of the next HORIZON_DAYS days. */
function tallyAtRisk(tally: Tally, customers: readonly Tracked[], state: WarningState, day: number): void {
  const open = new Map<string, { count: number; high: boolean }>();
  for (const warning of state.open) {
    const entry = open.get(warning.accountId) ?? { count: 0, high: false };
    entry.count += 1;
    entry.high ||= warning.severity === 'high';
    open.set(warning.accountId, entry);
  }
  for (const account of customers) {
    const renewal = account.renewals.find((entry) => entry.on > day);
    if (renewal === undefined || renewal.on > day + HORIZON_DAYS * DAY_MS) continue;
    const entry = open.get(account.id);
    const flagged = entry !== undefined && (entry.high || entry.count >= 2);
    if (flagged && renewal.lost) tally.truePositive += 1;
    else if (flagged) tally.falsePositive += 1;
    else if (renewal.lost) tally.falseNegative += 1;
    else tally.trueNegative += 1;
  }
}

// ---------------------------------------------------------------------------------------------
// The numbers

const ratio = (top: number, bottom: number) => (bottom === 0 ? null : top / bottom);

function quantile(sorted: readonly number[], q: number): number | null {
  if (sorted.length === 0) return null;
  const position = (sorted.length - 1) * q;
  const below = Math.floor(position);
  const above = Math.ceil(position);
  const low = sorted[below] as number;
  const high = sorted[above] as number;
  return low + (high - low) * (position - below);
}

interface LeadTimes {
  churned: number;
  warned: number;
  warnedShare: number | null;
  median: number | null;
  p25: number | null;
  p75: number | null;
  /** For comparison: renewals won in the window, and the share warned in the days before them. */
  renewed: number;
  renewedWarnedShare: number | null;
}

/** The first warning opened in the HORIZON_DAYS before `on`, in days before it; null when none. */
function daysWarnedBefore(openedAt: readonly number[], on: number): number | null {
  let first = Infinity;
  for (const at of openedAt) if (at < on && at >= on - HORIZON_DAYS * DAY_MS && at < first) first = at;
  return first === Infinity ? null : Math.floor((on - first) / DAY_MS);
}

function leadTimes(
  tracked: readonly Tracked[],
  opened: readonly Opened[],
  window: { countFrom: number; to: number },
): LeadTimes {
  const openedAt = new Map<string, number[]>();
  for (const warning of opened) {
    const list = openedAt.get(warning.accountId) ?? [];
    list.push(warning.at);
    openedAt.set(warning.accountId, list);
  }
  const inWindow = (on: number) => on >= window.countFrom && on <= window.to;
  const leads: number[] = [];
  let churned = 0;
  let renewed = 0;
  let renewedWarned = 0;
  for (const account of tracked) {
    const warnings = openedAt.get(account.id) ?? [];
    for (const renewal of account.renewals) {
      if (!inWindow(renewal.on)) continue;
      const lead = daysWarnedBefore(warnings, renewal.on);
      if (renewal.lost) {
        churned += 1;
        if (lead !== null) leads.push(lead);
      } else {
        renewed += 1;
        if (lead !== null) renewedWarned += 1;
      }
    }
  }
  leads.sort((a, b) => a - b);
  return {
    churned,
    warned: leads.length,
    warnedShare: ratio(leads.length, churned),
    median: quantile(leads, 0.5),
    p25: quantile(leads, 0.25),
    p75: quantile(leads, 0.75),
    renewed,
    renewedWarnedShare: ratio(renewedWarned, renewed),
  };
}

interface Noise {
  perCsmWeek: { mean: number; p90: number; max: number };
  perRule: { rule: RuleId; opened: number; perWeek: number; perCsmWeek: number; accounts: number }[];
}

function noiseOf(counted: readonly Opened[], csms: readonly string[], weeks: number): Noise {
  const byCsm = new Map(csms.map((csm) => [csm, 0]));
  for (const warning of counted) byCsm.set(warning.csmId, (byCsm.get(warning.csmId) ?? 0) + 1);
  const rates = [...byCsm.values()].map((count) => count / weeks).sort((a, b) => a - b);
  const perRule = RULE_IDS.map((rule) => {
    const ofRule = counted.filter((warning) => warning.rule === rule);
    return {
      rule,
      opened: ofRule.length,
      perWeek: ofRule.length / weeks,
      perCsmWeek: ofRule.length / weeks / Math.max(1, csms.length),
      accounts: new Set(ofRule.map((warning) => warning.accountId)).size,
    };
  });
  return {
    perCsmWeek: {
      mean: rates.reduce((sum, rate) => sum + rate, 0) / Math.max(1, rates.length),
      p90: quantile(rates, 0.9) ?? 0,
      max: rates.at(-1) ?? 0,
    },
    perRule,
  };
}

const fixed = (value: number | null, digits = 1) => (value === null ? '–' : value.toFixed(digits));
const percent = (value: number | null) => (value === null ? '–' : `${(value * 100).toFixed(1)}%`);
const verdict = (met: boolean) => (met ? 'met' : 'NOT met');

async function main(argv: readonly string[]): Promise<number> {
  let options: Options;
  let rules: WarningRules;
  try {
    options = parseOptions(argv);
    rules = await loadRules(options.rules);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`eval:warnings: ${error.message}\n${USAGE}\n`);
    return 2;
  }

  const started = performance.now();
  const asOfDay = dayStart(options.asOf);
  const countFrom = Date.parse(`${shiftMonths(options.asOf, -options.months)}T00:00:00Z`) + DAY_MS;
  const warningsFrom = countFrom - WARM_UP_DAYS * DAY_MS;
  // The score history the rules read back over before the first warnings run.
  const historyDays = Math.max(
    rules.declining_trend.windowWeeks * 7 + 7,
    rules.band_drop.lookbackDays + rules.band_drop.persistDays,
    rules.renewal_at_risk.persistDays,
  );
  const scoreFrom = warningsFrom - historyDays * DAY_MS;
  const usageFrom = Math.min(
    scoreFrom - lookbackOf(measureSpecs(DEFAULT_MODEL)).usage * DAY_MS,
    warningsFrom - warningLookbackDays(rules) * DAY_MS,
  );
  const historyMonths = Math.min(36, Math.max(12, Math.ceil((asOfDay - usageFrom) / DAY_MS / 30) + 1));
  const window = { scoreFrom, warningsFrom, countFrom, to: asOfDay };

  const plan = planBook({ seed: options.seed, accounts: options.accounts, asOf: options.asOf, historyMonths });
  const featuresSeen = new Set<string>();
  const tracked: Tracked[] = [];
  for (const records of generateAccounts(plan)) {
    const truth = records.truth;
    tracked.push({
      id: records.account.id,
      name: records.account.name,
      csmId: records.account.csmId,
      segment: records.account.segment,
      from: dayStart(records.account.customerSince),
      churnOn: truth.churnDate === null ? null : dayStart(truth.churnDate),
      facts: factsOf(records, usageFrom, featuresSeen),
      history: [],
      scores: [],
      renewals: truth.renewals.map((renewal) => ({ on: dayStart(renewal.date), lost: renewal.outcome === 'lost' })),
    });
  }
  if (featuresSeen.size !== FEATURES.length) {
    throw new Error(`usage shows ${featuresSeen.size} features, the evaluation assumed ${FEATURES.length}`);
  }
  const generatedMs = performance.now() - started;

  const totalDays = Math.round((window.to - window.scoreFrom) / DAY_MS) + 1;
  const bar = new SingleBar({ stream: process.stderr, format: 'replaying days {bar} {value}/{total} | {duration}s' });
  bar.start(totalDays, 0);
  const result = replay(tracked, rules, window, (done) => bar.update(done));
  bar.stop();
  const totalMs = performance.now() - started;

  const csms = [...new Set(tracked.map((account) => account.csmId))].sort();
  const counted = result.opened.filter((warning) => warning.counted);
  const weeks = result.days / 7;
  const lead = leadTimes(tracked, result.opened, window);
  const noise = noiseOf(counted, csms, weeks);
  const { tally } = result;
  const precision = ratio(tally.truePositive, tally.truePositive + tally.falsePositive);
  const recall = ratio(tally.truePositive, tally.truePositive + tally.falseNegative);
  const baseRate = ratio(
    tally.truePositive + tally.falseNegative,
    tally.truePositive + tally.falsePositive + tally.falseNegative + tally.trueNegative,
  );
  const leadMet = lead.median !== null && lead.median >= TARGET_MEDIAN_LEAD_DAYS;
  const noiseMet = noise.perCsmWeek.p90 <= TARGET_P90_PER_CSM_WEEK;

  const lines = [
    `book: ${options.accounts} accounts, seed ${options.seed}, as of ${options.asOf}; ${csms.length} CSMs; default model, ${options.rules === undefined ? 'default rules' : `rules ${options.rules}`}`,
    `replayed ${result.days} days (${isoDay(countFrom)} to ${options.asOf}), after ${historyDays} days of scores alone and a ${WARM_UP_DAYS}-day warnings warm-up`,
    '',
    `churned in the window: ${lead.churned}; warned in the ${HORIZON_DAYS} days before: ${lead.warned} (${percent(lead.warnedShare)})`,
    `  for comparison, renewals won in the window: ${lead.renewed}; warned in the ${HORIZON_DAYS} days before: ${percent(lead.renewedWarnedShare)}`,
    `days from the first warning to the churn: median ${fixed(lead.median)} (p25 ${fixed(lead.p25)}, p75 ${fixed(lead.p75)})  target median ≥ ${TARGET_MEDIAN_LEAD_DAYS}  ${verdict(leadMet)}`,
    '',
    `at risk: flagged on a day = an open high-severity warning or ≥ 2 open warnings;`,
    `         truly at risk = the next renewal falls within ${HORIZON_DAYS} days and is lost (planted outcome);`,
    `         pooled over replayed days × customers whose next renewal is within ${HORIZON_DAYS} days`,
    `  precision ${percent(precision)}  recall ${percent(recall)}  (base rate ${percent(baseRate)}; TP ${tally.truePositive}, FP ${tally.falsePositive}, FN ${tally.falseNegative}, TN ${tally.trueNegative})`,
    '',
    `warnings opened per CSM per week: mean ${fixed(noise.perCsmWeek.mean, 2)}, p90 ${fixed(noise.perCsmWeek.p90, 2)}, max ${fixed(noise.perCsmWeek.max, 2)}  target p90 ≤ ${TARGET_P90_PER_CSM_WEEK}  ${verdict(noiseMet)}`,
    'rule                          opened  per week  per CSM-week  accounts',
    ...noise.perRule.map(
      (row) =>
        `  ${row.rule.padEnd(27)} ${String(row.opened).padStart(7)} ${fixed(row.perWeek).padStart(9)} ${fixed(row.perCsmWeek, 2).padStart(13)} ${String(row.accounts).padStart(9)}`,
    ),
    '',
    `time: ${(totalMs / 1000).toFixed(1)} s (generating ${(generatedMs / 1000).toFixed(1)} s, replaying ${((totalMs - generatedMs) / 1000).toFixed(1)} s over ${totalDays} days); peak RSS ${Math.round(process.resourceUsage().maxRSS / 1024)} MB`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);

  await mkdir('bench/results', { recursive: true });
  await writeFile(
    'bench/results/eval-warnings.json',
    `${JSON.stringify(
      {
        options: { ...options, rules: options.rules ?? null },
        targets: { medianLeadDays: TARGET_MEDIAN_LEAD_DAYS, p90WarningsPerCsmWeek: TARGET_P90_PER_CSM_WEEK },
        met: { leadTime: leadMet, noise: noiseMet },
        accounts: tracked.length,
        csms: csms.length,
        days: {
          replayed: result.days,
          scoresAlone: historyDays,
          warmUp: WARM_UP_DAYS,
          from: isoDay(countFrom),
          to: options.asOf,
        },
        leadTime: lead,
        atRisk: {
          definition: `flagged: an open high-severity warning or >= 2 open warnings; truth: next renewal within ${HORIZON_DAYS} days is lost`,
          precision,
          recall,
          baseRate,
          ...tally,
        },
        noise,
        timing: { totalMs: Math.round(totalMs), generatingMs: Math.round(generatedMs) },
        peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
        node: process.version,
      },
      null,
      2,
    )}\n`,
  );
  return leadMet && noiseMet ? 0 : 1;
}

/** `YYYY-MM-DD` moved by whole months, the day clamped to the month's last. */
function shiftMonths(day: string, months: number): string {
  const [year, month, date] = day.split('-').map(Number) as [number, number, number];
  const first = new Date(Date.UTC(year, month - 1 + months, 1));
  const last = new Date(Date.UTC(first.getUTCFullYear(), first.getUTCMonth() + 1, 0)).getUTCDate();
  return new Date(Date.UTC(first.getUTCFullYear(), first.getUTCMonth(), Math.min(date, last)))
    .toISOString()
    .slice(0, 10);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`eval:warnings: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
  },
);
