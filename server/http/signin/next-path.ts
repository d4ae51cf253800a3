/**
 * Where a sign-in may land: a path on this server, never another origin (`//evil.example`,
 * `/\evil.example` and absolute URLs are refused), so the sign-in link cannot be used to bounce
 * someone to a look-alike site.
 */

export const DEFAULT_LANDING = '/app/';

export function safeNextPath(raw: unknown, origin: string): string {
  if (typeof raw !== 'string' || raw.length === 0 || raw.length > 512) return DEFAULT_LANDING;
  if (!raw.startsWith('/') || raw.startsWith('//') || raw.startsWith('/\\')) return DEFAULT_LANDING;
  // Control characters (a tab or newline inside "//") are how parsers get tricked into another host.
  if ([...raw].some((char) => char.charCodeAt(0) < 0x20 || char.charCodeAt(0) === 0x7f || char === '\\')) {
    return DEFAULT_LANDING;
  }
  let target: URL;
  try {
    target = new URL(raw, origin);
  } catch {
    return DEFAULT_LANDING;
  }
  if (target.origin !== new URL(origin).origin) return DEFAULT_LANDING;
  return `${target.pathname}${target.search}${target.hash}`;
}
