import { and, asc, desc, eq, gt, inArray, isNotNull, isNull, ne, sql } from 'drizzle-orm';
import type { Database } from './database.ts';
import {
  accounts,
  accountStageHistory,
  planMilestones,
  planNotes,
  planObjectives,
  planSettings,
  planShareLinks,
  successPlans,
} from './schema.ts';
import type { InstallationKey } from './sync-store.ts';

/**
 * Lifecycle stages and success plans as stored: the installation's stage rules and templates, every
 * stay of an account in a stage, the plans with their objectives, milestones and notes, and the
 * customer share links. Every query is scoped by workspace and installation, except the lookup of a
 * share link by its token, which is the credential and names its installation.
 */

export type StageStayRow = typeof accountStageHistory.$inferSelect;
export type PlanRow = typeof successPlans.$inferSelect;
export type ObjectiveRow = typeof planObjectives.$inferSelect;
export type MilestoneRow = typeof planMilestones.$inferSelect;
export type NoteRow = typeof planNotes.$inferSelect;
export type ShareLinkRow = typeof planShareLinks.$inferSelect;
type Stage = StageStayRow['stage'];

export interface PlanWithParts extends PlanRow {
  objectives: ObjectiveRow[];
  milestones: MilestoneRow[];
}

export interface StageChange {
  accountExternalId: string;
  stage: Stage;
  reason: string;
}

/** A stay without a plan yet, with what choosing and filling a template needs. */
export interface StayWithoutPlan {
  entryId: string;
  accountExternalId: string;
  stage: Stage;
  enteredAt: Date;
  segment: string | null;
  csmExternalId: string | null;
  ownerExternalId: string | null;
}

export interface NewPlan {
  accountExternalId: string;
  name: string;
  templateKey: string | null;
  stage: Stage;
  /** Null for a plan made by hand. */
  stageEntryId: string | null;
  startedAt: Date;
  createdBy: string;
  objectives: readonly {
    key: string;
    position: number;
    title: string;
    metric: unknown;
    comparator: 'gte' | 'lte';
    target: number;
    startAt: Date;
    dueAt: Date;
  }[];
  milestones: readonly {
    key: string;
    position: number;
    title: string;
    dueAt: Date;
    ownerExternalId: string | null;
    reachedWhen: unknown;
  }[];
}

export interface ObjectiveReadingRow {
  key: string;
  status: ObjectiveRow['status'];
  value: number | null;
  expected: number | null;
  progress: number | null;
  startValue: number | null;
  achievedAt: Date | null;
}

export interface PlanReadings {
  planId: string;
  objectives: readonly ObjectiveReadingRow[];
  /** Milestones whose condition was met at this reading. */
  reached: readonly string[];
}

const plansOfKey = (key: InstallationKey) =>
  and(eq(successPlans.workspaceId, key.workspaceId), eq(successPlans.installationId, key.installationId));
const staysOfKey = (key: InstallationKey) =>
  and(eq(accountStageHistory.workspaceId, key.workspaceId), eq(accountStageHistory.installationId, key.installationId));
const childOf = (
  table: typeof planObjectives | typeof planMilestones | typeof planNotes | typeof planShareLinks,
  key: InstallationKey,
  planIds: readonly string[],
) =>
  and(
    eq(table.workspaceId, key.workspaceId),
    eq(table.installationId, key.installationId),
    inArray(table.planId, [...planIds]),
  );

export function planStore(db: Database) {
  /** The plans' objectives and milestones, in their template order. */
  async function withParts(key: InstallationKey, plans: PlanRow[]): Promise<PlanWithParts[]> {
    if (plans.length === 0) return [];
    const ids = plans.map((plan) => plan.id);
    const [objectives, milestones] = await Promise.all([
      db
        .select()
        .from(planObjectives)
        .where(childOf(planObjectives, key, ids))
        .orderBy(asc(planObjectives.position)),
      db
        .select()
        .from(planMilestones)
        .where(childOf(planMilestones, key, ids))
        .orderBy(asc(planMilestones.position)),
    ]);
    return plans.map((plan) => ({
      ...plan,
      objectives: objectives.filter((row) => row.planId === plan.id),
      milestones: milestones.filter((row) => row.planId === plan.id),
    }));
  }

  return {
    async settings(key: InstallationKey): Promise<{
      version: number;
      stageRules: unknown;
      templates: unknown;
      updatedAt: Date;
      updatedBy: string;
    } | null> {
      const [row] = await db
        .select()
        .from(planSettings)
        .where(and(eq(planSettings.workspaceId, key.workspaceId), eq(planSettings.installationId, key.installationId)));
      return row ?? null;
    },

    /** Saves the parts given (null puts the shipped defaults back); returns the new version. */
    async saveSettings(
      key: InstallationKey,
      parts: { stageRules?: unknown; templates?: unknown },
      actor: string,
      at: Date,
    ): Promise<number> {
      const set = { ...parts, updatedAt: at, updatedBy: actor };
      const [row] = await db
        .insert(planSettings)
        .values({ ...key, version: 1, ...set })
        .onConflictDoUpdate({
          target: [planSettings.workspaceId, planSettings.installationId],
          set: { ...set, version: sql`${planSettings.version} + 1` },
        })
        .returning({ version: planSettings.version });
      return row!.version;
    },

    /** The current stay of each account that has one. */
    async currentStages(key: InstallationKey, accountIds?: readonly string[]): Promise<Map<string, StageStayRow>> {
      const rows = await db
        .select()
        .from(accountStageHistory)
        .where(
          and(
            staysOfKey(key),
            isNull(accountStageHistory.leftAt),
            accountIds ? inArray(accountStageHistory.accountExternalId, [...accountIds]) : undefined,
          ),
        );
      return new Map(rows.map((row) => [row.accountExternalId, row]));
    },

    /**
     * Records each account's stage at `at`: the same stage keeps its stay (its reason refreshed), a
     * new one ends the stay and opens another. Run twice with the same stages, it changes nothing.
     */
    async recordStages(key: InstallationKey, changes: readonly StageChange[], at: Date): Promise<StageStayRow[]> {
      if (changes.length === 0) return [];
      return db.transaction(async (tx) => {
        const current = await tx
          .select()
          .from(accountStageHistory)
          .where(
            and(
              staysOfKey(key),
              isNull(accountStageHistory.leftAt),
              inArray(
                accountStageHistory.accountExternalId,
                changes.map((change) => change.accountExternalId),
              ),
            ),
          );
        const stays = new Map(current.map((row) => [row.accountExternalId, row]));
        const entered: StageStayRow[] = [];
        for (const change of changes) {
          const stay = stays.get(change.accountExternalId);
          if (stay?.stage === change.stage) {
            if (stay.reason !== change.reason) {
              await tx
                .update(accountStageHistory)
                .set({ reason: change.reason })
                .where(and(staysOfKey(key), eq(accountStageHistory.id, stay.id)));
            }
            continue;
          }
          if (stay) {
            await tx
              .update(accountStageHistory)
              .set({ leftAt: at })
              .where(and(staysOfKey(key), eq(accountStageHistory.id, stay.id)));
          }
          const [row] = await tx
            .insert(accountStageHistory)
            .values({ ...key, ...change, enteredAt: at })
            .returning();
          entered.push(row!);
        }
        return entered;
      });
    },

    /** An account's stays, newest first. */
    async stageHistory(key: InstallationKey, accountExternalId: string, limit = 50): Promise<StageStayRow[]> {
      return db
        .select()
        .from(accountStageHistory)
        .where(and(staysOfKey(key), eq(accountStageHistory.accountExternalId, accountExternalId)))
        .orderBy(desc(accountStageHistory.enteredAt))
        .limit(limit);
    },

    /** Current stays in these stages whose account has no plan made for them, on accounts still in the CRM. */
    async staysWithoutPlan(key: InstallationKey, stages: readonly Stage[]): Promise<StayWithoutPlan[]> {
      if (stages.length === 0) return [];
      return db
        .select({
          entryId: accountStageHistory.id,
          accountExternalId: accountStageHistory.accountExternalId,
          stage: accountStageHistory.stage,
          enteredAt: accountStageHistory.enteredAt,
          segment: accounts.segment,
          csmExternalId: accounts.csmExternalId,
          ownerExternalId: accounts.ownerExternalId,
        })
        .from(accountStageHistory)
        .innerJoin(
          accounts,
          and(
            eq(accounts.workspaceId, accountStageHistory.workspaceId),
            eq(accounts.installationId, accountStageHistory.installationId),
            eq(accounts.externalId, accountStageHistory.accountExternalId),
            eq(accounts.archived, false),
          ),
        )
        .leftJoin(
          successPlans,
          and(
            eq(successPlans.workspaceId, accountStageHistory.workspaceId),
            eq(successPlans.installationId, accountStageHistory.installationId),
            eq(successPlans.stageEntryId, accountStageHistory.id),
          ),
        )
        .where(
          and(
            staysOfKey(key),
            isNull(accountStageHistory.leftAt),
            inArray(accountStageHistory.stage, [...stages]),
            isNull(successPlans.id),
          ),
        )
        .orderBy(asc(accountStageHistory.accountExternalId));
    },

    /**
     * Creates plans with their objectives and milestones, one transaction. A plan for a stay that
     * already has one is skipped (the unique stay index decides, so two runs at once make one plan);
     * so is a template plan while the account has an active plan of the same template (an account
     * back in onboarding after a red week keeps the plan it had). A new stage plan closes the
     * account's earlier active stage plans; plans made by hand stay. Returns the plans made.
     */
    async createPlans(key: InstallationKey, plans: readonly NewPlan[], at: Date): Promise<PlanRow[]> {
      if (plans.length === 0) return [];
      return db.transaction(async (tx) => {
        const made: PlanRow[] = [];
        for (const plan of plans) {
          if (plan.templateKey !== null) {
            const [same] = await tx
              .select({ id: successPlans.id })
              .from(successPlans)
              .where(
                and(
                  plansOfKey(key),
                  eq(successPlans.accountExternalId, plan.accountExternalId),
                  eq(successPlans.templateKey, plan.templateKey),
                  eq(successPlans.status, 'active'),
                ),
              )
              .limit(1);
            if (same) continue;
          }
          const [row] = await tx
            .insert(successPlans)
            .values({
              ...key,
              accountExternalId: plan.accountExternalId,
              name: plan.name,
              templateKey: plan.templateKey,
              stage: plan.stage,
              stageEntryId: plan.stageEntryId,
              status: 'active',
              startedAt: plan.startedAt,
              createdBy: plan.createdBy,
            })
            .onConflictDoNothing()
            .returning();
          if (!row) continue;
          if (plan.stageEntryId !== null) {
            await tx
              .update(successPlans)
              .set({ status: 'closed', closedAt: at })
              .where(
                and(
                  plansOfKey(key),
                  eq(successPlans.accountExternalId, plan.accountExternalId),
                  eq(successPlans.status, 'active'),
                  isNotNull(successPlans.stageEntryId),
                  ne(successPlans.id, row.id),
                ),
              );
          }
          if (plan.objectives.length > 0) {
            await tx.insert(planObjectives).values(
              plan.objectives.map((objective) => ({
                ...key,
                planId: row.id,
                ...objective,
                status: 'no_data' as const,
                statusSince: plan.startedAt,
              })),
            );
          }
          if (plan.milestones.length > 0) {
            await tx
              .insert(planMilestones)
              .values(plan.milestones.map((milestone) => ({ ...key, planId: row.id, ...milestone })));
          }
          made.push(row);
        }
        return made;
      });
    },

    /** Active plans (of these accounts, or all), with their objectives and milestones. */
    async activePlans(key: InstallationKey, accountIds?: readonly string[]): Promise<PlanWithParts[]> {
      if (accountIds?.length === 0) return [];
      const plans = await db
        .select()
        .from(successPlans)
        .where(
          and(
            plansOfKey(key),
            eq(successPlans.status, 'active'),
            accountIds ? inArray(successPlans.accountExternalId, [...accountIds]) : undefined,
          ),
        )
        .orderBy(asc(successPlans.accountExternalId), desc(successPlans.startedAt));
      return withParts(key, plans);
    },

    /** Every plan of an account, active first, newest first. */
    async plansOf(key: InstallationKey, accountExternalId: string): Promise<PlanWithParts[]> {
      const plans = await db
        .select()
        .from(successPlans)
        .where(and(plansOfKey(key), eq(successPlans.accountExternalId, accountExternalId)))
        .orderBy(asc(successPlans.status), desc(successPlans.startedAt));
      return withParts(key, plans);
    },

    async plan(key: InstallationKey, planId: string): Promise<PlanWithParts | null> {
      const plans = await db
        .select()
        .from(successPlans)
        .where(and(plansOfKey(key), eq(successPlans.id, planId)));
      const [plan] = await withParts(key, plans);
      return plan ?? null;
    },

    /**
     * Stores what the signals say of each plan: objective readings (the status keeps its `since`
     * while it stays the same) and milestones whose condition was met (a reached one keeps its date).
     */
    async saveReadings(key: InstallationKey, readings: readonly PlanReadings[], at: Date): Promise<void> {
      if (readings.length === 0) return;
      await db.transaction(async (tx) => {
        for (const reading of readings) {
          for (const objective of reading.objectives) {
            await tx
              .update(planObjectives)
              .set({
                status: objective.status,
                statusSince: sql`case when ${planObjectives.status} = ${objective.status} then ${planObjectives.statusSince} else ${at.toISOString()}::timestamptz end`,
                value: objective.value,
                expected: objective.expected,
                progress: objective.progress,
                startValue: objective.startValue,
                achievedAt: objective.achievedAt,
                readAt: at,
              })
              .where(and(childOf(planObjectives, key, [reading.planId]), eq(planObjectives.key, objective.key)));
          }
          if (reading.reached.length > 0) {
            await tx
              .update(planMilestones)
              .set({ reachedAt: at, reachedBy: 'signal' })
              .where(
                and(
                  childOf(planMilestones, key, [reading.planId]),
                  inArray(planMilestones.key, [...reading.reached]),
                  isNull(planMilestones.reachedAt),
                ),
              );
          }
          await tx
            .update(successPlans)
            .set({ readAt: at })
            .where(and(plansOfKey(key), eq(successPlans.id, reading.planId)));
        }
      });
    },

    /** Marks a milestone reached by a person (or not reached, with null); false when there is no such milestone. */
    async markMilestone(
      key: InstallationKey,
      planId: string,
      milestoneKey: string,
      reached: { at: Date; by: string } | null,
    ): Promise<boolean> {
      const rows = await db
        .update(planMilestones)
        .set({ reachedAt: reached?.at ?? null, reachedBy: reached?.by ?? null })
        .where(and(childOf(planMilestones, key, [planId]), eq(planMilestones.key, milestoneKey)))
        .returning({ key: planMilestones.key });
      return rows.length > 0;
    },

    async updateMilestone(
      key: InstallationKey,
      planId: string,
      milestoneKey: string,
      change: { title?: string; dueAt?: Date; ownerExternalId?: string | null },
    ): Promise<boolean> {
      if (Object.keys(change).length === 0) return (await this.plan(key, planId)) !== null;
      const rows = await db
        .update(planMilestones)
        .set(change)
        .where(and(childOf(planMilestones, key, [planId]), eq(planMilestones.key, milestoneKey)))
        .returning({ key: planMilestones.key });
      return rows.length > 0;
    },

    async closePlan(key: InstallationKey, planId: string, at: Date): Promise<boolean> {
      const rows = await db
        .update(successPlans)
        .set({ status: 'closed', closedAt: at })
        .where(and(plansOfKey(key), eq(successPlans.id, planId), eq(successPlans.status, 'active')))
        .returning({ id: successPlans.id });
      return rows.length > 0;
    },

    /** Closes the active plans of accounts whose current stage is churned: nothing is left to reach. */
    async closePlansOfChurned(key: InstallationKey, at: Date): Promise<number> {
      const churned = db
        .select({ id: accountStageHistory.accountExternalId })
        .from(accountStageHistory)
        .where(and(staysOfKey(key), isNull(accountStageHistory.leftAt), eq(accountStageHistory.stage, 'churned')));
      const rows = await db
        .update(successPlans)
        .set({ status: 'closed', closedAt: at })
        .where(
          and(plansOfKey(key), eq(successPlans.status, 'active'), inArray(successPlans.accountExternalId, churned)),
        )
        .returning({ id: successPlans.id });
      return rows.length;
    },

    async addNote(key: InstallationKey, planId: string, author: string, body: string, at: Date): Promise<NoteRow> {
      const [row] = await db
        .insert(planNotes)
        .values({ ...key, planId, author, body, createdAt: at })
        .returning();
      return row!;
    },

    async notes(key: InstallationKey, planId: string, limit = 100): Promise<NoteRow[]> {
      return db
        .select()
        .from(planNotes)
        .where(childOf(planNotes, key, [planId]))
        .orderBy(desc(planNotes.createdAt))
        .limit(limit);
    },

    async createShareLink(
      key: InstallationKey,
      link: { planId: string; tokenHash: string; createdBy: string; createdAt: Date; expiresAt: Date },
    ): Promise<ShareLinkRow> {
      const [row] = await db
        .insert(planShareLinks)
        .values({ ...key, ...link })
        .returning();
      return row!;
    },

    async shareLinks(key: InstallationKey, planId: string): Promise<ShareLinkRow[]> {
      return db
        .select()
        .from(planShareLinks)
        .where(childOf(planShareLinks, key, [planId]))
        .orderBy(desc(planShareLinks.createdAt));
    },

    async revokeShareLink(key: InstallationKey, planId: string, linkId: string, at: Date): Promise<boolean> {
      const rows = await db
        .update(planShareLinks)
        .set({ revokedAt: at })
        .where(
          and(childOf(planShareLinks, key, [planId]), eq(planShareLinks.id, linkId), isNull(planShareLinks.revokedAt)),
        )
        .returning({ id: planShareLinks.id });
      return rows.length > 0;
    },

    /** The plan a live link opens (not revoked, not expired at `at`), and records the opening. */
    async openShareLink(
      tokenHash: string,
      at: Date,
    ): Promise<{ key: InstallationKey; planId: string; expiresAt: Date } | null> {
      const [row] = await db
        .update(planShareLinks)
        .set({ lastOpenedAt: at })
        .where(
          and(
            eq(planShareLinks.tokenHash, tokenHash),
            isNull(planShareLinks.revokedAt),
            gt(planShareLinks.expiresAt, at),
          ),
        )
        .returning();
      if (!row) return null;
      return {
        key: { workspaceId: row.workspaceId, installationId: row.installationId },
        planId: row.planId,
        expiresAt: row.expiresAt,
      };
    },
  };
}

export type PlanStore = ReturnType<typeof planStore>;
