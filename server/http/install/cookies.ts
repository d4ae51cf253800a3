import { parseCookie } from 'cookie';
import type { Request, Response } from 'express';
import { z } from 'zod';
import { safeEqual, type Sealer } from '../../platform/crypto.ts';

/**
 * The install flow's two cookies, both sealed (AES-GCM, bound to their purpose) so the browser can
 * hold them but neither read nor forge them:
 * - the OAuth flow cookie binds `state` (and the PKCE verifier) to the browser that started the
 *   install; one per CRM, sent only to the callbacks, spent on first use, ten minutes;
 * - the session cookie lets that browser see and disconnect its workspace's installations and open
 *   their dashboards, 12 hours; a sign-in through the CRM also names the user in it.
 */

export const FLOW_TTL_MS = 10 * 60_000;
export const SESSION_TTL_MS = 12 * 3600_000;
const FLOW_PATH = '/oauth/';
export const SESSION_COOKIE = 'bw_session';

export type InstallProvider = 'hubspot' | 'salesforce';

const flowSchema = z.strictObject({
  provider: z.enum(['hubspot', 'salesforce']),
  /** Connecting the CRM (the default), or signing in with it to an installation that exists. */
  purpose: z.enum(['install', 'signin']).optional(),
  /** Where a sign-in lands afterwards (a same-origin path, checked again when used). */
  next: z.string().max(512).optional(),
  state: z.string().min(16),
  codeVerifier: z.string().min(43).max(128).optional(),
  loginDomain: z.enum(['production', 'sandbox']).optional(),
  expiresAt: z.number().int(),
});
export type OAuthFlow = z.infer<typeof flowSchema>;

/** The CRM user a sign-in identified; a session opened by installing names none. */
const sessionUserSchema = z.strictObject({
  provider: z.enum(['hubspot', 'salesforce']),
  /** Portal or org id. */
  externalId: z.string().min(1).max(64),
  userId: z.string().min(1).max(255),
  name: z.string().max(255).nullable(),
  email: z.string().max(320).nullable(),
});
export type SessionUser = z.infer<typeof sessionUserSchema>;

const sessionSchema = z.strictObject({
  workspaceId: z.uuid(),
  installationId: z.uuid(),
  user: sessionUserSchema.optional(),
  expiresAt: z.number().int(),
});
export type Session = z.infer<typeof sessionSchema>;

export interface CookieOptions {
  sealer: Sealer;
  /** Secure cookies when the app is served over HTTPS. */
  secure: boolean;
  now: () => number;
}

const flowCookie = (provider: InstallProvider) => `bw_oauth_${provider}`;

function readCookie(req: Request, name: string): string | undefined {
  const header = req.headers.cookie;
  return header ? parseCookie(header)[name] : undefined;
}

/** Opens a sealed cookie; anything tampered, foreign or malformed reads as absent. */
function open<T>(sealer: Sealer, value: string | undefined, purpose: string, schema: z.ZodType<T>): T | undefined {
  if (value === undefined) return undefined;
  try {
    const parsed = schema.safeParse(JSON.parse(sealer.open(value, purpose)));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

export function setFlowCookie(res: Response, options: CookieOptions, flow: OAuthFlow): void {
  res.cookie(flowCookie(flow.provider), options.sealer.seal(JSON.stringify(flow), `oauth-flow|${flow.provider}`), {
    httpOnly: true,
    // Lax: the CRM's redirect back to the callback is a top-level GET, which Lax cookies accompany.
    sameSite: 'lax',
    secure: options.secure,
    path: FLOW_PATH,
    maxAge: FLOW_TTL_MS,
  });
}

export type FlowCheck = { ok: true; flow: OAuthFlow } | { ok: false; reason: 'missing' | 'expired' | 'mismatch' };

/** Checks the callback's `state` against this browser's flow cookie, and spends the cookie. */
export function takeFlow(
  req: Request,
  res: Response,
  options: CookieOptions,
  provider: InstallProvider,
  state: string | undefined,
): FlowCheck {
  const name = flowCookie(provider);
  const raw = readCookie(req, name);
  res.clearCookie(name, { httpOnly: true, sameSite: 'lax', secure: options.secure, path: FLOW_PATH });
  const flow = open(options.sealer, raw, `oauth-flow|${provider}`, flowSchema);
  if (!flow || flow.provider !== provider) return { ok: false, reason: 'missing' };
  if (flow.expiresAt <= options.now()) return { ok: false, reason: 'expired' };
  if (state === undefined || !safeEqual(state, flow.state)) return { ok: false, reason: 'mismatch' };
  return { ok: true, flow };
}

/** The sealed value of a session cookie (also how tests act as another workspace's browser). */
export function sessionCookieValue(
  options: Pick<CookieOptions, 'sealer' | 'now'>,
  session: Omit<Session, 'expiresAt'>,
): string {
  const value: Session = { ...session, expiresAt: options.now() + SESSION_TTL_MS };
  return options.sealer.seal(JSON.stringify(value), 'session');
}

export function setSessionCookie(res: Response, options: CookieOptions, session: Omit<Session, 'expiresAt'>): void {
  res.cookie(SESSION_COOKIE, sessionCookieValue(options, session), {
    httpOnly: true,
    sameSite: 'lax',
    secure: options.secure,
    path: '/',
    maxAge: SESSION_TTL_MS,
  });
}

/** This browser's session, when it holds a valid, unexpired one. */
export function readSession(req: Request, options: CookieOptions): Session | undefined {
  const session = open(options.sealer, readCookie(req, SESSION_COOKIE), 'session', sessionSchema);
  return session && session.expiresAt > options.now() ? session : undefined;
}

/** Signing out: the browser forgets its session. */
export function clearSessionCookie(res: Response, options: Pick<CookieOptions, 'secure'>): void {
  res.clearCookie(SESSION_COOKIE, { httpOnly: true, sameSite: 'lax', secure: options.secure, path: '/' });
}
