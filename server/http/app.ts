import express, { type Express } from 'express';
import helmet from 'helmet';
import { pinoHttp } from 'pino-http';
import type { Logger } from '../platform/logger.ts';
import type { Queues } from '../../jobs/queues.ts';
import { mountQueuesBoard } from './admin/queues-board.ts';
import type { CardsDeps } from './cards/deps.ts';
import { cardsRouter } from './cards/routes.ts';
import type { PreviewDeps } from './preview/deps.ts';
import { mountPreview } from './preview/routes.ts';
import type { HealthDeps } from './health/deps.ts';
import { mountHealth } from './health/routes.ts';
import type { NotificationsDeps } from './notifications/deps.ts';
import { notificationsRouter } from './notifications/routes.ts';
import { qbrRouter, type QbrDeps } from './qbr/routes.ts';
import { warningsRouter, type WarningsDeps } from './warnings/routes.ts';
import { matchingRouter } from './matching/routes.ts';
import { plansRouter } from './plans/routes.ts';
import { mountDashboard, type DashboardMount } from './dashboard/routes.ts';
import { mountSignin } from './signin/routes.ts';
import { adminAuth, recogniseAdmin, type AdminAuthOptions } from './middleware/admin-auth.ts';
import { mountInstall } from './install/routes.ts';
import type { IngestDeps } from './ingest/deps.ts';
import { mountIngest } from './ingest/routes.ts';
import { installContext, type InstallDeps } from './install/deps.ts';
import { errorHandler } from './middleware/error-handler.ts';
import { notFound } from './middleware/not-found.ts';
import { requestId } from './middleware/request-id.ts';
import { getHealthz } from './routes/getHealthz.ts';
import { getReadyz, type ReadinessCheck } from './routes/getReadyz.ts';
import { postHubspotWebhooks, type HubspotWebhookDeps } from './routes/postHubspotWebhooks.ts';

export interface AppDeps {
  logger: Logger;
  version: string;
  /** Largest JSON body accepted, e.g. "1mb". */
  bodyLimit: string;
  readiness: Record<string, ReadinessCheck>;
  /** HubSpot webhook deliveries (POST /webhooks/hubspot). */
  hubspotWebhooks?: HubspotWebhookDeps;
  /** Operator access: the admin check, and the queues shown at /admin/queues. */
  admin?: { auth: AdminAuthOptions; queues?: Queues };
  /** Install landing, OAuth callbacks, installation status and disconnect. */
  install?: InstallDeps;
  /** The ingest API (usage, surveys, sentiment); its key routes also need `install`. */
  ingest?: IngestDeps;
  /** The health model admin API and CSM overrides; like the ingest key routes, they also need `install`. */
  health?: HealthDeps;
  /** The account health card API for HubSpot (signed requests) and Salesforce (Canvas sessions). */
  cards?: CardsDeps;
  /** The local preview of the cards (demo mode only). */
  preview?: PreviewDeps;
  /** Outgoing notification channels and the CSM digest; they also need `install`. */
  notifications?: NotificationsDeps;
  /** Early warnings and their rules; they also need `install`. */
  warnings?: WarningsDeps;
  /** QBR briefs: the sealed links, and an account's versions; they also need `install`. */
  qbr?: QbrDeps;
  /** The dashboard web app at /app/ and its API; the API also needs `install` (which brings sign-in through the CRM). */
  dashboard?: DashboardMount;
}

/** Builds the Express app without listening, so tests and the process entry share it. */
export function createApp(deps: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');

  app.use(
    pinoHttp({
      logger: deps.logger,
      genReqId: requestId,
      // Path only: query strings can carry OAuth codes and signatures; headers are noise here.
      serializers: {
        req: (req: { id: unknown; method: string; url: string }) => ({
          id: req.id,
          method: req.method,
          path: req.url.split('?')[0],
        }),
        res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
      },
      // Probes would drown the log; everything else is logged once per request.
      autoLogging: { ignore: (req) => req.url === '/healthz' || req.url === '/readyz' },
    }),
  );
  app.use(helmet());
  // Webhooks are verified over the raw body, so their route parses it before the JSON parser does.
  if (deps.hubspotWebhooks) app.use('/webhooks/hubspot', postHubspotWebhooks(deps.hubspotWebhooks));
  // Card requests are signed over the raw body too, and the Canvas entry is a form post.
  if (deps.cards) app.use(cardsRouter(deps.cards));
  app.use(express.json({ limit: deps.bodyLimit }));
  if (deps.admin) app.use(recogniseAdmin(deps.admin.auth));
  if (deps.admin?.queues) mountQueuesBoard(app, deps.admin.queues, adminAuth(deps.admin.auth));

  app.get('/healthz', getHealthz(deps.version));
  app.get('/readyz', getReadyz(deps.readiness));
  if (deps.install) mountInstall(app, deps.install);
  if (deps.install) mountSignin(app, installContext(deps.install));
  if (deps.ingest) mountIngest(app, deps.ingest, deps.install);
  if (deps.health) mountHealth(app, deps.health, deps.install);
  if (deps.notifications && deps.install) app.use(notificationsRouter(deps.notifications, deps.install));
  if (deps.warnings && deps.install) app.use(warningsRouter(deps.warnings, deps.install));
  // Matching reads what warnings read: the workspace's database, through the install flow's access.
  if (deps.warnings && deps.install) app.use(matchingRouter(deps.warnings, deps.install));
  if (deps.warnings && deps.install) app.use(plansRouter(deps.warnings, deps.install));
  if (deps.qbr && deps.install) app.use(qbrRouter(deps.qbr, deps.install));
  if (deps.dashboard) mountDashboard(app, deps.dashboard, deps.install);

  if (deps.preview) mountPreview(app, deps.preview);

  app.use(notFound);
  app.use(errorHandler);
  return app;
}
