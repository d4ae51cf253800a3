import { describe, expect, it } from 'vitest';
import { compareKeys, decodeCursor, encodeCursor, isAfterCursor, type SyncCursor } from '../../../server/crm/cursor.ts';
import { CrmError } from '../../../server/crm/errors.ts';

const cursor: SyncCursor = {
  v: 1,
  modifiedAt: 1_700_000_000_000,
  id: '1042',
  phase: 'incremental',
  until: 1_700_000_300_000,
};

describe('sync cursor', () => {
  it('round-trips through its opaque form', () => {
    const encoded = encodeCursor(cursor);
    expect(encoded).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCursor(encoded)).toEqual(cursor);
  });

  it.each([
    ['not base64 JSON', '%%%'],
    ['JSON of the wrong shape', Buffer.from('{"v":1}').toString('base64url')],
    ['a future version', Buffer.from(JSON.stringify({ ...cursor, v: 2 })).toString('base64url')],
    ['a negative instant', Buffer.from(JSON.stringify({ ...cursor, modifiedAt: -1 })).toString('base64url')],
    ['an unknown key', Buffer.from(JSON.stringify({ ...cursor, offset: 10 })).toString('base64url')],
  ])('turns %s into INVALID_CURSOR', (_name, encoded) => {
    try {
      decodeCursor(encoded);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(CrmError);
      expect((error as CrmError).code).toBe('INVALID_CURSOR');
    }
  });

  it.each([
    [{ modifiedAt: 1, id: '9' }, { modifiedAt: 2, id: '1' }, -1],
    [{ modifiedAt: 2, id: '9' }, { modifiedAt: 2, id: '10' }, -1],
    [{ modifiedAt: 2, id: '10' }, { modifiedAt: 2, id: '9' }, 1],
    [{ modifiedAt: 2, id: '0015g00000AbCdE' }, { modifiedAt: 2, id: '0015g00000AbCdF' }, -1],
    [{ modifiedAt: 2, id: '77' }, { modifiedAt: 2, id: '77' }, 0],
  ])('orders %o before/after %o as %i (time, then id; numeric ids by value)', (a, b, sign) => {
    expect(Math.sign(compareKeys(a, b))).toBe(sign);
  });

  it('reads only what is past the cursor at the same instant', () => {
    expect(isAfterCursor({ modifiedAt: cursor.modifiedAt, id: '1042' }, cursor)).toBe(false);
    expect(isAfterCursor({ modifiedAt: cursor.modifiedAt, id: '1043' }, cursor)).toBe(true);
    expect(isAfterCursor({ modifiedAt: cursor.modifiedAt, id: '999' }, cursor)).toBe(false);
    expect(isAfterCursor({ modifiedAt: cursor.modifiedAt + 1, id: '1' }, cursor)).toBe(true);
  });
});
