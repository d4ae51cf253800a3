import { z } from 'zod';
import { CrmError } from '../errors.ts';

/**
 * HubSpot error answers → CrmError. Pure, so the mapping is tested without a server. Every field of
 * HubSpot's error body is optional in practice (reference §1.6), so the schema is loose.
 */
const errorBody = z
  .object({
    message: z.string().optional(),
    category: z.string().optional(),
    policyName: z.string().optional(),
    errorType: z.string().optional(),
  })
  .loose();

/** Waits when a 429 names its policy but no interval header: the rolling window, or one second for search. */
const TEN_SECONDLY_WAIT_MS = 10_000;
const SECONDLY_WAIT_MS = 1_000;

export type HeaderReader = (name: string) => string | null;

function retryAfterMs(policy: string | undefined, header: HeaderReader): number {
  const retryAfter = Number(header('retry-after'));
  if (Number.isFinite(retryAfter) && retryAfter > 0) return retryAfter * 1000;
  if (policy === 'SECONDLY') return SECONDLY_WAIT_MS;
  const interval = Number(header('x-hubspot-ratelimit-interval-milliseconds'));
  return Number.isFinite(interval) && interval > 0 ? interval : TEN_SECONDLY_WAIT_MS;
}

export function hubspotError(status: number, rawBody: unknown, header: HeaderReader, what: string): CrmError {
  const parsed = errorBody.safeParse(rawBody);
  const body = parsed.success ? parsed.data : {};
  const detail = body.message ?? `HTTP ${status}`;
  const message = `${what}: ${detail}`;
  if (status === 429) {
    // The secondly (search) 429 body may lack policyName; its message names it.
    const policy = body.policyName ?? (/secondly limit/i.test(detail) ? 'SECONDLY' : undefined);
    if (policy === 'DAILY') return new CrmError('QUOTA_EXHAUSTED', message, { status });
    return new CrmError('RATE_LIMITED', message, { status, retryAfterMs: retryAfterMs(policy, header) });
  }
  if (status === 401) return new CrmError('UNAUTHORIZED', message, { status });
  if (status === 403) {
    const code = body.category === 'MISSING_SCOPES' ? 'MISSING_SCOPE' : 'UNAUTHORIZED';
    return new CrmError(code, message, { status });
  }
  if (status === 404) return new CrmError('NOT_FOUND', message, { status });
  if (status >= 500) return new CrmError('TEMPORARY', message, { status });
  if (status === 400 || status === 409 || status === 422) return new CrmError('VALIDATION', message, { status });
  return new CrmError('UNKNOWN', message, { status });
}

/** A failure before any answer (connection refused, reset, timeout): worth retrying. */
export function networkError(error: unknown, what: string): CrmError {
  const detail = error instanceof Error ? error.message : String(error);
  return new CrmError('TEMPORARY', `${what}: ${detail}`, { cause: error });
}
