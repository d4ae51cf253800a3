import type { RequestHandler } from 'express';
import { digestQuerySchema, type DigestBody } from '../../contracts/notifications.ts';
import { buildCsmDigest, digestWindow } from '../../core/notify/digest.ts';
import { callerOf, type NotificationsContext } from './deps.ts';

/**
 * `GET /api/installations/:id/digest?csm=<CRM user id>&day=YYYY-MM-DD`: the CSM's daily digest for a
 * UTC day — warnings opened that day, warnings still open at its end by severity, and the open
 * warnings' tasks due within seven days, each with the account's name and the next step.
 */
export function getInstallationDigest(ctx: NotificationsContext): RequestHandler {
  return async (req, res) => {
    const { key } = await callerOf(req, ctx);
    const query = digestQuerySchema.parse(req.query);
    const window = digestWindow(query.day);
    const rows = await ctx.store.digestRows(key, query.csm, window);
    const body: DigestBody = buildCsmDigest({ csmId: query.csm, window, ...rows });
    res.setHeader('Cache-Control', 'no-store');
    res.json(body);
  };
}
