import { Client } from '@hubspot/api-client';
import type { z } from 'zod';
import type { CrmConnection } from '../types.ts';
import { CrmError } from '../errors.ts';
import { hubspotError, networkError } from './errors.ts';

/** Counts the HTTP requests one adapter operation spends (each try is one call). */
export class CallMeter {
  calls = 0;
}

export interface HubspotRequest {
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  path: string;
  qs?: Record<string, string>;
  body?: unknown;
  /** Words for error messages, e.g. "search contacts". */
  what: string;
}

export interface HubspotAnswer {
  status: number;
  body: unknown;
}

/**
 * One HubSpot request through `@hubspot/api-client` with the SDK's retries off: the job layer owns
 * retries and rate limits. The SDK's decorators are process-global and applied when a request is
 * sent, so a fresh client is built and used in the same tick; that makes its own settings (no
 * retry, no limiter) the ones in force. Non-2xx answers become CrmErrors; 409 is handed back when
 * the caller says it expects one (an idempotent create).
 */
export async function hubspotRequest(
  conn: CrmConnection,
  meter: CallMeter,
  request: HubspotRequest,
  accept: readonly number[] = [],
): Promise<HubspotAnswer> {
  const accessToken = await conn.accessToken();
  await conn.beforeCall?.(request.method === 'POST' && request.path.endsWith('/search') ? 'search' : 'standard');
  const client = new Client({
    accessToken,
    numberOfApiCallRetries: 0,
    ...(conn.baseUrl === undefined ? {} : { basePath: conn.baseUrl }),
  });
  meter.calls++;
  let response: Awaited<ReturnType<Client['apiRequest']>>;
  try {
    response = await client.apiRequest({
      method: request.method,
      path: request.path,
      ...(request.qs === undefined ? {} : { qs: request.qs }),
      ...(request.body === undefined ? {} : { body: request.body }),
    });
  } catch (error) {
    throw networkError(error, request.what);
  }
  const text = await response.text().catch((error: unknown) => {
    throw networkError(error, request.what);
  });
  let body: unknown = null;
  if (text.length > 0) {
    try {
      body = JSON.parse(text);
    } catch {
      // An HTML error page from a proxy: the status alone decides.
      body = null;
    }
  }
  if ((response.status >= 200 && response.status < 300) || accept.includes(response.status)) {
    return { status: response.status, body };
  }
  throw hubspotError(response.status, body, (name) => response.headers.get(name), request.what);
}

/** Parses a CRM answer that drives logic; a shape we cannot read is a (retryable) surprise, not a crash. */
export function parseAnswer<T>(schema: z.ZodType<T>, body: unknown, what: string): T {
  const parsed = schema.safeParse(body);
  if (!parsed.success) throw new CrmError('UNKNOWN', `${what}: unexpected answer: ${parsed.error.message}`);
  return parsed.data;
}
