import type { Account } from './book.ts';

type Segment = Account['segment'];

/** What a customer of each segment looks like; README.md explains where the numbers come from. */
export interface SegmentProfile {
  share: number;
  employees: readonly [number, number];
  /** Median and log-spread of the first contract's ARR in USD. */
  arrMedian: number;
  arrLogSd: number;
  arrRange: readonly [number, number];
  pricePerLicence: readonly [number, number];
  /** Accounts one CSM carries, and one account executive. */
  csmCapacity: number;
  aeCapacity: number;
  /** Latent health the account drifts back to. */
  baseline: number;
  contactsRange: readonly [number, number];
  /** Tickets a day at latent health 0.6. */
  ticketRate: number;
  eventsPerUser: number;
  /** Days between CSM sentiment notes. */
  sentimentEvery: number;
}

export const SEGMENT_PROFILES: Readonly<Record<Segment, SegmentProfile>> = {
  enterprise: {
    share: 0.15,
    employees: [2_000, 60_000],
    arrMedian: 260_000,
    arrLogSd: 0.55,
    arrRange: [100_000, 1_500_000],
    pricePerLicence: [420, 720],
    csmCapacity: 16,
    aeCapacity: 30,
    baseline: 0.68,
    contactsRange: [10, 18],
    ticketRate: 0.09,
    eventsPerUser: 38,
    sentimentEvery: 21,
  },
  mid_market: {
    share: 0.35,
    employees: [200, 2_000],
    arrMedian: 48_000,
    arrLogSd: 0.45,
    arrRange: [20_000, 140_000],
    pricePerLicence: [600, 900],
    csmCapacity: 40,
    aeCapacity: 70,
    baseline: 0.64,
    contactsRange: [5, 9],
    ticketRate: 0.035,
    eventsPerUser: 32,
    sentimentEvery: 42,
  },
  smb: {
    share: 0.5,
    employees: [12, 200],
    arrMedian: 9_000,
    arrLogSd: 0.5,
    arrRange: [3_000, 25_000],
    pricePerLicence: [780, 1_200],
    csmCapacity: 90,
    aeCapacity: 160,
    baseline: 0.6,
    contactsRange: [2, 5],
    ticketRate: 0.012,
    eventsPerUser: 26,
    sentimentEvery: 75,
  },
};

/** Contract length in months and how often it is sold. */
export const CONTRACT_TERMS: readonly (readonly [number, number])[] = [
  [12, 0.78],
  [24, 0.14],
  [36, 0.08],
];

/**
 * The planted churn process. Daily latent health h in [0, 1]:
 *   h(t+1) = clamp(h(t) + reversion · (baseline − h(t)) + volatility · ε(t) + shock(t), 0, 1)
 * and a renewal on day r is won with probability logistic(steepness · (h(r) − midpoint)).
 */
export const LATENT = {
  /** Fraction of the gap to the baseline closed per day (half-life ≈ ln 2 / reversion days). */
  reversion: 1 / 300,
  volatility: 0.004,
  /** Spread of the account's own baseline around its segment's. */
  baselineSd: 0.13,
  /** Spread of the starting value around the baseline. */
  initialSd: 0.1,
  /** Shocks per account per year, and their effect on h (spread uniformly over `days`). */
  shocks: {
    champion_left: { perYear: 0.3, delta: [-0.22, -0.1], days: 10 },
    reorg: { perYear: 0.2, delta: [-0.2, -0.06], days: 20 },
    budget_cut: { perYear: 0.15, delta: [-0.25, -0.08], days: 5 },
    outage: { perYear: 0.25, delta: [-0.1, -0.03], days: 3 },
    new_champion: { perYear: 0.25, delta: [0.05, 0.14], days: 20 },
    successful_qbr: { perYear: 0.35, delta: [0.03, 0.09], days: 7 },
  },
  renewal: { steepness: 26, midpoint: 0.36 },
} as const;

export type ShockKind = keyof typeof LATENT.shocks;
export const SHOCK_KINDS = Object.keys(LATENT.shocks) as ShockKind[];

/** How observed signals follow the latent health. */
export const SIGNALS = {
  /** Usage follows h this many days late (uniform per account). */
  usageLagDays: [14, 28] as const,
  /** Active share of licences: floor + span · h, times the account's own habit factor. */
  utilisationFloor: 0.12,
  utilisationSpan: 0.8,
  utilisationHabitSd: 0.2,
  usageDailyNoiseSd: 0.08,
  weekendFactor: 0.18,
  holidayFactor: 0.25,
  /** Active users may exceed licences by this factor (true-up happens at renewal). */
  overageFactor: 1.1,
  ticketLagDays: 7,
  /** Ticket rate multiplier per unit of health below 0.6: exp(ticketSensitivity · (0.6 − h)). */
  ticketSensitivity: 2.2,
  surveyLagDays: 21,
  npsNoiseSd: 1.9,
  sentimentLagDays: 10,
  sentimentNoiseSd: 0.16,
} as const;
