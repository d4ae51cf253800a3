import type { Redis } from 'ioredis';
import { fieldMappingSchema } from '../../server/core/accounts/mapping.ts';
import { createCallGate, type CallGateOptions } from '../../server/crm/call-gate.ts';
import { createConnectionFactory } from '../../server/crm/connections.ts';
import { oauthConfigFromEnv, refreshersFor, type OAuthConfigOverrides } from '../../server/crm/oauth-config.ts';
import { createAdapters, type AdapterOverrides } from '../../server/crm/registry.ts';
import { createTokenService } from '../../server/crm/token-service.ts';
import type { Sealer } from '../../server/platform/crypto.ts';
import type { Database } from '../../server/platform/db/database.ts';
import { installationRepository } from '../../server/platform/db/installations.ts';
import { mappingRepository } from '../../server/platform/db/mappings.ts';
import { syncStore } from '../../server/platform/db/sync-store.ts';
import { healthModelStore } from '../../server/platform/db/health-model-store.ts';
import { healthScoreStore } from '../../server/platform/db/health-score-store.ts';
import { overrideStore } from '../../server/platform/db/override-store.ts';
import { planStore } from '../../server/platform/db/plan-store.ts';
import { writeBackStore } from '../../server/platform/db/write-back-store.ts';
import type { Env } from '../../server/platform/env.ts';
import type { Logger } from '../../server/platform/logger.ts';
import type { Manifest } from '../../server/platform/manifest.ts';
import { createRateLimiter } from '../../server/platform/rate-limit.ts';
import type { Queues } from '../queues.ts';
import type { SyncJobServices } from './sync-run.job.ts';
import type { UninstallServices } from './uninstall.job.ts';
import type { WriteBackServices } from '../write-back/write-back.job.ts';
import type { BacktestDeps } from '../score/backtest.job.ts';
import type { ScoreJobServices } from '../score/score.job.ts';
import type { DeliverDeps } from '../notify/deliver.ts';
import type { QbrServices } from '../qbr/qbr.jobs.ts';
import type { WarningsJobServices } from '../warnings/warnings.job.ts';
import type { WarningTasksServices } from '../warnings/warning-tasks.job.ts';
import { notificationStore } from '../../server/platform/db/notification-store.ts';
import { warningStore } from '../../server/platform/db/warning-store.ts';

/** Everything the sync and uninstall jobs need, built once per process from its runtime. */
export interface JobServices {
  sync: SyncJobServices;
  uninstall: UninstallServices;
  /** Optional so a test may serve only the sync queues. */
  writeBack?: WriteBackServices;
  score?: ScoreJobServices;
  backtest?: BacktestDeps;
  warnings?: WarningsJobServices;
  warningTasks?: WarningTasksServices;
  notify?: DeliverDeps;
  qbr?: QbrServices;
}

export interface JobServicesRuntime {
  env: Pick<
    Env,
    | 'HUBSPOT_CLIENT_ID'
    | 'HUBSPOT_CLIENT_SECRET'
    | 'HUBSPOT_API_BASE'
    | 'HUBSPOT_AUTHORIZE_URL'
    | 'SALESFORCE_CLIENT_ID'
    | 'SALESFORCE_CLIENT_SECRET'
    | 'SALESFORCE_LOGIN_URL'
    | 'SALESFORCE_SANDBOX_LOGIN_URL'
    | 'SALESFORCE_API_SHARE'
    | 'DATA_RETENTION_DAYS'
    | 'NODE_ENV'
  >;
  database: { db: Database };
  producer: Redis;
  manifest: Manifest;
  sealer: Sealer;
  logger: Logger;
}

export interface JobServicesOptions {
  adapters?: AdapterOverrides;
  /** OAuth clients other than the environment's (the demo's stand-ins). */
  oauth?: OAuthConfigOverrides;
  /** Gate settings for tests (scaled-down limits); `false` sends calls ungated. */
  gate?: false | Partial<Omit<CallGateOptions, 'limiter' | 'provider' | 'installationId' | 'redis'>>;
  leaseMs?: number;
  busyDelayMs?: number;
}

export function buildJobServices(
  runtime: JobServicesRuntime,
  queues: Queues,
  options: JobServicesOptions = {},
): JobServices {
  const { db } = runtime.database;
  const redis = runtime.producer;
  const installations = installationRepository(db, runtime.sealer);
  const tokens = createTokenService({
    installations,
    redis,
    refreshers: refreshersFor(oauthConfigFromEnv(runtime.env, runtime.manifest, options.oauth)),
  });
  const limiter = createRateLimiter(redis);
  const adapters = createAdapters(runtime.manifest, options.adapters);
  const gateOptions = options.gate;
  const connections = createConnectionFactory(
    gateOptions === false
      ? { tokens }
      : {
          tokens,
          gate: (installation) =>
            createCallGate({
              salesforceShare: runtime.env.SALESFORCE_API_SHARE,
              lastApiUsage: () => adapters.salesforce.apiUsage(installation.id),
              ...gateOptions,
              limiter,
              provider: installation.provider,
              installationId: installation.id,
              redis,
            }),
        },
  );
  return {
    sync: {
      sync: {
        db,
        installations,
        store: syncStore(db),
        mappings: mappingRepository(db, fieldMappingSchema),
        adapters,
        connections,
        logger: runtime.logger.child({ part: 'sync' }),
      },
      queues,
      redis,
      manifest: runtime.manifest,
      tokens,
      ...(options.leaseMs === undefined ? {} : { leaseMs: options.leaseMs }),
      ...(options.busyDelayMs === undefined ? {} : { busyDelayMs: options.busyDelayMs }),
    },
    uninstall: {
      db,
      installations,
      queues,
      redis,
      manifest: runtime.manifest,
      limiter,
      logger: runtime.logger.child({ part: 'uninstall' }),
      retentionDays: runtime.env.DATA_RETENTION_DAYS,
    },
    score: {
      score: {
        db,
        store: healthScoreStore(db),
        models: healthModelStore(db),
        overrides: overrideStore(db),
        plans: planStore(db),
        logger: runtime.logger.child({ part: 'score' }),
      },
      installations,
      queues,
      redis,
      ...(options.leaseMs === undefined ? {} : { leaseMs: options.leaseMs }),
      ...(options.busyDelayMs === undefined ? {} : { busyDelayMs: options.busyDelayMs }),
    },
    backtest: { db, models: healthModelStore(db), logger: runtime.logger.child({ part: 'backtest' }) },
    warnings: {
      warnings: {
        db,
        store: warningStore(db),
        scores: healthScoreStore(db),
        models: healthModelStore(db),
        overrides: overrideStore(db),
        logger: runtime.logger.child({ part: 'warnings' }),
      },
      installations,
      queues,
      redis,
      ...(options.leaseMs === undefined ? {} : { leaseMs: options.leaseMs }),
      ...(options.busyDelayMs === undefined ? {} : { busyDelayMs: options.busyDelayMs }),
    },
    warningTasks: {
      db,
      manifest: runtime.manifest,
      installations,
      store: warningStore(db),
      adapters,
      connections,
      tokens,
      queues,
      redis,
      logger: runtime.logger.child({ part: 'warning-tasks' }),
      ...(options.leaseMs === undefined ? {} : { leaseMs: options.leaseMs }),
      ...(options.busyDelayMs === undefined ? {} : { busyDelayMs: options.busyDelayMs }),
    },
    qbr: {
      db,
      manifest: runtime.manifest,
      installations,
      adapters,
      connections,
      tokens,
      queues,
      logger: runtime.logger.child({ part: 'qbr' }),
    },
    notify: {
      store: notificationStore(db, runtime.sealer),
      installations,
      redis,
      logger: runtime.logger.child({ part: 'notify' }),
      now: Date.now,
      // Receivers on this machine are for development and tests; production sends to public https only.
      allowLoopbackHttp: runtime.env.NODE_ENV !== 'production',
    },
    writeBack: {
      db,
      manifest: runtime.manifest,
      installations,
      store: writeBackStore(db),
      adapters,
      connections,
      tokens,
      queues,
      redis,
      fields: runtime.manifest.fields,
      logger: runtime.logger.child({ part: 'write-back' }),
      ...(options.leaseMs === undefined ? {} : { leaseMs: options.leaseMs }),
      ...(options.busyDelayMs === undefined ? {} : { busyDelayMs: options.busyDelayMs }),
    },
  };
}
