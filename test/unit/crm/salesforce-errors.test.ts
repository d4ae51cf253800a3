import { describe, expect, it } from 'vitest';
import { parseRetryAfter, rowError, toCrmError } from '../../../server/crm/salesforce/error-mapping.ts';
import { parseLimitInfo } from '../../../server/crm/salesforce/limit-info.ts';

const NOW = Date.parse('2026-03-02T09:00:00Z');
const code = (status: number | undefined, errorCode: string | undefined, message = 'm', retryAfter?: string) =>
  toCrmError({ status, errorCode, message, retryAfter }, NOW);

describe('Salesforce errors → CrmError codes', () => {
  it('tells the daily allowance from the concurrent-request limit', () => {
    const daily = code(403, 'REQUEST_LIMIT_EXCEEDED', 'TotalRequests Limit exceeded.');
    expect(daily).toMatchObject({ code: 'QUOTA_EXHAUSTED', status: 403, retryAfterMs: 3_600_000 });
    const concurrent = code(403, 'REQUEST_LIMIT_EXCEEDED', 'ConcurrentPerOrgLongTxn Limit exceeded.');
    expect(concurrent).toMatchObject({ code: 'RATE_LIMITED', retryAfterMs: 20_000 });
    expect(code(403, 'REQUEST_LIMIT_EXCEEDED', 'ConcurrentPerOrgLongTxn', '7')).toMatchObject({ retryAfterMs: 7_000 });
  });

  it('maps sessions, access, validation, absence and outages', () => {
    expect(code(401, 'INVALID_SESSION_ID').code).toBe('UNAUTHORIZED');
    expect(code(403, 'INSUFFICIENT_ACCESS').code).toBe('MISSING_SCOPE');
    expect(code(400, 'MALFORMED_QUERY').code).toBe('VALIDATION');
    expect(code(400, 'INVALID_FIELD').code).toBe('VALIDATION');
    expect(code(404, 'NOT_FOUND').code).toBe('NOT_FOUND');
    expect(code(503, 'SERVER_UNAVAILABLE').code).toBe('TEMPORARY');
    expect(code(500, 'UNKNOWN_EXCEPTION').code).toBe('TEMPORARY');
    expect(code(400, 'QUERY_TIMEOUT').code).toBe('TEMPORARY');
    expect(code(undefined, undefined, 'ECONNREFUSED').code).toBe('TEMPORARY');
    expect(code(429, undefined)).toMatchObject({ code: 'RATE_LIMITED', retryAfterMs: 10_000 });
    expect(code(418, 'TEAPOT').code).toBe('UNKNOWN');
  });

  it('maps the rows of a collection answer by their own code', () => {
    expect(rowError('UNABLE_TO_LOCK_ROW', 'locked').code).toBe('TEMPORARY');
    expect(rowError('ENTITY_IS_DELETED', 'gone').code).toBe('NOT_FOUND');
    expect(rowError('INVALID_FIELD', 'no such column').code).toBe('VALIDATION');
  });

  it('reads Retry-After as seconds or a date, and Sforce-Limit-Info', () => {
    expect(parseRetryAfter('2', NOW)).toBe(2_000);
    expect(parseRetryAfter(new Date(NOW + 5_000).toUTCString(), NOW)).toBe(5_000);
    expect(parseRetryAfter('soon', NOW)).toBeUndefined();
    expect(parseLimitInfo('api-usage=18/5000')).toEqual({ used: 18, limit: 5000 });
    expect(parseLimitInfo('per-app-api-usage=1/2(appName=x), api-usage=7/15000')).toEqual({ used: 7, limit: 15000 });
    expect(parseLimitInfo(undefined)).toBeUndefined();
  });
});
