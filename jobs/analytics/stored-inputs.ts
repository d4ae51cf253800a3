import { ZodError } from 'zod';
import {
  DEFAULT_ANALYTICS_SETTINGS,
  validateAnalyticsSettings,
  type AnalyticsSettings,
} from '../../server/core/revenue/analytics-settings.ts';
import { parseRenewalModel, type RenewalModel } from '../../server/core/revenue/forecast/model.ts';
import type { Database } from '../../server/platform/db/database.ts';
import { latestAnalyticsSettings, latestRenewalModel } from '../../server/platform/db/analytics-store.ts';
import type { InstallationKey } from '../../server/platform/db/sync-store.ts';
import type { Logger } from '../../server/platform/logger.ts';

/**
 * The installation's analytics settings and renewal model as stored, checked. A row that no longer
 * reads (saved under an older schema, edited by hand) is reported and the defaults (the settings) or
 * the documented prior (the model) take its place: the dashboard stays up, and the problem is named.
 */

export interface InputProblem {
  source: 'settings' | 'model';
  version: number;
  problems: string[];
}

export interface LoadedSettings {
  settings: AnalyticsSettings;
  /** The stored version in use; null for the defaults. */
  version: number | null;
  problem: InputProblem | null;
}

export async function loadSettings(db: Database, key: InstallationKey, logger: Logger): Promise<LoadedSettings> {
  const stored = await latestAnalyticsSettings(db, key);
  if (!stored) return { settings: DEFAULT_ANALYTICS_SETTINGS, version: null, problem: null };
  const result = validateAnalyticsSettings(stored.settings);
  if (result.ok) return { settings: result.settings, version: stored.version, problem: null };
  const problem: InputProblem = {
    source: 'settings',
    version: stored.version,
    problems: result.problems.map((entry) => `${entry.path}: ${entry.message}`),
  };
  logger.warn({ ...key, ...problem }, 'stored analytics settings do not read; the defaults are used');
  return { settings: DEFAULT_ANALYTICS_SETTINGS, version: null, problem };
}

export interface LoadedModel {
  model: RenewalModel | null;
  version: number | null;
  problem: InputProblem | null;
}

export async function loadRenewalModel(db: Database, key: InstallationKey, logger: Logger): Promise<LoadedModel> {
  const stored = await latestRenewalModel(db, key);
  if (!stored) return { model: null, version: null, problem: null };
  try {
    return { model: parseRenewalModel(stored.model), version: stored.version, problem: null };
  } catch (error) {
    const problems =
      error instanceof ZodError
        ? error.issues.map((issue) => `$.${issue.path.join('.')}: ${issue.message}`)
        : [error instanceof Error ? error.message : String(error)];
    const problem: InputProblem = { source: 'model', version: stored.version, problems };
    logger.warn({ ...key, ...problem }, 'the stored renewal model does not read; the documented prior is used');
    return { model: null, version: null, problem };
  }
}
