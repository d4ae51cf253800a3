/**
 * Signing outgoing notifications so a receiver can trust them. Every request carries
 *
 *   Bellwether-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256>
 *
 * where the HMAC key is the channel's secret (shown once, when the channel is created) and the message
 * is the timestamp, a dot and the raw request body: `${t}.${body}`. To verify, a receiver recomputes
 * the HMAC over the body exactly as received, compares it in constant time with each `v1` value, and
 * refuses a timestamp more than five minutes from its own clock (a captured request cannot be replayed
 * later). Web Crypto does the hashing, so this stays free of Node-only imports.
 */

export const SIGNATURE_HEADER = 'Bellwether-Signature';
export const SIGNATURE_TOLERANCE_SECONDS = 300;

const encoder = new TextEncoder();
type HmacKey = Awaited<ReturnType<typeof crypto.subtle.importKey>>;

function hmacKey(secret: string): Promise<HmacKey> {
  return crypto.subtle.importKey('raw', encoder.encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, [
    'sign',
    'verify',
  ]);
}

function signedMessage(timestamp: number, body: string): Uint8Array<ArrayBuffer> {
  return encoder.encode(`${timestamp}.${body}`);
}

const toHex = (bytes: ArrayBuffer) =>
  [...new Uint8Array(bytes)].map((byte) => byte.toString(16).padStart(2, '0')).join('');

/** Only called on 64 checked hex characters. */
function fromHex(hex: string): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(hex.length / 2);
  for (let i = 0; i < bytes.length; i += 1) bytes[i] = Number.parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return bytes;
}

function assertTimestamp(timestamp: number): void {
  if (!Number.isSafeInteger(timestamp) || timestamp < 0) {
    throw new RangeError(`signature timestamp must be whole unix seconds, got ${timestamp}`);
  }
}

/** The header value for a body sent at `timestamp` (unix seconds). */
export async function signPayload(secret: string, timestamp: number, body: string): Promise<string> {
  assertTimestamp(timestamp);
  const mac = await crypto.subtle.sign('HMAC', await hmacKey(secret), signedMessage(timestamp, body));
  return `t=${timestamp},v1=${toHex(mac)}`;
}

export type SignatureCheck =
  | { ok: true; timestamp: number }
  | { ok: false; reason: 'missing' | 'malformed' | 'stale' | 'mismatch'; message: string };

interface ParsedHeader {
  timestamp: number;
  signatures: string[];
}

/** `t=<digits>` once and one or more `v1=<64 hex>`; other schemes are ignored so new ones can be added. */
export function parseSignatureHeader(header: string): ParsedHeader | string {
  let timestamp: number | undefined;
  const signatures: string[] = [];
  for (const part of header.split(',')) {
    const eq = part.indexOf('=');
    if (eq === -1) return `"${part.trim().slice(0, 20)}" is not key=value`;
    const key = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (key === 't') {
      if (timestamp !== undefined) return 't appears more than once';
      if (!/^\d{1,15}$/.test(value)) return 't must be unix seconds';
      timestamp = Number(value);
    } else if (key === 'v1') {
      if (!/^[0-9a-f]{64}$/i.test(value)) return 'v1 must be 64 hex characters';
      signatures.push(value.toLowerCase());
    }
  }
  if (timestamp === undefined) return 'no t= timestamp';
  if (signatures.length === 0) return 'no v1= signature';
  return { timestamp, signatures };
}

/**
 * Whether `header` signs `body` with `secret`, at a time within `toleranceSeconds` of `now` (unix
 * seconds, either side, for clock skew). Several `v1` values are accepted so a sender may sign with an
 * old and a new secret while a receiver switches over.
 */
export async function verifySignature(input: {
  secret: string;
  header: string | undefined;
  body: string;
  now: number;
  toleranceSeconds?: number;
}): Promise<SignatureCheck> {
  if (input.header === undefined || input.header.trim() === '') {
    return { ok: false, reason: 'missing', message: `no ${SIGNATURE_HEADER} header` };
  }
  const parsed = parseSignatureHeader(input.header);
  if (typeof parsed === 'string') {
    return { ok: false, reason: 'malformed', message: `${SIGNATURE_HEADER} header: ${parsed}` };
  }
  const tolerance = input.toleranceSeconds ?? SIGNATURE_TOLERANCE_SECONDS;
  const skew = Math.abs(input.now - parsed.timestamp);
  if (skew > tolerance) {
    return {
      ok: false,
      reason: 'stale',
      message: `signed at ${parsed.timestamp}, ${skew} s from now; more than the ${tolerance} s allowed`,
    };
  }
  const key = await hmacKey(input.secret);
  const message = signedMessage(parsed.timestamp, input.body);
  for (const signature of parsed.signatures) {
    // subtle.verify compares in constant time.
    if (await crypto.subtle.verify('HMAC', key, fromHex(signature), message)) {
      return { ok: true, timestamp: parsed.timestamp };
    }
  }
  return { ok: false, reason: 'mismatch', message: 'no v1 signature matches the body and the secret' };
}
