import type { Request } from 'express';
import {
  DEFAULT_ANALYTICS_SETTINGS,
  validateAnalyticsSettings,
  type AnalyticsSettings,
} from '../../core/revenue/analytics-settings.ts';
import type { InstallationKey } from '../../platform/db/sync-store.ts';
import { AppError } from '../../platform/errors.ts';
import type { DashboardContext } from './deps.ts';

export interface SettingsInForce {
  /** 0 while the defaults are in force. */
  version: number;
  source: 'saved' | 'defaults';
  settings: AnalyticsSettings;
  updatedAt: Date | null;
  updatedBy: string | null;
}

/** The installation's analytics settings, the defaults until it saves its own; a stored set that no longer parses is a 500. */
export async function settingsInForce(
  req: Request,
  ctx: DashboardContext,
  key: InstallationKey,
): Promise<SettingsInForce> {
  const stored = await ctx.store.settings(key);
  if (!stored) {
    return { version: 0, source: 'defaults', settings: DEFAULT_ANALYTICS_SETTINGS, updatedAt: null, updatedBy: null };
  }
  const checked = validateAnalyticsSettings(stored.settings);
  if (!checked.ok) {
    req.log.error(
      { version: stored.version, problems: checked.problems.slice(0, 5) },
      'stored analytics settings are invalid',
    );
    throw new AppError(
      500,
      'ANALYTICS_SETTINGS_CORRUPT',
      `The saved analytics settings (version ${stored.version}) cannot be read; save them again`,
    );
  }
  return {
    version: stored.version,
    source: 'saved',
    settings: checked.settings,
    updatedAt: stored.updatedAt,
    updatedBy: stored.updatedBy,
  };
}
