import { bandOf, DEFAULT_MODEL } from '../../../server/core/health/model.ts';
import type { InstallationKey } from '../../../server/platform/db/sync-store.ts';

/** A row of an account's score history on a day (scored at 06:00 UTC), banded as the default model bands it. */
export const scoreHistoryRow = (key: InstallationKey, accountExternalId: string, day: string, score: number) => ({
  ...key,
  accountExternalId,
  day,
  scoredAt: new Date(`${day}T06:00:00Z`),
  modelVersion: 1,
  status: 'scored' as const,
  score,
  band: bandOf(score, DEFAULT_MODEL.bands),
  trend: 'stable' as const,
  coverage: 1,
  contributions: {},
});
