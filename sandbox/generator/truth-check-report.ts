import { auc } from './auc.ts';
import { formatDay, parseDay } from './dates.ts';
import { SIGNALS_FROM_BOOK, type AccountSlice } from './signals.ts';
import type { AccountTruth } from './truth.ts';

/** Signals are read this many days before each renewal. */
export const LOOKAHEAD_DAYS = 90;
/** The longest window a signal looks back over from its reading day. */
const SIGNAL_WINDOW_DAYS = 56;
export const REQUIRED_LATENT_AUC = 0.85;

export interface RenewalCase {
  accountId: string;
  date: string;
  won: boolean;
  latent90DaysBefore: number;
  signals: (number | null)[];
}

export interface SignalRow {
  name: string;
  description: string;
  auc: number;
  /** Share of renewals where the book had data for the signal (the rest get the median). */
  coverage: number;
}

export interface TruthCheckResult {
  renewals: number;
  lost: number;
  latentAuc: number;
  signals: SignalRow[];
  passed: boolean;
  failures: string[];
}

/**
 * The renewals decided in the observed history late enough for every signal to have a full
 * window 90 days before, read from the book's renewal deals and matched with the truth.
 */
export function collectCases(
  slices: Iterable<{ slice: AccountSlice; truth: AccountTruth }>,
  historyStart: string,
  asOf: string,
): RenewalCase[] {
  const firstEligible = formatDay(parseDay(historyStart) + LOOKAHEAD_DAYS + SIGNAL_WINDOW_DAYS);
  const cases: RenewalCase[] = [];
  for (const { slice, truth } of slices) {
    for (const deal of slice.deals) {
      if (deal.type !== 'renewal' || deal.stage === 'open') continue;
      if (deal.closeDate < firstEligible || deal.closeDate > asOf) continue;
      const planted = truth.renewals.find((renewal) => renewal.date === deal.closeDate);
      if (!planted) throw new Error(`renewal ${deal.id} on ${deal.closeDate} is missing from the truth`);
      const cutoff = parseDay(deal.closeDate) - LOOKAHEAD_DAYS;
      cases.push({
        accountId: slice.account.id,
        date: deal.closeDate,
        won: deal.stage === 'won',
        latent90DaysBefore: planted.latent90DaysBefore,
        signals: SIGNALS_FROM_BOOK.map((signal) => signal.read(slice, cutoff)),
      });
    }
  }
  return cases;
}

/** The latent must reach the required AUC, and no single observed signal (either way round) may reach the latent. */
export function judgeCases(cases: readonly RenewalCase[]): TruthCheckResult {
  const won = cases.map((c) => c.won);
  const latentAuc = auc(
    cases.map((c) => c.latent90DaysBefore),
    won,
  );
  const signals = SIGNALS_FROM_BOOK.map((signal, index) => {
    const raw = cases.map((c) => c.signals[index] ?? null);
    const known = raw.filter((value): value is number => value !== null).sort((a, b) => a - b);
    const median = known.length === 0 ? 0 : (known[Math.floor((known.length - 1) / 2)] as number);
    const scores = raw.map((value) => signal.direction * (value ?? median));
    return {
      name: signal.name,
      description: signal.description,
      auc: auc(scores, won),
      coverage: cases.length === 0 ? 0 : known.length / cases.length,
    };
  });

  const failures: string[] = [];
  if (!(latentAuc >= REQUIRED_LATENT_AUC)) {
    failures.push(`latent AUC ${latentAuc.toFixed(3)} is below ${REQUIRED_LATENT_AUC}`);
  }
  for (const row of signals) {
    const strength = Math.max(row.auc, 1 - row.auc);
    if (!(strength < latentAuc)) failures.push(`${row.name} (AUC ${strength.toFixed(3)}) reaches the latent's AUC`);
  }
  return {
    renewals: cases.length,
    lost: won.filter((w) => !w).length,
    latentAuc,
    signals,
    passed: failures.length === 0,
    failures,
  };
}

export function formatReport(result: TruthCheckResult): string {
  const lines = [
    `renewals judged: ${result.renewals} (${result.lost} lost), each read ${LOOKAHEAD_DAYS} days before its date`,
    '',
    `${'signal'.padEnd(22)} ${'AUC'.padStart(6)} ${'coverage'.padStart(9)}  definition`,
    `${'latent health (truth)'.padEnd(22)} ${result.latentAuc.toFixed(3).padStart(6)} ${'100%'.padStart(9)}  planted health ${LOOKAHEAD_DAYS} days before renewal`,
    ...result.signals.map(
      (row) =>
        `${row.name.padEnd(22)} ${row.auc.toFixed(3).padStart(6)} ${`${Math.round(row.coverage * 100)}%`.padStart(9)}  ${row.description}`,
    ),
    '',
    result.passed
      ? `PASS: latent AUC ≥ ${REQUIRED_LATENT_AUC} and no single signal reaches it`
      : `FAIL: ${result.failures.join('; ')}`,
  ];
  return lines.join('\n');
}
