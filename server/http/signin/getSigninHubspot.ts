import { randomBytes } from 'node:crypto';
import type { RequestHandler } from 'express';
import { hubspotAuthorizeUrl } from '../../crm/hubspot/oauth.ts';
import { FLOW_TTL_MS, setFlowCookie } from '../install/cookies.ts';
import type { InstallContext } from '../install/deps.ts';
import { sendNotConfigured } from '../install/pages.ts';
import { safeNextPath } from './next-path.ts';

/**
 * `GET /signin/hubspot?next=…`: the install's OAuth authorization with a sign-in flow cookie; the
 * callback reads who approved instead of connecting the portal.
 */
export function getSigninHubspot(ctx: InstallContext): RequestHandler {
  return (req, res) => {
    const config = ctx.oauth.hubspot;
    if (!config) {
      sendNotConfigured(res, 'HubSpot');
      return;
    }
    const state = randomBytes(24).toString('base64url');
    setFlowCookie(res, ctx.cookies, {
      provider: 'hubspot',
      purpose: 'signin',
      next: safeNextPath(req.query.next, ctx.origin),
      state,
      expiresAt: ctx.now() + FLOW_TTL_MS,
    });
    res.setHeader('Cache-Control', 'no-store');
    res.redirect(302, hubspotAuthorizeUrl(config, { state, redirectUri: ctx.redirectUri('hubspot') }));
  };
}
