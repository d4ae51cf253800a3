import { createHash, createHmac } from 'node:crypto';
import { safeEqual } from '../../platform/crypto.ts';

/**
 * Verifies that a request (a webhook batch, a card's hubspot.fetch) comes from HubSpot: signature
 * v3 over method, full URL, raw body and timestamp with a 5-minute window, falling back to v1/v2
 * when `X-HubSpot-Signature-Version` says so. Comparisons are constant-time. It never throws:
 * whatever arrives, the answer is a verdict the route turns into 401.
 */

export const MAX_AGE_MS = 5 * 60_000;

export type SignatureVerdict =
  | { ok: true; version: 'v1' | 'v2' | 'v3'; timestamp: number | undefined }
  | { ok: false; reason: 'missing' | 'stale' | 'mismatch' | 'unsupported'; message: string };

export interface SignedRequest {
  method: string;
  /** The full URL as received: protocol, host, path and query string. */
  url: string;
  rawBody: string;
  /** Lower-case header names. */
  headers: Readonly<Record<string, string | string[] | undefined>>;
}

// HubSpot decodes these before hashing the URI; other escapes stay as they are.
const DECODED: Record<string, string> = {
  '%3A': ':',
  '%2F': '/',
  '%3F': '?',
  '%40': '@',
  '%21': '!',
  '%24': '$',
  '%27': "'",
  '%28': '(',
  '%29': ')',
  '%2A': '*',
  '%2C': ',',
  '%3B': ';',
};

export function decodeUriForSignature(url: string): string {
  return url.replace(/%(3A|2F|3F|40|21|24|27|28|29|2A|2C|3B)/gi, (match) => DECODED[match.toUpperCase()] ?? match);
}

function header(headers: SignedRequest['headers'], name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

export function signV3(clientSecret: string, method: string, url: string, rawBody: string, timestamp: string): string {
  return createHmac('sha256', clientSecret)
    .update(`${method.toUpperCase()}${decodeUriForSignature(url)}${rawBody}${timestamp}`, 'utf8')
    .digest('base64');
}

export function signV1(clientSecret: string, rawBody: string): string {
  return createHash('sha256').update(`${clientSecret}${rawBody}`, 'utf8').digest('hex');
}

export function signV2(clientSecret: string, method: string, url: string, rawBody: string): string {
  return createHash('sha256').update(`${clientSecret}${method.toUpperCase()}${url}${rawBody}`, 'utf8').digest('hex');
}

export function verifyHubspotRequest(request: SignedRequest, clientSecret: string, now: number): SignatureVerdict {
  const v3 = header(request.headers, 'x-hubspot-signature-v3');
  if (v3 !== undefined) {
    const stamp = header(request.headers, 'x-hubspot-request-timestamp');
    const timestamp = stamp !== undefined && /^\d{1,16}$/.test(stamp) ? Number(stamp) : Number.NaN;
    if (Number.isNaN(timestamp)) {
      return { ok: false, reason: 'missing', message: 'X-HubSpot-Request-Timestamp is missing or not a number' };
    }
    if (Math.abs(now - timestamp) > MAX_AGE_MS) {
      return { ok: false, reason: 'stale', message: 'the request timestamp is more than 5 minutes away from now' };
    }
    const expected = signV3(clientSecret, request.method, request.url, request.rawBody, stamp as string);
    return safeEqual(expected, v3)
      ? { ok: true, version: 'v3', timestamp }
      : { ok: false, reason: 'mismatch', message: 'X-HubSpot-Signature-v3 does not match' };
  }

  const legacy = header(request.headers, 'x-hubspot-signature');
  if (legacy === undefined) return { ok: false, reason: 'missing', message: 'no HubSpot signature header' };
  const version = header(request.headers, 'x-hubspot-signature-version') ?? 'v1';
  let expected: string;
  if (version === 'v1') expected = signV1(clientSecret, request.rawBody);
  else if (version === 'v2') expected = signV2(clientSecret, request.method, request.url, request.rawBody);
  else
    return { ok: false, reason: 'unsupported', message: `signature version ${version.slice(0, 10)} is not supported` };
  return safeEqual(expected, legacy.toLowerCase())
    ? { ok: true, version, timestamp: undefined }
    : { ok: false, reason: 'mismatch', message: `X-HubSpot-Signature (${version}) does not match` };
}
