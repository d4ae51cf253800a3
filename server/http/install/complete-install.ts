import type { Request, Response } from 'express';
import { enqueueSync } from '../../../jobs/queues.ts';
import { recordAudit } from '../../platform/db/audit.ts';
import { createWorkspace, type InstallationTokens, type Provider } from '../../platform/db/installations.ts';
import { AppError } from '../../platform/errors.ts';
import { readSession, setSessionCookie } from './cookies.ts';
import type { InstallContext } from './deps.ts';
import { problemPage } from './pages.ts';

/**
 * After a verified callback and a successful exchange: which workspace the portal or org joins, the
 * installation row (tokens sealed), an audit entry, the first full sync, and a session for this
 * browser. Workspace: the one this browser is already signed in to (connecting HubSpot after
 * Salesforce), else the one the portal or org already belongs to (a re-install), else a new one.
 */

export interface Connected {
  provider: Provider;
  externalId: string;
  displayName: string;
  baseUrl: string | null;
  scopes: string[];
  tokens: InstallationTokens;
  /** Who approved, as far as the CRM says. */
  actor: string;
}

const CRM_NAMES = { hubspot: 'HubSpot portal', salesforce: 'Salesforce org' } as const;

export async function completeInstall(
  ctx: InstallContext,
  req: Request,
  res: Response,
  connected: Connected,
): Promise<void> {
  const session = readSession(req, ctx.cookies);
  const existing = await ctx.installations.findByExternalId(connected.provider, connected.externalId);
  let workspaceId = session?.workspaceId ?? existing?.workspaceId;
  if (existing && workspaceId !== existing.workspaceId) {
    res
      .status(409)
      .type('html')
      .send(
        problemPage(
          'Already connected elsewhere',
          `This ${CRM_NAMES[connected.provider]} (${connected.externalId}) is already connected to another Bellwether workspace. Disconnect it there first, or sign in to that workspace.`,
        ),
      );
    return;
  }
  workspaceId ??= (await createWorkspace(ctx.db, connected.displayName)).id;

  let installation;
  try {
    installation = await ctx.installations.install({
      workspaceId,
      provider: connected.provider,
      externalId: connected.externalId,
      displayName: connected.displayName,
      baseUrl: connected.baseUrl,
      scopes: connected.scopes,
      tokens: connected.tokens,
    });
  } catch (error) {
    // Another workspace connected the same portal a moment ago, or this one already has that CRM.
    if (error instanceof AppError && error.status === 409) {
      const title =
        error.code === 'ONE_PER_CRM'
          ? 'One of each CRM per workspace'
          : error.code === 'INSTALL_CONFLICT'
            ? 'Connected at the same moment'
            : 'Already connected elsewhere';
      res.status(409).type('html').send(problemPage(title, error.message));
      return;
    }
    throw error;
  }

  if (existing?.status === 'uninstalled') {
    // An uninstall job that has not run yet would stop the re-installed portal and delete its new tokens.
    const purge = await ctx.queues.get('maintenance').getJob(`uninstall.${installation.id}`);
    if (purge && ((await purge.isDelayed()) || (await purge.isWaiting()))) await purge.remove();
  }
  await recordAudit(ctx.db, {
    workspaceId,
    installationId: installation.id,
    actor: connected.actor,
    action: existing ? 'installation.reconnected' : 'installation.connected',
    details: { provider: connected.provider, externalId: connected.externalId, scopes: connected.scopes },
  });
  const sync = await enqueueSync(ctx.queues, {
    workspaceId,
    installationId: installation.id,
    mode: 'full',
    reason: 'install',
  });
  req.log.info(
    {
      installationId: installation.id,
      provider: connected.provider,
      syncJobId: sync.jobId,
      reinstall: Boolean(existing),
    },
    'installation connected',
  );
  // A user who signed in through the CRM stays named when they connect another CRM to the workspace.
  const user = session?.workspaceId === workspaceId ? session.user : undefined;
  setSessionCookie(res, ctx.cookies, { workspaceId, installationId: installation.id, ...(user ? { user } : {}) });
  res.redirect(303, `/installations/${encodeURIComponent(installation.id)}`);
}
