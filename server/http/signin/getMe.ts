import type { RequestHandler } from 'express';
import type { Me } from '../../contracts/dashboard.ts';
import { dashboardStore } from '../../platform/db/dashboard-store.ts';
import { AppError } from '../../platform/errors.ts';
import { readSession } from '../install/cookies.ts';
import type { InstallContext } from '../install/deps.ts';

/**
 * `GET /api/me`: who this browser is signed in as, the workspace and its installations; where the
 * dashboard starts. The operator's admin token is not a person in a workspace: it gets 401 here too.
 */
export function getMe(ctx: InstallContext): RequestHandler {
  const store = dashboardStore(ctx.db);
  return async (req, res) => {
    const session = readSession(req, ctx.cookies);
    if (!session) throw new AppError(401, 'SESSION_REQUIRED', 'Sign in with your CRM at /signin');
    const [workspace, installations] = await Promise.all([
      store.workspace(session.workspaceId),
      ctx.installations.list(session.workspaceId),
    ]);
    // A workspace deleted since the session was opened: the session names nothing any more.
    if (!workspace) throw new AppError(401, 'SESSION_REQUIRED', 'Sign in with your CRM at /signin');
    const body: Me = {
      workspace,
      user: session.user ?? null,
      installationId: session.installationId,
      installations: installations
        .sort((a, b) => a.installedAt.getTime() - b.installedAt.getTime())
        .map((installation) => ({
          id: installation.id,
          provider: installation.provider,
          externalId: installation.externalId,
          displayName: installation.displayName,
          status: installation.status,
          current: installation.id === session.installationId,
        })),
      sessionExpiresAt: new Date(session.expiresAt).toISOString(),
    };
    res.setHeader('Cache-Control', 'no-store');
    res.json(body);
  };
}
