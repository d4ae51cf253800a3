import { z } from 'zod';

/**
 * The account health card's view model: what `GET /api/cards/account` answers for HubSpot and the
 * Canvas card's session calls answer for Salesforce, from precomputed rows only. Both cards draw it
 * through extension-ui/shared, so the two CRMs show the same thing.
 */

const isoTime = z.iso.datetime({ offset: true });
const day = z.iso.date();
const band = z.enum(['red', 'yellow', 'green']);

export const CARD_STATUSES = ['scored', 'insufficient_data', 'not_scored'] as const;
export const TREND_DIRECTIONS = ['improving', 'stable', 'declining'] as const;
// As in server/core/plans; written out so the cards' bundles take nothing but zod from here.
export const CARD_LIFECYCLE_STAGES = ['onboarding', 'adoption', 'value', 'renewal', 'at_risk', 'churned'] as const;
export const CARD_OBJECTIVE_STATUSES = ['on_track', 'behind', 'achieved', 'missed', 'no_data'] as const;
const lifecycleStage = z.enum(CARD_LIFECYCLE_STAGES);
const count = z.number().int().min(0);

export const cardStageSchema = z.strictObject({
  stage: lifecycleStage,
  label: z.string(),
  /** Why the account is in it, in words: "Renewal in 42 days". */
  reason: z.string(),
  /** Whole days since it entered the stage (0 on the day it did). */
  daysInStage: count,
});
export type CardStage = z.infer<typeof cardStageSchema>;

export const cardPlanSchema = z.strictObject({
  id: z.string(),
  name: z.string(),
  stage: lifecycleStage,
  /** In the plan's order, each with its status as the signals last read it. */
  objectives: z.array(
    z.strictObject({
      key: z.string(),
      title: z.string(),
      status: z.enum(CARD_OBJECTIVE_STATUSES),
      statusLabel: z.string(),
      /** The latest reading in the metric's unit; null before there is one. */
      valueText: z.string().nullable(),
      /** The target with its comparator: "≥ 60%", "≤ 0". */
      targetText: z.string(),
      dueOn: day,
      /** 0–1 of the way from where it started to the target. */
      progress: z.number().min(0).max(1).nullable(),
    }),
  ),
  /** The unreached milestone due first; overdue once its due instant has passed. */
  nextMilestone: z.strictObject({ title: z.string(), dueOn: day, overdue: z.boolean() }).nullable(),
  milestonesReached: count,
  milestonesTotal: count,
});
export type CardPlan = z.infer<typeof cardPlanSchema>;

export const cardOverrideSchema = z.strictObject({
  score: z.number().min(0).max(100).nullable(),
  band,
  reason: z.string(),
  author: z.string(),
  setAt: isoTime,
  expiresAt: isoTime,
  /** False once expired: an expired override is still shown, marked as such. */
  active: z.boolean(),
});
export type CardOverride = z.infer<typeof cardOverrideSchema>;

export const accountCardSchema = z.strictObject({
  account: z.strictObject({
    id: z.string(),
    name: z.string().nullable(),
    crm: z.enum(['hubspot', 'salesforce']),
    segment: z.string().nullable(),
    arr: z.number().nullable(),
  }),
  status: z.enum(CARD_STATUSES),
  health: z
    .strictObject({
      /** What the card shows: the override while it applies, the computed score otherwise. */
      score: z.number().min(0).max(100).nullable(),
      band: band.nullable(),
      source: z.enum(['computed', 'override']),
      computed: z.strictObject({ score: z.number().min(0).max(100).nullable(), band: band.nullable() }),
      /** Share of the model's weight that had data (0–1). */
      coverage: z.number().min(0).max(1),
      modelVersion: z.number().int().positive(),
    })
    .nullable(),
  trend: z.strictObject({ direction: z.enum(TREND_DIRECTIONS), text: z.string() }).nullable(),
  /** One point per scored day over the last 12 weeks, oldest first. */
  history: z.array(z.strictObject({ day, score: z.number() })),
  /** `weight` is the group's share of the score (0–1), after missing groups handed theirs on. */
  groups: z.array(
    z.strictObject({ key: z.string(), label: z.string(), score: z.number().nullable(), weight: z.number() }),
  ),
  /** The top reasons, largest effect first; `impact` in points against a neutral value. */
  drivers: z.array(z.strictObject({ measure: z.string(), group: z.string(), impact: z.number(), text: z.string() })),
  /** Every measure: raw value in words, sub-score, weight and contribution (they add up to the score). */
  measures: z.array(
    z.strictObject({
      key: z.string(),
      label: z.string(),
      group: z.string(),
      value: z.string().nullable(),
      subScore: z.number().nullable(),
      weight: z.number(),
      contribution: z.number(),
      missing: z.string().nullable(),
    }),
  ),
  moved: z.strictObject({ delta: z.number().nullable(), text: z.string() }).nullable(),
  /** Open early warnings, most severe first, each with its playbook's next steps. */
  alerts: z.array(
    z.strictObject({
      id: z.string(),
      severity: z.enum(['info', 'warning', 'critical']),
      title: z.string(),
      /** What fired, in words. */
      detail: z.string().nullable(),
      openedAt: isoTime,
      /** The first step not yet done. */
      nextStep: z.string().nullable(),
      nextSteps: z.array(z.strictObject({ text: z.string(), dueOn: day, done: z.boolean() })),
    }),
  ),
  /** The latest QBR brief, with links that open it without signing in (they expire). */
  qbr: z.strictObject({
    latest: z
      .strictObject({
        id: z.string(),
        version: z.number().int().min(1),
        qbrDate: day,
        generatedAt: isoTime,
        links: z.strictObject({ html: z.string(), markdown: z.string(), pdf: z.string() }),
      })
      .nullable(),
  }),
  renewal: z.strictObject({
    date: day.nullable(),
    daysAway: z.number().int().nullable(),
    /** 0–1. */
    probability: z.number().min(0).max(1).nullable(),
    revenueAtRisk: z.number().nullable(),
  }),
  freshness: z.strictObject({
    lastSyncedAt: isoTime.nullable(),
    lastScoredAt: isoTime.nullable(),
    stale: z.boolean(),
    /** Why the card may not be current, in words; null when it is. */
    staleReason: z.string().nullable(),
  }),
  override: cardOverrideSchema.nullable(),
  /** The account's lifecycle stage; null before the first score run derives one. */
  stage: cardStageSchema.nullable(),
  /** The account's active success plan (the newest, if several); null when it has none. */
  plan: cardPlanSchema.nullable(),
});
export type AccountCard = z.infer<typeof accountCardSchema>;

/** `PUT` of the card's override action. */
export const setCardOverrideSchema = z.strictObject({
  score: z.number().min(0).max(100).optional(),
  band: band.optional(),
  reason: z.string().trim().min(3).max(2000),
  expiresAt: isoTime,
});
export type SetCardOverride = z.infer<typeof setCardOverrideSchema>;
