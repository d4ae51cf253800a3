import { z } from 'zod';
import type { buildCardView } from '@bellwether/card-view';
import type { CanvasContext } from './context.ts';

/**
 * The Canvas card's calls: every one carries the session as a bearer token (the frame is cross-site,
 * so there are no cookies) and answers either the card or `{ error: { code, message } }`.
 */

export type AccountCard = Parameters<typeof buildCardView>[0];

export interface OverrideRequest {
  band?: 'red' | 'yellow' | 'green';
  score?: number;
  reason: string;
  expiresAt: string;
}

const errorBodySchema = z.object({ error: z.object({ code: z.string(), message: z.string() }) });

// The card is checked for the fields the layout cannot do without; the server validates the rest.
const cardShapeSchema = z.looseObject({
  account: z.looseObject({ id: z.string() }),
  status: z.enum(['scored', 'insufficient_data', 'not_scored']),
  history: z.array(z.unknown()),
  drivers: z.array(z.unknown()),
  groups: z.array(z.unknown()),
  measures: z.array(z.unknown()),
  alerts: z.array(z.unknown()),
  renewal: z.looseObject({}),
  freshness: z.looseObject({}),
  stage: z.looseObject({ label: z.string() }).nullable(),
  plan: z.looseObject({ objectives: z.array(z.unknown()) }).nullable(),
});

export class CardApiError extends Error {
  override name = 'CardApiError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** From Retry-After on a 429. */
    readonly retryAfterSeconds: number | null = null,
  ) {
    super(message);
  }
}

async function failure(response: Response): Promise<CardApiError> {
  const retryAfter = Number(response.headers.get('retry-after'));
  const retry = Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : null;
  const body = errorBodySchema.safeParse(await response.json().catch(() => null));
  return body.success
    ? new CardApiError(response.status, body.data.error.code, body.data.error.message, retry)
    : new CardApiError(response.status, 'HTTP_ERROR', `The card service answered ${response.status}.`, retry);
}

function asCard(json: unknown): AccountCard {
  const parsed = cardShapeSchema.safeParse(json);
  if (!parsed.success) {
    const where = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ');
    throw new CardApiError(502, 'INVALID_CARD', `The card service answered an unexpected card (${where}).`);
  }
  return json as AccountCard;
}

export interface CardClient {
  load(): Promise<AccountCard>;
  setOverride(request: OverrideRequest): Promise<AccountCard>;
  clearOverride(): Promise<AccountCard>;
  rescore(): Promise<void>;
  prepareBrief(): Promise<void>;
}

export function cardClient(context: CanvasContext, fetchImpl: typeof fetch = (...args) => fetch(...args)): CardClient {
  const call = async (method: string, path: string, body?: unknown): Promise<unknown> => {
    const response = await fetchImpl(`${context.apiBase}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${context.session}`,
        accept: 'application/json',
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    if (!response.ok) throw await failure(response);
    return response.status === 204 ? null : response.json();
  };
  return {
    load: async () => asCard(await call('GET', '/card')),
    setOverride: async (request) => asCard(await call('PUT', '/card/override', request)),
    clearOverride: async () => asCard(await call('DELETE', '/card/override')),
    rescore: async () => {
      await call('POST', '/card/rescore');
    },
    prepareBrief: async () => {
      await call('POST', '/card/qbr');
    },
  };
}

/** What a person reads when an action is refused. */
export function describeFailure(error: unknown): string {
  if (!(error instanceof CardApiError)) return 'The card service could not be reached. Try again in a moment.';
  if (error.status === 429) {
    const wait = error.retryAfterSeconds;
    return wait === null
      ? 'A rescore was requested a moment ago. Try again shortly.'
      : `A rescore was requested a moment ago. Try again in ${wait} s.`;
  }
  if (error.status === 401) return 'Your Salesforce session for this card has ended. Reload the page.';
  return error.message;
}
