import type { RenewalForecast } from '../../server/core/revenue/forecast/forecast.ts';
import type { RenewalModel } from '../../server/core/revenue/forecast/model.ts';
import {
  accountsWithDeals,
  renewalForecastRows,
  firstUsageDay,
  npsResponses,
  portfolioAccounts,
  replaceRenewalForecasts,
  saveAnalyticsSnapshots,
  saveRenewalModel,
  type AnalyticsSnapshotInput,
  type AnalyticsSnapshotKind,
} from '../../server/platform/db/analytics-store.ts';
import type { Database } from '../../server/platform/db/database.ts';
import type { HealthModelStore } from '../../server/platform/db/health-model-store.ts';
import type { InstallationKey } from '../../server/platform/db/sync-store.ts';
import type { Logger } from '../../server/platform/logger.ts';
import { modelInUse } from '../score/score-run.ts';
import { forecastStep } from './forecast-step.ts';
import {
  npsPayload,
  npsWindow,
  portfolioAccountsOf,
  portfolioPayload,
  retentionAccountsOf,
  retentionPayload,
  staffingPayload,
} from './snapshots.ts';
import { loadRenewalModel, loadSettings, type InputProblem } from './stored-inputs.ts';
import { sameModel, trainFromHistory } from './train-renewal-model.ts';

/**
 * One analytics run of an installation: the renewal model learned again when asked (or when there is
 * none), the forecast of the coming renewals written whole, and the dashboard's figures precomputed.
 * Every figure reads the book as it is now and the stored settings and model, so running it twice on
 * the same book at the same instant writes the same rows.
 */

export interface AnalyticsDeps {
  db: Database;
  models: HealthModelStore;
  logger: Logger;
  now?: () => Date;
}

export interface AnalyticsProgress {
  phase: 'replay' | 'forecast' | 'figures';
  done: number;
  total: number;
}

export interface AnalyticsSummary {
  trained: null | {
    basis: RenewalModel['basis'];
    reason: string | null;
    /** The version saved, or null when the model came out as the stored one. */
    savedVersion: number | null;
    /** A saved version that forecasts differently from the one the scores used: they must be recomputed. */
    rescore: boolean;
    replayedDays: number;
    examples: number;
    renewals: number;
  };
  modelVersion: number | null;
  basis: RenewalModel['basis'];
  settingsVersion: number | null;
  renewals: number;
  bottom20: number;
  snapshots: AnalyticsSnapshotKind[];
  /** Stored inputs that did not read, replaced by the defaults. */
  problems: InputProblem[];
  /** Figures whose computation failed (the others are saved). */
  failed: { kind: AnalyticsSnapshotKind; message: string }[];
  durationMs: number;
}

/** The last run's opportunities of its bottom fifth, when that run was on the same UTC day. */
async function knownOpportunities(db: Database, key: InstallationKey, now: Date): Promise<Map<string, unknown>> {
  const today = now.toISOString().slice(0, 10);
  const known = new Map<string, unknown>();
  for (const row of await renewalForecastRows(db, key)) {
    if (row.bottom20 && row.computedAt.toISOString().slice(0, 10) === today)
      known.set(row.accountExternalId, row.opportunities);
  }
  return known;
}

export async function runAnalytics(
  deps: AnalyticsDeps,
  key: InstallationKey,
  options: {
    train: boolean;
    onProgress?: (progress: AnalyticsProgress) => void | Promise<void>;
    signal?: AbortSignal | undefined;
  },
): Promise<AnalyticsSummary> {
  const started = Date.now();
  const now = deps.now?.() ?? new Date();
  const asOf = now.getTime();
  const [settings, stored, accounts] = await Promise.all([
    loadSettings(deps.db, key, deps.logger),
    loadRenewalModel(deps.db, key, deps.logger),
    accountsWithDeals(deps.db, key),
  ]);
  const problems = [settings.problem, stored.problem].filter((problem) => problem !== null);
  let model = stored.model;
  let modelVersion = stored.version;
  let trained: AnalyticsSummary['trained'] = null;

  if (options.train || model === null) {
    const run = await trainFromHistory(deps.db, key, {
      healthModel: await modelInUse(deps.models, key.workspaceId),
      accounts,
      asOf,
      firstUsageDay: await firstUsageDay(deps.db, key),
      onProgress: (progress) => options.onProgress?.(progress),
      signal: options.signal,
    });
    let savedVersion: number | null = null;
    // The prior replacing the prior (or a model that did not read) changes no probability.
    const rescore = !sameModel(run.model, model) && (run.model.basis === 'learned' || model?.basis === 'learned');
    if (!sameModel(run.model, model)) {
      savedVersion = (await saveRenewalModel(deps.db, key, run.model, now)).version;
      model = run.model;
      modelVersion = savedVersion;
    }
    trained = {
      basis: run.model.basis,
      reason: run.model.reason,
      savedVersion,
      rescore,
      replayedDays: run.replayedDays.length,
      examples: run.examples,
      renewals: run.model.trainedOn.renewals,
    };
  }

  options.signal?.throwIfAborted();
  await options.onProgress?.({ phase: 'forecast', done: 0, total: 1 });
  const sourceVersion = `model:${modelVersion ?? 'prior'};settings:${settings.version ?? 'default'}`;
  const failed: AnalyticsSummary['failed'] = [];
  const snapshots: AnalyticsSnapshotInput[] = [];
  /** Each figure on its own: one that fails leaves the others to be saved, and is reported. */
  const figure = async <T>(kind: AnalyticsSnapshotKind, compute: () => T | Promise<T>): Promise<T | null> => {
    try {
      const payload = await compute();
      snapshots.push({ kind, payload, sourceVersion });
      return payload;
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      failed.push({ kind, message });
      deps.logger.error({ ...key, kind, err: error }, 'an analytics figure could not be computed');
      return null;
    }
  };

  let forecastRows = 0;
  let bottom20 = 0;
  const forecast: RenewalForecast | null = await figure('forecast', async () => {
    const step = await forecastStep(deps.db, key, {
      asOf,
      model,
      known: trained === null ? await knownOpportunities(deps.db, key, now) : new Map(),
      signal: options.signal,
    });
    await replaceRenewalForecasts(deps.db, key, step.rows, now);
    forecastRows = step.rows.length;
    bottom20 = step.forecast.bottom20.length;
    return step.forecast;
  });
  await options.onProgress?.({ phase: 'forecast', done: 1, total: 1 });

  options.signal?.throwIfAborted();
  const [customers, nps] = await Promise.all([
    portfolioAccounts(deps.db, key),
    npsResponses(deps.db, key, {
      from: new Date(npsWindow(asOf).from),
      to: new Date(asOf + 1),
    }),
  ]);
  const retentionAccounts = retentionAccountsOf(accounts, settings.settings);
  const portfolio = portfolioAccountsOf(customers, settings.settings);
  await figure('retention', () => retentionPayload(retentionAccounts, settings.settings, asOf));
  await figure('nps', () => npsPayload(nps, settings.settings, npsWindow(asOf)));
  const portfolios = await figure('portfolio', () => portfolioPayload(customers, portfolio, settings.settings, asOf));
  if (portfolios) {
    await figure('staffing', () =>
      staffingPayload({
        settings: settings.settings,
        asOf,
        customers: portfolio,
        portfolios: portfolios.report,
        retentionAccounts,
        forecast,
      }),
    );
  } else {
    failed.push({ kind: 'staffing', message: 'the portfolios it counts capacity from could not be computed' });
  }
  await saveAnalyticsSnapshots(deps.db, key, snapshots, now);
  await options.onProgress?.({ phase: 'figures', done: 1, total: 1 });

  const summary: AnalyticsSummary = {
    trained,
    modelVersion,
    basis: model?.basis ?? 'prior',
    settingsVersion: settings.version,
    renewals: forecastRows,
    bottom20,
    snapshots: snapshots.map((snapshot) => snapshot.kind),
    problems,
    failed,
    durationMs: Date.now() - started,
  };
  deps.logger.info({ ...key, ...summary }, 'analytics computed');
  return summary;
}
