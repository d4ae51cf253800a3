import type { Request, RequestHandler } from 'express';
import { safeEqual } from '../../platform/crypto.ts';
import { AppError } from '../../platform/errors.ts';

/**
 * Operator access to /admin (queues, installations). The credential is ADMIN_TOKEN, sent either as
 * `Authorization: Bearer <token>` or as the password of HTTP Basic with any user name (so a browser's
 * own login prompt works). With no token configured, development admits loopback callers only.
 */

export interface AdminAuthOptions {
  token: string | undefined;
  /** Development without ADMIN_TOKEN: admit requests that come from this machine. */
  allowLoopbackWithoutToken: boolean;
}

const REALM = 'Bellwether admin';
const CHALLENGES = [`Basic realm="${REALM}", charset="UTF-8"`, `Bearer realm="${REALM}"`];

const admins = new WeakSet<Request>();

function presentedToken(req: Request): string | undefined {
  const header = req.headers.authorization;
  if (typeof header !== 'string') return undefined;
  const match = /^\s*(\S+)\s+(\S+)\s*$/.exec(header);
  if (!match) return undefined;
  const scheme = match[1]!.toLowerCase();
  const value = match[2]!;
  if (scheme === 'bearer') return value;
  if (scheme !== 'basic') return undefined;
  const decoded = Buffer.from(value, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon === -1 ? undefined : decoded.slice(colon + 1);
}

const LOOPBACK = /^(127\.\d{1,3}\.\d{1,3}\.\d{1,3}|::1|::ffff:127\.\d{1,3}\.\d{1,3}\.\d{1,3})$/;

/** Both the socket peer and the forwarded client must be local, so a local reverse proxy does not open the door. */
function fromLoopback(req: Request): boolean {
  const peer = req.socket.remoteAddress ?? '';
  return LOOPBACK.test(peer) && LOOPBACK.test(req.ip ?? peer);
}

/** Whether this request carries admin credentials (or, in development without a token, comes from loopback). */
export function checkAdmin(req: Request, options: AdminAuthOptions): boolean {
  if (options.token === undefined) return options.allowLoopbackWithoutToken && fromLoopback(req);
  const presented = presentedToken(req);
  return presented !== undefined && safeEqual(presented, options.token);
}

/** Refuses anyone but the admin with 401 and a challenge the browser answers with its login prompt. */
export function adminAuth(options: AdminAuthOptions): RequestHandler {
  return (req, res, next) => {
    if (checkAdmin(req, options)) {
      admins.add(req);
      next();
      return;
    }
    res.setHeader('WWW-Authenticate', CHALLENGES);
    res.setHeader('Cache-Control', 'no-store');
    const message =
      options.token === undefined
        ? options.allowLoopbackWithoutToken
          ? 'Admin pages answer only on this machine until ADMIN_TOKEN is set'
          : 'Admin access is not configured: set ADMIN_TOKEN'
        : 'Admin credentials are missing or wrong (Bearer token, or the token as the Basic password)';
    next(new AppError(401, 'ADMIN_AUTH_REQUIRED', message));
  };
}

/** Never refuses: marks an admin request so routes that also accept a session can ask `isAdmin(req)`. */
export function recogniseAdmin(options: AdminAuthOptions): RequestHandler {
  return (req, _res, next) => {
    if (checkAdmin(req, options)) admins.add(req);
    next();
  };
}

/** True when adminAuth or recogniseAdmin has admitted this request as the admin. */
export function isAdmin(req: Request): boolean {
  return admins.has(req);
}
