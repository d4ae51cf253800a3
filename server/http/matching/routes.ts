import { Router, type Request } from 'express';
import { enqueueMatch } from '../../../jobs/queues.ts';
import {
  accountMatchesQuerySchema,
  forgetDecisionSchema,
  matchDecisionSchema,
  storedMatchReportSchema,
  type AccountMatches,
  type StoredMatchReport,
} from '../../contracts/account-matching.ts';
import { recordAudit } from '../../platform/db/audit.ts';
import type { Database } from '../../platform/db/database.ts';
import { matchStore, type LinkRow, type WorkspacePair } from '../../platform/db/match-store.ts';
import { AppError } from '../../platform/errors.ts';
import { sendCsv, type CsvColumn } from '../dashboard/csv.ts';
import { viewerActor } from '../ingest/keys.ts';
import { installationFor } from '../install/access.ts';
import { installContext, type InstallDeps } from '../install/deps.ts';

/**
 * Account matching for people signed in to a workspace that connects both CRMs, through either of
 * its installations: the report (counts per rule, conflicts, proposals, a page of the links) and the
 * admin's decisions. A decision is stored, audited and followed by a matching run; the links change
 * when that run has saved its answer.
 */

export interface MatchingDeps {
  db: Database;
}

export function matchingRouter(deps: MatchingDeps, install: InstallDeps): Router {
  const router = Router();
  const ctx = installContext(install);
  const store = matchStore(deps.db);
  const caller = async (req: Request) => {
    const { installation, viewer } = await installationFor(req, ctx, req.params.id);
    return { workspaceId: installation.workspaceId, actor: viewerActor(viewer) };
  };
  const pairOf = async (workspaceId: string): Promise<WorkspacePair> => {
    const pair = await store.pair(workspaceId);
    if (!pair) {
      throw new AppError(409, 'SINGLE_CRM', 'Connect both a HubSpot portal and a Salesforce org to match accounts');
    }
    return pair;
  };

  router.get('/api/installations/:id/account-matches', async (req, res) => {
    const { workspaceId } = await caller(req);
    const query = accountMatchesQuerySchema.parse(req.query);
    res.setHeader('Cache-Control', 'no-store');
    const pair = await store.pair(workspaceId);
    if (!pair) {
      res.json({
        status: 'single_crm',
        message: 'This workspace connects one CRM; connect the other to match its accounts.',
      } satisfies AccountMatches);
      return;
    }
    const stored = await store.report(workspaceId);
    const samePair =
      stored?.pair.hubspotInstallationId === pair.hubspotInstallationId &&
      stored.pair.salesforceInstallationId === pair.salesforceInstallationId;
    if (!stored || !samePair) {
      res.json({ status: 'pending', ...pairIds(pair) } satisfies AccountMatches);
      return;
    }
    const report = storedMatchReportSchema.parse(stored.report);
    const total = report.counts.connector_id + report.counts.domain + report.counts.manual;
    if (query.format === 'csv') {
      if (query.table === 'proposals') sendCsv(res, 'account-match-proposals', PROPOSAL_COLUMNS, report.proposals);
      else if (query.table === 'conflicts') sendCsv(res, 'account-match-conflicts', CONFLICT_COLUMNS, report.conflicts);
      else sendCsv(res, 'account-links', LINK_COLUMNS, await store.links(pair, { offset: 0, limit: total }));
      return;
    }
    const links = await store.links(pair, {
      offset: (query.page - 1) * query.pageSize,
      limit: query.pageSize,
    });
    res.json({
      status: 'ready',
      ...pairIds(pair),
      computedAt: stored.computedAt.toISOString(),
      ...report,
      links: links.map((link) => ({ ...link, linkedAt: link.linkedAt.toISOString() })),
      linksPage: { page: query.page, pageSize: query.pageSize, total },
    } satisfies AccountMatches);
  });

  router.post('/api/installations/:id/account-matches/decisions', async (req, res) => {
    const { workspaceId, actor } = await caller(req);
    const body = matchDecisionSchema.parse(req.body ?? {});
    const pair = await pairOf(workspaceId);
    if (!(await store.pairExists(pair, body.hubspotAccountId, body.salesforceAccountId))) {
      throw new AppError(
        404,
        'ACCOUNT_NOT_FOUND',
        `No HubSpot company ${body.hubspotAccountId} and Salesforce Account ${body.salesforceAccountId} both in this workspace`,
      );
    }
    const decision = { hubspotId: body.hubspotAccountId, salesforceId: body.salesforceAccountId };
    await store.decide(pair, { ...decision, decision: body.decision }, actor, new Date(ctx.now()));
    await recordAudit(deps.db, {
      workspaceId,
      installationId: pair.hubspotInstallationId,
      actor,
      action: body.decision === 'linked' ? 'account_match.linked' : 'account_match.rejected',
      details: { ...decision, salesforceInstallationId: pair.salesforceInstallationId },
    });
    const run = await enqueueMatch(ctx.queues, { workspaceId });
    res.status(202).json({ decision: body.decision, ...decision, matchJobId: run.jobId });
  });

  router.delete('/api/installations/:id/account-matches/decisions', async (req, res) => {
    const { workspaceId, actor } = await caller(req);
    const query = forgetDecisionSchema.parse(req.query);
    const pair = await pairOf(workspaceId);
    if (!(await store.forget(pair, query.hubspotAccountId, query.salesforceAccountId))) {
      throw new AppError(404, 'DECISION_NOT_FOUND', 'No decision on that pair of accounts');
    }
    await recordAudit(deps.db, {
      workspaceId,
      installationId: pair.hubspotInstallationId,
      actor,
      action: 'account_match.decision_cleared',
      details: { hubspotId: query.hubspotAccountId, salesforceId: query.salesforceAccountId },
    });
    const run = await enqueueMatch(ctx.queues, { workspaceId });
    res.status(202).json({ cleared: true, matchJobId: run.jobId });
  });
  return router;
}

const pairIds = (pair: WorkspacePair) => ({
  hubspotInstallationId: pair.hubspotInstallationId,
  salesforceInstallationId: pair.salesforceInstallationId,
});

const LINK_COLUMNS: CsvColumn<LinkRow>[] = [
  { header: 'HubSpot company id', value: (row) => row.hubspotId },
  { header: 'HubSpot name', value: (row) => row.hubspotName },
  { header: 'Salesforce Account id', value: (row) => row.salesforceId },
  { header: 'Salesforce name', value: (row) => row.salesforceName },
  { header: 'Rule', value: (row) => row.rule },
  { header: 'Linked at', value: (row) => row.linkedAt.toISOString() },
];

const PROPOSAL_COLUMNS: CsvColumn<StoredMatchReport['proposals'][number]>[] = [
  { header: 'HubSpot company id', value: (row) => row.hubspotId },
  { header: 'HubSpot name', value: (row) => row.hubspotName },
  { header: 'Salesforce Account id', value: (row) => row.salesforceId },
  { header: 'Salesforce name', value: (row) => row.salesforceName },
  { header: 'Name similarity', value: (row) => row.similarity },
];

const CONFLICT_COLUMNS: CsvColumn<StoredMatchReport['conflicts'][number]>[] = [
  { header: 'Rule', value: (row) => row.rule },
  { header: 'Key', value: (row) => row.key },
  { header: 'HubSpot company ids', value: (row) => row.hubspotIds.join(' ') },
  { header: 'Salesforce Account ids', value: (row) => row.salesforceIds.join(' ') },
  { header: 'Reason', value: (row) => row.reason },
];
