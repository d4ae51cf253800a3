import { z } from 'zod';
import { SEVERITIES, type Severity } from './severity.ts';

/**
 * The JSON body of an outgoing warning notification. Its shape is a public contract: receivers parse
 * it, so fields are only ever added under a new `version`. `id` is the same for every retry of one
 * event, so a receiver that saw it already can ignore the repeat.
 */

export const PAYLOAD_VERSION = 1;
export const WARNING_EVENTS = ['opened', 'resolved'] as const;
export type WarningEvent = (typeof WARNING_EVENTS)[number];

export interface NextStep {
  subject: string;
  dueAt: Date;
}

export interface NotifiedWarning {
  id: string;
  rule: string;
  severity: Severity;
  status: 'open' | 'resolved';
  title: string;
  /** What fired, as the rule recorded it (values, thresholds, words). */
  evidence: unknown;
  openedAt: Date;
  resolvedAt: Date | null;
  resolution: string | null;
  /** The playbook's steps still to do, in order. */
  nextSteps: readonly NextStep[];
}

export interface NotifiedAccount {
  installationId: string;
  provider: 'hubspot' | 'salesforce';
  externalId: string;
  name: string | null;
}

export interface WarningLinks {
  /** The account's record in its CRM, when it can be named. */
  account: string | null;
}

const instant = z.iso.datetime({ offset: true });

export const warningEventPayloadSchema = z.strictObject({
  version: z.literal(PAYLOAD_VERSION),
  /** `<warning id>.<event>`: stable across retries. */
  id: z.string(),
  type: z.enum(['warning.opened', 'warning.resolved']),
  occurredAt: instant,
  /** True only for the sample a channel's "send test" posts. */
  test: z.boolean(),
  installation: z.strictObject({ id: z.string(), provider: z.enum(['hubspot', 'salesforce']) }),
  account: z.strictObject({ id: z.string(), name: z.string().nullable() }),
  warning: z.strictObject({
    id: z.string(),
    rule: z.string(),
    severity: z.enum(SEVERITIES),
    status: z.enum(['open', 'resolved']),
    title: z.string(),
    evidence: z.unknown(),
    openedAt: instant,
    resolvedAt: instant.nullable(),
    resolution: z.string().nullable(),
  }),
  nextSteps: z.array(z.strictObject({ subject: z.string(), dueAt: instant })),
  links: z.strictObject({ account: z.string().nullable() }),
});
export type WarningEventPayload = z.infer<typeof warningEventPayloadSchema>;

/** When the event happened: the opening, or the resolution (the opening if a resolved row lacks its time). */
export function occurredAt(event: WarningEvent, warning: NotifiedWarning): Date {
  return event === 'resolved' && warning.resolvedAt ? warning.resolvedAt : warning.openedAt;
}

export function warningEventPayload(
  event: WarningEvent,
  warning: NotifiedWarning,
  account: NotifiedAccount,
  links: WarningLinks,
  options: { test?: boolean } = {},
): WarningEventPayload {
  return {
    version: PAYLOAD_VERSION,
    id: `${warning.id}.${event}`,
    type: `warning.${event}`,
    occurredAt: occurredAt(event, warning).toISOString(),
    test: options.test ?? false,
    installation: { id: account.installationId, provider: account.provider },
    account: { id: account.externalId, name: account.name },
    warning: {
      id: warning.id,
      rule: warning.rule,
      severity: warning.severity,
      status: warning.status,
      title: warning.title,
      evidence: warning.evidence,
      openedAt: warning.openedAt.toISOString(),
      resolvedAt: warning.resolvedAt?.toISOString() ?? null,
      resolution: warning.resolution,
    },
    nextSteps: warning.nextSteps.map((step) => ({ subject: step.subject, dueAt: step.dueAt.toISOString() })),
    links: { account: links.account },
  };
}
