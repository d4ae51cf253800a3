import type { RequestHandler } from 'express';
import { usageDailyBatchSchema, type UsageDailyItem } from '../../contracts/ingest.ts';
import { upsertUsageDaily, type UsageDailyRow } from '../../platform/db/ingest-store.ts';
import { ingestBatchRoute } from '../ingest/batch-route.ts';
import type { IngestDeps } from '../ingest/deps.ts';

/**
 * `POST /api/ingest/usage-daily`: usage per account and day. A day sent again replaces the stored
 * one; within a batch the last copy of a day wins and earlier copies count as duplicates.
 */
export function postIngestUsageDaily(deps: IngestDeps): RequestHandler {
  return ingestBatchRoute<UsageDailyItem>(deps, {
    kind: 'usage-daily',
    schema: usageDailyBatchSchema,
    async store(tx, scope, items) {
      const byDay = new Map<string, UsageDailyRow>();
      for (const { item, accountExternalId } of items) {
        byDay.set(`${accountExternalId}\n${item.date}`, {
          accountExternalId,
          date: item.date,
          activeUsers: item.activeUsers,
          licences: item.licences ?? null,
          events: item.events ?? 0,
          features: item.features ?? {},
        });
      }
      const accepted = await upsertUsageDaily(tx, scope, [...byDay.values()]);
      return { accepted, duplicates: items.length - accepted };
    },
  });
}
