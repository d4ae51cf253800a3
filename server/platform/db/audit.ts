import { and, desc, eq } from 'drizzle-orm';
import type { Database } from './database.ts';
import { auditEvents } from './schema.ts';

/**
 * The workspace's record of who did what: installs, uninstalls, token failures, admin changes.
 * Details never hold secrets or tokens; callers pass ids and reasons only.
 */

export interface AuditInput {
  workspaceId: string;
  installationId?: string | null;
  /** Who acted: `admin:<user>`, `system`, `crm:hubspot`… */
  actor: string;
  /** Dotted verb such as `installation.uninstalled` or `mapping.updated`. */
  action: string;
  details?: Record<string, unknown>;
}

export interface AuditEvent {
  id: string;
  workspaceId: string;
  installationId: string | null;
  at: Date;
  actor: string;
  action: string;
  details: Record<string, unknown>;
}

/** A database or an open transaction: an audit entry can belong to the change it records. */
type Writer = Pick<Database, 'insert'>;

export async function recordAudit(db: Writer, input: AuditInput): Promise<AuditEvent> {
  const [row] = await db
    .insert(auditEvents)
    .values({
      workspaceId: input.workspaceId,
      installationId: input.installationId ?? null,
      actor: input.actor,
      action: input.action,
      details: input.details ?? {},
    })
    .returning();
  return row as AuditEvent;
}

const MAX_LIMIT = 1_000;

/** Newest first; optionally one installation's events only. */
export async function listAudit(
  db: Database,
  workspaceId: string,
  options: { installationId?: string; limit?: number } = {},
): Promise<AuditEvent[]> {
  const limit = Math.min(Math.max(Math.trunc(options.limit ?? 100), 1), MAX_LIMIT);
  return db
    .select()
    .from(auditEvents)
    .where(
      and(
        eq(auditEvents.workspaceId, workspaceId),
        options.installationId === undefined ? undefined : eq(auditEvents.installationId, options.installationId),
      ),
    )
    .orderBy(desc(auditEvents.at), desc(auditEvents.id))
    .limit(limit);
}
