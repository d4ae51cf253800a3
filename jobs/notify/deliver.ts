import type { Redis } from 'ioredis';
import { z } from 'zod';
import { checkDestination } from '../../server/core/notify/destination.ts';
import { crmRecordUrl } from '../../server/core/notify/links.ts';
import { outcomeOfStatus } from '../../server/core/notify/outcome.ts';
import type { NotifiedAccount, NotifiedWarning } from '../../server/core/notify/payload.ts';
import { notificationRequest } from '../../server/core/notify/request.ts';
import type { Installation } from '../../server/platform/db/installations.ts';
import type {
  AttemptOutcome,
  DeliveryCursor,
  NotificationStore,
  PendingDelivery,
} from '../../server/platform/db/notification-store.ts';
import type { InstallationKey } from '../../server/platform/db/sync-store.ts';
import type { Logger } from '../../server/platform/logger.ts';
import { tryLease } from '../sync/lease.ts';

/**
 * The `deliver` job of the `notify` queue: sends an installation's pending warning notifications to
 * their channels, each a signed POST (core/notify/request.ts). 2xx is delivered; a 4xx other than 408
 * and 429 (and a redirect, which is not followed) fails for good; anything else, a timeout or a network
 * error is retried: the job throws at the end so BullMQ's backoff runs it again, and only what is still
 * pending goes out then. A delivery recorded as delivered is never sent again. Once a channel asks to
 * be retried, the rest of its deliveries wait for the next run, so a receiver sees a warning's
 * "opened" before its "resolved". One run per installation at a time (a Redis lease). A crash between
 * a receiver's answer and its recording sends that one event again: receivers drop repeats by the
 * `Bellwether-Event-Id` header (the payload's `id`).
 */

export const NOTIFY_QUEUE = 'notify';
export const DELIVER_JOB = 'deliver';

export const deliverJobDataSchema = z.strictObject({
  workspaceId: z.uuid(),
  installationId: z.uuid(),
});
export type DeliverJobData = z.infer<typeof deliverJobDataSchema>;

export interface DeliverDeps {
  store: NotificationStore;
  installations: { get(workspaceId: string, id: string): Promise<Installation | undefined> };
  redis: Redis;
  logger: Logger;
  /** Epoch ms. */
  now: () => number;
  /** Development and tests only: allow plain HTTP to this machine (never in production). */
  allowLoopbackHttp: boolean;
  fetch?: typeof fetch;
  /** Per request; default 10 s. */
  timeoutMs?: number;
  /** A delivery still failing after this many attempts fails for good (default 10). */
  maxAttempts?: number;
  pageSize?: number;
}

export interface DeliverySummary {
  delivered: number;
  failed: number;
  /** Still pending, to be sent by the retry. */
  retrying: number;
}

export type DeliverResult = { outcome: 'sent'; summary: DeliverySummary } | { outcome: 'skipped'; reason: string };

/** Thrown so BullMQ retries the job with backoff; what was delivered stays delivered. */
export class DeliveryRetryError extends Error {
  constructor(
    message: string,
    readonly summary: DeliverySummary,
  ) {
    super(message);
    this.name = 'DeliveryRetryError';
  }
}

export const notifyLeaseKey = (installationId: string) => `bw:lock:{${installationId}}:notify`;

const DEFAULT_TIMEOUT_MS = 10_000;
const DEFAULT_MAX_ATTEMPTS = 10;
const DEFAULT_PAGE_SIZE = 100;

type Attempt = AttemptOutcome & { state: 'delivered' | 'failed' | 'pending' };

function notifiedWarning(delivery: PendingDelivery): NotifiedWarning {
  return { ...delivery.warning, nextSteps: delivery.nextSteps };
}

function notifiedAccount(installation: Installation, delivery: PendingDelivery): NotifiedAccount {
  return {
    installationId: installation.id,
    provider: installation.provider,
    externalId: delivery.warning.accountExternalId,
    name: delivery.accountName,
  };
}

/** Why a delivery cannot be sent at all, or undefined when it can. */
function unsendable(delivery: PendingDelivery, allowLoopbackHttp: boolean): string | undefined {
  if (!delivery.channel.enabled) return 'the channel was disabled before delivery';
  if (delivery.channel.secret === null) return 'the channel’s signing secret cannot be opened with the configured keys';
  const destination = checkDestination(delivery.channel.url, { allowLoopbackHttp });
  return destination.ok ? undefined : destination.message;
}

async function send(deps: DeliverDeps, installation: Installation, delivery: PendingDelivery): Promise<Attempt> {
  const request = await notificationRequest({
    format: delivery.channel.format,
    event: delivery.event,
    warning: notifiedWarning(delivery),
    account: notifiedAccount(installation, delivery),
    links: {
      account: crmRecordUrl({
        provider: installation.provider,
        portalOrOrgId: installation.externalId,
        baseUrl: installation.baseUrl,
        accountExternalId: delivery.warning.accountExternalId,
      }),
    },
    secret: delivery.channel.secret ?? '',
    timestamp: Math.floor(deps.now() / 1000),
  });
  const timeoutMs = deps.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  try {
    const response = await (deps.fetch ?? fetch)(delivery.channel.url, {
      method: 'POST',
      headers: request.headers,
      body: request.body,
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
    });
    // The answer's body is not needed; release the connection.
    await response.body?.cancel().catch(() => undefined);
    const outcome = outcomeOfStatus(response.status);
    const state = outcome === 'retry' ? 'pending' : outcome;
    const error = outcome === 'delivered' ? null : `the receiver answered ${response.status}`;
    return { state, status: response.status, error };
  } catch (error) {
    const timedOut = error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
    const cause = error instanceof Error && error.cause instanceof Error ? `: ${error.cause.message}` : '';
    const message = timedOut
      ? `no answer within ${timeoutMs / 1000} s`
      : `could not reach the receiver (${error instanceof Error ? error.message : String(error)}${cause})`;
    return { state: 'pending', status: null, error: message };
  }
}

export async function deliverNotifications(deps: DeliverDeps, input: DeliverJobData): Promise<DeliverResult> {
  const data = deliverJobDataSchema.parse(input);
  const installation = await deps.installations.get(data.workspaceId, data.installationId);
  if (!installation) return { outcome: 'skipped', reason: 'installation not found' };
  if (installation.status === 'uninstalled') return { outcome: 'skipped', reason: 'installation is uninstalled' };
  const lease = await tryLease(deps.redis, notifyLeaseKey(installation.id));
  if (!lease) {
    throw new DeliveryRetryError('another delivery run of this installation is under way; trying again later', {
      delivered: 0,
      failed: 0,
      retrying: 0,
    });
  }
  let summary: DeliverySummary;
  try {
    summary = await deliverPending(deps, installation);
  } finally {
    await lease.release();
  }
  if (summary.retrying > 0) {
    throw new DeliveryRetryError(
      `${summary.retrying} notification(s) to retry (${summary.delivered} delivered, ${summary.failed} failed for good)`,
      summary,
    );
  }
  return { outcome: 'sent', summary };
}

async function deliverPending(deps: DeliverDeps, installation: Installation): Promise<DeliverySummary> {
  const key: InstallationKey = { workspaceId: installation.workspaceId, installationId: installation.id };
  const maxAttempts = deps.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
  const summary: DeliverySummary = { delivered: 0, failed: 0, retrying: 0 };
  const waiting = new Set<string>();
  let cursor: DeliveryCursor | undefined;
  for (;;) {
    const page = await deps.store.pendingDeliveries(key, deps.pageSize ?? DEFAULT_PAGE_SIZE, cursor);
    if (page.length === 0) return summary;
    for (const delivery of page) {
      cursor = delivery;
      // This channel asked to come back later: keep its order, send nothing more to it now.
      if (waiting.has(delivery.channelId)) {
        summary.retrying += 1;
        continue;
      }
      const refusal = unsendable(delivery, deps.allowLoopbackHttp);
      let attempt: Attempt = refusal
        ? { state: 'failed', status: null, error: refusal }
        : await send(deps, installation, delivery);
      if (attempt.state === 'pending' && delivery.attempts + 1 >= maxAttempts) {
        attempt = { ...attempt, state: 'failed', error: `gave up after ${maxAttempts} attempts: ${attempt.error}` };
      }
      await deps.store.recordAttempt(key, delivery, attempt, new Date(deps.now()));
      if (attempt.state === 'delivered') summary.delivered += 1;
      if (attempt.state === 'failed') summary.failed += 1;
      if (attempt.state === 'pending') {
        summary.retrying += 1;
        waiting.add(delivery.channelId);
      }
      deps.logger[attempt.state === 'delivered' ? 'debug' : 'warn'](
        {
          installationId: installation.id,
          channelId: delivery.channelId,
          warningId: delivery.warningId,
          event: delivery.event,
          state: attempt.state,
          status: attempt.status,
          error: attempt.error,
        },
        'notification attempt',
      );
    }
  }
}
