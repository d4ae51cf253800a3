import type { RequestHandler } from 'express';
import { enqueueAnalytics } from '../../../jobs/queues.ts';
import { validateAnalyticsSettings } from '../../core/revenue/analytics-settings.ts';
import { saveAnalyticsSettings } from '../../platform/db/analytics-store.ts';
import { recordAudit } from '../../platform/db/audit.ts';
import { requireJson } from '../health/deps.ts';
import { callerOf, type DashboardContext } from './deps.ts';
import { settingsAnswer } from './getDashboardSettings.ts';
import { sendJson } from './respond.ts';

/**
 * `PUT /api/installations/:id/dashboard/settings`: saves the analytics settings as the next version
 * (fields left out take their defaults) and asks for the figures again. A body that does not validate
 * answers 422 naming each problem by its JSON path, and nothing is stored.
 */
export function putDashboardSettings(ctx: DashboardContext): RequestHandler {
  return async (req, res) => {
    const { key, actor } = await callerOf(req, ctx);
    requireJson(req);
    const checked = validateAnalyticsSettings(req.body ?? {});
    if (!checked.ok) {
      res.status(422).json({
        error: {
          code: 'INVALID_ANALYTICS_SETTINGS',
          message: 'The analytics settings are not valid',
          issues: checked.problems.map((problem) => ({ path: problem.path, message: problem.message })),
        },
      });
      return;
    }
    const at = new Date(ctx.now());
    const { version } = await saveAnalyticsSettings(ctx.db, key, checked.settings, actor, at);
    await recordAudit(ctx.db, { ...key, actor, action: 'analytics_settings.saved', details: { version } });
    if (ctx.queues) await enqueueAnalytics(ctx.queues, { ...key, train: false });
    sendJson(
      res,
      settingsAnswer({ version, source: 'saved', settings: checked.settings, updatedAt: at, updatedBy: actor }),
    );
  };
}
