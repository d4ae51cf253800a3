import { describe, expect, it } from 'vitest';
import { actionFor, asCrmError, CRM_ERROR_CODES, CrmError, type CrmErrorAction } from '../../../server/crm/errors.ts';

describe('CrmError actions', () => {
  it.each<[CrmError['code'], CrmErrorAction]>([
    ['RATE_LIMITED', 'delay'],
    ['TEMPORARY', 'retry'],
    ['UNKNOWN', 'retry'],
    ['UNAUTHORIZED', 'reauth'],
    ['MISSING_SCOPE', 'reauth'],
    ['INVALID_CURSOR', 'resync'],
    ['QUOTA_EXHAUSTED', 'pause'],
    ['NOT_FOUND', 'fail'],
    ['VALIDATION', 'fail'],
  ])('%s → %s', (code, action) => {
    expect(actionFor(new CrmError(code, 'x'))).toBe(action);
  });

  it('gives every code an action', () => {
    for (const code of CRM_ERROR_CODES) expect(actionFor(new CrmError(code, 'x'))).toBeTruthy();
  });

  it('keeps the wait and status a CRM gave', () => {
    const error = new CrmError('RATE_LIMITED', 'ten-secondly limit', { retryAfterMs: 1_500, status: 429 });
    expect(error).toMatchObject({ code: 'RATE_LIMITED', retryAfterMs: 1_500, status: 429, name: 'CrmError' });
  });

  it('wraps anything else as UNKNOWN, keeping the cause', () => {
    const cause = new TypeError('socket hang up');
    const wrapped = asCrmError(cause);
    expect(wrapped).toMatchObject({ code: 'UNKNOWN', message: 'socket hang up', cause });
    const same = new CrmError('NOT_FOUND', 'gone');
    expect(asCrmError(same)).toBe(same);
  });
});
