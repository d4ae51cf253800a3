import { z } from 'zod';

/*
 * The success-plan API: requests (unknown fields refused) and the answers, which the tests and the
 * web app parse so the shapes here are the ones served.
 */

// As in server/core (plans and health signals), written out so the web app takes nothing but zod from
// here; server/http/plans/present.ts fails to compile if they drift apart.
export const PLAN_LIFECYCLE_STAGES = ['onboarding', 'adoption', 'value', 'renewal', 'at_risk', 'churned'] as const;
export type PlanLifecycleStage = (typeof PLAN_LIFECYCLE_STAGES)[number];
export const PLAN_OBJECTIVE_STATUSES = ['on_track', 'behind', 'achieved', 'missed', 'no_data'] as const;
export type PlanObjectiveStatus = (typeof PLAN_OBJECTIVE_STATUSES)[number];
export const PLAN_COMPARATORS = ['gte', 'lte'] as const;
export const PLAN_SIGNAL_NAMES = [
  'usage.active_user_ratio',
  'usage.events_per_licence',
  'usage.feature_breadth',
  'support.open_tickets',
  'support.high_priority_open',
  'support.oldest_open_days',
  'support.tickets_per_100_licences',
  'engagement.days_since_last',
  'relationship.champion_present',
  'relationship.sponsor_present',
  'relationship.departed_champion',
  'commercial.days_to_renewal',
  'commercial.arr_change_pct',
  'commercial.open_expansion',
  'voice.nps',
  'voice.csat',
  'voice.ces',
  'voice.detractor_share',
  'sentiment.csm',
] as const;
export const PLAN_AGGREGATIONS = ['latest', 'mean', 'sum', 'min', 'max', 'count', 'slope'] as const;

/** What an objective or a milestone condition measures (the core's metric). */
export const planMetricSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('signal'),
    signal: z.enum(PLAN_SIGNAL_NAMES),
    windowDays: z.int().min(1).max(365),
    aggregation: z.enum(PLAN_AGGREGATIONS),
  }),
  z.strictObject({ kind: z.literal('features_live'), windowDays: z.int().min(1).max(365) }),
  z.strictObject({
    kind: z.literal('nps_from_role'),
    role: z.enum(['champion', 'executive_sponsor']),
    windowDays: z.int().min(1).max(730),
  }),
]);
export type PlanMetric = z.infer<typeof planMetricSchema>;

const instant = z.iso.datetime({ offset: true });
const text = (max: number) => z.string().trim().min(1).max(max);

/** A template key or milestone key as the templates write them. */
export const planKeySchema = z.string().regex(/^[a-z][a-z0-9_]{0,39}$/);

export const createPlanRequestSchema = z.strictObject({ templateKey: planKeySchema });

/** A due date: a day (due by its end, UTC) or an instant. */
const dueAtSchema = z.union([z.iso.date(), instant]);

export const milestoneChangeSchema = z
  .strictObject({
    reached: z.boolean().optional(),
    dueAt: dueAtSchema.optional(),
    ownerExternalId: z.string().min(1).max(255).nullable().optional(),
    title: text(200).optional(),
  })
  .refine((change) => Object.values(change).some((value) => value !== undefined), {
    message: 'send at least one of reached, dueAt, ownerExternalId, title',
  });
export type MilestoneChange = z.infer<typeof milestoneChangeSchema>;

export const noteRequestSchema = z.strictObject({ body: text(10_000) });

export const shareRequestSchema = z.strictObject({ expiresInDays: z.int().min(1).max(90).default(30) });

/** `null` puts the shipped defaults back; a part left out stays as it is. */
export const planSettingsRequestSchema = z
  .strictObject({
    stageRules: z.record(z.string(), z.unknown()).nullable().optional(),
    templates: z.array(z.unknown()).nullable().optional(),
  })
  .refine((body) => body.stageRules !== undefined || body.templates !== undefined, {
    message: 'send stageRules, templates or both',
  });

export const stageBodySchema = z.strictObject({
  stage: z.enum(PLAN_LIFECYCLE_STAGES),
  label: z.string(),
  reason: z.string(),
  enteredAt: instant,
  daysInStage: z.int().min(0),
});
export type StageBody = z.infer<typeof stageBodySchema>;

export const objectiveBodySchema = z.strictObject({
  key: z.string(),
  title: z.string(),
  /** Null when the stored metric no longer reads as one (its numbers are then shown bare). */
  metric: planMetricSchema.nullable(),
  comparator: z.enum(PLAN_COMPARATORS),
  target: z.number(),
  /** "≥ 80%", "≥ 3.0 features", "≥ 8 out of 10". */
  targetText: z.string(),
  status: z.enum(PLAN_OBJECTIVE_STATUSES),
  statusLabel: z.string(),
  statusSince: instant,
  value: z.number().nullable(),
  valueText: z.string().nullable(),
  /** Where the straight line from the start value to the target stands now. */
  expected: z.number().nullable(),
  expectedText: z.string().nullable(),
  /** 0–1 of the way from the start value to the target. */
  progress: z.number().min(0).max(1).nullable(),
  startValue: z.number().nullable(),
  startAt: instant,
  dueAt: instant,
  achievedAt: instant.nullable(),
  readAt: instant.nullable(),
});
export type ObjectiveBody = z.infer<typeof objectiveBodySchema>;

export const milestoneBodySchema = z.strictObject({
  key: z.string(),
  title: z.string(),
  status: z.enum(['reached', 'overdue', 'upcoming']),
  owner: z.strictObject({ id: z.string(), name: z.string().nullable() }).nullable(),
  dueAt: instant,
  reachedAt: instant.nullable(),
  /** `signal` when its condition was met, else who marked it. */
  reachedBy: z.string().nullable(),
  /** Reached on its own when this holds; it can still be marked by hand. */
  condition: z
    .strictObject({
      metric: planMetricSchema,
      comparator: z.enum(PLAN_COMPARATORS),
      target: z.number(),
      text: z.string(),
    })
    .nullable(),
});
export type MilestoneBody = z.infer<typeof milestoneBodySchema>;

export const noteBodySchema = z.strictObject({
  id: z.string(),
  author: z.string(),
  body: z.string(),
  createdAt: instant,
});
export type NoteBody = z.infer<typeof noteBodySchema>;

export const planBodySchema = z.strictObject({
  id: z.uuid(),
  accountId: z.string(),
  name: z.string(),
  templateKey: z.string().nullable(),
  stage: z.enum(PLAN_LIFECYCLE_STAGES),
  stageLabel: z.string(),
  status: z.enum(['active', 'closed']),
  /** Made when the account entered its stage (`stage`), or by a person (`manual`). */
  origin: z.enum(['stage', 'manual']),
  createdBy: z.string(),
  startedAt: instant,
  closedAt: instant.nullable(),
  readAt: instant.nullable(),
  objectives: z.array(objectiveBodySchema),
  milestones: z.array(milestoneBodySchema),
  notes: z.array(noteBodySchema),
});
export type PlanBody = z.infer<typeof planBodySchema>;

export const accountPlansBodySchema = z.strictObject({
  accountId: z.string(),
  accountName: z.string().nullable(),
  /** The account's current stage; null before its first score run. */
  stage: stageBodySchema.nullable(),
  plans: z.array(planBodySchema),
});
export type AccountPlansBody = z.infer<typeof accountPlansBodySchema>;

export const shareLinkBodySchema = z.strictObject({
  id: z.uuid(),
  planId: z.uuid(),
  state: z.enum(['active', 'expired', 'revoked']),
  createdBy: z.string(),
  createdAt: instant,
  expiresAt: instant,
  revokedAt: instant.nullable(),
  lastOpenedAt: instant.nullable(),
});
export type ShareLinkBody = z.infer<typeof shareLinkBodySchema>;

/** A plan's links, newest first as the store lists them. */
export const shareLinksBodySchema = z.strictObject({ links: z.array(shareLinkBodySchema) });
export type ShareLinksBody = z.infer<typeof shareLinksBodySchema>;

/** The answer to making a link: the only time its address (and so its token) is shown. */
export const newShareLinkBodySchema = z.strictObject({ id: z.uuid(), url: z.url(), expiresAt: instant });
export type NewShareLinkBody = z.infer<typeof newShareLinkBodySchema>;

export const planSettingsBodySchema = z.strictObject({
  /** 0 until an admin first saves. */
  version: z.int().min(0),
  /** Whether each part is the installation's own or the shipped defaults. */
  source: z.strictObject({ stageRules: z.enum(['saved', 'defaults']), templates: z.enum(['saved', 'defaults']) }),
  stageRules: z.record(z.string(), z.unknown()),
  templates: z.array(z.unknown()),
  defaults: z.strictObject({ stageRules: z.record(z.string(), z.unknown()), templates: z.array(z.unknown()) }),
  updatedAt: instant.nullable(),
  updatedBy: z.string().nullable(),
  /** The saved settings include a part that no longer validates (it is not used: the defaults are). */
  problems: z.array(z.strictObject({ path: z.string(), message: z.string() })),
  /** The score run that applies a saved change; absent on reads. */
  scoreJobId: z.string().optional(),
});
export type PlanSettingsBody = z.infer<typeof planSettingsBodySchema>;
