import type { ApiUsage } from '../types.ts';

/**
 * `Sforce-Limit-Info: api-usage=18/5000` (reference §1.7): calls used in the rolling 24 h and the org's
 * allowance. The org-wide `api-usage`, not a `per-app-api-usage` that may come with it.
 */
export function parseLimitInfo(header: string | undefined): ApiUsage | undefined {
  const match = header === undefined ? null : /(?:^|[\s,;])api-usage=(\d+)\/(\d+)/.exec(header);
  if (!match) return undefined;
  return { used: Number(match[1]), limit: Number(match[2]) };
}
