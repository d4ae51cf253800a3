import type { RequestHandler } from 'express';
import type { InstallContext } from '../install/deps.ts';
import { landingPage } from '../install/pages.ts';

/** `GET /` and `GET /install`: a button per configured CRM. */
export function getInstallLanding(ctx: InstallContext): RequestHandler {
  return (_req, res) => {
    res
      .type('html')
      .send(landingPage({ hubspot: Boolean(ctx.oauth.hubspot), salesforce: Boolean(ctx.oauth.salesforce) }));
  };
}
