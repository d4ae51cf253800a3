import { z } from 'zod';
import type { HubspotOAuthConfig } from '../../crm/hubspot/oauth.ts';
import { CrmError } from '../../crm/errors.ts';

/**
 * The HubSpot user an access token was issued to, from the token's metadata: the code exchange names
 * the portal, and sign-in also needs the person.
 */

const TIMEOUT_MS = 15_000;

const tokenHolder = z.object({
  hub_id: z.union([z.number().int(), z.string().regex(/^\d+$/)]).transform(String),
  user: z.string().optional(),
  user_id: z
    .union([z.number().int(), z.string().min(1)])
    .transform(String)
    .optional(),
});

export interface HubspotUser {
  portalId: string;
  userId: string;
  email: string | null;
}

export async function hubspotTokenUser(config: HubspotOAuthConfig, accessToken: string): Promise<HubspotUser> {
  const target = `${config.apiBase.replace(/\/$/, '')}/oauth/v1/access-tokens/${encodeURIComponent(accessToken)}`;
  let response: Response;
  try {
    response = await fetch(target, {
      headers: { accept: 'application/json' },
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
  } catch (error) {
    throw new CrmError('TEMPORARY', `HubSpot token metadata: no answer (${(error as Error).message})`, {
      cause: error,
    });
  }
  if (response.status !== 200) {
    throw new CrmError(
      response.status >= 500 ? 'TEMPORARY' : 'UNKNOWN',
      `HubSpot token metadata failed with HTTP ${response.status}`,
    );
  }
  const parsed = tokenHolder.safeParse(await response.json().catch(() => undefined));
  if (!parsed.success) throw new CrmError('UNKNOWN', 'HubSpot token metadata answered an unexpected body');
  const { hub_id: portalId, user, user_id: userId } = parsed.data;
  // A token always belongs to a user; the email stands in for the id on answers that omit it.
  const id = userId ?? user;
  if (id === undefined) throw new CrmError('UNKNOWN', 'HubSpot token metadata names no user');
  return { portalId, userId: id, email: user ?? null };
}
