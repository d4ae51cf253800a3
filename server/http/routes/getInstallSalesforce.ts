import { randomBytes } from 'node:crypto';
import type { RequestHandler } from 'express';
import { z } from 'zod';
import { createPkcePair, salesforceAuthorizeUrl } from '../../crm/salesforce/oauth.ts';
import { FLOW_TTL_MS, setFlowCookie } from '../install/cookies.ts';
import type { InstallContext } from '../install/deps.ts';
import { problemPage, sendNotConfigured } from '../install/pages.ts';

const query = z.object({ domain: z.enum(['production', 'sandbox']).default('production') });

/**
 * `GET /install/salesforce?domain=production|sandbox`: state and a PKCE verifier bound to this
 * browser, then Salesforce's consent page on the chosen login domain.
 */
export function getInstallSalesforce(ctx: InstallContext): RequestHandler {
  return (req, res) => {
    const config = ctx.oauth.salesforce;
    if (!config) {
      sendNotConfigured(res, 'Salesforce');
      return;
    }
    const parsed = query.safeParse(req.query);
    if (!parsed.success) {
      res
        .status(400)
        .type('html')
        .send(problemPage('Unknown login domain', 'The domain must be "production" or "sandbox".'));
      return;
    }
    const loginDomain = parsed.data.domain;
    const state = randomBytes(24).toString('base64url');
    const { codeVerifier, codeChallenge } = createPkcePair();
    setFlowCookie(res, ctx.cookies, {
      provider: 'salesforce',
      state,
      codeVerifier,
      loginDomain,
      expiresAt: ctx.now() + FLOW_TTL_MS,
    });
    res.setHeader('Cache-Control', 'no-store');
    res.redirect(
      302,
      salesforceAuthorizeUrl(config, { state, redirectUri: ctx.redirectUri('salesforce'), codeChallenge, loginDomain }),
    );
  };
}
