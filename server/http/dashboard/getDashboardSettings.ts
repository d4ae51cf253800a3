import type { RequestHandler } from 'express';
import type { AnalyticsSettingsAnswer } from '../../contracts/dashboard.ts';
import { callerOf, type DashboardContext } from './deps.ts';
import { sendJson } from './respond.ts';
import { settingsInForce, type SettingsInForce } from './settings.ts';

export const settingsAnswer = (settings: SettingsInForce): AnalyticsSettingsAnswer => ({
  version: settings.version,
  source: settings.source,
  settings: settings.settings,
  updatedAt: settings.updatedAt?.toISOString() ?? null,
  updatedBy: settings.updatedBy,
});

/** `GET /api/installations/:id/dashboard/settings`: the analytics settings in force, every field filled in. */
export function getDashboardSettings(ctx: DashboardContext): RequestHandler {
  return async (req, res) => {
    const { key } = await callerOf(req, ctx);
    sendJson(res, settingsAnswer(await settingsInForce(req, ctx, key)));
  };
}
