import { DAY_MS } from '../../health/signals.ts';
import type { Detection } from '../finding.ts';
import type { WarningInput, WarningUsageDay } from '../input.ts';
import type { RuleConfig } from '../rules-config.ts';

/** Rules on daily usage: a drop against the account's own baseline, and licences left unused. */

const round1 = (value: number) => Math.round(value * 10) / 10;

/**
 * The mean of `valueOf` over the whole days ending in (end − days, end]; null when fewer than half
 * the days have a value, so a gap in the feed is not read as a drop.
 */
function windowMean(
  usage: readonly WarningUsageDay[],
  end: number,
  days: number,
  valueOf: (day: WarningUsageDay) => number | null,
): number | null {
  const start = end - days * DAY_MS;
  let sum = 0;
  let count = 0;
  for (const day of usage) {
    const dayEnd = day.day + DAY_MS - 1;
    if (dayEnd <= start || dayEnd > end) continue;
    const value = valueOf(day);
    if (value === null) continue;
    sum += value;
    count += 1;
  }
  return count * 2 < days ? null : sum / count;
}

const activeUsers = (day: WarningUsageDay) => day.activeUsers;

/** Active users and licences summed over the window's days that know their licences; null on a gap. */
function licenceUse(usage: readonly WarningUsageDay[], end: number, days: number) {
  const start = end - days * DAY_MS;
  let active = 0;
  let licences = 0;
  let count = 0;
  for (const day of usage) {
    const dayEnd = day.day + DAY_MS - 1;
    if (dayEnd <= start || dayEnd > end || day.licences === null || day.licences <= 0) continue;
    active += day.activeUsers;
    licences += day.licences;
    count += 1;
  }
  return count * 2 < days ? null : { active, licences, days: count };
}

interface UsageRatio {
  recent: number;
  baseline: number;
  ratio: number;
}

function usageRatio(input: WarningInput, config: RuleConfig<'usage_drop'>, end: number): UsageRatio | null {
  const recent = windowMean(input.usage, end, config.recentDays, activeUsers);
  const baseline = windowMean(input.usage, end - config.recentDays * DAY_MS, config.baselineDays, activeUsers);
  if (recent === null || baseline === null || baseline <= 0 || baseline < config.minBaselineUsers) return null;
  return { recent, baseline, ratio: recent / baseline };
}

// Compared as products, not quotients, so a value exactly on a line lands on it (0.7 is not 1 − 0.3 in floating point).
const atOrBelowPct = (usage: UsageRatio, pct: number) => usage.recent * 100 <= usage.baseline * pct;
const belowPct = (usage: UsageRatio, pct: number) => usage.recent * 100 < usage.baseline * pct;

/**
 * Recent active users against the account's own baseline, below the line on each of the last
 * `persistDays` days; open warnings hold until usage is back above `recoverAbovePct` of baseline.
 */
export function usageDrop(input: WarningInput, config: RuleConfig<'usage_drop'>): Detection[] {
  const now = usageRatio(input, config, input.at);
  if (now === null) return [];
  const opensAt = 100 - config.minDropPct;
  let firing = atOrBelowPct(now, opensAt);
  for (let day = 1; firing && day < config.persistDays; day += 1) {
    const earlier = usageRatio(input, config, input.at - day * DAY_MS);
    firing = earlier !== null && atOrBelowPct(earlier, opensAt);
  }
  const holding = belowPct(now, config.resolve.recoverAbovePct);
  if (!firing && !holding) return [];
  const dropPct = Math.round((1 - now.ratio) * 100);
  return [
    {
      state: firing ? 'firing' : 'holding',
      title: `Active users down ${dropPct}% on their usual level`,
      evidence: {
        text:
          `Active users averaged ${round1(now.recent)} a day over the last ${config.recentDays} days against ` +
          `${round1(now.baseline)} over the ${config.baselineDays} days before: ${dropPct}% lower ` +
          `(warns at ${config.minDropPct}% for ${config.persistDays} days; clears above ${config.resolve.recoverAbovePct}% of the usual level).`,
        values: { recentUsers: round1(now.recent), baselineUsers: round1(now.baseline), dropPct },
        thresholds: {
          recentDays: config.recentDays,
          baselineDays: config.baselineDays,
          minDropPct: config.minDropPct,
          persistDays: config.persistDays,
        },
      },
    },
  ];
}

/**
 * Mean daily active users per licence below the floor at every weekly check over `persistDays`;
 * open warnings hold until use is back above `recoverAbovePct`.
 */
export function lowLicenceUse(input: WarningInput, config: RuleConfig<'low_licence_use'>): Detection[] {
  const latest = input.usage.at(-1);
  const licences = latest?.licences ?? null;
  if (licences === null || licences < config.minLicences) return [];
  const use = licenceUse(input.usage, input.at, config.windowDays);
  if (use === null) return [];
  // As products, so a share exactly on a line lands on it.
  const belowPct = (sums: { active: number; licences: number }, pct: number) => sums.active * 100 < sums.licences * pct;
  let firing = belowPct(use, config.floorPct);
  for (let days = 7; firing && days <= config.persistDays; days += 7) {
    const earlier = licenceUse(input.usage, input.at - days * DAY_MS, config.windowDays);
    firing = earlier !== null && belowPct(earlier, config.floorPct);
  }
  const holding = belowPct(use, config.resolve.recoverAbovePct);
  if (!firing && !holding) return [];
  const usePct = Math.round((use.active / use.licences) * 1000) / 10;
  const activeUsers = use.active / use.days;
  return [
    {
      state: firing ? 'firing' : 'holding',
      title: `Only ${usePct}% of licences in use`,
      evidence: {
        text:
          `On average ${round1(activeUsers)} of ${licences} licences (${usePct}%) were used a day over the last ` +
          `${config.windowDays} days (warns below ${config.floorPct}% for ${config.persistDays} days; clears above ${config.resolve.recoverAbovePct}%).`,
        values: { usePct, activeUsers: round1(activeUsers), licences },
        thresholds: { floorPct: config.floorPct, windowDays: config.windowDays, persistDays: config.persistDays },
      },
    },
  ];
}
