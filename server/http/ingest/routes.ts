import type { Express } from 'express';
import { deleteInstallationIngestKey } from '../routes/deleteInstallationIngestKey.ts';
import { getInstallationIngestKeys } from '../routes/getInstallationIngestKeys.ts';
import { postIngestSentiment } from '../routes/postIngestSentiment.ts';
import { postIngestSurveys } from '../routes/postIngestSurveys.ts';
import { postIngestUsageDaily } from '../routes/postIngestUsageDaily.ts';
import { postIngestUsageEvents } from '../routes/postIngestUsageEvents.ts';
import { postInstallationIngestKeys } from '../routes/postInstallationIngestKeys.ts';
import { installContext, type InstallDeps } from '../install/deps.ts';
import type { IngestDeps } from './deps.ts';

/**
 * The ingest API, and the routes that manage its keys (those need the install flow's session and
 * admin check, so they exist only when the install routes do).
 */
export function mountIngest(app: Express, deps: IngestDeps, install: InstallDeps | undefined): void {
  app.post('/api/ingest/usage-daily', postIngestUsageDaily(deps));
  app.post('/api/ingest/usage-events', postIngestUsageEvents(deps));
  app.post('/api/ingest/surveys', postIngestSurveys(deps));
  app.post('/api/ingest/sentiment', postIngestSentiment(deps));
  if (!install) return;
  const ctx = installContext(install);
  app.post('/api/installations/:id/ingest-keys', postInstallationIngestKeys(ctx));
  app.get('/api/installations/:id/ingest-keys', getInstallationIngestKeys(ctx));
  app.delete('/api/installations/:id/ingest-keys/:keyId', deleteInstallationIngestKey(ctx));
}
