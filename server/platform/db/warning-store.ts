import { createHash } from 'node:crypto';
import { and, asc, desc, eq, gte, inArray, isNotNull, max, sql } from 'drizzle-orm';
import type { Database } from './database.ts';
import {
  accountHealth,
  accounts,
  notificationChannels,
  notificationDeliveries,
  warnings,
  warningSettings,
  warningTasks,
} from './schema.ts';
import type { InstallationKey } from './sync-store.ts';

/**
 * Early warnings as stored: the rule set in force, the open and resolved warnings, the CRM tasks of
 * their playbooks and the notifications they owe. Every query is scoped by workspace and installation.
 */

export type Severity = 'low' | 'medium' | 'high';
const SEVERITY_RANK: Record<Severity, number> = { low: 0, medium: 1, high: 2 };

export interface NewTask {
  step: number;
  subject: string;
  body: string;
  dueAt: Date;
  assigneeExternalId: string | null;
}

export interface NewWarning {
  accountExternalId: string;
  rule: string;
  dedupeKey: string;
  severity: Severity;
  title: string;
  evidence: unknown;
  ownerExternalId: string | null;
  csmExternalId: string | null;
  tasks: readonly NewTask[];
}

export type WarningRow = typeof warnings.$inferSelect;
export type WarningTaskRow = typeof warningTasks.$inferSelect;

export interface WarningChanges {
  open: readonly NewWarning[];
  /** Open warnings whose condition still holds. */
  seen: readonly string[];
  resolve: readonly { id: string; resolution: string }[];
  at: Date;
}

export interface AppliedChanges {
  opened: WarningRow[];
  resolved: number;
  /** Notification deliveries made pending by these changes. */
  deliveries: number;
  tasks: number;
}

/** The key a CRM task carries so an in-doubt create can be found: short, unique, not guessable from outside. */
export function taskKeyOf(installationId: string, warningId: string, step: number): string {
  const digest = createHash('sha256').update(`${installationId}:${warningId}:${step}`).digest('hex');
  return `bw-${digest.slice(0, 24)}`;
}

const scoped = (key: InstallationKey) =>
  and(eq(warnings.workspaceId, key.workspaceId), eq(warnings.installationId, key.installationId));
const scopedTasks = (key: InstallationKey) =>
  and(eq(warningTasks.workspaceId, key.workspaceId), eq(warningTasks.installationId, key.installationId));

/** What a warnings run knows of each account besides its facts: who looks after it and its health now. */
export interface WarningAccountRow {
  externalId: string;
  name: string | null;
  ownerExternalId: string | null;
  csmExternalId: string | null;
  score: number | null;
  band: 'red' | 'yellow' | 'green' | null;
  trend: 'improving' | 'stable' | 'declining' | null;
}

export function warningStore(db: Database) {
  return {
    /** Non-archived accounts of these ids with their people and current health. */
    async accounts(key: InstallationKey, accountIds: readonly string[]): Promise<WarningAccountRow[]> {
      if (accountIds.length === 0) return [];
      return db
        .select({
          externalId: accounts.externalId,
          name: accounts.name,
          ownerExternalId: accounts.ownerExternalId,
          csmExternalId: accounts.csmExternalId,
          score: accountHealth.score,
          band: accountHealth.band,
          trend: accountHealth.trend,
        })
        .from(accounts)
        .leftJoin(
          accountHealth,
          and(
            eq(accountHealth.workspaceId, accounts.workspaceId),
            eq(accountHealth.installationId, accounts.installationId),
            eq(accountHealth.accountExternalId, accounts.externalId),
          ),
        )
        .where(
          and(
            eq(accounts.workspaceId, key.workspaceId),
            eq(accounts.installationId, key.installationId),
            eq(accounts.archived, false),
            inArray(accounts.externalId, [...accountIds]),
          ),
        );
    },

    /** Accounts scored at or after an instant: what a partial run evaluates. */
    async scoredSince(key: InstallationKey, since: Date): Promise<string[]> {
      const rows = await db
        .select({ id: accountHealth.accountExternalId })
        .from(accountHealth)
        .where(
          and(
            eq(accountHealth.workspaceId, key.workspaceId),
            eq(accountHealth.installationId, key.installationId),
            gte(accountHealth.scoredAt, since),
          ),
        )
        .orderBy(asc(accountHealth.accountExternalId));
      return rows.map((row) => row.id);
    },

    /** The stored rule set (unparsed; the caller validates it) or null for the shipped defaults. */
    async rules(key: InstallationKey): Promise<{ version: number; rules: unknown } | null> {
      const [row] = await db
        .select({ version: warningSettings.version, rules: warningSettings.rules })
        .from(warningSettings)
        .where(
          and(eq(warningSettings.workspaceId, key.workspaceId), eq(warningSettings.installationId, key.installationId)),
        );
      return row ?? null;
    },

    /** Saves a new version of the rule set; answers the version. */
    async saveRules(key: InstallationKey, rules: unknown, actor: string, at: Date): Promise<number> {
      const [row] = await db
        .insert(warningSettings)
        .values({ ...key, version: 1, rules, updatedAt: at, updatedBy: actor })
        .onConflictDoUpdate({
          target: [warningSettings.workspaceId, warningSettings.installationId],
          set: { version: sql`${warningSettings.version} + 1`, rules, updatedAt: at, updatedBy: actor },
        })
        .returning({ version: warningSettings.version });
      return row!.version;
    },

    /** Open warnings of these accounts (all accounts when omitted). */
    async open(key: InstallationKey, accountIds?: readonly string[]): Promise<WarningRow[]> {
      if (accountIds?.length === 0) return [];
      return db
        .select()
        .from(warnings)
        .where(
          and(
            scoped(key),
            eq(warnings.status, 'open'),
            accountIds ? inArray(warnings.accountExternalId, [...accountIds]) : undefined,
          ),
        )
        .orderBy(asc(warnings.openedAt));
    },

    /** When each of these dedupe keys last resolved, for cooldowns. */
    async lastResolved(key: InstallationKey, dedupeKeys: readonly string[]): Promise<Map<string, Date>> {
      if (dedupeKeys.length === 0) return new Map();
      const rows = await db
        .select({ dedupeKey: warnings.dedupeKey, resolvedAt: max(warnings.resolvedAt) })
        .from(warnings)
        .where(and(scoped(key), inArray(warnings.dedupeKey, [...dedupeKeys]), isNotNull(warnings.resolvedAt)))
        .groupBy(warnings.dedupeKey);
      return new Map(rows.flatMap((row) => (row.resolvedAt ? [[row.dedupeKey, row.resolvedAt] as const] : [])));
    },

    /**
     * One transaction: opens the new warnings (a key already open is left as it is, so a retried run
     * opens nothing twice) with their playbook tasks and the notifications they owe, marks the
     * still-open ones seen, resolves the rest and owes their "resolved" notifications.
     */
    async apply(key: InstallationKey, changes: WarningChanges): Promise<AppliedChanges> {
      return db.transaction(async (tx) => {
        const channels = await tx
          .select({ id: notificationChannels.id, minSeverity: notificationChannels.minSeverity })
          .from(notificationChannels)
          .where(
            and(
              eq(notificationChannels.workspaceId, key.workspaceId),
              eq(notificationChannels.installationId, key.installationId),
              eq(notificationChannels.enabled, true),
            ),
          );
        const owed = (rows: readonly { id: string; severity: Severity }[], event: 'opened' | 'resolved') =>
          rows.flatMap((row) =>
            channels
              .filter((channel) => SEVERITY_RANK[row.severity] >= SEVERITY_RANK[channel.minSeverity])
              .map((channel) => ({
                ...key,
                channelId: channel.id,
                warningId: row.id,
                event,
                state: 'pending' as const,
                createdAt: changes.at,
              })),
          );

        const opened =
          changes.open.length === 0
            ? []
            : await tx
                .insert(warnings)
                .values(
                  changes.open.map((warning) => ({
                    ...key,
                    accountExternalId: warning.accountExternalId,
                    rule: warning.rule,
                    dedupeKey: warning.dedupeKey,
                    severity: warning.severity,
                    status: 'open' as const,
                    title: warning.title,
                    evidence: warning.evidence,
                    ownerExternalId: warning.ownerExternalId,
                    csmExternalId: warning.csmExternalId,
                    openedAt: changes.at,
                    lastSeenAt: changes.at,
                  })),
                )
                .onConflictDoNothing({
                  target: [warnings.workspaceId, warnings.installationId, warnings.dedupeKey],
                  where: sql`${warnings.status} = 'open'`,
                })
                .returning();
        const byKey = new Map(changes.open.map((warning) => [warning.dedupeKey, warning]));
        const tasks = opened.flatMap((row) =>
          (byKey.get(row.dedupeKey)?.tasks ?? []).map((task) => ({
            ...key,
            warningId: row.id,
            step: task.step,
            taskKey: taskKeyOf(key.installationId, row.id, task.step),
            accountExternalId: row.accountExternalId,
            subject: task.subject,
            body: task.body,
            dueAt: task.dueAt,
            assigneeExternalId: task.assigneeExternalId,
            state: 'pending' as const,
          })),
        );
        if (tasks.length > 0) await tx.insert(warningTasks).values(tasks);

        if (changes.seen.length > 0) {
          await tx
            .update(warnings)
            .set({ lastSeenAt: changes.at })
            .where(and(scoped(key), eq(warnings.status, 'open'), inArray(warnings.id, [...changes.seen])));
        }
        const resolved: { id: string; severity: Severity }[] = [];
        for (const { id, resolution } of changes.resolve) {
          const rows = await tx
            .update(warnings)
            .set({ status: 'resolved', resolvedAt: changes.at, resolution })
            .where(and(scoped(key), eq(warnings.id, id), eq(warnings.status, 'open')))
            .returning({ id: warnings.id, severity: warnings.severity });
          resolved.push(...rows);
        }
        const deliveries = [...owed(opened, 'opened'), ...owed(resolved, 'resolved')];
        if (deliveries.length > 0) await tx.insert(notificationDeliveries).values(deliveries).onConflictDoNothing();
        return { opened, resolved: resolved.length, deliveries: deliveries.length, tasks: tasks.length };
      });
    },

    /** Warnings of one account, open first, then the latest resolved. */
    async ofAccount(key: InstallationKey, accountExternalId: string, limit = 50): Promise<WarningRow[]> {
      return db
        .select()
        .from(warnings)
        .where(and(scoped(key), eq(warnings.accountExternalId, accountExternalId)))
        .orderBy(desc(sql`${warnings.status} = 'open'`), desc(warnings.openedAt))
        .limit(limit);
    },

    async tasksOf(key: InstallationKey, warningIds: readonly string[]): Promise<WarningTaskRow[]> {
      if (warningIds.length === 0) return [];
      return db
        .select()
        .from(warningTasks)
        .where(and(scopedTasks(key), inArray(warningTasks.warningId, [...warningIds])))
        .orderBy(asc(warningTasks.warningId), asc(warningTasks.step));
    },

    /** Tasks still to create in the CRM, of warnings still open; oldest first. */
    async tasksToCreate(key: InstallationKey, limit: number): Promise<(WarningTaskRow & { severity: Severity })[]> {
      const rows = await db
        .select({ task: warningTasks, severity: warnings.severity })
        .from(warningTasks)
        .innerJoin(
          warnings,
          and(
            eq(warnings.workspaceId, warningTasks.workspaceId),
            eq(warnings.installationId, warningTasks.installationId),
            eq(warnings.id, warningTasks.warningId),
          ),
        )
        .where(and(scopedTasks(key), eq(warningTasks.state, 'pending'), eq(warnings.status, 'open')))
        .orderBy(asc(warningTasks.dueAt), asc(warningTasks.taskKey))
        .limit(limit);
      return rows.map((row) => ({ ...row.task, severity: row.severity }));
    },

    /**
     * Tasks of resolved warnings: created ones to close in the CRM (with the resolution), pending ones
     * that never reached the CRM (closed here without a call).
     */
    async tasksToClose(
      key: InstallationKey,
      limit: number,
    ): Promise<(WarningTaskRow & { resolution: string | null; title: string })[]> {
      const rows = await db
        .select({ task: warningTasks, resolution: warnings.resolution, title: warnings.title })
        .from(warningTasks)
        .innerJoin(
          warnings,
          and(
            eq(warnings.workspaceId, warningTasks.workspaceId),
            eq(warnings.installationId, warningTasks.installationId),
            eq(warnings.id, warningTasks.warningId),
          ),
        )
        .where(
          and(scopedTasks(key), inArray(warningTasks.state, ['pending', 'created']), eq(warnings.status, 'resolved')),
        )
        .orderBy(asc(warningTasks.taskKey))
        .limit(limit);
      return rows.map((row) => ({ ...row.task, resolution: row.resolution, title: row.title }));
    },

    /** Counts an attempt before the CRM call, so a lost answer leaves the row "in doubt" (attempts > 0). */
    async markAttempt(key: InstallationKey, taskKeys: readonly string[], at: Date): Promise<void> {
      if (taskKeys.length === 0) return;
      await db
        .update(warningTasks)
        .set({ attempts: sql`${warningTasks.attempts} + 1`, attemptedAt: at })
        .where(and(scopedTasks(key), inArray(warningTasks.taskKey, [...taskKeys])));
    },

    async recordCreated(key: InstallationKey, created: readonly { taskKey: string; crmTaskId: string }[], at: Date) {
      for (const row of created) {
        await db
          .update(warningTasks)
          .set({ state: 'created', crmTaskId: row.crmTaskId, createdAt: at, lastError: null })
          .where(and(scopedTasks(key), eq(warningTasks.taskKey, row.taskKey)));
      }
    },

    async recordClosed(key: InstallationKey, taskKeys: readonly string[], at: Date): Promise<void> {
      if (taskKeys.length === 0) return;
      await db
        .update(warningTasks)
        .set({ state: 'closed', closedAt: at, lastError: null })
        .where(and(scopedTasks(key), inArray(warningTasks.taskKey, [...taskKeys])));
    },

    /** A row error: kept for the next run, or failed for good when the CRM refused it. */
    async recordError(key: InstallationKey, taskKey: string, message: string, final: boolean): Promise<void> {
      await db
        .update(warningTasks)
        .set({ lastError: message.slice(0, 2000), ...(final ? { state: 'failed' as const } : {}) })
        .where(and(scopedTasks(key), eq(warningTasks.taskKey, taskKey)));
    },
  };
}

export type WarningStore = ReturnType<typeof warningStore>;
