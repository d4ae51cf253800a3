import { z } from 'zod';

/*
 * Outgoing notifications of early warnings: the channels of an installation (signed webhooks with a
 * JSON or a Slack-compatible body), their test send, and a CSM's daily digest. Requests refuse
 * unknown fields. The payload a channel receives is described in server/core/notify/payload.ts.
 */

const instant = z.iso.datetime({ offset: true });
const severity = z.enum(['low', 'medium', 'high']);

export const createChannelRequestSchema = z.strictObject({
  /** `json`: Bellwether's own payload; `slack`: `{ text, blocks }` for a Slack incoming webhook. */
  format: z.enum(['json', 'slack']),
  url: z.url().max(2048),
  /** Warnings below this severity are not sent. */
  minSeverity: severity.default('medium'),
  enabled: z.boolean().default(true),
});
export type CreateChannelRequest = z.input<typeof createChannelRequestSchema>;

export const channelSchema = z.strictObject({
  id: z.uuid(),
  format: z.enum(['json', 'slack']),
  /** The address with its path hidden: a Slack webhook's path is itself a credential. */
  urlHint: z.string(),
  minSeverity: severity,
  enabled: z.boolean(),
  createdAt: instant,
  createdBy: z.string(),
});
export type ChannelBody = z.infer<typeof channelSchema>;

export const createdChannelSchema = z.strictObject({
  ...channelSchema.shape,
  /** The signing secret for `Bellwether-Signature`: this answer is the only time it is shown. */
  secret: z.string(),
});
export type CreatedChannel = z.infer<typeof createdChannelSchema>;

export const channelListSchema = z.strictObject({ channels: z.array(channelSchema) });
export type ChannelList = z.infer<typeof channelListSchema>;

/** `POST …/channels/:channelId/test`: what the receiver answered to a signed sample. */
export const testSendResultSchema = z.strictObject({
  delivered: z.boolean(),
  /** The receiver's HTTP status; null when no answer came (refused address, timeout, network). */
  status: z.int().nullable(),
  message: z.string(),
});
export type TestSendResult = z.infer<typeof testSendResultSchema>;

export const digestQuerySchema = z.strictObject({
  /** The CSM's CRM user id (accounts whose CSM, else owner, is this user). */
  csm: z.string().min(1).max(255),
  /** A UTC day. */
  day: z.iso.date(),
});

const digestStep = z.strictObject({ subject: z.string(), dueAt: instant });

const digestWarning = z.strictObject({
  warningId: z.string(),
  accountId: z.string(),
  accountName: z.string(),
  rule: z.string(),
  severity,
  title: z.string(),
  openedAt: instant,
  open: z.boolean(),
  nextStep: digestStep.nullable(),
});

const digestTask = z.strictObject({
  warningId: z.string(),
  accountId: z.string(),
  accountName: z.string(),
  warningTitle: z.string(),
  step: z.int(),
  subject: z.string(),
  dueAt: instant,
  overdue: z.boolean(),
});

/** `GET /api/installations/:id/digest?csm=&day=`. */
export const digestSchema = z.strictObject({
  csm: z.string(),
  day: z.iso.date(),
  /** How many accounts the CSM has in this installation. */
  accounts: z.int().nonnegative(),
  openedToday: z.array(digestWarning),
  stillOpen: z.strictObject({
    high: z.array(digestWarning),
    medium: z.array(digestWarning),
    low: z.array(digestWarning),
  }),
  tasksDue: z.array(digestTask),
  counts: z.strictObject({
    openedToday: z.int().nonnegative(),
    stillOpen: z.int().nonnegative(),
    tasksDue: z.int().nonnegative(),
  }),
});
export type DigestBody = z.infer<typeof digestSchema>;
