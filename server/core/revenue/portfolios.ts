import type { Band } from '../health/model.ts';
import { DAY_MS } from '../health/signals.ts';
import { TOUCH_TIERS, type PerTier, type TouchTier } from './analytics-settings.ts';
import { roundMoney } from './rounding.ts';

/** One account as a portfolio counts it. */
export interface PortfolioAccount {
  id: string;
  /** The CSM's id (owner id in the CRM); null = unassigned. */
  csm: string | null;
  arr: number | null;
  /** The effective band (override included); null = not scored. */
  band: Band | null;
  tier: TouchTier;
  /** Start of the next renewal day; null when none is known. */
  renewalDate: number | null;
  /** ARR × (1 − renewal probability) as the forecast gives it; null when not forecast. */
  revenueAtRisk: number | null;
}

export interface CountAndArr {
  accounts: number;
  arr: number;
}

export interface Portfolio {
  /** Null is the "unassigned" row. */
  csm: string | null;
  accounts: number;
  arr: number;
  health: Record<Band | 'unscored', CountAndArr>;
  /** Renewals from asOf up to `renewalWindowDays` ahead. */
  renewalsDue: CountAndArr;
  revenueAtRisk: number;
  tiers: PerTier<number>;
  /** The tier most of the accounts are in (ties go to the higher touch); null for an empty portfolio. */
  mainTier: TouchTier | null;
}

export interface PortfolioOptions {
  asOf: number;
  /** Default 90. */
  renewalWindowDays?: number;
  /** Decimal places ARR is rounded to (default 0). */
  currencyDecimals?: number;
}

export interface PortfolioReport {
  /** One per CSM by ARR, largest first; the unassigned row last when there is one. */
  portfolios: Portfolio[];
  total: Portfolio;
}

const TIER_ORDER: readonly TouchTier[] = TOUCH_TIERS;

function emptyPortfolio(csm: string | null): Portfolio {
  const none = () => ({ accounts: 0, arr: 0 });
  return {
    csm,
    accounts: 0,
    arr: 0,
    health: { green: none(), yellow: none(), red: none(), unscored: none() },
    renewalsDue: none(),
    revenueAtRisk: 0,
    tiers: { high_touch: 0, low_touch: 0, tech_touch: 0 },
    mainTier: null,
  };
}

/** The tier with most accounts; ties go to the higher touch, which costs more to staff short. */
function mainTierOf(tiers: PerTier<number>): TouchTier | null {
  let main: TouchTier | null = null;
  for (const tier of TIER_ORDER) if (tiers[tier] > 0 && (main === null || tiers[tier] > tiers[main])) main = tier;
  return main;
}

function addTo(portfolio: Portfolio, account: PortfolioAccount, asOf: number, windowEnd: number): void {
  const arr = account.arr ?? 0;
  portfolio.accounts += 1;
  portfolio.arr += arr;
  const health = portfolio.health[account.band ?? 'unscored'];
  health.accounts += 1;
  health.arr += arr;
  if (account.renewalDate !== null && account.renewalDate >= asOf && account.renewalDate <= windowEnd) {
    portfolio.renewalsDue.accounts += 1;
    portfolio.renewalsDue.arr += arr;
  }
  portfolio.revenueAtRisk += account.revenueAtRisk ?? 0;
  portfolio.tiers[account.tier] += 1;
}

function finish(portfolio: Portfolio, decimals: number): Portfolio {
  const money = (amount: number) => roundMoney(amount, decimals);
  const pair = (value: CountAndArr) => ({ accounts: value.accounts, arr: money(value.arr) });
  return {
    ...portfolio,
    arr: money(portfolio.arr),
    health: {
      green: pair(portfolio.health.green),
      yellow: pair(portfolio.health.yellow),
      red: pair(portfolio.health.red),
      unscored: pair(portfolio.health.unscored),
    },
    renewalsDue: pair(portfolio.renewalsDue),
    revenueAtRisk: money(portfolio.revenueAtRisk),
    mainTier: mainTierOf(portfolio.tiers),
  };
}

export function portfolioReport(accounts: readonly PortfolioAccount[], options: PortfolioOptions): PortfolioReport {
  const windowEnd = options.asOf + (options.renewalWindowDays ?? 90) * DAY_MS;
  const decimals = options.currencyDecimals ?? 0;
  const byCsm = new Map<string | null, Portfolio>();
  const total = emptyPortfolio(null);
  for (const account of accounts) {
    let portfolio = byCsm.get(account.csm);
    if (portfolio === undefined) {
      portfolio = emptyPortfolio(account.csm);
      byCsm.set(account.csm, portfolio);
    }
    addTo(portfolio, account, options.asOf, windowEnd);
    addTo(total, account, options.asOf, windowEnd);
  }
  const portfolios = [...byCsm.values()]
    .map((portfolio) => finish(portfolio, decimals))
    .sort((a, b) => {
      if ((a.csm === null) !== (b.csm === null)) return a.csm === null ? 1 : -1;
      return b.arr - a.arr || String(a.csm).localeCompare(String(b.csm));
    });
  return { portfolios, total: finish(total, decimals) };
}

/** CSMs counted by the tier they mostly carry: the team's capacity per tier today (unassigned left out). */
export function capacityByTier(portfolios: readonly Portfolio[]): PerTier<number> {
  const capacity: PerTier<number> = { high_touch: 0, low_touch: 0, tech_touch: 0 };
  for (const portfolio of portfolios) {
    if (portfolio.csm !== null && portfolio.mainTier !== null) capacity[portfolio.mainTier] += 1;
  }
  return capacity;
}
