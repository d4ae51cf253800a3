import type { Random } from '../shared/random.ts';
import { FEATURES, type UsageDay } from './book.ts';
import type { BookContext } from './context.ts';
import { isHoliday, weekday } from './dates.ts';
import type { Firmographics } from './firmographics.ts';
import type { LatentPath } from './latent-health.ts';
import { SEGMENT_PROFILES, SIGNALS } from './parameters.ts';

type Feature = (typeof FEATURES)[number];

/** Share of active users who touch each feature on a day, at latent health 0.5. */
const FEATURE_REACH: Readonly<Record<Feature, number>> = {
  dashboards: 0.55,
  reporting: 0.45,
  automation: 0.3,
  integrations: 0.15,
  mobile: 0.2,
  api: 0.06,
};

const calendarFactors = new Map<number, number>();

/** Weekends and holidays, computed once per day for all accounts. */
function calendarFactor(day: number): number {
  let factor = calendarFactors.get(day);
  if (factor === undefined) {
    const dow = weekday(day);
    factor = isHoliday(day) ? SIGNALS.holidayFactor : dow === 0 || dow === 6 ? SIGNALS.weekendFactor : 1;
    calendarFactors.set(day, factor);
  }
  return factor;
}

/** Days over which a new customer ramps up to its normal usage. */
const ONBOARDING_DAYS = 60;

/**
 * Daily active users follow latent health a few weeks late (the account's own lag), scaled by the
 * account's habit (some buy more seats than they use), with weekends, holidays and daily noise.
 * Feature use widens with health. Nothing after `lastDay`: a churned customer stops using the product.
 */
export function drawUsage(
  random: Random,
  firm: Firmographics,
  latent: LatentPath,
  licenceSteps: readonly { day: number; licences: number }[],
  firstDay: number,
  lastDay: number,
  context: BookContext,
): UsageDay[] {
  const [minLag, maxLag] = SIGNALS.usageLagDays;
  const lag = random.int(minLag, maxLag);
  const habit = Math.exp(random.normal(0, SIGNALS.utilisationHabitSd));
  const reachBase = FEATURES.map((feature) => FEATURE_REACH[feature] * Math.exp(random.normal(0, 0.35)));
  const eventsPerUser = SEGMENT_PROFILES[firm.segment].eventsPerUser * Math.exp(random.normal(0, 0.25));

  const { utilisationFloor, utilisationSpan, usageDailyNoiseSd, overageFactor } = SIGNALS;
  const usage: UsageDay[] = [];
  let step = 0;
  for (let day = firstDay; day <= lastDay; day++) {
    while (step + 1 < licenceSteps.length && (licenceSteps[step + 1]?.day ?? Infinity) <= day) step++;
    const licences = licenceSteps[step]?.licences ?? 0;
    const health = latent.at(day - lag);
    const ramp = Math.min(1, 0.3 + (0.7 * (day - firm.customerSince)) / ONBOARDING_DAYS);
    const share = (utilisationFloor + utilisationSpan * health) * habit;
    const expected = licences * share * calendarFactor(day) * ramp * Math.exp(random.normal(0, usageDailyNoiseSd));
    // Small accounts see whole-person noise around the expectation.
    const jitter = expected < 30 ? (random.float() - 0.5) * Math.sqrt(expected + 1) : 0;
    const cap = Math.floor(licences * overageFactor);
    const activeUsers = Math.max(0, Math.min(cap, Math.round(expected + jitter)));

    const features = {} as Record<Feature, number>;
    for (let f = 0; f < FEATURES.length; f++) {
      const feature = FEATURES[f] as Feature;
      const reach = Math.min(1, (reachBase[f] as number) * (0.4 + 1.2 * health));
      features[feature] = Math.min(activeUsers, Math.round(activeUsers * reach * (0.85 + 0.3 * random.float())));
    }
    usage.push({
      accountId: firm.id,
      date: context.days.format(day),
      activeUsers,
      licences,
      events: Math.round(activeUsers * eventsPerUser * (0.6 + 0.8 * health) * (0.8 + 0.4 * random.float())),
      features,
    });
  }
  return usage;
}
