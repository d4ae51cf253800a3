import { randomBytes } from 'node:crypto';
import type { RequestHandler } from 'express';
import { hubspotAuthorizeUrl } from '../../crm/hubspot/oauth.ts';
import { FLOW_TTL_MS, setFlowCookie } from '../install/cookies.ts';
import type { InstallContext } from '../install/deps.ts';
import { sendNotConfigured } from '../install/pages.ts';

/** `GET /install/hubspot`: binds a fresh state to this browser and sends it to HubSpot's consent page. */
export function getInstallHubspot(ctx: InstallContext): RequestHandler {
  return (_req, res) => {
    const config = ctx.oauth.hubspot;
    if (!config) {
      sendNotConfigured(res, 'HubSpot');
      return;
    }
    const state = randomBytes(24).toString('base64url');
    setFlowCookie(res, ctx.cookies, { provider: 'hubspot', state, expiresAt: ctx.now() + FLOW_TTL_MS });
    res.setHeader('Cache-Control', 'no-store');
    res.redirect(302, hubspotAuthorizeUrl(config, { state, redirectUri: ctx.redirectUri('hubspot') }));
  };
}
