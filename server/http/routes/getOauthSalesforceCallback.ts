import type { RequestHandler } from 'express';
import { exchangeSalesforceCode, revokeSalesforceToken } from '../../crm/salesforce/oauth.ts';
import { exchangeFailed, verifyCallback } from '../install/callback.ts';
import { completeInstall } from '../install/complete-install.ts';
import type { InstallContext } from '../install/deps.ts';
import { problemPage, sendNotConfigured } from '../install/pages.ts';
import { completeSignin } from '../signin/complete-signin.ts';

/** The My Domain host names the org well (acme.my.salesforce.com); a bare address does not. */
function orgLabel(instanceUrl: string, orgId: string): string {
  const host = new URL(instanceUrl).hostname;
  return /^[\d.]+$|^localhost$|^\[/.test(host) ? `Salesforce org ${orgId}` : host;
}

/**
 * `GET /oauth/salesforce/callback`: state and PKCE verifier from this browser's flow cookie, then the
 * org connected (install) or the user signed in to the org's installation (sign-in).
 */
export function getOauthSalesforceCallback(ctx: InstallContext): RequestHandler {
  return async (req, res) => {
    const config = ctx.oauth.salesforce;
    if (!config) {
      sendNotConfigured(res, 'Salesforce');
      return;
    }
    const verified = verifyCallback(ctx, req, res, 'salesforce');
    if (!verified) return;
    const { flow, code } = verified;
    if (!flow.codeVerifier) {
      res
        .status(400)
        .type('html')
        .send(problemPage('This connection cannot be completed', 'Start the connection again.'));
      return;
    }
    let granted;
    try {
      granted = await exchangeSalesforceCode(config, {
        code,
        redirectUri: ctx.redirectUri('salesforce'),
        codeVerifier: flow.codeVerifier,
        loginDomain: flow.loginDomain ?? 'production',
      });
    } catch (error) {
      exchangeFailed(req, res, 'salesforce', flow, error);
      return;
    }
    if (flow.purpose === 'signin') {
      // The sign-in only needed to know who the user is; its grant is given back rather than kept.
      const spare = granted.tokens.refreshToken ?? granted.tokens.accessToken;
      void revokeSalesforceToken(config, granted.instanceUrl, spare).catch((error: unknown) =>
        req.log.warn({ err: error }, 'could not revoke the sign-in grant'),
      );
      await completeSignin(
        ctx,
        req,
        res,
        {
          provider: 'salesforce',
          externalId: granted.orgId,
          userId: granted.userId,
          name: granted.username ?? null,
          email: null,
        },
        flow,
      );
      return;
    }
    const sandbox = flow.loginDomain === 'sandbox' ? ' (sandbox)' : '';
    await completeInstall(ctx, req, res, {
      provider: 'salesforce',
      externalId: granted.orgId,
      displayName: `${granted.orgName ?? orgLabel(granted.instanceUrl, granted.orgId)}${sandbox}`,
      baseUrl: granted.instanceUrl,
      scopes: granted.scopes,
      tokens: granted.tokens,
      actor: granted.username ? `Salesforce user ${granted.username}` : `Salesforce user ${granted.userId}`,
    });
  };
}
