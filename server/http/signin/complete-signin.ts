import type { Request, Response } from 'express';
import { recordAudit } from '../../platform/db/audit.ts';
import { setSessionCookie, type OAuthFlow, type SessionUser } from '../install/cookies.ts';
import type { InstallContext } from '../install/deps.ts';
import { installFirstPage } from './pages.ts';
import { safeNextPath } from './next-path.ts';

/**
 * After a verified sign-in callback: the CRM named a portal or org and a user. The installation of
 * that portal or org (active only) gives the workspace; the browser gets a session bound to both,
 * with the user in it. The installation's stored tokens are left as they are: the tokens the sign-in
 * obtained are used for the identity and then dropped.
 */

const CRM = { hubspot: 'HubSpot', salesforce: 'Salesforce' } as const;

export async function completeSignin(
  ctx: InstallContext,
  req: Request,
  res: Response,
  user: SessionUser,
  flow: OAuthFlow,
): Promise<void> {
  const installation = await ctx.installations.findByExternalId(user.provider, user.externalId);
  if (!installation || installation.status !== 'active') {
    req.log.info(
      { provider: user.provider, externalId: user.externalId, state: installation?.status ?? 'missing' },
      'sign-in refused: no active installation',
    );
    res
      .status(404)
      .type('html')
      .send(installFirstPage(user.provider, user.externalId, installation?.status ?? 'missing'));
    return;
  }
  const key = { workspaceId: installation.workspaceId, installationId: installation.id };
  await recordAudit(ctx.db, {
    ...key,
    actor: `${CRM[user.provider]} user ${user.email ?? user.userId}`,
    action: 'user.signed_in',
    details: { provider: user.provider, externalId: user.externalId, userId: user.userId },
  });
  req.log.info({ installationId: installation.id, provider: user.provider }, 'user signed in');
  setSessionCookie(res, ctx.cookies, { ...key, user });
  res.redirect(303, safeNextPath(flow.next, ctx.origin));
}
