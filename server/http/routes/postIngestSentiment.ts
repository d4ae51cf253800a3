import type { RequestHandler } from 'express';
import { sentimentBatchSchema, type SentimentItem } from '../../contracts/ingest.ts';
import { insertSentiment } from '../../platform/db/ingest-store.ts';
import { ingestBatchRoute } from '../ingest/batch-route.ts';
import type { IngestDeps } from '../ingest/deps.ts';

/** `POST /api/ingest/sentiment`: CSM sentiment with a note; an entry id already held is a duplicate. */
export function postIngestSentiment(deps: IngestDeps): RequestHandler {
  return ingestBatchRoute<SentimentItem>(deps, {
    kind: 'sentiment',
    schema: sentimentBatchSchema,
    async store(tx, scope, items) {
      const accepted = await insertSentiment(
        tx,
        scope,
        items.map(({ item, accountExternalId }) => ({
          clientId: item.id,
          accountExternalId,
          sentiment: item.sentiment,
          note: item.note ?? null,
          csmExternalId: item.csmId ?? null,
          recordedAt: new Date(item.recordedAt),
        })),
      );
      return { accepted, duplicates: items.length - accepted };
    },
  });
}
