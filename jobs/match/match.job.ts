import type { Job } from 'bullmq';
import { matchAccounts, type MatchReport } from '../../server/core/accounts/matching.ts';
import type { Database } from '../../server/platform/db/database.ts';
import { matchStore } from '../../server/platform/db/match-store.ts';
import type { Logger } from '../../server/platform/logger.ts';
import { enqueueMatch, takeMatchAgainRequest, type MatchJobData, type Queues } from '../queues.ts';

/**
 * The `match` job of the `sync` queue: matches a workspace's HubSpot companies with its Salesforce
 * Accounts (server/core/accounts/matching.ts) and replaces the stored links and report with the
 * answer. It reads only the database and rewrites the whole answer, so running it twice changes
 * nothing; a workspace without both CRMs is skipped.
 */

/** Links written or removed by one run beyond which the tables' planner statistics are refreshed. */
const STATISTICS_AFTER_CHANGES = 1_000;

export interface MatchJobServices {
  db: Database;
  queues: Queues;
  logger: Logger;
  now?: () => number;
}

export type MatchJobResult =
  { outcome: 'matched'; counts: MatchReport['counts']; durationMs: number } | { outcome: 'skipped'; reason: string };

export async function runMatchJob(
  services: MatchJobServices,
  data: MatchJobData,
  job: Pick<Job, 'updateProgress'>,
): Promise<MatchJobResult> {
  const store = matchStore(services.db);
  const pair = await store.pair(data.workspaceId);
  if (!pair) {
    await takeMatchAgainRequest(services.queues, data.workspaceId);
    return { outcome: 'skipped', reason: 'the workspace does not connect both a HubSpot portal and a Salesforce org' };
  }
  const started = Date.now();
  await job.updateProgress({ step: 'reading', percent: 10 });
  const inputs = await store.inputs(pair);
  await job.updateProgress({ step: 'matching', percent: 40 });
  const report = matchAccounts(inputs);
  await job.updateProgress({ step: 'saving', percent: 70 });
  const changed = await store.save(pair, report, new Date(services.now?.() ?? Date.now()));
  if (changed.linked + changed.unlinked >= STATISTICS_AFTER_CHANGES) await store.refreshStatistics();
  await job.updateProgress({ step: 'done', percent: 100 });
  const durationMs = Date.now() - started;
  services.logger.info(
    { workspaceId: data.workspaceId, counts: report.counts, ...changed, durationMs },
    'accounts matched across the two CRMs',
  );
  if (await takeMatchAgainRequest(services.queues, data.workspaceId)) await enqueueMatch(services.queues, data);
  return { outcome: 'matched', counts: report.counts, ...changed, durationMs };
}
