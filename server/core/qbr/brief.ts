import { z } from 'zod';
import { OBJECTIVE_STATUSES } from '../plans/plan-model.ts';
import { LIFECYCLE_STAGES } from '../plans/stages.ts';
import { isoDaySchema } from './period.ts';

/**
 * The QBR brief as stored (qbr_briefs.brief) and rendered: every figure once, with a stable key, its
 * value, the words it is shown with and what it counts over which days; then wins, risks, the top
 * opportunities, an agenda and the renewal outlook. `numbers` repeats each figure's value by key so
 * tests and the UI can check a brief without reading its prose.
 */

export const BRIEF_SCHEMA_VERSION = 1;

export const FIGURE_GROUPS = ['health', 'usage', 'licences', 'support', 'voice', 'relationships', 'renewal'] as const;
export type FigureGroup = (typeof FIGURE_GROUPS)[number];

export const FIGURE_GROUP_LABELS: Readonly<Record<FigureGroup, string>> = {
  health: 'Health',
  usage: 'Usage and adoption',
  licences: 'Licences',
  support: 'Support',
  voice: 'Voice of the customer',
  relationships: 'Relationships',
  renewal: 'Renewal',
};

const text = z.string().min(1).max(2000);
const band = z.enum(['red', 'yellow', 'green']);

export const figureSchema = z.strictObject({
  key: z.string().regex(/^[a-z][A-Za-z0-9_.]*$/),
  group: z.enum(FIGURE_GROUPS),
  label: text,
  value: z.number().nullable(),
  /** The value as shown: "63", "85%", "no data". */
  text: z.string().min(1).max(200),
  /** What is counted, over which days. */
  definition: text,
});
export type Figure = z.infer<typeof figureSchema>;

export const SEVERITIES = ['high', 'medium', 'low'] as const;

export const riskSchema = z.strictObject({
  kind: z.enum(['warning', 'low_measure', 'renewal']),
  severity: z.enum(SEVERITIES),
  title: text,
  detail: text,
});
export type Risk = z.infer<typeof riskSchema>;

export const winSchema = z.strictObject({ title: text, detail: text });
export type Win = z.infer<typeof winSchema>;

export const OPPORTUNITY_KINDS = ['expansion', 'adoption', 'stakeholders', 'renewal_upsell', 'measure_gap'] as const;
export type OpportunityKind = (typeof OPPORTUNITY_KINDS)[number];

export const opportunitySchema = z.strictObject({
  kind: z.enum(OPPORTUNITY_KINDS),
  title: text,
  detail: text,
  /** Score points expected when the gap closes: Σ measure weight × (100 − its sub-score). */
  expectedGain: z.number().min(0),
  /** The model measures the opportunity would move. */
  measures: z.array(z.string()),
});
export type Opportunity = z.infer<typeof opportunitySchema>;

export const agendaItemSchema = z.strictObject({
  title: text,
  minutes: z.int().positive(),
  notes: z.array(text),
});
export type AgendaItem = z.infer<typeof agendaItemSchema>;

const shortText = z.string().min(1).max(200);

export const planObjectiveSchema = z.strictObject({
  key: z.string().min(1).max(100),
  title: text,
  /** As the plans step last stored it. */
  status: z.enum(OBJECTIVE_STATUSES),
  statusText: shortText,
  /** The metric from the signals at the end of the period, and at the last QBR (or the period's start). */
  value: z.number().nullable(),
  valueText: shortText,
  before: z.number().nullable(),
  beforeText: shortText,
  comparator: z.enum(['gte', 'lte']),
  target: z.number(),
  /** With its comparator: "at least 60% of licences". */
  targetText: shortText,
  dueOn: isoDaySchema,
  /** 0–1 of the way from the plan's start value to the target, from `value`; null without one. */
  progress: z.number().min(0).max(1).nullable(),
  progressText: shortText,
});
export type PlanObjective = z.infer<typeof planObjectiveSchema>;

export const planSchema = z.strictObject({
  name: text,
  stage: z.enum(LIFECYCLE_STAGES),
  stageText: shortText,
  startedOn: isoDaySchema,
  objectives: z.array(planObjectiveSchema),
  /** Milestones not reached yet, soonest due first (at most five). */
  next: z
    .array(z.strictObject({ title: text, owner: z.string().nullable(), dueOn: isoDaySchema, overdue: z.boolean() }))
    .max(5),
  /** Milestones reached during the period, in the order they were reached. */
  reached: z.array(z.strictObject({ title: text, reachedOn: isoDaySchema })),
});
export type BriefPlan = z.infer<typeof planSchema>;

export const briefPlansSchema = z.strictObject({
  /** The last day of the period: values "now" are read at its end. */
  asOf: isoDaySchema,
  /** Where the "before" values are read: the day of the last QBR, or the period's first day. */
  since: z.strictObject({ kind: z.enum(['last_qbr', 'period_start']), day: isoDaySchema }),
  plans: z.array(planSchema),
});
export type BriefPlans = z.infer<typeof briefPlansSchema>;

export const briefSchema = z.strictObject({
  schemaVersion: z.literal(BRIEF_SCHEMA_VERSION),
  account: z.strictObject({
    externalId: z.string().min(1),
    name: z.string().nullable(),
    segment: z.string().nullable(),
  }),
  qbrDate: isoDaySchema,
  period: z.strictObject({ start: isoDaySchema, end: isoDaySchema, label: text, days: z.int().positive() }),
  /** ISO instant; left out of the content hash, so regenerating unchanged figures is no new version. */
  generatedAt: z.iso.datetime({ offset: true }),
  summary: text,
  figures: z.array(figureSchema),
  numbers: z.record(z.string(), z.number().nullable()),
  wins: z.array(winSchema),
  risks: z.array(riskSchema),
  opportunities: z.array(opportunitySchema).max(3),
  agenda: z.array(agendaItemSchema).min(1),
  renewal: z.strictObject({
    date: isoDaySchema.nullable(),
    daysAway: z.int().nullable(),
    band: band.nullable(),
    probability: z.number().min(0).max(1).nullable(),
    revenueAtRisk: z.number().nullable(),
    text,
  }),
  /** The account's active success plans; absent in briefs made before plans existed. */
  plans: briefPlansSchema.optional(),
});
export type Brief = z.infer<typeof briefSchema>;

/** A stored or received brief, checked; the error names the first bad field. */
export function parseBrief(input: unknown): Brief {
  const parsed = briefSchema.safeParse(input);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const where = issue?.path.length ? issue.path.join('.') : 'brief';
  throw new Error(`invalid QBR brief at ${where}: ${issue?.message ?? 'unknown problem'}`);
}

export function figureOf(brief: Pick<Brief, 'figures'>, key: string): Figure | undefined {
  return brief.figures.find((figure) => figure.key === key);
}
