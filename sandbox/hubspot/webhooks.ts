import { createHmac } from 'node:crypto';
import type { Clock } from '../shared/clock.ts';
import { SINGULAR, type ObjectType } from './object-types.ts';
import type { CrmRecord } from './portal-store.ts';

export interface WebhookOptions {
  targetUrl: string;
  clientSecret: string;
  /** How long events gather before a delivery (ms); HubSpot batches up to 100 events a request. */
  batchWindowMs?: number;
  /** Deliveries per batch, the first included. */
  maxAttempts?: number;
  /** First retry delay; doubled for each later attempt. */
  retryBaseMs?: number;
}

export interface WebhookEvent {
  eventId: number;
  subscriptionId: number;
  portalId: number;
  appId: number;
  occurredAt: number;
  subscriptionType: string;
  attemptNumber: number;
  objectId: number;
  changeSource: string;
  changeFlag?: string;
  propertyName?: string;
  propertyValue?: string;
  /** Merge events: the surviving record and the ids merged into it. */
  primaryObjectId?: number;
  mergedObjectIds?: number[];
  newObjectId?: number;
}

const MAX_EVENTS_PER_REQUEST = 100;
const WEBHOOK_TYPES: readonly ObjectType[] = ['companies', 'contacts', 'deals', 'tickets'];
const SUBSCRIPTION_IDS: Record<string, number> = { creation: 1, propertyChange: 2, deletion: 3, merge: 4 };

/** Signature v3 (reference §5.1): base64 HMAC-SHA256 of method + URI + body + timestamp. */
export function signatureV3(
  clientSecret: string,
  method: string,
  url: string,
  body: string,
  timestamp: number,
): string {
  return createHmac('sha256', clientSecret).update(`${method}${url}${body}${timestamp}`).digest('base64');
}

/** HubSpot does not retry these answers (reference §5.2). */
const FINAL_STATUSES = new Set([400, 401, 403, 404, 405]);

/**
 * Outgoing webhooks: object creations, property changes and deletions, gathered for a short window,
 * POSTed in batches signed with v3, and retried with doubling delays on failure.
 */
export class WebhookDispatcher {
  private queue: WebhookEvent[] = [];
  private timer: NodeJS.Timeout | undefined;
  private readonly inFlight = new Set<Promise<void>>();
  private nextEventId = 1;
  private closed = false;
  /** Every delivery attempt with its answer, for tests and the admin view. */
  readonly attempts: { events: number; attemptNumber: number; status: number | 'network_error' }[] = [];

  constructor(
    private readonly options: WebhookOptions,
    private readonly appId: number,
    private readonly clock: Clock,
  ) {}

  created(portalId: number, record: CrmRecord): void {
    this.push(portalId, record, 'creation', { changeFlag: 'NEW' });
  }

  changed(portalId: number, record: CrmRecord, values: Record<string, string>): void {
    for (const [propertyName, propertyValue] of Object.entries(values)) {
      this.push(portalId, record, 'propertyChange', { propertyName, propertyValue });
    }
  }

  deleted(portalId: number, record: CrmRecord): void {
    this.push(portalId, record, 'deletion', {});
  }

  merged(portalId: number, primary: CrmRecord, merged: CrmRecord): void {
    const primaryId = Number(primary.id);
    this.push(portalId, primary, 'merge', {
      primaryObjectId: primaryId,
      mergedObjectIds: [Number(merged.id)],
      newObjectId: primaryId,
    });
  }

  /** Resolves once nothing is queued or being delivered. */
  async idle(): Promise<void> {
    while (this.queue.length > 0 || this.inFlight.size > 0 || this.timer) {
      if (this.timer && this.inFlight.size === 0) this.flush();
      await Promise.all([...this.inFlight]);
    }
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.queue = [];
  }

  private push(portalId: number, record: CrmRecord, action: string, extra: Partial<WebhookEvent>): void {
    if (this.closed || !WEBHOOK_TYPES.includes(record.type)) return;
    this.queue.push({
      eventId: this.nextEventId++,
      subscriptionId: SUBSCRIPTION_IDS[action] ?? 0,
      portalId,
      appId: this.appId,
      occurredAt: this.clock.now(),
      subscriptionType: `${SINGULAR[record.type]}.${action}`,
      attemptNumber: 0,
      objectId: Number(record.id),
      changeSource: 'API',
      ...extra,
    });
    this.timer ??= setTimeout(() => this.flush(), this.options.batchWindowMs ?? 50);
  }

  private flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, MAX_EVENTS_PER_REQUEST);
      const delivery = this.deliver(batch).finally(() => this.inFlight.delete(delivery));
      this.inFlight.add(delivery);
    }
  }

  private async deliver(batch: WebhookEvent[]): Promise<void> {
    const maxAttempts = this.options.maxAttempts ?? 5;
    const baseDelay = this.options.retryBaseMs ?? 1000;
    for (let attempt = 0; attempt < maxAttempts && !this.closed; attempt++) {
      if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, baseDelay * 2 ** (attempt - 1)));
      const body = JSON.stringify(batch.map((event) => ({ ...event, attemptNumber: attempt })));
      const timestamp = this.clock.now();
      let status: number | 'network_error';
      try {
        const answer = await fetch(this.options.targetUrl, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'X-HubSpot-Request-Timestamp': String(timestamp),
            'X-HubSpot-Signature-v3': signatureV3(
              this.options.clientSecret,
              'POST',
              this.options.targetUrl,
              body,
              timestamp,
            ),
          },
          body,
          signal: AbortSignal.timeout(5000),
        });
        status = answer.status;
        await answer.arrayBuffer();
      } catch {
        status = 'network_error';
      }
      this.attempts.push({ events: batch.length, attemptNumber: attempt, status });
      if (typeof status === 'number' && (status < 300 || FINAL_STATUSES.has(status))) return;
    }
  }
}
