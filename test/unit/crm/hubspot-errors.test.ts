import { describe, expect, it } from 'vitest';
import { hubspotError, networkError } from '../../../server/crm/hubspot/errors.ts';

const noHeaders = () => null;
const headers = (values: Record<string, string>) => (name: string) => values[name.toLowerCase()] ?? null;

describe('HubSpot error answers → CrmError codes', () => {
  it('maps the rate-limit policies: rolling window, search second, daily allowance', () => {
    const tenSecondly = {
      policyName: 'TEN_SECONDLY_ROLLING',
      message: 'You have reached your ten_secondly_rolling limit.',
    };
    expect(hubspotError(429, tenSecondly, noHeaders, 'list')).toMatchObject({
      code: 'RATE_LIMITED',
      retryAfterMs: 10_000,
    });
    expect(
      hubspotError(429, tenSecondly, headers({ 'x-hubspot-ratelimit-interval-milliseconds': '2000' }), 'list'),
    ).toMatchObject({ retryAfterMs: 2_000 });
    expect(hubspotError(429, tenSecondly, headers({ 'retry-after': '3' }), 'list')).toMatchObject({
      retryAfterMs: 3_000,
    });
    // The search 429 may carry only its message.
    expect(hubspotError(429, { message: 'You have reached your secondly limit.' }, noHeaders, 'search')).toMatchObject({
      code: 'RATE_LIMITED',
      retryAfterMs: 1_000,
    });
    expect(hubspotError(429, { policyName: 'DAILY' }, noHeaders, 'list')).toMatchObject({ code: 'QUOTA_EXHAUSTED' });
  });

  it('maps auth, scope, not-found, validation and server errors', () => {
    expect(hubspotError(401, { category: 'EXPIRED_AUTHENTICATION' }, noHeaders, 'x').code).toBe('UNAUTHORIZED');
    expect(hubspotError(403, { category: 'MISSING_SCOPES' }, noHeaders, 'x').code).toBe('MISSING_SCOPE');
    expect(hubspotError(403, { category: 'FORBIDDEN' }, noHeaders, 'x').code).toBe('UNAUTHORIZED');
    expect(hubspotError(404, null, noHeaders, 'x').code).toBe('NOT_FOUND');
    expect(hubspotError(400, { category: 'VALIDATION_ERROR' }, noHeaders, 'x').code).toBe('VALIDATION');
    expect(hubspotError(502, '<html>bad gateway</html>', noHeaders, 'x')).toMatchObject({
      code: 'TEMPORARY',
      status: 502,
    });
    expect(hubspotError(418, {}, noHeaders, 'x').code).toBe('UNKNOWN');
    expect(networkError(new Error('ECONNRESET'), 'x').code).toBe('TEMPORARY');
  });

  it('keeps the operation and the CRM message in the error text', () => {
    expect(hubspotError(400, { message: 'Property "x" does not exist' }, noHeaders, 'search companies').message).toBe(
      'search companies: Property "x" does not exist',
    );
  });
});
