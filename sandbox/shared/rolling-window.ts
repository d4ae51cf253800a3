import type { Clock } from './clock.ts';

export interface Admission {
  allowed: boolean;
  /** Requests still allowed in the current window after this one. */
  remaining: number;
  /** When refused: milliseconds until the oldest counted request leaves the window. */
  retryAfterMs: number;
}

/**
 * A rolling-window limit per key (a portal, an org): at most `limit` admitted requests in any
 * `windowMs`. Refused requests are not counted, as HubSpot does not count its 429s.
 */
export class RollingWindowLimiter {
  private readonly admitted = new Map<string, number[]>();

  constructor(
    readonly limit: number,
    readonly windowMs: number,
    private readonly clock: Clock,
  ) {}

  take(key: string): Admission {
    const now = this.clock.now();
    const times = this.prune(key, now);
    if (times.length >= this.limit) {
      return { allowed: false, remaining: 0, retryAfterMs: (times[0] as number) + this.windowMs - now };
    }
    times.push(now);
    return { allowed: true, remaining: this.limit - times.length, retryAfterMs: 0 };
  }

  /** Admitted requests in the window ending now. */
  count(key: string): number {
    return this.prune(key, this.clock.now()).length;
  }

  reset(key?: string): void {
    if (key === undefined) this.admitted.clear();
    else this.admitted.delete(key);
  }

  private prune(key: string, now: number): number[] {
    let times = this.admitted.get(key);
    if (!times) {
      times = [];
      this.admitted.set(key, times);
    }
    let drop = 0;
    while (drop < times.length && (times[drop] as number) <= now - this.windowMs) drop++;
    if (drop > 0) times.splice(0, drop);
    return times;
  }
}

/** A fixed allowance per UTC day and key (HubSpot's daily limit, a Salesforce org's API requests). */
export class DailyAllowance {
  private readonly used = new Map<string, { day: number; count: number }>();

  constructor(
    readonly limit: number,
    private readonly clock: Clock,
  ) {}

  take(key: string): { allowed: boolean; used: number; remaining: number } {
    const entry = this.entry(key);
    if (entry.count >= this.limit) return { allowed: false, used: entry.count, remaining: 0 };
    entry.count++;
    return { allowed: true, used: entry.count, remaining: this.limit - entry.count };
  }

  usage(key: string): { used: number; remaining: number } {
    const entry = this.entry(key);
    return { used: entry.count, remaining: Math.max(0, this.limit - entry.count) };
  }

  private entry(key: string) {
    const day = Math.floor(this.clock.now() / 86_400_000);
    let entry = this.used.get(key);
    if (!entry || entry.day !== day) {
      entry = { day, count: 0 };
      this.used.set(key, entry);
    }
    return entry;
  }
}
