import type { Provider } from '../platform/db/installations.ts';
import type { AppObject, ManifestField } from '../platform/manifest.ts';
import type { SyncCursor } from './cursor.ts';
import type { CrmError } from './errors.ts';

/**
 * The one interface the job layer sees (DESIGN.md §4). An adapter turns a CRM's objects into
 * CrmRecords: its property values as strings, keyed by the CRM's own property or field names. What
 * those names mean (which field is ARR, which deal type is a renewal) is the installation's mapping,
 * applied outside the adapter, so that one adapter serves every portal or org however it is set up.
 */

/** One list of CRMs: the installations table's. */
export type { Provider } from '../platform/db/installations.ts';

export interface CrmConnection {
  installationId: string;
  provider: Provider;
  /** HubSpot portal id or Salesforce org id. */
  externalId: string;
  /** Salesforce instance URL, or a HubSpot API base other than the public one (the sandbox). */
  baseUrl: string | undefined;
  /** A valid access token, refreshed by the caller's token service when needed (one refresh at a time). */
  accessToken(): Promise<string>;
  /**
   * Called before every HTTP request the adapter sends, with the CRM bucket it spends. The job layer
   * takes a slot of the installation's shared rate limit here (waiting briefly, or throwing a
   * RATE_LIMITED CrmError with `retryAfterMs` so the job is delayed instead of holding a worker).
   */
  beforeCall?(bucket: CallBucket): Promise<void>;
}

/** HubSpot's main (110 per rolling 10 s) and search (5 per second) buckets; Salesforce spends `standard`. */
export type CallBucket = 'standard' | 'search';

export interface CrmRecord {
  objectType: AppObject;
  id: string;
  /** Last modification (HubSpot hs_lastmodifieddate, Salesforce SystemModstamp) in ms since the epoch. */
  modifiedAt: number;
  createdAt: number | null;
  archived: boolean;
  properties: Record<string, string | null>;
  /** Ids of associated records, by object type (HubSpot associations, Salesforce lookups). */
  associations: Partial<Record<AppObject, string[]>>;
}

export interface Page {
  records: CrmRecord[];
  /** Where to continue; null when the run has read everything up to its window's end. */
  next: SyncCursor | null;
  /** API calls this page cost, for the sync's accounting. */
  calls: number;
  /** When `next` is null: where the next run starts (the last key read), so a run can open a new window. */
  resumeFrom?: SyncCursor;
  /** The CRM's last word on its daily allowance (Salesforce `Sforce-Limit-Info`), for the job layer's pause. */
  apiUsage?: ApiUsage;
}

/** Calls used in the CRM's rolling allowance and the allowance itself. */
export interface ApiUsage {
  used: number;
  limit: number;
}

export interface WriteBackRow {
  /** The CRM record id. */
  id: string;
  /** Manifest field key → value; null clears the field. */
  values: Record<string, string | number | null>;
}

export type RowOutcome = { id: string; ok: true } | { id: string; ok: false; error: CrmError };

export interface CrmTask {
  /**
   * The job's ledger key for this task (see activity-key.ts for the rules). It travels with the task
   * so that a create whose answer was lost can be found again with findTasksByKey.
   */
  key: string;
  accountId: string;
  ownerId: string | null;
  subject: string;
  /** Plain text; HubSpot shows it as HTML paragraphs, Salesforce stores it in Description. */
  body: string;
  dueAt: number;
  priority: 'low' | 'medium' | 'high';
}

/** A task found by its key: its CRM id and whether it is already closed. */
export interface FoundActivity {
  id: string;
  completed: boolean;
}

/** Closes one task; the comment (why it closed) is appended to the task's body. */
export interface TaskClosure {
  id: string;
  comment: string;
}

/**
 * A note on an account (a QBR brief), written once per key. Title and body are plain text: HubSpot
 * gets an HTML body (title in bold, one paragraph per line), Salesforce a Note with Title (cut to 80
 * characters) and Body (at most 32,000 characters with the key line).
 */
export interface CrmNote {
  key: string;
  title: string;
  body: string;
}

export interface SchemaReport {
  /** Fields that already existed with the right type. */
  present: string[];
  /** Fields this call created. */
  created: string[];
  /** Fields that exist but cannot be written (a Salesforce field without field-level access), with why. */
  blocked: { key: string; reason: string }[];
  /** Fields that do not exist (and were not created). */
  missing?: string[];
}

/** Per-call options an adapter may honour; every field is optional so callers can ignore them. */
export interface ListOptions {
  /** CRM property or field names to read beyond the adapter's defaults (an installation's mapping). */
  extraProperties?: readonly string[];
}

export interface CrmAdapter {
  readonly provider: Provider;
  /** Records changed after the cursor (all records when it is null), one page at a time, in keyset order. */
  listChanged(
    conn: CrmConnection,
    objectType: AppObject,
    cursor: SyncCursor | null,
    pageSize: number,
    options?: ListOptions,
  ): Promise<Page>;
  /** Ids of records deleted or merged away since an instant (ms). */
  listDeleted(conn: CrmConnection, objectType: AppObject, since: number): Promise<string[]>;
  fetchByIds(conn: CrmConnection, objectType: AppObject, ids: readonly string[]): Promise<CrmRecord[]>;
  /**
   * The property (HubSpot) or field (Salesforce) names the object has in this portal or org, so an
   * installation's field mapping can be detected from what really exists.
   */
  listFields(conn: CrmConnection, objectType: AppObject): Promise<string[]>;
  /** Creates the property group / custom fields named in manifest.json; idempotent. */
  ensureSchema(conn: CrmConnection, fields: readonly ManifestField[]): Promise<SchemaReport>;
  /** Batched (HubSpot 100, Salesforce 200); one outcome per row; never throws on a partial failure. */
  writeBack(conn: CrmConnection, objectType: AppObject, rows: readonly WriteBackRow[]): Promise<RowOutcome[]>;
  /**
   * Tasks on their accounts, one outcome per task in input order: the new task's id, or the account id
   * with the error. Never throws on a partial failure.
   */
  createTasks(conn: CrmConnection, tasks: readonly CrmTask[]): Promise<RowOutcome[]>;
  /**
   * The tasks that carry these keys (batched), by key; a key with no task is absent. A task created
   * less than `activityLookupLagMs` ago may not be found yet, so a ledger row is in doubt until then.
   */
  findTasksByKey(conn: CrmConnection, keys: readonly string[]): Promise<Map<string, FoundActivity>>;
  /**
   * Marks each task completed and appends its comment to the body (once: a retried close does not
   * repeat it). One outcome per row in input order; a task deleted in the CRM answers NOT_FOUND.
   */
  closeTasks(conn: CrmConnection, closures: readonly TaskClosure[]): Promise<RowOutcome[]>;
  createNote(conn: CrmConnection, accountId: string, note: CrmNote): Promise<{ id: string }>;
  /** The note on this account that carries the key, or null. Subject to `activityLookupLagMs` too. */
  findNoteByKey(conn: CrmConnection, accountId: string, key: string): Promise<{ id: string } | null>;
  /**
   * How long after a create the key lookups may still miss it (HubSpot's search index lag; 0 for
   * Salesforce). A pending ledger row younger than this is not yet known to be absent.
   */
  readonly activityLookupLagMs: number;
}
