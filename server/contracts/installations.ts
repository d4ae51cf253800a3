import { z } from 'zod';

/**
 * `GET /api/installations/:id/status`: what the success page shows while the first sync runs, and
 * what an admin checks later: who the installation is, whether it works (and if not, why), how many
 * records each object holds, the run under way and the schedules.
 */

const isoTime = z.iso.datetime({ offset: true });

export const INSTALLATION_STATUS_VALUES = ['active', 'needs_reauth', 'uninstalled'] as const;

export const objectSyncStatusSchema = z.strictObject({
  objectType: z.string(),
  /** Records held now (archived ones excluded). */
  records: z.number().int().nonnegative(),
  lastStartedAt: isoTime.nullable(),
  lastFinishedAt: isoTime.nullable(),
  lastError: z.string().nullable(),
  /** Since the cursor was last reset: records read and CRM calls spent. */
  recordsSeen: z.number().int().nonnegative(),
  callsSpent: z.number().int().nonnegative(),
});
export type ObjectSyncStatus = z.infer<typeof objectSyncStatusSchema>;

export const SYNC_RUN_STATES = [
  'waiting',
  'delayed',
  'prioritized',
  'waiting-children',
  'active',
  'completed',
  'failed',
  'unknown',
] as const;

export const syncRunStatusSchema = z.strictObject({
  jobId: z.string(),
  state: z.enum(SYNC_RUN_STATES),
  mode: z.string().nullable(),
  reason: z.string().nullable(),
  /** The job's progress as the sync reports it (a number, or an object per object type). */
  progress: z.union([z.number(), z.string(), z.boolean(), z.record(z.string(), z.unknown())]).nullable(),
  attemptsMade: z.number().int().nonnegative(),
  queuedAt: isoTime.nullable(),
  startedAt: isoTime.nullable(),
  /** When a delayed run (rate limit, retry) is due. */
  dueAt: isoTime.nullable(),
  failedReason: z.string().nullable(),
});
export type SyncRunStatus = z.infer<typeof syncRunStatusSchema>;

export const installationStatusSchema = z.strictObject({
  installation: z.strictObject({
    id: z.uuid(),
    workspaceId: z.uuid(),
    provider: z.enum(['hubspot', 'salesforce']),
    /** HubSpot portal id or Salesforce org id. */
    externalId: z.string(),
    displayName: z.string(),
    status: z.enum(INSTALLATION_STATUS_VALUES),
    /** Why it is not active (a revoked refresh token, a disconnect). */
    statusReason: z.string().nullable(),
    scopes: z.array(z.string()),
    installedAt: isoTime,
    updatedAt: isoTime,
  }),
  objects: z.array(objectSyncStatusSchema),
  /** The run queued or under way, if any (at most one per installation). */
  run: syncRunStatusSchema.nullable(),
  schedules: z.array(
    z.strictObject({
      id: z.string(),
      pattern: z.string().nullable(),
      nextRunAt: isoTime.nullable(),
    }),
  ),
});
export type InstallationStatusBody = z.infer<typeof installationStatusSchema>;

/** `POST /api/installations/:id/disconnect`: the body is an empty JSON object. */
export const disconnectRequestSchema = z.strictObject({});

export const disconnectResponseSchema = z.strictObject({
  installationId: z.uuid(),
  status: z.literal('uninstalled'),
  /** Whether the CRM confirmed it revoked the app's access (a failure there does not stop the disconnect). */
  revokedAtCrm: z.boolean(),
  uninstallJobId: z.string(),
});
export type DisconnectResponse = z.infer<typeof disconnectResponseSchema>;
