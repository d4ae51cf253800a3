import { CrmError } from '../errors.ts';

/**
 * Salesforce failures → CrmError codes (reference §1.1, §1.6, §5). Pure, so every branch is unit
 * tested; the client feeds it the HTTP status and the first error of the body.
 */

export interface SalesforceFailure {
  /** Undefined when no answer came back (network error). */
  status: number | undefined;
  errorCode: string | undefined;
  message: string;
  /** The Retry-After header, when there was one. */
  retryAfter?: string | undefined;
  cause?: unknown;
}

/** How long to wait on a concurrent-request limit when Salesforce names no delay: long requests last ≥ 20 s. */
export const CONCURRENT_LIMIT_WAIT_MS = 20_000;
/** The daily allowance rolls over 24 h; look again in an hour rather than hammering it. */
export const DAILY_LIMIT_WAIT_MS = 3_600_000;
/** A 420/429 without Retry-After. */
export const RATE_LIMIT_WAIT_MS = 10_000;

const VALIDATION_CODES = new Set([
  'MALFORMED_QUERY',
  'INVALID_FIELD',
  'INVALID_TYPE',
  'INVALID_QUERY_FILTER_OPERATOR',
  'INVALID_REPLICATION_DATE',
  'EXCEEDED_ID_LIMIT',
  'JSON_PARSER_ERROR',
  'FIELD_INTEGRITY_EXCEPTION',
  'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST',
  'STRING_TOO_LONG',
  'MALFORMED_ID',
  'REQUIRED_FIELD_MISSING',
  'DUPLICATE_DEVELOPER_NAME',
]);
const TEMPORARY_CODES = new Set(['QUERY_TIMEOUT', 'SERVER_UNAVAILABLE', 'UNABLE_TO_LOCK_ROW']);
const NOT_FOUND_CODES = new Set(['NOT_FOUND', 'ENTITY_IS_DELETED', 'INVALID_CROSS_REFERENCE_KEY']);

/** Retry-After as seconds or an HTTP date, in ms from `now`. */
export function parseRetryAfter(value: string | undefined, now: number): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(value.trim())) return Math.ceil(Number(value) * 1000);
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

export function toCrmError(failure: SalesforceFailure, now = Date.now()): CrmError {
  const { status, errorCode, message } = failure;
  const base = { cause: failure.cause, ...(status === undefined ? {} : { status }) };
  const text = `${errorCode ?? 'ERROR'}: ${message}`;
  const retryAfterMs = parseRetryAfter(failure.retryAfter, now);
  if (status === undefined) return new CrmError('TEMPORARY', `network: ${message}`, base);
  if (errorCode === 'REQUEST_LIMIT_EXCEEDED') {
    // "TotalRequests Limit exceeded." is the rolling daily allowance; other variants (ConcurrentPerOrgLongTxn) pass.
    if (/TotalRequests/i.test(message)) {
      return new CrmError('QUOTA_EXHAUSTED', text, { ...base, retryAfterMs: retryAfterMs ?? DAILY_LIMIT_WAIT_MS });
    }
    return new CrmError('RATE_LIMITED', text, { ...base, retryAfterMs: retryAfterMs ?? CONCURRENT_LIMIT_WAIT_MS });
  }
  if (status === 420 || status === 429) {
    return new CrmError('RATE_LIMITED', text, { ...base, retryAfterMs: retryAfterMs ?? RATE_LIMIT_WAIT_MS });
  }
  if (status === 401) return new CrmError('UNAUTHORIZED', text, base);
  if (status === 403) return new CrmError('MISSING_SCOPE', text, base);
  if (status === 404 || (errorCode !== undefined && NOT_FOUND_CODES.has(errorCode))) {
    return new CrmError('NOT_FOUND', text, base);
  }
  if ((errorCode !== undefined && TEMPORARY_CODES.has(errorCode)) || status >= 500) {
    return new CrmError('TEMPORARY', text, base);
  }
  if (status === 400 || (errorCode !== undefined && VALIDATION_CODES.has(errorCode))) {
    return new CrmError('VALIDATION', text, base);
  }
  return new CrmError('UNKNOWN', text, base);
}

/** One failed row of a collection answer (`statusCode` there, reference §1.4): the row's own code. */
export function rowError(statusCode: string | undefined, message: string): CrmError {
  const text = `${statusCode ?? 'ERROR'}: ${message}`;
  if (statusCode !== undefined && TEMPORARY_CODES.has(statusCode)) return new CrmError('TEMPORARY', text);
  if (statusCode !== undefined && NOT_FOUND_CODES.has(statusCode)) return new CrmError('NOT_FOUND', text);
  if (statusCode === 'INSUFFICIENT_ACCESS_OR_READONLY') return new CrmError('MISSING_SCOPE', text);
  return new CrmError('VALIDATION', text);
}
