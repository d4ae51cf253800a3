import type { RequestHandler } from 'express';
import { recordAudit } from '../../platform/db/audit.ts';
import { clearSessionCookie, readSession } from '../install/cookies.ts';
import type { InstallContext } from '../install/deps.ts';

/**
 * `POST /signout`: the browser forgets its session. A script asking for JSON gets 204; a form post
 * goes back to the sign-in page. Ending one's own session needs no further check.
 */
export function postSignout(ctx: InstallContext): RequestHandler {
  return async (req, res) => {
    const session = readSession(req, ctx.cookies);
    clearSessionCookie(res, ctx.cookies);
    if (session) {
      await recordAudit(ctx.db, {
        workspaceId: session.workspaceId,
        installationId: session.installationId,
        actor: session.user
          ? `${session.user.provider} user ${session.user.email ?? session.user.userId}`
          : 'workspace session',
        action: 'user.signed_out',
      });
    }
    res.setHeader('Cache-Control', 'no-store');
    if (req.accepts(['html', 'json']) === 'json') res.status(204).end();
    else res.redirect(303, '/signin');
  };
}
