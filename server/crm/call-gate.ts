import { setTimeout as delay } from 'node:timers/promises';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import type { Provider } from '../platform/db/installations.ts';
import type { RateLimiter, RateLimitRule } from '../platform/rate-limit.ts';
import { CrmError } from './errors.ts';
import type { ApiUsage, CallBucket } from './types.ts';

/**
 * The per-call gate a CrmConnection's `beforeCall` runs: it takes a slot of the installation's
 * shared limits in Redis before each request, so every worker process together stays under the
 * CRM's limits. A short wait is slept; a longer one becomes a CrmError the job layer turns into a
 * delayed job, so a limited tenant never holds a worker other tenants need.
 *
 * HubSpot: 110 requests per rolling 10 s (search excluded) and 5 searches per rolling second, per
 * portal. Salesforce has no per-second limit but a rolling 24-hour allowance shared with the org's
 * other integrations: Bellwether pauses once the org's last `Sforce-Limit-Info` says the agreed
 * share of it is used.
 */

export interface WindowLimit {
  limit: number;
  windowMs: number;
}

export interface HubspotCallLimits {
  standard: WindowLimit;
  search: WindowLimit;
}

/** HubSpot's limits for a marketplace OAuth app (reference §1.1). */
export const HUBSPOT_CALL_LIMITS: HubspotCallLimits = {
  standard: { limit: 110, windowMs: 10_000 },
  search: { limit: 5, windowMs: 1_000 },
};

/**
 * Our window is counted when a slot is taken, HubSpot's when the request arrives; if an early
 * request travels slower than one a window later, HubSpot sees one too many. Measured against the
 * stand-in: slot-to-arrival is 1 ms at the median and 10 ms at p90, but up to ~90 ms for the first
 * requests of a run (new sockets), which pin the window's start; with no margin about 1.5% of calls
 * drew a 429, with 50 ms a few searches still did. Stretching both windows by this much costs the
 * main bucket 1.5% of its rate.
 */
export const DEFAULT_WINDOW_MARGIN_MS = 150;

/**
 * The Redis rules each HubSpot bucket spends, in the order they are taken (the last one right before
 * the request). The main bucket is the rolling window alone: a sync that reads faster than 11 calls
 * a second spends it in a burst and is then delayed by the job layer until slots free up, and a page
 * that was slow to store is made up by the next burst. (Pacing it into short parts kept every wait
 * inline but lost the window's slack to every slow page: 1.27 × the rate-limit floor on the
 * 10,000-account bench, against 1.08 without.) The search second is split into fifths, so a search
 * never waits longer than a worker may sleep: searches come one per page of an incremental run, a
 * burst buys nothing there.
 */
export function hubspotRules(
  limits: HubspotCallLimits = HUBSPOT_CALL_LIMITS,
  marginMs: number = DEFAULT_WINDOW_MARGIN_MS,
): Record<CallBucket, RateLimitRule[]> {
  return {
    standard: [{ name: 'hubspot:main', limit: limits.standard.limit, windowMs: limits.standard.windowMs + marginMs }],
    search: spread('hubspot:search', limits.search, marginMs, 5),
  };
}

/**
 * A window's rule after a cap per part of the window: consecutive parts make one window, so the
 * parts alone already keep the window's limit, and a wait is never longer than one part.
 */
function spread(name: string, window: WindowLimit, marginMs: number, parts: number): RateLimitRule[] {
  const windowMs = window.windowMs + marginMs;
  const rule: RateLimitRule = { name, limit: window.limit, windowMs };
  const perPart = Math.floor(window.limit / parts);
  if (perPart < 1) return [rule];
  return [{ name: `${name}:spread`, limit: perPart, windowMs: Math.max(1, Math.ceil(windowMs / parts)) }, rule];
}

/** Share of a Salesforce org's daily allowance Bellwether may use when nothing else is configured. */
export const DEFAULT_SALESFORCE_SHARE = 0.5;

/**
 * How long a Salesforce usage reading is trusted. Once the share is reached the org pauses until the
 * reading expires; the next call then brings a fresh one (the allowance is rolling, so it frees up
 * gradually, not at midnight).
 */
export const API_USAGE_TTL_MS = 60 * 60 * 1000;

const usageKey = (installationId: string) => `bw:api-usage:{${installationId}}`;

const storedUsageSchema = z.object({
  used: z.number().int().min(0),
  limit: z.number().int().min(0),
  at: z.number(),
});
export type StoredApiUsage = z.infer<typeof storedUsageSchema>;

/** Keeps an org's last `Sforce-Limit-Info` reading where every worker sees it. */
export async function recordApiUsage(
  redis: Redis,
  installationId: string,
  usage: ApiUsage,
  ttlMs: number = API_USAGE_TTL_MS,
): Promise<void> {
  const stored: StoredApiUsage = { used: usage.used, limit: usage.limit, at: Date.now() };
  await redis.set(usageKey(installationId), JSON.stringify(stored), 'PX', Math.max(1, Math.round(ttlMs)));
}

/** The org's last reading and how long it is still trusted; undefined when there is none (or it is unreadable). */
export async function readApiUsage(
  redis: Redis,
  installationId: string,
): Promise<{ usage: StoredApiUsage; expiresInMs: number } | undefined> {
  const key = usageKey(installationId);
  const [raw, ttl] = await Promise.all([redis.get(key), redis.pttl(key)]);
  if (raw === null) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return undefined;
  }
  const parsed = storedUsageSchema.safeParse(value);
  if (!parsed.success) return undefined;
  return { usage: parsed.data, expiresInMs: ttl > 0 ? ttl : 0 };
}

/** Forgets an org's reading (uninstall). */
export async function forgetApiUsage(redis: Redis, installationId: string): Promise<void> {
  await redis.del(usageKey(installationId));
}

export interface CallGateOptions {
  limiter: RateLimiter;
  provider: Provider;
  installationId: string;
  redis: Redis;
  /** The longest wait slept inside the call (default 1 s); a longer one throws RATE_LIMITED. */
  maxInlineWaitMs?: number;
  /** Share (0–1] of a Salesforce org's daily allowance Bellwether may use (env SALESFORCE_API_SHARE). */
  salesforceShare?: number;
  /**
   * The adapter's latest reading for this installation (`salesforceAdapter.apiUsage(id)`); when it
   * changes, the gate records it before deciding, so no caller has to remember to.
   */
  lastApiUsage?: () => ApiUsage | undefined;
  /** HubSpot limits other than the real ones (tests scale them down to stay fast). */
  hubspotLimits?: HubspotCallLimits;
  /** See DEFAULT_WINDOW_MARGIN_MS. */
  windowMarginMs?: number;
  /** How long a Salesforce reading is trusted, hence how long a pause lasts (default 1 h). */
  apiUsageTtlMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

export type CallGate = (bucket: CallBucket) => Promise<void>;

export function createCallGate(options: CallGateOptions): CallGate {
  const maxInlineWaitMs = options.maxInlineWaitMs ?? 1_000;
  if (!(maxInlineWaitMs >= 0)) throw new RangeError('maxInlineWaitMs must be 0 or more');
  if (options.provider === 'hubspot') return hubspotGate(options, maxInlineWaitMs);
  return salesforceGate(options);
}

function hubspotGate(options: CallGateOptions, maxInlineWaitMs: number): CallGate {
  const rules = hubspotRules(options.hubspotLimits, options.windowMarginMs);
  const sleep = options.sleep ?? ((ms: number) => delay(ms));
  return async (bucket) => {
    let waited = 0;
    for (const rule of rules[bucket]) {
      for (;;) {
        const admission = await options.limiter.acquire(options.installationId, rule);
        if (admission.allowed) break;
        // The limiter's wait is to the millisecond the oldest slot leaves; one more lands after it.
        const wait = admission.retryAfterMs + 1;
        if (waited + wait > maxInlineWaitMs) {
          throw new CrmError(
            'RATE_LIMITED',
            `HubSpot ${rule.name} limit (${rule.limit} per ${rule.windowMs} ms) is spent for installation ${options.installationId}; a slot frees in ${wait} ms`,
            { retryAfterMs: wait },
          );
        }
        await sleep(wait);
        waited += wait;
      }
    }
  };
}

function salesforceGate(options: CallGateOptions): CallGate {
  const share = options.salesforceShare ?? DEFAULT_SALESFORCE_SHARE;
  if (!(share > 0 && share <= 1)) throw new RangeError(`salesforceShare must be in (0, 1], got ${share}`);
  const ttlMs = options.apiUsageTtlMs ?? API_USAGE_TTL_MS;
  let recorded: ApiUsage | undefined;
  return async () => {
    const latest = options.lastApiUsage?.();
    if (latest !== undefined && latest !== recorded) {
      await recordApiUsage(options.redis, options.installationId, latest, ttlMs);
      recorded = latest;
    }
    const reading = await readApiUsage(options.redis, options.installationId);
    if (reading === undefined || reading.usage.limit <= 0) return;
    const { used, limit } = reading.usage;
    if (used / limit < share) return;
    throw new CrmError(
      'QUOTA_EXHAUSTED',
      `Salesforce org of installation ${options.installationId} has used ${used} of its ${limit} daily API calls, at or over Bellwether's share of ${Math.round(share * 100)}%; pausing until the rolling allowance frees up`,
      { retryAfterMs: reading.expiresInMs > 0 ? reading.expiresInMs : ttlMs },
    );
  };
}
