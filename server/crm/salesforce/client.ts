import jsforce from 'jsforce';
import type { z } from 'zod';
import { CrmError } from '../errors.ts';
import type { ApiUsage, CrmConnection } from '../types.ts';
import { toCrmError } from './error-mapping.ts';
import { parseLimitInfo } from './limit-info.ts';

/**
 * One adapter operation's link to an org: a jsforce Connection that never retries (the job layer owns
 * retries and delays), never refreshes (the caller's token service does), counts every HTTP call and
 * keeps the last `Sforce-Limit-Info`. Every answer is parsed with zod; every failure is a CrmError.
 */

export const API_VERSION = '66.0';
export const CALL_OPTIONS_CLIENT = 'Bellwether';

/**
 * jsforce 3.10.16 retries 420/429/5xx and socket errors up to five times with backoff, and 420 twice
 * whatever the settings, but only for the methods listed; an empty list turns every retry off.
 */
const NO_RETRY = { maxRetries: 0, statusCodes: [], errorCodes: [], methods: [] };

type HttpMethod = 'GET' | 'POST' | 'PATCH' | 'DELETE';

interface RawResponse {
  statusCode: number;
  headers: Record<string, string>;
}

interface JsforceTransport {
  httpRequest(request: unknown, options?: object): PromiseLike<RawResponse | undefined>;
}

export class SalesforceSession {
  /** HTTP calls sent through this session. */
  calls = 0;
  apiUsage: ApiUsage | undefined;

  private constructor(
    private readonly connection: jsforce.Connection,
    private readonly conn: CrmConnection,
  ) {}

  static async open(conn: CrmConnection): Promise<SalesforceSession> {
    if (!conn.baseUrl) throw new CrmError('VALIDATION', 'a Salesforce connection needs its instance URL');
    let accessToken: string;
    try {
      accessToken = await conn.accessToken();
    } catch (error) {
      throw error instanceof CrmError ? error : new CrmError('UNAUTHORIZED', 'no access token', { cause: error });
    }
    // No refresh token and no oauth2 settings: jsforce cannot refresh, so a 401 surfaces at once. The
    // call options name the app in change events, so its own writes can be told apart (reference §1.8).
    return new SalesforceSession(
      new jsforce.Connection({
        instanceUrl: conn.baseUrl,
        accessToken,
        version: API_VERSION,
        callOptions: { client: CALL_OPTIONS_CLIENT },
      }),
      conn,
    );
  }

  /** One REST call relative to `/services/data/vNN.N`, its answer parsed with `schema`. */
  async send<S extends z.ZodType>(schema: S, method: HttpMethod, path: string, body?: unknown): Promise<z.infer<S>> {
    let last: RawResponse | undefined;
    const inner = this.connection._transport as unknown as JsforceTransport;
    const transport: JsforceTransport = {
      httpRequest: (request, options = {}) => {
        this.calls++;
        const pending = inner.httpRequest(request, { ...options, retry: NO_RETRY });
        // Only observes the answer; jsforce reads it from `pending` as before.
        pending.then(
          (response) => {
            last = response;
            const usage = parseLimitInfo(response?.headers['sforce-limit-info']);
            if (usage) this.apiUsage = usage;
          },
          () => undefined,
        );
        return pending;
      },
    };
    const request = {
      method,
      url: path,
      ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
    };
    // One send is one HTTP request (no retries, no refresh): the gate is taken here, before jsforce
    // builds its request, because jsforce reads the transport's answer synchronously as a stream.
    await this.conn.beforeCall?.('standard');
    let answer: unknown;
    try {
      answer = await this.connection.request(request, { transport });
    } catch (error) {
      throw failureOf(error, last);
    }
    const parsed = schema.safeParse(answer);
    if (!parsed.success) {
      throw new CrmError(
        'UNKNOWN',
        `unexpected Salesforce answer to ${method} ${path.split('?')[0]}: ${parsed.error.message}`,
      );
    }
    return parsed.data;
  }
}

function failureOf(error: unknown, response: RawResponse | undefined): CrmError {
  if (error instanceof CrmError) return error;
  const fields = (error ?? {}) as { errorCode?: unknown; message?: unknown; name?: unknown };
  const message = typeof fields.message === 'string' ? fields.message : String(error);
  if (!response) return toCrmError({ status: undefined, errorCode: undefined, message, cause: error });
  return toCrmError({
    status: response.statusCode,
    errorCode: typeof fields.errorCode === 'string' ? fields.errorCode : undefined,
    message,
    retryAfter: response.headers['retry-after'],
    cause: error,
  });
}
