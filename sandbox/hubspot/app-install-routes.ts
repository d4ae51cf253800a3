import express, { type Router } from 'express';
import { crmCall, locals, type SandboxContext } from './context.ts';

/**
 * `DELETE /appinstalls/v3/external-install`: the app uninstalls itself from the calling portal; every
 * token of the portal stops working, so a later refresh answers BAD_REFRESH_TOKEN. Route name:
 * `appinstalls.uninstall`.
 */
export function appInstallRouter(ctx: SandboxContext): Router {
  const router = express.Router();
  router.delete(
    '/appinstalls/v3/external-install',
    ...crmCall(ctx, 'appinstalls.uninstall', 'standard', (_req, res) => {
      ctx.tokens.revokePortal(String(locals(res).portal.info.id), ctx.oauth.clientId);
      res.status(204).end();
    }),
  );
  return router;
}
