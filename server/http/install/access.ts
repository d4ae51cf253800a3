import { eq } from 'drizzle-orm';
import type { Request } from 'express';
import { z } from 'zod';
import { AppError } from '../../platform/errors.ts';
import type { Installation } from '../../platform/db/installations.ts';
import { installations } from '../../platform/db/schema.ts';
import { isAdmin } from '../middleware/admin-auth.ts';
import { readSession } from './cookies.ts';
import type { InstallContext } from './deps.ts';

/**
 * Who may see or disconnect an installation: a browser whose session is for the installation's
 * workspace, or the operator (admin token). Anyone else's installation does not exist (404), so
 * ids cannot be probed across workspaces.
 */

const installationId = z.uuid();

export type Viewer = { kind: 'session'; workspaceId: string } | { kind: 'admin' };

export function viewerOf(req: Request, ctx: InstallContext): Viewer | undefined {
  if (isAdmin(req)) return { kind: 'admin' };
  const session = readSession(req, ctx.cookies);
  return session ? { kind: 'session', workspaceId: session.workspaceId } : undefined;
}

/** The operator is not bound to a workspace: find the installation's own (by its id, nothing else). */
async function workspaceOf(ctx: InstallContext, id: string): Promise<string | undefined> {
  const [row] = await ctx.db
    .select({ workspaceId: installations.workspaceId })
    .from(installations)
    .where(eq(installations.id, id));
  return row?.workspaceId;
}

export async function installationFor(
  req: Request,
  ctx: InstallContext,
  rawId: unknown,
): Promise<{ installation: Installation; viewer: Viewer }> {
  const viewer = viewerOf(req, ctx);
  if (!viewer) {
    throw new AppError(401, 'SESSION_REQUIRED', 'Sign in by connecting the CRM again, or use the admin token');
  }
  const id = installationId.safeParse(rawId);
  const notFound = new AppError(404, 'INSTALLATION_NOT_FOUND', 'No such installation in your workspace');
  if (!id.success) throw notFound;
  const workspaceId = viewer.kind === 'admin' ? await workspaceOf(ctx, id.data) : viewer.workspaceId;
  const installation = workspaceId ? await ctx.installations.get(workspaceId, id.data) : undefined;
  if (!installation) throw notFound;
  return { installation, viewer };
}
