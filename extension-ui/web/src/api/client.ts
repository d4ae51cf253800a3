import { z } from 'zod';

/**
 * Every call the dashboard makes: same-origin with the session cookie, answers parsed with the API's
 * own contract, errors turned into what a person can act on. A 401 sends the browser to sign in and
 * back to the page it was on.
 */

export interface FieldIssue {
  path: string;
  message: string;
}

export class ApiError extends Error {
  override name = 'ApiError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** 422s name each problem by its path. */
    readonly issues: FieldIssue[] = [],
  ) {
    super(message);
  }
}

const errorBody = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    issues: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  }),
});

export function signInUrl(next: string): string {
  return `/signin?next=${encodeURIComponent(next)}`;
}

export interface ApiOptions {
  fetch?: typeof fetch;
  /** Where a 401 goes; the browser's location by default. */
  onSessionRequired?: () => void;
}

const redirectToSignIn = () => {
  window.location.assign(signInUrl(`${window.location.pathname}${window.location.search}`));
};

async function failure(response: Response): Promise<ApiError> {
  const body = errorBody.safeParse(await response.json().catch(() => null));
  if (body.success) {
    const { code, message, issues } = body.data.error;
    return new ApiError(response.status, code, message, issues ?? []);
  }
  return new ApiError(
    response.status,
    'HTTP_ERROR',
    `The server answered ${response.status} ${response.statusText}`.trim(),
  );
}

function parsed<T>(schema: z.ZodType<T>, json: unknown, path: string): T {
  const result = schema.safeParse(json);
  if (result.success) return result.data;
  const where = result.error.issues
    .slice(0, 3)
    .map((issue) => `${issue.path.join('.') || '(answer)'}: ${issue.message}`)
    .join('; ');
  throw new ApiError(502, 'UNEXPECTED_ANSWER', `${path} answered in an unexpected shape (${where})`);
}

export interface Api {
  get<T>(path: string, schema: z.ZodType<T>): Promise<T>;
  send<T>(method: 'POST' | 'PUT' | 'PATCH' | 'DELETE', path: string, body: unknown, schema: z.ZodType<T>): Promise<T>;
}

export function createApi(options: ApiOptions = {}): Api {
  const fetchImpl = options.fetch ?? ((...args: Parameters<typeof fetch>) => fetch(...args));
  const onSessionRequired = options.onSessionRequired ?? redirectToSignIn;
  const call = async <T>(method: string, path: string, body: unknown, schema: z.ZodType<T>): Promise<T> => {
    let response: Response;
    try {
      response = await fetchImpl(path, {
        method,
        credentials: 'same-origin',
        headers: { accept: 'application/json', ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    } catch {
      throw new ApiError(0, 'NETWORK', 'The server could not be reached. Check the connection and try again.');
    }
    if (response.status === 401) {
      onSessionRequired();
      throw new ApiError(401, 'SESSION_REQUIRED', 'Your session has ended; taking you to sign in.');
    }
    if (!response.ok) throw await failure(response);
    const json: unknown = response.status === 204 ? null : await response.json();
    return parsed(schema, json, path);
  };
  return {
    get: (path, schema) => call('GET', path, undefined, schema),
    send: (method, path, body, schema) => call(method, path, body, schema),
  };
}
