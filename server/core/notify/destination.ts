/**
 * Where a channel may send: HTTPS to a public host only, so a channel cannot be aimed at the app's own
 * network (cloud metadata, databases, admin ports). Development and tests may also allow plain HTTP to
 * this machine. Hosts are judged as written; the URL parser has already normalised odd IPv4 forms
 * such as `2130706433` or `0x7f.1` to dotted quads.
 */

export interface DestinationOptions {
  /** Development and tests: also allow http(s)://127.0.0.1, ::1 and localhost. */
  allowLoopbackHttp: boolean;
}

export type DestinationCheck = { ok: true; url: URL } | { ok: false; message: string };

const LOOPBACK_NAMES = new Set(['localhost', '127.0.0.1', '[::1]']);

function ipv4Parts(host: string): number[] | undefined {
  const match = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(host);
  return match ? match.slice(1).map(Number) : undefined;
}

/** Loopback, private, link-local, carrier-grade NAT, "this network" and multicast/reserved ranges. */
function isNonPublicIpv4([a, b]: number[]): boolean {
  if (a === undefined || b === undefined) return false;
  return (
    a === 0 ||
    a === 10 ||
    a === 127 ||
    (a === 100 && b >= 64 && b <= 127) ||
    (a === 169 && b === 254) ||
    (a === 172 && b >= 16 && b <= 31) ||
    (a === 192 && b === 168) ||
    a >= 224
  );
}

function isNonPublicIpv6(bracketed: string): boolean {
  const host = bracketed.slice(1, -1).toLowerCase();
  if (host === '::' || host === '::1') return true;
  // IPv4-mapped addresses (the URL parser writes them as ::ffff:7f00:1).
  if (host.startsWith('::ffff:')) return true;
  const first = Number.parseInt(host.split(':')[0] || '0', 16);
  // fc00::/7 unique local, fe80::/10 link-local, ff00::/8 multicast.
  return (first & 0xfe00) === 0xfc00 || (first & 0xffc0) === 0xfe80 || (first & 0xff00) === 0xff00;
}

function isNonPublicHost(host: string): boolean {
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  if (host.startsWith('[')) return isNonPublicIpv6(host);
  const parts = ipv4Parts(host);
  return parts !== undefined && isNonPublicIpv4(parts);
}

export function checkDestination(raw: string, options: DestinationOptions): DestinationCheck {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { ok: false, message: 'the webhook URL is not a valid absolute URL' };
  }
  if (url.username !== '' || url.password !== '') {
    return { ok: false, message: 'the webhook URL must not carry a user name or password' };
  }
  const loopbackAllowed = options.allowLoopbackHttp && LOOPBACK_NAMES.has(url.hostname);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopbackAllowed)) {
    return { ok: false, message: `the webhook URL must use https (got ${url.protocol.replace(':', '')})` };
  }
  if (isNonPublicHost(url.hostname) && !loopbackAllowed) {
    return { ok: false, message: `the webhook URL points at a private or local address (${url.hostname})` };
  }
  return { ok: true, url };
}
