import type { RequestHandler } from 'express';
import { surveysBatchSchema, type SurveyItem } from '../../contracts/ingest.ts';
import { insertSurveyResponses } from '../../platform/db/ingest-store.ts';
import { ingestBatchRoute } from '../ingest/batch-route.ts';
import type { IngestDeps } from '../ingest/deps.ts';

/** `POST /api/ingest/surveys`: NPS, CSAT and CES answers; a response id already held is a duplicate. */
export function postIngestSurveys(deps: IngestDeps): RequestHandler {
  return ingestBatchRoute<SurveyItem>(deps, {
    kind: 'surveys',
    schema: surveysBatchSchema,
    async store(tx, scope, items) {
      const accepted = await insertSurveyResponses(
        tx,
        scope,
        items.map(({ item, accountExternalId }) => ({
          clientId: item.id,
          accountExternalId,
          kind: item.kind,
          score: item.score,
          verbatim: item.verbatim ?? null,
          contactExternalId: item.contactId ?? null,
          respondedAt: new Date(item.respondedAt),
        })),
      );
      return { accepted, duplicates: items.length - accepted };
    },
  });
}
