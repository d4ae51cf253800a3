import { z } from 'zod';

/**
 * The ingest API: signals that are not in the CRM (product usage, surveys, CSM sentiment) sent by
 * the customer's own systems with a per-installation key. Every item names its account by the CRM's
 * id (`accountId`: HubSpot company id or Salesforce Account id) or by its web domain (`accountDomain`).
 * Unknown fields are refused, so a misspelt field is an error rather than silently dropped data.
 */

export const INGEST_KINDS = ['usage-daily', 'usage-events', 'surveys', 'sentiment'] as const;
export type IngestKind = (typeof INGEST_KINDS)[number];

export const MAX_BATCH_ITEMS = 1_000;

/** `Authorization: Bearer bw_<prefix>_<secret>`. */
export const INGEST_KEY_PATTERN = /^bw_([0-9a-f]{12})_([A-Za-z0-9_-]{43})$/;

const ref = z.string().trim().min(1).max(255);
const name = z.string().trim().min(1).max(200);
const count = z.int().nonnegative().max(2_000_000_000);
const instant = z.iso.datetime({ offset: true });

const calendarDay = z.iso.date({ error: 'not a calendar date (YYYY-MM-DD)' });

const accountRef = {
  accountId: ref.optional(),
  accountDomain: z.string().trim().min(3).max(255).optional(),
};

/** Exactly one of accountId and accountDomain. */
function oneAccount(
  item: { accountId?: string | undefined; accountDomain?: string | undefined },
  ctx: z.RefinementCtx,
) {
  if (item.accountId === undefined && item.accountDomain === undefined) {
    ctx.addIssue({ code: 'custom', path: ['accountId'], message: 'accountId or accountDomain is required' });
  } else if (item.accountId !== undefined && item.accountDomain !== undefined) {
    ctx.addIssue({ code: 'custom', path: ['accountDomain'], message: 'send accountId or accountDomain, not both' });
  }
}

/** One account's usage on one day; sending the same account and day again replaces it. */
export const usageDailyItemSchema = z
  .strictObject({
    ...accountRef,
    date: calendarDay,
    activeUsers: count,
    licences: count.nullable().optional(),
    events: count.optional(),
    /** Active users per feature that day. */
    features: z.record(name, count).optional(),
  })
  .superRefine(oneAccount);

/** One product event; `id` is the sender's event id, so a resent event counts once. */
export const usageEventItemSchema = z
  .strictObject({
    id: ref,
    ...accountRef,
    occurredAt: instant,
    userId: ref.nullable().optional(),
    event: name,
    feature: name.nullable().optional(),
    properties: z.record(z.string().max(200), z.json()).optional(),
  })
  .superRefine(oneAccount);

const SCORE_RANGES = { nps: [0, 10], csat: [1, 5], ces: [1, 7] } as const;

/** A survey answer: NPS 0–10, CSAT 1–5, CES 1–7. */
export const surveyItemSchema = z
  .strictObject({
    id: ref,
    ...accountRef,
    kind: z.enum(['nps', 'csat', 'ces']),
    score: z.int(),
    verbatim: z.string().max(10_000).nullable().optional(),
    /** The CRM contact id of whoever answered, when known. */
    contactId: ref.nullable().optional(),
    respondedAt: instant,
  })
  .superRefine((item, ctx) => {
    oneAccount(item, ctx);
    const [min, max] = SCORE_RANGES[item.kind];
    if (item.score < min || item.score > max) {
      ctx.addIssue({
        code: 'custom',
        path: ['score'],
        message: `${item.kind.toUpperCase()} scores run from ${min} to ${max}`,
      });
    }
  });

/** A CSM's read of an account. */
export const sentimentItemSchema = z
  .strictObject({
    id: ref,
    ...accountRef,
    sentiment: z.enum(['positive', 'neutral', 'negative']),
    note: z.string().max(10_000).nullable().optional(),
    /** The CRM owner/user id of the CSM, when known. */
    csmId: ref.nullable().optional(),
    recordedAt: instant,
  })
  .superRefine(oneAccount);

const batch = <T extends z.ZodType>(item: T) =>
  z.strictObject({
    items: z
      .array(item)
      .min(1, 'a batch holds at least one item')
      .max(MAX_BATCH_ITEMS, `a batch holds at most ${MAX_BATCH_ITEMS} items`),
  });

export const usageDailyBatchSchema = batch(usageDailyItemSchema);
export const usageEventsBatchSchema = batch(usageEventItemSchema);
export const surveysBatchSchema = batch(surveyItemSchema);
export const sentimentBatchSchema = batch(sentimentItemSchema);

export type UsageDailyItem = z.infer<typeof usageDailyItemSchema>;
export type UsageEventItem = z.infer<typeof usageEventItemSchema>;
export type SurveyItem = z.infer<typeof surveyItemSchema>;
export type SentimentItem = z.infer<typeof sentimentItemSchema>;

export const INGEST_BATCH_SCHEMAS = {
  'usage-daily': usageDailyBatchSchema,
  'usage-events': usageEventsBatchSchema,
  surveys: surveysBatchSchema,
  sentiment: sentimentBatchSchema,
} as const;

/**
 * 200 answer: items stored (new, or a usage day whose values changed) and items already held
 * (a resent event id, or a usage day with the same values). A replay of an idempotency key answers
 * the first answer again with the `Idempotent-Replayed: true` header.
 */
export const ingestResultSchema = z.strictObject({
  accepted: z.int().nonnegative(),
  duplicates: z.int().nonnegative(),
});
export type IngestResult = z.infer<typeof ingestResultSchema>;

/** `POST /api/installations/:id/ingest-keys` */
export const createIngestKeyRequestSchema = z.strictObject({
  label: z.string().trim().min(1, 'label is required').max(100),
});

export const ingestKeySchema = z.strictObject({
  id: z.uuid(),
  /** Shown to people to tell keys apart; the secret is never shown again. */
  prefix: z.string(),
  label: z.string(),
  createdAt: instant,
  revokedAt: instant.nullable(),
});
export type IngestKeyBody = z.infer<typeof ingestKeySchema>;

export const createdIngestKeySchema = z.strictObject({
  ...ingestKeySchema.shape,
  /** The whole key, `bw_<prefix>_<secret>`: this answer is the only time it is shown. */
  key: z.string().regex(INGEST_KEY_PATTERN),
});
export type CreatedIngestKey = z.infer<typeof createdIngestKeySchema>;

export const ingestKeyListSchema = z.strictObject({ keys: z.array(ingestKeySchema) });
export type IngestKeyList = z.infer<typeof ingestKeyListSchema>;
