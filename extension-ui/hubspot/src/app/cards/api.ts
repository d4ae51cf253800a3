import { hubspot } from '@hubspot/ui-extensions';
import type { AccountCard } from '@bellwether/card-view';

/**
 * The card's calls to the Bellwether API, all through `hubspot.fetch`: HubSpot's proxy signs each
 * one (signature v3) and the server trusts only the portal, record and user in the signed query.
 * The origin must be in app-hsmeta.json `permittedUrls.fetch` (`npm run manifest:check` compares).
 */
export const API_ORIGIN = 'https://bellwether.app';

export class CardApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'CardApiError';
  }
}

/** The ids the signed query carries; nothing else of the context leaves the card. */
export interface CardIds {
  portal: { id: number };
  crm: { objectId: number };
  user: { id: number };
}

export function cardUrl(path: '' | '/override' | '/rescore' | '/qbr', context: CardIds): string {
  const url = new URL(`/api/cards/account${path}`, API_ORIGIN);
  url.searchParams.set('portalId', String(context.portal.id));
  url.searchParams.set('objectId', String(context.crm.objectId));
  url.searchParams.set('userId', String(context.user.id));
  return url.toString();
}

async function problem(response: Response): Promise<CardApiError> {
  let message = `Bellwether answered ${response.status}`;
  try {
    const body = (await response.json()) as { error?: { message?: unknown }; message?: unknown };
    const said = body.error?.message ?? body.message;
    if (typeof said === 'string' && said.length > 0) message = said;
  } catch {
    // No JSON body: the status says enough.
  }
  return new CardApiError(response.status, message);
}

async function cardFrom(response: Response): Promise<AccountCard> {
  if (!response.ok) throw await problem(response);
  return (await response.json()) as AccountCard;
}

export interface OverrideRequest {
  band: 'red' | 'yellow' | 'green';
  reason: string;
  expiresAt: string;
}

export const cardApi = {
  load: async (context: CardIds) => cardFrom(await hubspot.fetch(cardUrl('', context), { method: 'GET' })),
  setOverride: async (context: CardIds, request: OverrideRequest) =>
    cardFrom(await hubspot.fetch(cardUrl('/override', context), { method: 'PUT', body: { ...request } })),
  clearOverride: async (context: CardIds) =>
    cardFrom(await hubspot.fetch(cardUrl('/override', context), { method: 'DELETE' })),
  rescore: async (context: CardIds): Promise<void> => {
    const response = await hubspot.fetch(cardUrl('/rescore', context), { method: 'POST' });
    if (!response.ok) throw await problem(response);
  },
  /** Asks for a QBR brief from the latest data; it appears on the card when written. */
  prepareBrief: async (context: CardIds): Promise<void> => {
    const response = await hubspot.fetch(cardUrl('/qbr', context), { method: 'POST' });
    if (!response.ok) throw await problem(response);
  },
};
