import { randomBytes, randomUUID } from 'node:crypto';
import { and, asc, eq, gte, inArray, isNull, lt, ne, or, sql } from 'drizzle-orm';
import type { DigestAccount, DigestTaskRow, DigestWarningRow, DigestWindow } from '../../core/notify/digest.ts';
import type { NextStep, WarningEvent } from '../../core/notify/payload.ts';
import type { Severity } from '../../core/notify/severity.ts';
import type { Sealer } from '../crypto.ts';
import type { Database } from './database.ts';
import { accounts, notificationChannels, notificationDeliveries, warnings, warningTasks } from './schema.ts';
import type { InstallationKey } from './sync-store.ts';

/**
 * Notification channels and deliveries of an installation, and the rows of a CSM's digest. A channel's
 * signing secret is made here, shown once, and kept sealed with the channel's identity as associated
 * data, so a sealed secret copied onto another channel does not open. A delivery only ever moves out
 * of `pending`: once delivered (or failed for good) no later attempt touches it.
 */

export type ChannelFormat = 'json' | 'slack';

export interface ChannelInput {
  format: ChannelFormat;
  url: string;
  minSeverity: Severity;
  enabled: boolean;
}

export interface Channel extends ChannelInput {
  id: string;
  createdAt: Date;
  createdBy: string;
}

export interface DeliveryRef {
  channelId: string;
  warningId: string;
  event: WarningEvent;
}

export interface PendingDelivery extends DeliveryRef {
  attempts: number;
  createdAt: Date;
  channel: {
    format: ChannelFormat;
    url: string;
    enabled: boolean;
    /** Null when it cannot be opened (sealed with a key no longer configured, or tampered). */
    secret: string | null;
  };
  warning: {
    id: string;
    accountExternalId: string;
    rule: string;
    severity: Severity;
    status: 'open' | 'resolved';
    title: string;
    evidence: unknown;
    openedAt: Date;
    resolvedAt: Date | null;
    resolution: string | null;
  };
  accountName: string | null;
  /** The playbook's tasks not yet closed, in order. */
  nextSteps: NextStep[];
}

/** Where the next page of pending deliveries starts (they are read in this order). */
export type DeliveryCursor = Pick<PendingDelivery, 'createdAt' | 'warningId' | 'channelId' | 'event'>;

export interface AttemptOutcome {
  state: 'pending' | 'delivered' | 'failed';
  status: number | null;
  error: string | null;
}

export interface DigestRows {
  accounts: DigestAccount[];
  warnings: DigestWarningRow[];
  tasks: (DigestTaskRow & { accountExternalId: string })[];
}

const SECRET_PREFIX = 'bwsec_';

const secretBinding = (key: InstallationKey, channelId: string) =>
  `notification-channel|${key.workspaceId}|${key.installationId}|${channelId}`;

const channelColumns = {
  id: notificationChannels.id,
  format: notificationChannels.format,
  url: notificationChannels.url,
  minSeverity: notificationChannels.minSeverity,
  enabled: notificationChannels.enabled,
  createdAt: notificationChannels.createdAt,
  createdBy: notificationChannels.createdBy,
};

const ofChannels = (key: InstallationKey) =>
  and(
    eq(notificationChannels.workspaceId, key.workspaceId),
    eq(notificationChannels.installationId, key.installationId),
  );
const ofDeliveries = (key: InstallationKey) =>
  and(
    eq(notificationDeliveries.workspaceId, key.workspaceId),
    eq(notificationDeliveries.installationId, key.installationId),
  );
const ofDelivery = (key: InstallationKey, ref: DeliveryRef) =>
  and(
    ofDeliveries(key),
    eq(notificationDeliveries.channelId, ref.channelId),
    eq(notificationDeliveries.warningId, ref.warningId),
    eq(notificationDeliveries.event, ref.event),
  );
/** The CSM's accounts: their CSM, or their owner when no CSM is set. */
const csmAccount = (key: InstallationKey, csmId: string) =>
  and(
    eq(accounts.workspaceId, key.workspaceId),
    eq(accounts.installationId, key.installationId),
    eq(accounts.archived, false),
    eq(sql`coalesce(${accounts.csmExternalId}, ${accounts.ownerExternalId})`, csmId),
  );
const warningOfAccount = and(
  eq(warnings.workspaceId, accounts.workspaceId),
  eq(warnings.installationId, accounts.installationId),
  eq(warnings.accountExternalId, accounts.externalId),
);
const ERROR_LIMIT = 2000;

export function notificationStore(db: Database, sealer: Sealer) {
  const openSecret = (key: InstallationKey, channelId: string, sealed: string): string | null => {
    try {
      return sealer.open(sealed, secretBinding(key, channelId));
    } catch {
      return null;
    }
  };

  return {
    /** Creates a channel; the answer holds the signing secret, which is never readable again. */
    async createChannel(
      key: InstallationKey,
      input: ChannelInput,
      actor: string,
      at: Date,
    ): Promise<{ channel: Channel; secret: string }> {
      const id = randomUUID();
      const secret = `${SECRET_PREFIX}${randomBytes(32).toString('base64url')}`;
      const [row] = await db
        .insert(notificationChannels)
        .values({
          ...key,
          id,
          ...input,
          secret: sealer.seal(secret, secretBinding(key, id)),
          createdAt: at,
          createdBy: actor,
        })
        .returning(channelColumns);
      return { channel: row!, secret };
    },

    async listChannels(key: InstallationKey): Promise<Channel[]> {
      return db
        .select(channelColumns)
        .from(notificationChannels)
        .where(ofChannels(key))
        .orderBy(asc(notificationChannels.createdAt), asc(notificationChannels.id));
    },

    async getChannel(key: InstallationKey, id: string): Promise<Channel | undefined> {
      const [row] = await db
        .select(channelColumns)
        .from(notificationChannels)
        .where(and(ofChannels(key), eq(notificationChannels.id, id)));
      return row;
    },

    /** The channel's signing secret, for a send; null when it cannot be opened. */
    async channelSecret(key: InstallationKey, id: string): Promise<string | null> {
      const [row] = await db
        .select({ secret: notificationChannels.secret })
        .from(notificationChannels)
        .where(and(ofChannels(key), eq(notificationChannels.id, id)));
      return row ? openSecret(key, id, row.secret) : null;
    },

    /** Deletes the channel and, with it, its deliveries; answers what was deleted. */
    async deleteChannel(key: InstallationKey, id: string): Promise<Channel | undefined> {
      const [row] = await db
        .delete(notificationChannels)
        .where(and(ofChannels(key), eq(notificationChannels.id, id)))
        .returning(channelColumns);
      return row;
    },

    /** Pending deliveries in the order they were owed, after `cursor`, with what sending them needs. */
    async pendingDeliveries(key: InstallationKey, limit: number, cursor?: DeliveryCursor): Promise<PendingDelivery[]> {
      const d = notificationDeliveries;
      const after = cursor
        ? sql`(${d.createdAt}, ${d.warningId}, ${d.channelId}, ${d.event}) > (${cursor.createdAt.toISOString()}::timestamptz, ${cursor.warningId}::uuid, ${cursor.channelId}::uuid, ${cursor.event})`
        : undefined;
      const rows = await db
        .select({
          channelId: d.channelId,
          warningId: d.warningId,
          event: d.event,
          attempts: d.attempts,
          createdAt: d.createdAt,
          format: notificationChannels.format,
          url: notificationChannels.url,
          enabled: notificationChannels.enabled,
          sealedSecret: notificationChannels.secret,
          warning: {
            id: warnings.id,
            accountExternalId: warnings.accountExternalId,
            rule: warnings.rule,
            severity: warnings.severity,
            status: warnings.status,
            title: warnings.title,
            evidence: warnings.evidence,
            openedAt: warnings.openedAt,
            resolvedAt: warnings.resolvedAt,
            resolution: warnings.resolution,
          },
          accountName: accounts.name,
        })
        .from(d)
        .innerJoin(
          notificationChannels,
          and(
            eq(notificationChannels.workspaceId, d.workspaceId),
            eq(notificationChannels.installationId, d.installationId),
            eq(notificationChannels.id, d.channelId),
          ),
        )
        .innerJoin(
          warnings,
          and(
            eq(warnings.workspaceId, d.workspaceId),
            eq(warnings.installationId, d.installationId),
            eq(warnings.id, d.warningId),
          ),
        )
        .leftJoin(
          accounts,
          and(
            eq(accounts.workspaceId, d.workspaceId),
            eq(accounts.installationId, d.installationId),
            eq(accounts.externalId, warnings.accountExternalId),
          ),
        )
        .where(and(ofDeliveries(key), eq(d.state, 'pending'), after))
        .orderBy(asc(d.createdAt), asc(d.warningId), asc(d.channelId), asc(d.event))
        .limit(limit);

      const warningIds = [...new Set(rows.map((row) => row.warningId))];
      const steps =
        warningIds.length === 0
          ? []
          : await db
              .select({ warningId: warningTasks.warningId, subject: warningTasks.subject, dueAt: warningTasks.dueAt })
              .from(warningTasks)
              .where(
                and(
                  eq(warningTasks.workspaceId, key.workspaceId),
                  eq(warningTasks.installationId, key.installationId),
                  inArray(warningTasks.warningId, warningIds),
                  ne(warningTasks.state, 'closed'),
                ),
              )
              .orderBy(asc(warningTasks.warningId), asc(warningTasks.step));
      const stepsOf = new Map<string, NextStep[]>();
      for (const step of steps) {
        stepsOf.set(step.warningId, [
          ...(stepsOf.get(step.warningId) ?? []),
          { subject: step.subject, dueAt: step.dueAt },
        ]);
      }

      return rows.map((row) => ({
        channelId: row.channelId,
        warningId: row.warningId,
        event: row.event,
        attempts: row.attempts,
        createdAt: row.createdAt,
        channel: {
          format: row.format,
          url: row.url,
          enabled: row.enabled,
          secret: openSecret(key, row.channelId, row.sealedSecret),
        },
        warning: row.warning,
        accountName: row.accountName,
        nextSteps: stepsOf.get(row.warningId) ?? [],
      }));
    },

    /**
     * Counts an attempt and its outcome. Only a pending delivery changes, so a delivery recorded as
     * delivered stays so whatever a late or repeated attempt reports. Answers whether it changed.
     */
    async recordAttempt(key: InstallationKey, ref: DeliveryRef, outcome: AttemptOutcome, at: Date): Promise<boolean> {
      const rows = await db
        .update(notificationDeliveries)
        .set({
          state: outcome.state,
          attempts: sql`${notificationDeliveries.attempts} + 1`,
          lastStatus: outcome.status,
          lastError: outcome.error === null ? null : outcome.error.slice(0, ERROR_LIMIT),
          ...(outcome.state === 'delivered' ? { deliveredAt: at } : {}),
        })
        .where(and(ofDelivery(key, ref), eq(notificationDeliveries.state, 'pending')))
        .returning({ state: notificationDeliveries.state });
      return rows.length > 0;
    },

    /** A CSM's accounts and the warnings and tasks around a day, for the digest (core/notify/digest.ts). */
    async digestRows(key: InstallationKey, csmId: string, window: DigestWindow): Promise<DigestRows> {
      const mine = await db
        .select({ externalId: accounts.externalId, name: accounts.name })
        .from(accounts)
        .where(csmAccount(key, csmId))
        .orderBy(asc(accounts.externalId));
      // Opened before the day ends and not resolved before it starts: opened that day, or open at its end.
      const around = and(
        lt(warnings.openedAt, window.to),
        or(isNull(warnings.resolvedAt), gte(warnings.resolvedAt, window.from)),
      );
      const warningRows = await db
        .select({
          id: warnings.id,
          accountExternalId: warnings.accountExternalId,
          rule: warnings.rule,
          severity: warnings.severity,
          title: warnings.title,
          openedAt: warnings.openedAt,
          resolvedAt: warnings.resolvedAt,
        })
        .from(warnings)
        .innerJoin(accounts, warningOfAccount)
        .where(and(csmAccount(key, csmId), around));
      const taskRows = await db
        .select({
          warningId: warningTasks.warningId,
          accountExternalId: warningTasks.accountExternalId,
          step: warningTasks.step,
          subject: warningTasks.subject,
          dueAt: warningTasks.dueAt,
          state: warningTasks.state,
        })
        .from(warningTasks)
        .innerJoin(
          warnings,
          and(
            eq(warnings.workspaceId, warningTasks.workspaceId),
            eq(warnings.installationId, warningTasks.installationId),
            eq(warnings.id, warningTasks.warningId),
          ),
        )
        .innerJoin(accounts, warningOfAccount)
        .where(and(csmAccount(key, csmId), around, ne(warningTasks.state, 'closed')));
      return { accounts: mine, warnings: warningRows, tasks: taskRows };
    },
  };
}

export type NotificationStore = ReturnType<typeof notificationStore>;
