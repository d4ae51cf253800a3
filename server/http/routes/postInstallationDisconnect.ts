import type { Request, RequestHandler } from 'express';
import { enqueueUninstall } from '../../../jobs/queues.ts';
import { disconnectRequestSchema, type DisconnectResponse } from '../../contracts/installations.ts';
import { recordAudit } from '../../platform/db/audit.ts';
import { AppError } from '../../platform/errors.ts';
import { installationFor } from '../install/access.ts';
import type { InstallContext } from '../install/deps.ts';
import { revokeAtCrm } from '../install/revoke-at-crm.ts';

/**
 * A cross-site page cannot send this: it must be JSON (a cross-site form cannot set that type
 * without a CORS preflight, which is never granted) and a browser's Origin must be ours.
 */
function checkSameOrigin(req: Request, ctx: InstallContext): void {
  if (!req.is('application/json')) {
    throw new AppError(415, 'JSON_REQUIRED', 'Send the request as application/json');
  }
  const origin = req.get('origin');
  const own = [ctx.origin, `${req.protocol}://${req.get('host') ?? ''}`];
  if (origin !== undefined && !own.includes(origin)) {
    throw new AppError(403, 'CROSS_ORIGIN', `Requests from ${origin} may not disconnect installations`);
  }
  const site = req.get('sec-fetch-site');
  if (site !== undefined && site !== 'same-origin' && site !== 'none') {
    throw new AppError(403, 'CROSS_ORIGIN', 'Only this app’s own pages may disconnect installations');
  }
}

/**
 * `POST /api/installations/:id/disconnect`: the CRM is told (best effort), the installation is marked
 * uninstalled and its tokens deleted at once, the audit records who did it, and the uninstall job
 * removes the schedulers and purges the data (now or after the retention period).
 */
export function postInstallationDisconnect(ctx: InstallContext): RequestHandler {
  return async (req, res) => {
    checkSameOrigin(req, ctx);
    const { installation, viewer } = await installationFor(req, ctx, req.params.id);
    disconnectRequestSchema.parse(req.body ?? {});
    const key = { workspaceId: installation.workspaceId, installationId: installation.id };

    let revokedAtCrm = false;
    if (installation.status !== 'uninstalled') {
      const tokens = await ctx.installations.tokens(installation.workspaceId, installation.id);
      // Stop every worker from using the tokens before the CRM is even asked.
      await ctx.installations.setStatus(installation.workspaceId, installation.id, 'uninstalled', 'disconnected');
      await ctx.installations.clearTokens(installation.workspaceId, installation.id);
      revokedAtCrm = await revokeAtCrm(ctx, installation, tokens, req.log);
      await recordAudit(ctx.db, {
        ...key,
        actor: viewer.kind === 'admin' ? 'operator (admin token)' : 'workspace session',
        action: 'installation.disconnected',
        details: { provider: installation.provider, externalId: installation.externalId, revokedAtCrm },
      });
    }
    const { jobId } = await enqueueUninstall(ctx.queues, key);
    req.log.info({ installationId: installation.id, revokedAtCrm, uninstallJobId: jobId }, 'installation disconnected');
    const body: DisconnectResponse = {
      installationId: installation.id,
      status: 'uninstalled',
      revokedAtCrm,
      uninstallJobId: jobId,
    };
    res.json(body);
  };
}
