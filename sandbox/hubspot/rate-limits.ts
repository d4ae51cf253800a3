import { randomUUID } from 'node:crypto';
import type { Clock } from '../shared/clock.ts';
import { DailyAllowance, RollingWindowLimiter } from '../shared/rolling-window.ts';

export interface HubspotLimits {
  /** Requests per rolling 10 s per portal, search excluded (reference §4.1). */
  perTenSeconds: number;
  /** Search requests per rolling second per portal (reference §1.5). */
  searchPerSecond: number;
  /** Requests per portal and UTC day. */
  daily: number;
}

export const DEFAULT_LIMITS: HubspotLimits = { perTenSeconds: 110, searchPerSecond: 5, daily: 500_000 };

export type RequestKind = 'standard' | 'search';
export type RateLimitPolicy = 'TEN_SECONDLY_ROLLING' | 'SECONDLY' | 'DAILY';

export interface RateLimitBody {
  status: 'error';
  message: string;
  errorType: 'RATE_LIMIT';
  correlationId: string;
  policyName: RateLimitPolicy;
  groupName: string;
}

const MESSAGES: Record<RateLimitPolicy, string> = {
  TEN_SECONDLY_ROLLING: 'You have reached your ten_secondly_rolling limit.',
  // The SDK retries search 429s by this exact message.
  SECONDLY: 'You have reached your secondly limit.',
  DAILY: 'You have reached your daily limit.',
};

const GROUPS: Record<RateLimitPolicy, string> = {
  TEN_SECONDLY_ROLLING: 'publicapi:oauth-app-api-calls-ten-secondly',
  SECONDLY: 'publicapi:crm-search-secondly',
  DAILY: 'publicapi:api-calls-daily',
};

export function rateLimitBody(policy: RateLimitPolicy, portalId: string): RateLimitBody {
  return {
    status: 'error',
    message: MESSAGES[policy],
    errorType: 'RATE_LIMIT',
    correlationId: randomUUID(),
    policyName: policy,
    groupName: `${GROUPS[policy]}:${portalId}`,
  };
}

export type Admission =
  | { allowed: true; headers: Record<string, string> }
  | { allowed: false; headers: Record<string, string>; body: RateLimitBody };

/**
 * HubSpot's per-portal limits: a rolling ten-second bucket with its headers for ordinary calls, a
 * rolling one-second bucket without headers for search, and a daily allowance for both. A refused
 * request spends nothing.
 */
export class PortalRateLimiter {
  private readonly tenSecondly: RollingWindowLimiter;
  private readonly secondly: RollingWindowLimiter;
  private readonly daily: DailyAllowance;

  constructor(
    readonly limits: HubspotLimits,
    clock: Clock,
  ) {
    this.tenSecondly = new RollingWindowLimiter(limits.perTenSeconds, 10_000, clock);
    this.secondly = new RollingWindowLimiter(limits.searchPerSecond, 1_000, clock);
    this.daily = new DailyAllowance(limits.daily, clock);
  }

  admit(portalId: string, kind: RequestKind): Admission {
    if (this.daily.usage(portalId).remaining <= 0) {
      return { allowed: false, headers: {}, body: rateLimitBody('DAILY', portalId) };
    }
    if (kind === 'search') {
      const taken = this.secondly.take(portalId);
      if (!taken.allowed) return { allowed: false, headers: {}, body: rateLimitBody('SECONDLY', portalId) };
      this.daily.take(portalId);
      return { allowed: true, headers: {} };
    }
    const taken = this.tenSecondly.take(portalId);
    const headers = {
      'X-HubSpot-RateLimit-Max': String(this.limits.perTenSeconds),
      'X-HubSpot-RateLimit-Remaining': String(taken.remaining),
      'X-HubSpot-RateLimit-Interval-Milliseconds': '10000',
    };
    if (!taken.allowed) return { allowed: false, headers, body: rateLimitBody('TEN_SECONDLY_ROLLING', portalId) };
    this.daily.take(portalId);
    return { allowed: true, headers };
  }

  /** Requests admitted today, for the admin view. */
  dailyUsage(portalId: string): { used: number; remaining: number } {
    return this.daily.usage(portalId);
  }
}
