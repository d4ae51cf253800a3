import type { RequestHandler } from 'express';
import { usageEventsBatchSchema, type UsageEventItem } from '../../contracts/ingest.ts';
import { insertUsageEvents } from '../../platform/db/ingest-store.ts';
import { ingestBatchRoute } from '../ingest/batch-route.ts';
import type { IngestDeps } from '../ingest/deps.ts';

/** `POST /api/ingest/usage-events`: raw product events; an event id already held is a duplicate. */
export function postIngestUsageEvents(deps: IngestDeps): RequestHandler {
  return ingestBatchRoute<UsageEventItem>(deps, {
    kind: 'usage-events',
    schema: usageEventsBatchSchema,
    async store(tx, scope, items) {
      const accepted = await insertUsageEvents(
        tx,
        scope,
        items.map(({ item, accountExternalId }) => ({
          clientId: item.id,
          accountExternalId,
          occurredAt: new Date(item.occurredAt),
          userId: item.userId ?? null,
          event: item.event,
          feature: item.feature ?? null,
          properties: item.properties ?? {},
        })),
      );
      return { accepted, duplicates: items.length - accepted };
    },
  });
}
