import type { AppliedFilters, CsmPortfolio, HealthMix } from '../../contracts/dashboard.ts';
import type { AnalyticsSettings, TouchTier } from '../../core/revenue/analytics-settings.ts';
import { TOUCH_TIERS } from '../../core/revenue/analytics-settings.ts';
import { portfolioReport, type Portfolio } from '../../core/revenue/portfolios.ts';
import { touchTierOf } from '../../core/revenue/touch-model.ts';
import { UNASSIGNED_CSM, type BookAccount } from '../../platform/db/dashboard-store.ts';

/**
 * The book of current customers cut the way the portfolio and team views show it. Touch tiers come
 * from the installation's rules at read time, and CSM books from the core's portfolio report (the same
 * function the analytics job runs), so a filter never disagrees with the unfiltered totals.
 */

export interface TieredAccount extends BookAccount {
  tier: TouchTier;
}

export const tieredBook = (book: readonly BookAccount[], settings: AnalyticsSettings): TieredAccount[] =>
  book.map((account) => ({ ...account, tier: touchTierOf(account, settings.touch) }));

const sameText = (a: string | null, b: string) => a !== null && a.trim().toLowerCase() === b.trim().toLowerCase();

/** Whether an account passes the filters; `csm=none` keeps the unassigned accounts. */
export function passes(
  account: { segment: string | null; csmId: string | null; tier: TouchTier },
  filters: AppliedFilters,
): boolean {
  if (filters.segment !== null && !sameText(account.segment, filters.segment)) return false;
  if (filters.tier !== null && account.tier !== filters.tier) return false;
  if (filters.csm !== null) {
    if (filters.csm === UNASSIGNED_CSM ? account.csmId !== null : account.csmId !== filters.csm) return false;
  }
  return true;
}

type Bucket = 'red' | 'yellow' | 'green' | 'unscored';
const bucketOf = (account: BookAccount): Bucket => account.band ?? 'unscored';
const emptyMix = (): HealthMix => ({
  red: { accounts: 0, arr: 0 },
  yellow: { accounts: 0, arr: 0 },
  green: { accounts: 0, arr: 0 },
  unscored: { accounts: 0, arr: 0 },
});
const round1 = (value: number) => Math.round(value * 10) / 10;
const roundMoney = (value: number, decimals: number) => {
  const factor = 10 ** decimals;
  return Math.round(value * factor) / factor;
};

interface Group {
  accounts: number;
  arr: number;
  scoreSum: number;
  scored: number;
  health: HealthMix;
}

const emptyGroup = (): Group => ({ accounts: 0, arr: 0, scoreSum: 0, scored: 0, health: emptyMix() });

function add(group: Group, account: BookAccount): void {
  const arr = account.arr ?? 0;
  group.accounts += 1;
  group.arr += arr;
  if (account.score !== null) {
    group.scoreSum += account.score;
    group.scored += 1;
  }
  const mix = group.health[bucketOf(account)];
  mix.accounts += 1;
  mix.arr += arr;
}

function finish(group: Group, decimals: number) {
  const health = emptyMix();
  for (const key of Object.keys(health) as Bucket[]) {
    health[key] = { accounts: group.health[key].accounts, arr: roundMoney(group.health[key].arr, decimals) };
  }
  return {
    accounts: group.accounts,
    arr: roundMoney(group.arr, decimals),
    averageScore: group.scored === 0 ? null : round1(group.scoreSum / group.scored),
    health,
  };
}

const dayStart = (day: string) => Date.parse(`${day}T00:00:00Z`);

/** CSM books from the core report, named and with their average score. */
export function csmPortfolios(
  accounts: readonly TieredAccount[],
  names: ReadonlyMap<string, string | null>,
  asOf: number,
  decimals: number,
): CsmPortfolio[] {
  const report = portfolioReport(
    accounts.map((account) => ({
      id: account.id,
      csm: account.csmId,
      arr: account.arr,
      band: account.band,
      tier: account.tier,
      renewalDate: account.renewalDate === null ? null : dayStart(account.renewalDate),
      revenueAtRisk: account.revenueAtRisk,
    })),
    { asOf, currencyDecimals: decimals },
  );
  const scores = new Map<string | null, Group>();
  for (const account of accounts) {
    const group = scores.get(account.csmId) ?? emptyGroup();
    add(group, account);
    scores.set(account.csmId, group);
  }
  return report.portfolios.map((portfolio: Portfolio) => {
    const group = scores.get(portfolio.csm);
    return {
      csmId: portfolio.csm,
      name: portfolio.csm === null ? null : (names.get(portfolio.csm) ?? null),
      accounts: portfolio.accounts,
      arr: portfolio.arr,
      averageScore: group && group.scored > 0 ? round1(group.scoreSum / group.scored) : null,
      health: portfolio.health,
      renewalsDue: portfolio.renewalsDue,
      revenueAtRisk: portfolio.revenueAtRisk,
      tiers: portfolio.tiers,
      mainTier: portfolio.mainTier,
    };
  });
}

export function tierSlices(accounts: readonly TieredAccount[], decimals: number) {
  const groups = new Map<TouchTier, Group>(TOUCH_TIERS.map((tier) => [tier, emptyGroup()]));
  for (const account of accounts) add(groups.get(account.tier)!, account);
  return TOUCH_TIERS.map((tier) => ({ tier, ...finish(groups.get(tier)!, decimals) }));
}

/** Largest ARR first; accounts without a segment last. */
export function segmentSlices(accounts: readonly TieredAccount[], decimals: number) {
  const groups = new Map<string | null, Group>();
  for (const account of accounts) {
    const key = account.segment?.trim() || null;
    const group = groups.get(key) ?? emptyGroup();
    add(group, account);
    groups.set(key, group);
  }
  return [...groups.entries()]
    .map(([segment, group]) => ({ segment, ...finish(group, decimals) }))
    .sort((a, b) => (a.segment === null ? 1 : 0) - (b.segment === null ? 1 : 0) || b.arr - a.arr);
}

export function bandSlices(accounts: readonly TieredAccount[], decimals: number) {
  const group = emptyGroup();
  for (const account of accounts) add(group, account);
  const { health } = finish(group, decimals);
  return (['red', 'yellow', 'green', 'unscored'] as const).map((band) => ({ band, ...health[band] }));
}

/** Ten-point buckets, 0–10 … 90–100 (a score of 100 in the last); unscored accounts are not in any. */
export function scoreDistribution(accounts: readonly TieredAccount[], decimals: number) {
  const buckets = Array.from({ length: 10 }, (_, index) => ({
    from: index * 10,
    to: index * 10 + 10,
    accounts: 0,
    arr: 0,
  }));
  for (const account of accounts) {
    if (account.score === null) continue;
    const bucket = buckets[Math.min(9, Math.max(0, Math.floor(account.score / 10)))]!;
    bucket.accounts += 1;
    bucket.arr += account.arr ?? 0;
  }
  return buckets.map((bucket) => ({ ...bucket, arr: roundMoney(bucket.arr, decimals) }));
}

export function totalsOf(accounts: readonly TieredAccount[], decimals: number) {
  const group = emptyGroup();
  let revenueAtRisk = 0;
  for (const account of accounts) {
    add(group, account);
    revenueAtRisk += account.revenueAtRisk ?? 0;
  }
  const { accounts: count, arr, averageScore } = finish(group, decimals);
  return {
    accounts: count,
    arr,
    scored: group.scored,
    averageScore,
    revenueAtRisk: roundMoney(revenueAtRisk, decimals),
  };
}

/** The filter menus: every segment and every CSM who holds accounts, by name. */
export function filterOptions(accounts: readonly TieredAccount[], names: ReadonlyMap<string, string | null>) {
  const segments = [
    ...new Set(accounts.map((account) => account.segment?.trim()).filter((s): s is string => !!s)),
  ].sort((a, b) => a.localeCompare(b));
  const csmIds = [...new Set(accounts.map((account) => account.csmId).filter((id): id is string => id !== null))];
  const csms = csmIds
    .map((csmId) => ({ csmId, name: names.get(csmId) ?? null }))
    .sort((a, b) => (a.name ?? a.csmId).localeCompare(b.name ?? b.csmId));
  return { segments, csms };
}
