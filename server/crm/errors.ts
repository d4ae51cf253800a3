/**
 * Every failure leaves a CRM adapter as a CrmError with a code; the job layer decides what to do from
 * the code alone (DESIGN.md §4), never from an SDK's exception type.
 */
export const CRM_ERROR_CODES = [
  'RATE_LIMITED',
  'UNAUTHORIZED',
  'MISSING_SCOPE',
  'NOT_FOUND',
  'TEMPORARY',
  'INVALID_CURSOR',
  'QUOTA_EXHAUSTED',
  'VALIDATION',
  'UNKNOWN',
] as const;
export type CrmErrorCode = (typeof CRM_ERROR_CODES)[number];

export class CrmError extends Error {
  readonly code: CrmErrorCode;
  /** When the CRM said how long to wait (rate limits), in milliseconds. */
  readonly retryAfterMs: number | undefined;
  /** The CRM's HTTP status, when there was one. */
  readonly status: number | undefined;

  constructor(
    code: CrmErrorCode,
    message: string,
    options: { retryAfterMs?: number; status?: number; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'CrmError';
    this.code = code;
    this.retryAfterMs = options.retryAfterMs;
    this.status = options.status;
  }
}

/**
 * What a job does with each code:
 * - retry: try again with backoff (a blip);
 * - delay: put the job back until the wait is over, without spending an attempt (a rate limit);
 * - reauth: mark the installation needs_reauth and stop its schedules (no retry storm);
 * - resync: drop the cursor and start a full sync;
 * - pause: stop until the quota window reopens (a daily allowance spent);
 * - fail: a bug or bad data, surfaced and not retried.
 */
export type CrmErrorAction = 'retry' | 'delay' | 'reauth' | 'resync' | 'pause' | 'fail';

const ACTIONS: Record<CrmErrorCode, CrmErrorAction> = {
  RATE_LIMITED: 'delay',
  TEMPORARY: 'retry',
  UNKNOWN: 'retry',
  UNAUTHORIZED: 'reauth',
  MISSING_SCOPE: 'reauth',
  INVALID_CURSOR: 'resync',
  QUOTA_EXHAUSTED: 'pause',
  NOT_FOUND: 'fail',
  VALIDATION: 'fail',
};

export function actionFor(error: CrmError): CrmErrorAction {
  return ACTIONS[error.code];
}

/** Wraps anything thrown inside an adapter so that only CrmErrors leave it. */
export function asCrmError(error: unknown): CrmError {
  if (error instanceof CrmError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new CrmError('UNKNOWN', message, { cause: error });
}
