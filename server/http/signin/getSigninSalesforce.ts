import { randomBytes } from 'node:crypto';
import type { RequestHandler } from 'express';
import { z } from 'zod';
import { createPkcePair, salesforceAuthorizeUrl } from '../../crm/salesforce/oauth.ts';
import { FLOW_TTL_MS, setFlowCookie } from '../install/cookies.ts';
import type { InstallContext } from '../install/deps.ts';
import { problemPage, sendNotConfigured } from '../install/pages.ts';
import { safeNextPath } from './next-path.ts';

const query = z.object({ domain: z.enum(['production', 'sandbox']).default('production') });

/**
 * `GET /signin/salesforce?domain=production|sandbox&next=…`: state and a PKCE verifier bound to this
 * browser for a sign-in, then Salesforce's login on the chosen domain.
 */
export function getSigninSalesforce(ctx: InstallContext): RequestHandler {
  return (req, res) => {
    const config = ctx.oauth.salesforce;
    if (!config) {
      sendNotConfigured(res, 'Salesforce');
      return;
    }
    const parsed = query.safeParse({ domain: req.query.domain });
    if (!parsed.success) {
      res
        .status(400)
        .type('html')
        .send(problemPage('Unknown login domain', 'The domain must be "production" or "sandbox".', '/signin'));
      return;
    }
    const loginDomain = parsed.data.domain;
    const state = randomBytes(24).toString('base64url');
    const { codeVerifier, codeChallenge } = createPkcePair();
    setFlowCookie(res, ctx.cookies, {
      provider: 'salesforce',
      purpose: 'signin',
      next: safeNextPath(req.query.next, ctx.origin),
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
