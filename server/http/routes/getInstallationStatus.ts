import type { RequestHandler } from 'express';
import { installationFor } from '../install/access.ts';
import type { InstallContext } from '../install/deps.ts';
import { installationStatus } from '../install/installation-status.ts';

/** `GET /api/installations/:id/status` (contract: server/contracts/installations.ts). */
export function getInstallationStatus(ctx: InstallContext): RequestHandler {
  return async (req, res) => {
    const { installation } = await installationFor(req, ctx, req.params.id);
    res.setHeader('Cache-Control', 'no-store');
    res.json(await installationStatus(ctx, installation));
  };
}
