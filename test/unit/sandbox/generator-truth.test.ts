import { describe, expect, it } from 'vitest';
import { auc } from '../../../sandbox/generator/auc.ts';
import { generateAccounts, planBook } from '../../../sandbox/generator/generate-book.ts';
import { SIGNALS_FROM_BOOK } from '../../../sandbox/generator/signals.ts';
import {
  collectCases,
  formatReport,
  judgeCases,
  REQUIRED_LATENT_AUC,
  type RenewalCase,
} from '../../../sandbox/generator/truth-check-report.ts';

describe('auc', () => {
  it('is 1 for a perfect ranking, 0 for a reversed one and 0.5 when every score ties', () => {
    expect(auc([1, 2, 3, 4], [false, false, true, true])).toBe(1);
    expect(auc([4, 3, 2, 1], [false, false, true, true])).toBe(0);
    expect(auc([5, 5, 5, 5], [false, true, false, true])).toBe(0.5);
  });

  it('counts ties between a positive and a negative as one half (Mann–Whitney)', () => {
    // Pairs (positive, negative): (2,1) win, (2,2) tie, (3,1) win, (3,2) win → 3.5 of 4.
    expect(auc([1, 2, 2, 3], [false, false, true, true])).toBe(0.875);
  });

  it('agrees with counting every pair on random data', () => {
    let state = 7;
    const next = () => (state = (state * 48271) % 2147483647) / 2147483647;
    const scores = Array.from({ length: 300 }, () => Math.round(next() * 20));
    const labels = scores.map((score) => next() < score / 25);
    let wins = 0;
    let pairs = 0;
    scores.forEach((p, i) =>
      scores.forEach((n, j) => {
        if (!labels[i] || labels[j]) return;
        pairs++;
        wins += p > n ? 1 : p === n ? 0.5 : 0;
      }),
    );
    expect(auc(scores, labels)).toBeCloseTo(wins / pairs, 12);
  });

  it('is undefined without both classes', () => {
    expect(auc([1, 2], [true, true])).toBeNaN();
  });
});

describe('truth check', () => {
  it('holds on a 2,000-account book: latent AUC ≥ 0.85 and no single signal reaches it', () => {
    const plan = planBook({ seed: 2026, accounts: 2_000, asOf: '2026-06-30' });
    const cases = collectCases(
      (function* () {
        for (const records of generateAccounts(plan)) yield { slice: records, truth: records.truth };
      })(),
      plan.meta.historyStart,
      plan.meta.asOf,
    );
    const result = judgeCases(cases);
    expect(result.renewals).toBeGreaterThan(500);
    expect(result.lost).toBeGreaterThan(30);
    expect(result.latentAuc).toBeGreaterThanOrEqual(REQUIRED_LATENT_AUC);
    for (const row of result.signals) {
      expect(Math.max(row.auc, 1 - row.auc), row.name).toBeLessThan(result.latentAuc);
    }
    // Learnable: the observed signals carry real information, not noise.
    expect(Math.max(...result.signals.map((row) => row.auc))).toBeGreaterThan(0.7);
    expect(result.passed).toBe(true);
    expect(formatReport(result)).toContain('PASS');
  });

  it('fails when a signal is as good as the latent, or the latent is too weak', () => {
    const cases: RenewalCase[] = Array.from({ length: 40 }, (_, i) => ({
      accountId: `acc-${i}`,
      date: '2026-01-01',
      won: i % 4 !== 0,
      latent90DaysBefore: i % 4 !== 0 ? 0.8 : 0.2,
      // The first signal reproduces the outcome exactly.
      signals: SIGNALS_FROM_BOOK.map((signal, index) => (index === 0 ? signal.direction * (i % 4 !== 0 ? 1 : 0) : 0)),
    }));
    const leaky = judgeCases(cases);
    expect(leaky.passed).toBe(false);
    expect(leaky.failures.join()).toContain(SIGNALS_FROM_BOOK[0]!.name);

    const weak = judgeCases(
      cases.map((c, i) => ({ ...c, latent90DaysBefore: i % 2, signals: c.signals.map(() => 0) })),
    );
    expect(weak.passed).toBe(false);
    expect(weak.failures.join()).toMatch(/latent AUC .* below 0.85/);
  });
});
