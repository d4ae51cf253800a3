import type { Band } from '../health/model.ts';
import type { Direction } from '../health/model.ts';
import type { TrendDirection } from '../health/trend.ts';
import type { AccountFacts, FactsContext } from '../health/facts.ts';
import type { Comparator, ObjectiveStatus } from '../plans/plan-model.ts';
import type { LifecycleStage } from '../plans/stages.ts';
import type { Period } from './period.ts';

/**
 * What a brief is built from: the database's aggregates for one account and period, each with the
 * boundaries it was counted over, so every figure in the brief can be traced to one query. The
 * store (platform/db/qbr-store.ts) fills it; `buildBrief` only arranges and explains it.
 */

/** A measure of the latest score, as the stored explanation holds it. */
export interface BriefMeasure {
  key: string;
  group: string;
  signal: string;
  label: string;
  direction: Direction;
  raw: number | boolean | null;
  /** 0–100; null when the measure had no data. */
  subScore: number | null;
  /** Share of the score after re-weighting (0–1). */
  weight: number;
  /** Share the model gives it when everything is present (0–1). */
  nominalWeight: number;
  /** The raw value where the measure turns green, when its rule has one. */
  target: number | null;
}

export interface UsageWindow {
  period: Period;
  daysReported: number;
  /** Mean of the days' active users; null when no day was reported. */
  avgActiveUsers: number | null;
  /** Per feature: its users summed over the window ÷ active users summed over the window. */
  featureShares: Record<string, number>;
}

export interface NpsWindow {
  period: Period;
  responses: number;
  promoters: number;
  detractors: number;
}

/** How much each feature is used at the installation's healthy (green) accounts and at the others. */
export interface PeerFeatureUse {
  feature: string;
  healthyAccounts: number;
  /** Mean over healthy accounts of their feature share in the last usage window; null without any. */
  healthyShare: number | null;
  otherAccounts: number;
  otherShare: number | null;
}

export interface OpenWarning {
  rule: string;
  severity: 'low' | 'medium' | 'high';
  title: string;
  /** ISO instant. */
  openedAt: string;
}

/** An objective of an active plan as stored; its metric is read from `plans.facts` when the brief is built. */
export interface PlanObjectiveInput {
  key: string;
  title: string;
  /** The stored metric JSON, parsed by the brief (one that no longer parses reads as no data). */
  metric: unknown;
  comparator: Comparator;
  target: number;
  /** ISO instants. */
  startAt: string;
  dueAt: string;
  /** The status the plans step last stored, and since when. */
  status: ObjectiveStatus;
  statusSince: string;
  startValue: number | null;
  achievedAt: string | null;
}

export interface PlanMilestoneInput {
  key: string;
  title: string;
  /** ISO instants. */
  dueAt: string;
  reachedAt: string | null;
  /** The owner's name as the CRM gives it, else their CRM id; null when nobody owns it. */
  owner: string | null;
}

export interface PlanInput {
  id: string;
  name: string;
  stage: LifecycleStage;
  /** ISO instant. */
  startedAt: string;
  objectives: PlanObjectiveInput[];
  milestones: PlanMilestoneInput[];
}

export interface QbrInputs {
  account: {
    externalId: string;
    name: string | null;
    segment: string | null;
    arr: number | null;
    licences: number | null;
    /** YYYY-MM-DD as the account record holds it. */
    renewalDate: string | null;
  };
  period: Period;
  health: {
    /** The latest score (account_health); null before the account's first. */
    now: {
      day: string;
      /** ISO instant. */
      scoredAt: string;
      status: 'scored' | 'insufficient_data';
      score: number | null;
      band: Band | null;
      /** The band shown (a CSM override while it applies), as the card and the CRM show it. */
      effectiveBand: Band | null;
      trend: TrendDirection | null;
      trendText: string | null;
    } | null;
    /** The last history row on or before the period's start day. */
    atStart: { day: string; score: number | null; band: Band | null } | null;
    measures: BriefMeasure[];
    /** The sub-score the model treats as unremarkable. */
    neutral: number;
    renewal: { probability: number | null; revenueAtRisk: number | null };
  };
  usage: {
    period: Period;
    daysReported: number;
    events: number;
    peakActiveUsers: number | null;
    /** Licences of the latest usage day of the period that reported them; null when none did. */
    reportedLicences: number | null;
    first: UsageWindow;
    last: UsageWindow;
    /** Distinct features named in the installation's usage during the period. */
    featuresOffered: string[];
    peers: PeerFeatureUse[];
  };
  tickets: {
    period: Period;
    opened: number;
    closed: number;
    /** At the end of the period's last day. */
    openAtEnd: number;
    openHighPriorityAtEnd: number;
  };
  nps: { period: NpsWindow; before: NpsWindow };
  contacts: {
    /** Contacts still at the account at the end of the period. */
    total: number;
    champions: number;
    sponsors: number;
    /** Of those, the ones with no engagement in `engagementWindow`. */
    notEngaged: number;
    engagementWindow: Period;
  };
  deals: {
    /** The earliest open renewal deal closing after the period's end. */
    nextRenewal: { closeDate: string; amount: number | null } | null;
    openExpansion: boolean;
    wonExpansions: { count: number; amount: number };
    wonRenewals: number;
  };
  /** Early warnings open now, most severe first. */
  warnings: OpenWarning[];
  plans: {
    /** The day of the account's last QBR on or before the period's last day (a stored brief's QBR date); null when none. */
    lastQbrDay: string | null;
    /** The account's active plans, newest first. */
    active: PlanInput[];
    /**
     * The account's facts up to the end of the period, reaching back far enough for every objective's
     * window at the last QBR (or the period's start): the signals the objectives are read from, the
     * same way the plans step reads them. Null when the account has no active plan.
     */
    facts: AccountFacts | null;
    context: FactsContext;
  };
}
