import type { RequestHandler } from 'express';
import type { InstallContext } from '../install/deps.ts';
import { signinPage } from './pages.ts';
import { safeNextPath } from './next-path.ts';

/** `GET /signin?next=…`: one button per configured CRM. */
export function getSignin(ctx: InstallContext): RequestHandler {
  return (req, res) => {
    const next = req.query.next === undefined ? undefined : safeNextPath(req.query.next, ctx.origin);
    res.setHeader('Cache-Control', 'no-store');
    res.type('html').send(
      signinPage({
        hubspot: Boolean(ctx.oauth.hubspot),
        salesforce: Boolean(ctx.oauth.salesforce),
        ...(next === undefined ? {} : { next }),
      }),
    );
  };
}
