import type { RequestHandler } from 'express';
import { exchangeHubspotCode, HUBSPOT_PUBLIC_API_BASE } from '../../crm/hubspot/oauth.ts';
import { exchangeFailed, verifyCallback } from '../install/callback.ts';
import { completeInstall } from '../install/complete-install.ts';
import type { InstallContext } from '../install/deps.ts';
import { sendNotConfigured } from '../install/pages.ts';
import { completeSignin } from '../signin/complete-signin.ts';
import { hubspotTokenUser } from '../signin/hubspot-user.ts';

/**
 * `GET /oauth/hubspot/callback`: state checked against this browser, code exchanged, then the portal
 * connected (install) or the user signed in to the portal's installation (sign-in).
 */
export function getOauthHubspotCallback(ctx: InstallContext): RequestHandler {
  return async (req, res) => {
    const config = ctx.oauth.hubspot;
    if (!config) {
      sendNotConfigured(res, 'HubSpot');
      return;
    }
    const verified = verifyCallback(ctx, req, res, 'hubspot');
    if (!verified) return;
    let granted;
    try {
      granted = await exchangeHubspotCode(config, { code: verified.code, redirectUri: ctx.redirectUri('hubspot') });
    } catch (error) {
      exchangeFailed(req, res, 'hubspot', verified.flow, error);
      return;
    }
    if (verified.flow.purpose === 'signin') {
      let user;
      try {
        user = await hubspotTokenUser(config, granted.tokens.accessToken);
      } catch (error) {
        exchangeFailed(req, res, 'hubspot', verified.flow, error);
        return;
      }
      await completeSignin(
        ctx,
        req,
        res,
        { provider: 'hubspot', externalId: granted.portalId, userId: user.userId, name: null, email: user.email },
        verified.flow,
      );
      return;
    }
    await completeInstall(ctx, req, res, {
      provider: 'hubspot',
      externalId: granted.portalId,
      displayName: granted.hubDomain,
      // The adapter talks to the public API unless told otherwise (the stand-in).
      baseUrl: config.apiBase === HUBSPOT_PUBLIC_API_BASE ? null : config.apiBase,
      scopes: granted.scopes,
      tokens: granted.tokens,
      actor: `HubSpot admin of portal ${granted.portalId}`,
    });
  };
}
