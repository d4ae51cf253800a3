import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  parseSignatureHeader,
  signPayload,
  SIGNATURE_TOLERANCE_SECONDS,
  verifySignature,
} from '../../../../server/core/notify/signature.ts';

const SECRET = 'bwsec_example';
const BODY = '{"hello":"world"}';
const T = 1_700_000_000;
/** HMAC-SHA256 of `1700000000.{"hello":"world"}` keyed by `bwsec_example`, computed with openssl. */
const KNOWN = '84d922c59a2befe758d52158ac8279998f35c7fcc5acc191aae1b22d8d59f036';

describe('signPayload', () => {
  it('signs "t.body" with HMAC-SHA256 as a receiver following the documentation computes it', async () => {
    expect(await signPayload(SECRET, T, BODY)).toBe(`t=${T},v1=${KNOWN}`);
    const receiver = createHmac('sha256', SECRET).update(`${T}.${BODY}`).digest('hex');
    expect(receiver).toBe(KNOWN);
  });

  it.each([-1, 1.5, Number.NaN])('refuses a timestamp that is not whole unix seconds (%s)', async (t) => {
    await expect(signPayload(SECRET, t, BODY)).rejects.toThrow(/whole unix seconds/);
  });
});

describe('verifySignature', () => {
  const header = `t=${T},v1=${KNOWN}`;
  const cases: {
    name: string;
    input: Partial<Parameters<typeof verifySignature>[0]>;
    expected: { ok: boolean; reason?: string };
  }[] = [
    { name: 'a fresh, untouched request', input: {}, expected: { ok: true } },
    { name: 'at the edge of the window', input: { now: T + SIGNATURE_TOLERANCE_SECONDS }, expected: { ok: true } },
    {
      name: 'one second past the window',
      input: { now: T + SIGNATURE_TOLERANCE_SECONDS + 1 },
      expected: { ok: false, reason: 'stale' },
    },
    { name: 'signed too far in the future', input: { now: T - 301 }, expected: { ok: false, reason: 'stale' } },
    { name: 'a tampered body', input: { body: '{"hello":"World"}' }, expected: { ok: false, reason: 'mismatch' } },
    { name: 'the wrong secret', input: { secret: 'bwsec_other' }, expected: { ok: false, reason: 'mismatch' } },
    {
      name: 'a timestamp changed to look fresh',
      input: { header: `t=${T + 100},v1=${KNOWN}`, now: T + 100 },
      expected: { ok: false, reason: 'mismatch' },
    },
    {
      name: 'an old and a new secret during rotation',
      input: { header: `t=${T},v1=${'0'.repeat(64)},v1=${KNOWN}` },
      expected: { ok: true },
    },
    {
      name: 'unknown schemes beside v1',
      input: { header: `t=${T},v0=abc,v1=${KNOWN}` },
      expected: { ok: true },
    },
    { name: 'no header', input: { header: undefined }, expected: { ok: false, reason: 'missing' } },
    { name: 'no signature', input: { header: `t=${T}` }, expected: { ok: false, reason: 'malformed' } },
    { name: 'no timestamp', input: { header: `v1=${KNOWN}` }, expected: { ok: false, reason: 'malformed' } },
    { name: 'a short signature', input: { header: `t=${T},v1=abcd` }, expected: { ok: false, reason: 'malformed' } },
    {
      name: 'two timestamps',
      input: { header: `t=${T},t=${T},v1=${KNOWN}` },
      expected: { ok: false, reason: 'malformed' },
    },
  ];

  it.each(cases)('$name', async ({ input, expected }) => {
    const result = await verifySignature({ secret: SECRET, header, body: BODY, now: T + 10, ...input });
    expect(result.ok).toBe(expected.ok);
    if (!result.ok) expect(result.reason).toBe(expected.reason);
  });

  it('round-trips whatever it signs, and says why a stale one is refused', async () => {
    const body = JSON.stringify({ text: 'ünïcode ✓', n: 1 });
    const signed = await signPayload('s3cret', 42, body);
    expect(await verifySignature({ secret: 's3cret', header: signed, body, now: 42 })).toEqual({
      ok: true,
      timestamp: 42,
    });
    const stale = await verifySignature({ secret: 's3cret', header: signed, body, now: 42 + 3600 });
    expect(stale).toMatchObject({ ok: false, reason: 'stale', message: expect.stringContaining('3600 s') });
  });
});

describe('parseSignatureHeader', () => {
  it('reads the timestamp and every v1 value, in lower case', () => {
    expect(parseSignatureHeader(` t=12 , v1=${KNOWN.toUpperCase()}`)).toEqual({ timestamp: 12, signatures: [KNOWN] });
    expect(parseSignatureHeader('garbage')).toMatch(/not key=value/);
  });
});
