import { and, asc, eq, inArray, ne, or, sql } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import type { AccountLink, MatchDecision, MatchRecord, MatchReport } from '../../core/accounts/matching.ts';
import type { Database } from './database.ts';
import { accountLinks, accountMatchDecisions, accountMatchReports, accounts, installations } from './schema.ts';

/**
 * One customer in two CRMs, as stored: which HubSpot company and Salesforce Account of a workspace
 * are linked, the admins' decisions on pairs, and the last matching run's report. Every query is
 * scoped to one workspace and to the two installations it connects.
 */

/** A workspace's HubSpot portal and Salesforce org, both connected (not uninstalled). */
export interface WorkspacePair {
  workspaceId: string;
  hubspotInstallationId: string;
  salesforceInstallationId: string;
}

export interface StoredMatchReport {
  pair: WorkspacePair;
  report: unknown;
  computedAt: Date;
}

export interface LinkRow extends AccountLink {
  hubspotName: string | null;
  salesforceName: string | null;
  linkedAt: Date;
}

// Rows per insert statement: well under Postgres's 65,535 parameters at 6 columns.
const INSERT_CHUNK = 2_000;

export function matchStore(db: Database) {
  const ofPair = (pair: WorkspacePair) =>
    and(
      eq(accountLinks.workspaceId, pair.workspaceId),
      eq(accountLinks.hubspotInstallationId, pair.hubspotInstallationId),
      eq(accountLinks.salesforceInstallationId, pair.salesforceInstallationId),
    );

  const decisionsOfPair = (pair: WorkspacePair) =>
    and(
      eq(accountMatchDecisions.workspaceId, pair.workspaceId),
      eq(accountMatchDecisions.hubspotInstallationId, pair.hubspotInstallationId),
      eq(accountMatchDecisions.salesforceInstallationId, pair.salesforceInstallationId),
    );

  const recordsOf = async (workspaceId: string, installationId: string): Promise<MatchRecord[]> =>
    db
      .select({
        id: accounts.externalId,
        name: accounts.name,
        domain: accounts.domain,
        connectorId: accounts.connectorExternalId,
      })
      .from(accounts)
      .where(
        and(
          eq(accounts.workspaceId, workspaceId),
          eq(accounts.installationId, installationId),
          eq(accounts.archived, false),
        ),
      )
      .orderBy(asc(accounts.externalId));

  return {
    /** The workspace's two CRMs, or null while it connects fewer than both. */
    async pair(workspaceId: string): Promise<WorkspacePair | null> {
      const rows = await db
        .select({ id: installations.id, provider: installations.provider })
        .from(installations)
        .where(and(eq(installations.workspaceId, workspaceId), ne(installations.status, 'uninstalled')));
      const hubspot = rows.find((row) => row.provider === 'hubspot');
      const salesforce = rows.find((row) => row.provider === 'salesforce');
      if (!hubspot || !salesforce) return null;
      return { workspaceId, hubspotInstallationId: hubspot.id, salesforceInstallationId: salesforce.id };
    },

    /** What the matcher reads: both sides' live accounts and the admins' decisions. */
    async inputs(pair: WorkspacePair): Promise<{
      hubspot: MatchRecord[];
      salesforce: MatchRecord[];
      decisions: MatchDecision[];
    }> {
      const [hubspot, salesforce, decisions] = await Promise.all([
        recordsOf(pair.workspaceId, pair.hubspotInstallationId),
        recordsOf(pair.workspaceId, pair.salesforceInstallationId),
        db
          .select({
            hubspotId: accountMatchDecisions.hubspotAccountId,
            salesforceId: accountMatchDecisions.salesforceAccountId,
            decision: accountMatchDecisions.decision,
          })
          .from(accountMatchDecisions)
          .where(decisionsOfPair(pair)),
      ]);
      return { hubspot, salesforce, decisions };
    },

    /**
     * Makes the pair's links the run's answer and stores its report, in one transaction: a reader sees
     * the old links or the new ones, never half of each. Only what changed is written, so a run on a
     * steady book (every sync asks for one) touches no link; a link that stays keeps its `linkedAt`.
     */
    async save(
      pair: WorkspacePair,
      report: MatchReport,
      computedAt: Date,
    ): Promise<{ linked: number; unlinked: number }> {
      const keyOf = (link: Pick<AccountLink, 'hubspotId' | 'salesforceId' | 'rule'>) =>
        `${link.hubspotId}\u0000${link.salesforceId}\u0000${link.rule}`;
      return db.transaction(async (tx) => {
        // Links of an earlier pair (the workspace connected another portal or org since) go first.
        await tx
          .delete(accountLinks)
          .where(
            and(
              eq(accountLinks.workspaceId, pair.workspaceId),
              or(
                ne(accountLinks.hubspotInstallationId, pair.hubspotInstallationId),
                ne(accountLinks.salesforceInstallationId, pair.salesforceInstallationId),
              ),
            ),
          );
        const existing = await tx
          .select({
            hubspotId: accountLinks.hubspotAccountId,
            salesforceId: accountLinks.salesforceAccountId,
            rule: accountLinks.rule,
          })
          .from(accountLinks)
          .where(ofPair(pair));
        const wanted = new Set(report.links.map(keyOf));
        const had = new Set(existing.map(keyOf));
        const gone = existing.filter((link) => !wanted.has(keyOf(link))).map((link) => link.hubspotId);
        const added = report.links.filter((link) => !had.has(keyOf(link)));
        // Removed before added: an Account that moves to another company must leave its old link first.
        for (let start = 0; start < gone.length; start += INSERT_CHUNK) {
          await tx
            .delete(accountLinks)
            .where(and(ofPair(pair), inArray(accountLinks.hubspotAccountId, gone.slice(start, start + INSERT_CHUNK))));
        }
        for (let start = 0; start < added.length; start += INSERT_CHUNK) {
          await tx.insert(accountLinks).values(
            added.slice(start, start + INSERT_CHUNK).map((link) => ({
              ...pair,
              hubspotAccountId: link.hubspotId,
              salesforceAccountId: link.salesforceId,
              rule: link.rule,
              linkedAt: computedAt,
            })),
          );
        }
        // The links live in their table; the report keeps what an admin reviews.
        const stored = { counts: report.counts, proposals: report.proposals, conflicts: report.conflicts };
        const values = { ...pair, report: stored, computedAt };
        await tx
          .insert(accountMatchReports)
          .values(values)
          .onConflictDoUpdate({ target: accountMatchReports.workspaceId, set: values });
        return { linked: added.length, unlinked: gone.length };
      });
    },

    async report(workspaceId: string): Promise<StoredMatchReport | undefined> {
      const [row] = await db.select().from(accountMatchReports).where(eq(accountMatchReports.workspaceId, workspaceId));
      if (!row) return undefined;
      const { report, computedAt, ...pair } = row;
      return { pair, report, computedAt };
    },

    /**
     * Fresh planner statistics for the links and the accounts they join: without them (a first sync
     * and first matching just wrote thousands of rows) Postgres joins by scanning, and a page of
     * links takes seconds instead of milliseconds.
     */
    async refreshStatistics(): Promise<void> {
      await db.execute(sql`analyze ${accountLinks}, ${accounts}`);
    },

    /** A page of the links with both names, by HubSpot id. */
    async links(pair: WorkspacePair, page: { offset: number; limit: number }): Promise<LinkRow[]> {
      const hubspotSide = alias(accounts, 'hubspot_account');
      const salesforceSide = alias(accounts, 'salesforce_account');
      return db
        .select({
          hubspotId: accountLinks.hubspotAccountId,
          salesforceId: accountLinks.salesforceAccountId,
          rule: accountLinks.rule,
          linkedAt: accountLinks.linkedAt,
          hubspotName: hubspotSide.name,
          salesforceName: salesforceSide.name,
        })
        .from(accountLinks)
        .leftJoin(
          hubspotSide,
          and(
            eq(hubspotSide.workspaceId, accountLinks.workspaceId),
            eq(hubspotSide.installationId, accountLinks.hubspotInstallationId),
            eq(hubspotSide.externalId, accountLinks.hubspotAccountId),
          ),
        )
        .leftJoin(
          salesforceSide,
          and(
            eq(salesforceSide.workspaceId, accountLinks.workspaceId),
            eq(salesforceSide.installationId, accountLinks.salesforceInstallationId),
            eq(salesforceSide.externalId, accountLinks.salesforceAccountId),
          ),
        )
        .where(ofPair(pair))
        .orderBy(asc(accountLinks.hubspotAccountId))
        .offset(page.offset)
        .limit(page.limit);
    },

    /** Whether both records exist (live) in the pair's installations. */
    async pairExists(pair: WorkspacePair, hubspotId: string, salesforceId: string): Promise<boolean> {
      const [row] = await db
        .select({ count: sql<number>`count(*)::int` })
        .from(accounts)
        .where(
          and(
            eq(accounts.workspaceId, pair.workspaceId),
            eq(accounts.archived, false),
            sql`(${accounts.installationId}, ${accounts.externalId}) in ((${pair.hubspotInstallationId}::uuid, ${hubspotId}), (${pair.salesforceInstallationId}::uuid, ${salesforceId}))`,
          ),
        );
      return (row?.count ?? 0) === 2;
    },

    /** An admin's word on a pair; the newest replaces an earlier one on the same pair. */
    async decide(
      pair: WorkspacePair,
      decision: { hubspotId: string; salesforceId: string; decision: MatchDecision['decision'] },
      decidedBy: string,
      at: Date,
    ): Promise<void> {
      const values = {
        ...pair,
        hubspotAccountId: decision.hubspotId,
        salesforceAccountId: decision.salesforceId,
        decision: decision.decision,
        decidedBy,
        decidedAt: at,
      };
      await db
        .insert(accountMatchDecisions)
        .values(values)
        .onConflictDoUpdate({
          target: [
            accountMatchDecisions.workspaceId,
            accountMatchDecisions.hubspotInstallationId,
            accountMatchDecisions.hubspotAccountId,
            accountMatchDecisions.salesforceInstallationId,
            accountMatchDecisions.salesforceAccountId,
          ],
          set: { decision: values.decision, decidedBy, decidedAt: at },
        });
    },

    /** Forgets an admin's word on a pair (the rules decide again); true when there was one. */
    async forget(pair: WorkspacePair, hubspotId: string, salesforceId: string): Promise<boolean> {
      const removed = await db
        .delete(accountMatchDecisions)
        .where(
          and(
            decisionsOfPair(pair),
            eq(accountMatchDecisions.hubspotAccountId, hubspotId),
            eq(accountMatchDecisions.salesforceAccountId, salesforceId),
          ),
        )
        .returning({ id: accountMatchDecisions.hubspotAccountId });
      return removed.length > 0;
    },
  };
}

export type MatchStore = ReturnType<typeof matchStore>;
