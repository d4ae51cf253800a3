import { sql } from 'drizzle-orm';
import {
  type AnyPgColumn,
  bigint,
  boolean,
  check,
  date,
  doublePrecision,
  foreignKey,
  index,
  integer,
  jsonb,
  numeric,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import type { NormaliseProblem } from '../../core/accounts/normalise.ts';

/**
 * One schema for PGlite and Postgres. Tenant tables carry workspace_id first in their key
 * (DESIGN.md §2); operational tables such as heartbeats belong to no tenant.
 */

/** One row per worker process, refreshed by the scheduled maintenance job it processes. */
export const workerHeartbeats = pgTable(
  'worker_heartbeats',
  {
    workerId: text('worker_id').primaryKey(),
    hostname: text('hostname').notNull(),
    pid: integer('pid').notNull(),
    queues: text('queues').array().notNull(),
    startedAt: timestamp('started_at', { withTimezone: true }).notNull(),
    lastBeatAt: timestamp('last_beat_at', { withTimezone: true }).notNull(),
    lastJobId: text('last_job_id').notNull(),
    beats: integer('beats').notNull().default(1),
  },
  (table) => [index('worker_heartbeats_last_beat_at_idx').on(table.lastBeatAt)],
);

/** A customer company using Bellwether; every tenant table keys on it first. */
export const workspaces = pgTable('workspaces', {
  id: uuid('id').primaryKey().defaultRandom(),
  name: text('name').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});

export const PROVIDERS = ['hubspot', 'salesforce'] as const;
export const INSTALLATION_STATUSES = ['active', 'needs_reauth', 'uninstalled'] as const;

/**
 * A connection to one HubSpot portal or Salesforce org. Tokens are sealed (AES-256-GCM) with the
 * row's identity as associated data, so a sealed token copied onto another row does not open.
 */
export const installations = pgTable(
  'installations',
  {
    workspaceId: uuid('workspace_id')
      .notNull()
      .references(() => workspaces.id, { onDelete: 'cascade' }),
    id: uuid('id').notNull().defaultRandom(),
    provider: text('provider', { enum: PROVIDERS }).notNull(),
    /** HubSpot portal id or Salesforce org id. */
    externalId: text('external_id').notNull(),
    displayName: text('display_name').notNull(),
    /** Salesforce instance URL; for HubSpot the API base (the public one unless a sandbox). */
    baseUrl: text('base_url'),
    status: text('status', { enum: INSTALLATION_STATUSES }).notNull().default('active'),
    scopes: text('scopes').array().notNull(),
    accessTokenSealed: text('access_token_sealed'),
    refreshTokenSealed: text('refresh_token_sealed'),
    accessTokenExpiresAt: timestamp('access_token_expires_at', { withTimezone: true }),
    /** Why the installation is not active, for the status page. */
    statusReason: text('status_reason'),
    installedAt: timestamp('installed_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    primaryKey({ columns: [table.workspaceId, table.id] }),
    // One installation per portal or org, whichever workspace holds it.
    uniqueIndex('installations_provider_external_id_idx').on(table.provider, table.externalId),
    // A workspace connects at most one HubSpot portal and one Salesforce org at a time.
    uniqueIndex('installations_workspace_provider_idx')
      .on(table.workspaceId, table.provider)
      .where(sql`${table.status} <> 'uninstalled'`),
    check('installations_provider_check', sql`${table.provider} in ('hubspot', 'salesforce')`),
    check('installations_status_check', sql`${table.status} in ('active', 'needs_reauth', 'uninstalled')`),
  ],
);

/** Where each object type's sync stands, checkpointed after every page. */
export const syncState = pgTable(
  'sync_state',
  {
    workspaceId: uuid('workspace_id').notNull(),
    installationId: uuid('installation_id').notNull(),
    objectType: text('object_type').notNull(),
    /** The adapter's opaque keyset cursor; null before the first page. */
    cursor: text('cursor'),
    recordsSeen: bigint('records_seen', { mode: 'number' }).notNull().default(0),
    callsSpent: bigint('calls_spent', { mode: 'number' }).notNull().default(0),
    lastStartedAt: timestamp('last_started_at', { withTimezone: true }),
    lastFinishedAt: timestamp('last_finished_at', { withTimezone: true }),
    lastError: text('last_error'),
  },
  (table) => [
    primaryKey({ columns: [table.workspaceId, table.installationId, table.objectType] }),
    foreignKey({
      columns: [table.workspaceId, table.installationId],
      foreignColumns: [installations.workspaceId, installations.id],
    }).onDelete('cascade'),
  ],
);

/** The app's copy of CRM records, as the adapter read them (values as strings by CRM property name). */
export const crmRecords = pgTable(
  'crm_records',
  {
    workspaceId: uuid('workspace_id').notNull(),
    installationId: uuid('installation_id').notNull(),
    objectType: text('object_type').notNull(),
    externalId: text('external_id').notNull(),
    modifiedAt: timestamp('modified_at', { withTimezone: true, precision: 3 }).notNull(),
    createdAtCrm: timestamp('created_at_crm', { withTimezone: true, precision: 3 }),
    archived: boolean('archived').notNull().default(false),
    properties: jsonb('properties').$type<Record<string, string | null>>().notNull(),
    associations: jsonb('associations').$type<Record<string, string[]>>().notNull(),
    syncedAt: timestamp('synced_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    primaryKey({ columns: [table.workspaceId, table.installationId, table.objectType, table.externalId] }),
    index('crm_records_modified_idx').on(table.workspaceId, table.installationId, table.objectType, table.modifiedAt),
    foreignKey({
      columns: [table.workspaceId, table.installationId],
      foreignColumns: [installations.workspaceId, installations.id],
    }).onDelete('cascade'),
  ],
);

/** Who did what, without secrets: installs, uninstalls, token failures, admin actions. */
export const auditEvents = pgTable(
  'audit_events',
  {
    workspaceId: uuid('workspace_id').notNull(),
    id: uuid('id').notNull().defaultRandom(),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
    actor: text('actor').notNull(),
    action: text('action').notNull(),
    installationId: uuid('installation_id'),
    details: jsonb('details').$type<Record<string, unknown>>().notNull().default({}),
  },
  (table) => [
    primaryKey({ columns: [table.workspaceId, table.id] }),
    index('audit_events_at_idx').on(table.workspaceId, table.at),
  ],
);

/** Each installation's field mapping (server/core/accounts/mapping.ts); absent until first saved. */
export const installationMappings = pgTable(
  'installation_mappings',
  {
    workspaceId: uuid('workspace_id').notNull(),
    installationId: uuid('installation_id').notNull(),
    mapping: jsonb('mapping').$type<unknown>().notNull(),
    updatedBy: text('updated_by').notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    primaryKey({ columns: [table.workspaceId, table.installationId] }),
    foreignKey({
      columns: [table.workspaceId, table.installationId],
      foreignColumns: [installations.workspaceId, installations.id],
    }).onDelete('cascade'),
  ],
);

/**
 * What every normalised table starts with: the record's key in its installation, its CRM timestamps
 * (an older copy never overwrites a newer one), and the values that could not be read.
 */
const normalisedColumns = () => ({
  workspaceId: uuid('workspace_id').notNull(),
  installationId: uuid('installation_id').notNull(),
  externalId: text('external_id').notNull(),
  modifiedAt: timestamp('modified_at', { withTimezone: true, precision: 3 }).notNull(),
  createdAtCrm: timestamp('created_at_crm', { withTimezone: true, precision: 3 }),
  archived: boolean('archived').notNull().default(false),
  problems: jsonb('problems').$type<NormaliseProblem[]>().notNull().default([]),
  syncedAt: timestamp('synced_at', { withTimezone: true }).notNull().defaultNow(),
});

/** Their key: the record in its installation, gone with the installation. */
const normalisedKeys = (table: { workspaceId: AnyPgColumn; installationId: AnyPgColumn; externalId: AnyPgColumn }) => [
  primaryKey({ columns: [table.workspaceId, table.installationId, table.externalId] }),
  foreignKey({
    columns: [table.workspaceId, table.installationId],
    foreignColumns: [installations.workspaceId, installations.id],
  }).onDelete('cascade'),
];

const money = (name: string) => numeric(name, { precision: 18, scale: 2 });
const day = (name: string) => date(name, { mode: 'string' });
const instant = (name: string) => timestamp(name, { withTimezone: true, precision: 3 });

/** Accounts (HubSpot companies, Salesforce Accounts) as the mapping reads them. */
export const accounts = pgTable(
  'accounts',
  {
    ...normalisedColumns(),
    name: text('name'),
    domain: text('domain'),
    arr: money('arr'),
    renewalDate: day('renewal_date'),
    segment: text('segment'),
    ownerExternalId: text('owner_external_id'),
    csmExternalId: text('csm_external_id'),
    parentExternalId: text('parent_external_id'),
    licences: integer('licences'),
    customerStatus: text('customer_status', { enum: ['active', 'churned', 'other'] }),
    /** The same customer's id in the other CRM, as a connector keeps it (HubSpot: `salesforceaccountid`). */
    connectorExternalId: text('connector_external_id'),
  },
  (table) => [
    ...normalisedKeys(table),
    // Accounts of one customer in two CRMs are matched by domain within a workspace.
    index('accounts_domain_idx').on(table.workspaceId, table.domain),
  ],
);

export const contacts = pgTable(
  'contacts',
  {
    ...normalisedColumns(),
    accountExternalId: text('account_external_id'),
    email: text('email'),
    firstName: text('first_name'),
    lastName: text('last_name'),
    name: text('name'),
    title: text('title'),
    role: text('role', { enum: ['champion', 'executive_sponsor', 'other'] }),
    departed: boolean('departed').notNull().default(false),
    departedOn: day('departed_on'),
    lastEngagedAt: instant('last_engaged_at'),
    ownerExternalId: text('owner_external_id'),
  },
  (table) => [
    ...normalisedKeys(table),
    index('contacts_account_idx').on(table.workspaceId, table.installationId, table.accountExternalId),
  ],
);

/** Deals and opportunities; `kind` says renewal, expansion or new business per the mapping. */
export const deals = pgTable(
  'deals',
  {
    ...normalisedColumns(),
    accountExternalId: text('account_external_id'),
    name: text('name'),
    amount: money('amount'),
    closeDate: day('close_date'),
    stage: text('stage', { enum: ['open', 'won', 'lost'] }).notNull(),
    stageName: text('stage_name'),
    kind: text('kind', { enum: ['new_business', 'renewal', 'expansion', 'other'] }).notNull(),
    type: text('type'),
    pipeline: text('pipeline'),
    ownerExternalId: text('owner_external_id'),
    /** The same deal's id in the other CRM, as a connector keeps it (HubSpot: `salesforceopportunityid`). */
    connectorExternalId: text('connector_external_id'),
  },
  (table) => [
    ...normalisedKeys(table),
    index('deals_account_idx').on(table.workspaceId, table.installationId, table.accountExternalId),
  ],
);

/** Tickets and cases. */
export const tickets = pgTable(
  'tickets',
  {
    ...normalisedColumns(),
    accountExternalId: text('account_external_id'),
    contactExternalId: text('contact_external_id'),
    subject: text('subject'),
    priority: text('priority', { enum: ['low', 'medium', 'high', 'urgent'] }),
    escalated: boolean('escalated').notNull().default(false),
    status: text('status'),
    closed: boolean('closed').notNull().default(false),
    closedAt: instant('closed_at'),
    ownerExternalId: text('owner_external_id'),
  },
  (table) => [
    ...normalisedKeys(table),
    index('tickets_account_idx').on(table.workspaceId, table.installationId, table.accountExternalId),
  ],
);

/** CRM users who own records (HubSpot owners, Salesforce Users): CSMs and account executives. */
export const owners = pgTable(
  'owners',
  {
    ...normalisedColumns(),
    email: text('email'),
    firstName: text('first_name'),
    lastName: text('last_name'),
    name: text('name'),
    active: boolean('active').notNull().default(true),
  },
  (table) => [...normalisedKeys(table)],
);

/** Gone with its installation, like every installation-scoped table. */
const ofInstallation = (table: { workspaceId: AnyPgColumn; installationId: AnyPgColumn }) =>
  foreignKey({
    columns: [table.workspaceId, table.installationId],
    foreignColumns: [installations.workspaceId, installations.id],
  }).onDelete('cascade');

/**
 * Keys for the ingest API. People see `bw_<prefix>_<secret>` once; only the prefix (to find the key)
 * and the SHA-256 of the secret are kept.
 */
export const ingestApiKeys = pgTable(
  'ingest_api_keys',
  {
    workspaceId: uuid('workspace_id').notNull(),
    installationId: uuid('installation_id').notNull(),
    id: uuid('id').notNull().defaultRandom(),
    prefix: text('prefix').notNull(),
    secretHash: text('secret_hash').notNull(),
    label: text('label').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
  },
  (table) => [
    primaryKey({ columns: [table.workspaceId, table.installationId, table.id] }),
    // A presented key names no workspace: the prefix alone finds it.
    uniqueIndex('ingest_api_keys_prefix_idx').on(table.prefix),
    ofInstallation(table),
  ],
);

/** Product usage per account and day, as the customer aggregates it; a later batch replaces the day. */
export const usageDaily = pgTable(
  'usage_daily',
  {
    workspaceId: uuid('workspace_id').notNull(),
    installationId: uuid('installation_id').notNull(),
    accountExternalId: text('account_external_id').notNull(),
    date: day('date').notNull(),
    activeUsers: integer('active_users').notNull(),
    licences: integer('licences'),
    events: integer('events').notNull(),
    /** Active users per feature that day. */
    features: jsonb('features').$type<Record<string, number>>().notNull(),
    receivedAt: timestamp('received_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    primaryKey({ columns: [table.workspaceId, table.installationId, table.accountExternalId, table.date] }),
    ofInstallation(table),
  ],
);

/** Raw product events; the client's event id makes a resent event a duplicate, not a second event. */
export const usageEvents = pgTable(
  'usage_events',
  {
    workspaceId: uuid('workspace_id').notNull(),
    installationId: uuid('installation_id').notNull(),
    clientId: text('client_id').notNull(),
    accountExternalId: text('account_external_id').notNull(),
    occurredAt: instant('occurred_at').notNull(),
    userId: text('user_id'),
    event: text('event').notNull(),
    feature: text('feature'),
    properties: jsonb('properties').$type<Record<string, unknown>>().notNull(),
    receivedAt: timestamp('received_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    primaryKey({ columns: [table.workspaceId, table.installationId, table.clientId] }),
    index('usage_events_account_idx').on(
      table.workspaceId,
      table.installationId,
      table.accountExternalId,
      table.occurredAt,
    ),
    ofInstallation(table),
  ],
);

export const SURVEY_KINDS = ['nps', 'csat', 'ces'] as const;

/** NPS, CSAT and CES answers with their verbatims. */
export const surveyResponses = pgTable(
  'survey_responses',
  {
    workspaceId: uuid('workspace_id').notNull(),
    installationId: uuid('installation_id').notNull(),
    clientId: text('client_id').notNull(),
    accountExternalId: text('account_external_id').notNull(),
    kind: text('kind', { enum: SURVEY_KINDS }).notNull(),
    score: integer('score').notNull(),
    verbatim: text('verbatim'),
    contactExternalId: text('contact_external_id'),
    respondedAt: instant('responded_at').notNull(),
    receivedAt: timestamp('received_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    primaryKey({ columns: [table.workspaceId, table.installationId, table.clientId] }),
    index('survey_responses_account_idx').on(
      table.workspaceId,
      table.installationId,
      table.accountExternalId,
      table.respondedAt,
    ),
    check('survey_responses_kind_check', sql`${table.kind} in ('nps', 'csat', 'ces')`),
    ofInstallation(table),
  ],
);

export const SENTIMENTS = ['positive', 'neutral', 'negative'] as const;

/** A CSM's read of an account, with their note. */
export const csmSentiment = pgTable(
  'csm_sentiment',
  {
    workspaceId: uuid('workspace_id').notNull(),
    installationId: uuid('installation_id').notNull(),
    clientId: text('client_id').notNull(),
    accountExternalId: text('account_external_id').notNull(),
    sentiment: text('sentiment', { enum: SENTIMENTS }).notNull(),
    note: text('note'),
    csmExternalId: text('csm_external_id'),
    recordedAt: instant('recorded_at').notNull(),
    receivedAt: timestamp('received_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    primaryKey({ columns: [table.workspaceId, table.installationId, table.clientId] }),
    index('csm_sentiment_account_idx').on(
      table.workspaceId,
      table.installationId,
      table.accountExternalId,
      table.recordedAt,
    ),
    check('csm_sentiment_sentiment_check', sql`${table.sentiment} in ('positive', 'neutral', 'negative')`),
    ofInstallation(table),
  ],
);

/** Answers to ingest batches by idempotency key, so a resent batch gets the same answer and counts once. */
export const ingestBatches = pgTable(
  'ingest_batches',
  {
    workspaceId: uuid('workspace_id').notNull(),
    installationId: uuid('installation_id').notNull(),
    idempotencyKey: text('idempotency_key').notNull(),
    kind: text('kind').notNull(),
    /** SHA-256 of the kind and the request body: the same key with another body is refused. */
    requestHash: text('request_hash').notNull(),
    answer: jsonb('answer').$type<unknown>(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    primaryKey({ columns: [table.workspaceId, table.installationId, table.idempotencyKey] }),
    index('ingest_batches_created_idx').on(table.createdAt),
    ofInstallation(table),
  ],
);

/** Manifest field key → the value the score job computed for it (null clears the CRM field). */
export type HealthFieldValues = Record<string, number | string | null>;

/**
 * The latest computed values of every written-back field per account, as the score job leaves them:
 * what the write-back job compares with its ledger.
 */
export const accountHealthCurrent = pgTable(
  'account_health_current',
  {
    workspaceId: uuid('workspace_id').notNull(),
    installationId: uuid('installation_id').notNull(),
    accountExternalId: text('account_external_id').notNull(),
    values: jsonb('values').$type<HealthFieldValues>().notNull(),
    scoredAt: instant('scored_at').notNull(),
    modelVersion: text('model_version').notNull(),
  },
  (table) => [
    primaryKey({ columns: [table.workspaceId, table.installationId, table.accountExternalId] }),
    ofInstallation(table),
  ],
);

/**
 * What the CRM holds for each written field, as far as the app knows: the exact text last written
 * (normalised per the field's type) so an unchanged value costs no call and the app's own writes
 * are recognised. A row whose write failed keeps the last written value (null when none) and says why.
 */
export const writeBackLedger = pgTable(
  'write_back_ledger',
  {
    workspaceId: uuid('workspace_id').notNull(),
    installationId: uuid('installation_id').notNull(),
    accountExternalId: text('account_external_id').notNull(),
    fieldKey: text('field_key').notNull(),
    value: text('value'),
    writtenAt: instant('written_at'),
    /** `CODE: message` of the last failed write; null once written. */
    lastError: text('last_error'),
    errorCode: text('error_code'),
    /** A value the CRM refused for good (invalid, record gone), held back until it changes (write-back-store). */
    refusedValue: text('refused_value'),
    /** The manifest fields' version it was refused under: a new version tries it again. */
    refusedFieldsHash: text('refused_fields_hash'),
    refusedAt: instant('refused_at'),
  },
  (table) => [
    primaryKey({ columns: [table.workspaceId, table.installationId, table.accountExternalId, table.fieldKey] }),
    ofInstallation(table),
  ],
);

/** An ensureSchema report as stored (the CRM layer's SchemaReport). */
export interface StoredSchemaReport {
  present: string[];
  created: string[];
  blocked: { key: string; reason: string }[];
  missing?: string[];
}

/** The last ensureSchema report per installation, with a hash of the manifest fields it was made for. */
export const installationCrmSchema = pgTable(
  'installation_crm_schema',
  {
    workspaceId: uuid('workspace_id').notNull(),
    installationId: uuid('installation_id').notNull(),
    fieldsHash: text('fields_hash').notNull(),
    report: jsonb('report').$type<StoredSchemaReport>().notNull(),
    checkedAt: timestamp('checked_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [primaryKey({ columns: [table.workspaceId, table.installationId] }), ofInstallation(table)],
);

export const MODEL_STATUSES = ['draft', 'published', 'retired'] as const;

/**
 * Health model versions per workspace (DESIGN.md §4): drafts an admin edits and backtests, the
 * published version every score of the workspace uses, and the versions it replaced. Publishing
 * records who and when; a published definition never changes.
 */
export const healthModels = pgTable(
  'health_models',
  {
    workspaceId: uuid('workspace_id').notNull(),
    version: integer('version').notNull(),
    status: text('status', { enum: MODEL_STATUSES }).notNull(),
    definition: jsonb('definition').$type<unknown>().notNull(),
    /** The last backtest report of this definition, shown before publishing. */
    backtest: jsonb('backtest').$type<unknown>(),
    createdBy: text('created_by').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
    publishedBy: text('published_by'),
    publishedAt: timestamp('published_at', { withTimezone: true }),
  },
  (table) => [
    primaryKey({ columns: [table.workspaceId, table.version] }),
    foreignKey({ columns: [table.workspaceId], foreignColumns: [workspaces.id] }).onDelete('cascade'),
    check('health_models_status_check', sql`${table.status} in ('draft', 'published', 'retired')`),
    // At most one published version per workspace.
    uniqueIndex('health_models_published_idx')
      .on(table.workspaceId)
      .where(sql`${table.status} = 'published'`),
  ],
);

/**
 * Per installation, where the next partial score run starts looking for changed inputs: the start
 * (by the database's clock) of the last run that finished, and what that run did.
 */
export const scoreState = pgTable(
  'score_state',
  {
    workspaceId: uuid('workspace_id').notNull(),
    installationId: uuid('installation_id').notNull(),
    watermark: instant('watermark').notNull(),
    finishedAt: instant('finished_at').notNull(),
    summary: jsonb('summary').$type<unknown>().notNull(),
  },
  (table) => [primaryKey({ columns: [table.workspaceId, table.installationId] }), ofInstallation(table)],
);

/** Each account's latest windowed signal values, kept so a partial rescore has its segment's peers. */
export const accountSignals = pgTable(
  'account_signals',
  {
    workspaceId: uuid('workspace_id').notNull(),
    installationId: uuid('installation_id').notNull(),
    accountExternalId: text('account_external_id').notNull(),
    segment: text('segment'),
    values: jsonb('values').$type<Record<string, number | boolean | null>>().notNull(),
    computedAt: instant('computed_at').notNull(),
  },
  (table) => [
    primaryKey({ columns: [table.workspaceId, table.installationId, table.accountExternalId] }),
    ofInstallation(table),
  ],
);

/**
 * Score history: one row per account and day (the day's latest score), with the model version and each
 * measure's contribution. Daily for 90 days, then one row per week (maintenance thins it).
 */
export const healthScores = pgTable(
  'health_scores',
  {
    workspaceId: uuid('workspace_id').notNull(),
    installationId: uuid('installation_id').notNull(),
    accountExternalId: text('account_external_id').notNull(),
    day: day('day').notNull(),
    scoredAt: instant('scored_at').notNull(),
    modelVersion: integer('model_version').notNull(),
    status: text('status', { enum: ['scored', 'insufficient_data'] }).notNull(),
    score: doublePrecision('score'),
    band: text('band', { enum: ['red', 'yellow', 'green'] }),
    trend: text('trend', { enum: ['improving', 'stable', 'declining'] }),
    coverage: doublePrecision('coverage').notNull(),
    /** Per measure: raw value, sub-score and contribution (the full explanation of the latest is in account_health). */
    contributions: jsonb('contributions').$type<unknown>().notNull(),
  },
  (table) => [
    primaryKey({ columns: [table.workspaceId, table.installationId, table.accountExternalId, table.day] }),
    index('health_scores_day_idx').on(table.workspaceId, table.installationId, table.day),
    ofInstallation(table),
  ],
);

/**
 * CSM overrides: a CSM's own score or band with a reason and an expiry. Rows are never updated in
 * place except to record who cleared them; the history of overrides is the audit trail.
 */
export const healthOverrides = pgTable(
  'health_overrides',
  {
    workspaceId: uuid('workspace_id').notNull(),
    installationId: uuid('installation_id').notNull(),
    id: uuid('id').notNull().defaultRandom(),
    accountExternalId: text('account_external_id').notNull(),
    score: doublePrecision('score'),
    band: text('band', { enum: ['red', 'yellow', 'green'] }),
    reason: text('reason').notNull(),
    author: text('author').notNull(),
    setAt: instant('set_at').notNull(),
    expiresAt: instant('expires_at').notNull(),
    clearedAt: instant('cleared_at'),
    clearedBy: text('cleared_by'),
  },
  (table) => [
    primaryKey({ columns: [table.workspaceId, table.installationId, table.id] }),
    index('health_overrides_account_idx').on(
      table.workspaceId,
      table.installationId,
      table.accountExternalId,
      table.setAt,
    ),
    ofInstallation(table),
  ],
);

/**
 * Each account's latest health in full, as the card and the write-back read it: the score with every
 * measure's raw value, sub-score, weight and contribution, the drivers, what moved since the last
 * score of an earlier day (`previous`, kept for that comparison), the trend and the override in force.
 */
export const accountHealth = pgTable(
  'account_health',
  {
    workspaceId: uuid('workspace_id').notNull(),
    installationId: uuid('installation_id').notNull(),
    accountExternalId: text('account_external_id').notNull(),
    day: day('day').notNull(),
    scoredAt: instant('scored_at').notNull(),
    modelVersion: integer('model_version').notNull(),
    status: text('status', { enum: ['scored', 'insufficient_data'] }).notNull(),
    score: doublePrecision('score'),
    band: text('band', { enum: ['red', 'yellow', 'green'] }),
    trend: text('trend', { enum: ['improving', 'stable', 'declining'] }),
    explanation: jsonb('explanation').$type<unknown>().notNull(),
    previous: jsonb('previous').$type<unknown>(),
  },
  (table) => [
    primaryKey({ columns: [table.workspaceId, table.installationId, table.accountExternalId] }),
    ofInstallation(table),
  ],
);

/**
 * Per installation, the warning rules in force (server/core/warnings), versioned; no row means the
 * shipped defaults.
 */
export const warningSettings = pgTable(
  'warning_settings',
  {
    workspaceId: uuid('workspace_id').notNull(),
    installationId: uuid('installation_id').notNull(),
    version: integer('version').notNull(),
    rules: jsonb('rules').$type<unknown>().notNull(),
    updatedAt: instant('updated_at').notNull(),
    updatedBy: text('updated_by').notNull(),
  },
  (table) => [primaryKey({ columns: [table.workspaceId, table.installationId] }), ofInstallation(table)],
);

/**
 * Early warnings: one row per opening. At most one open row per dedupe key; a resolved row is kept
 * (cooldown is judged from it, and it is the history the evaluation and the digest read).
 */
export const warnings = pgTable(
  'warnings',
  {
    workspaceId: uuid('workspace_id').notNull(),
    installationId: uuid('installation_id').notNull(),
    id: uuid('id').notNull().defaultRandom(),
    accountExternalId: text('account_external_id').notNull(),
    rule: text('rule').notNull(),
    dedupeKey: text('dedupe_key').notNull(),
    severity: text('severity', { enum: ['low', 'medium', 'high'] }).notNull(),
    status: text('status', { enum: ['open', 'resolved'] }).notNull(),
    title: text('title').notNull(),
    /** What fired: the values, the thresholds and the words the card and the tasks show. */
    evidence: jsonb('evidence').$type<unknown>().notNull(),
    ownerExternalId: text('owner_external_id'),
    csmExternalId: text('csm_external_id'),
    openedAt: instant('opened_at').notNull(),
    lastSeenAt: instant('last_seen_at').notNull(),
    resolvedAt: instant('resolved_at'),
    resolution: text('resolution'),
  },
  (table) => [
    primaryKey({ columns: [table.workspaceId, table.installationId, table.id] }),
    uniqueIndex('warnings_open_key_idx')
      .on(table.workspaceId, table.installationId, table.dedupeKey)
      .where(sql`${table.status} = 'open'`),
    index('warnings_account_idx').on(table.workspaceId, table.installationId, table.accountExternalId, table.openedAt),
    index('warnings_key_idx').on(table.workspaceId, table.installationId, table.dedupeKey, table.resolvedAt),
    ofInstallation(table),
  ],
);

/**
 * The CRM tasks of a warning's playbook, one row per warning and step, so each task is created once:
 * `pending` rows are created (an in-doubt one is looked up in the CRM by its key first), `created`
 * rows of a resolved warning are closed.
 */
export const warningTasks = pgTable(
  'warning_tasks',
  {
    workspaceId: uuid('workspace_id').notNull(),
    installationId: uuid('installation_id').notNull(),
    warningId: uuid('warning_id').notNull(),
    step: integer('step').notNull(),
    /** Unique across installations; written on the CRM task so an in-doubt create can be found. */
    taskKey: text('task_key').notNull(),
    accountExternalId: text('account_external_id').notNull(),
    subject: text('subject').notNull(),
    body: text('body').notNull(),
    dueAt: instant('due_at').notNull(),
    assigneeExternalId: text('assignee_external_id'),
    state: text('state', { enum: ['pending', 'created', 'closed', 'failed'] }).notNull(),
    crmTaskId: text('crm_task_id'),
    attempts: integer('attempts').notNull().default(0),
    /** When the last create was sent: an in-doubt row is looked up only after the CRM's search lag. */
    attemptedAt: instant('attempted_at'),
    lastError: text('last_error'),
    createdAt: instant('created_at'),
    closedAt: instant('closed_at'),
  },
  (table) => [
    primaryKey({ columns: [table.workspaceId, table.installationId, table.warningId, table.step] }),
    uniqueIndex('warning_tasks_key_idx').on(table.taskKey),
    index('warning_tasks_state_idx').on(table.workspaceId, table.installationId, table.state),
    foreignKey({
      columns: [table.workspaceId, table.installationId, table.warningId],
      foreignColumns: [warnings.workspaceId, warnings.installationId, warnings.id],
    }).onDelete('cascade'),
    ofInstallation(table),
  ],
);

/** Where warnings are sent: a signed outgoing webhook (JSON or a Slack-compatible payload). */
export const notificationChannels = pgTable(
  'notification_channels',
  {
    workspaceId: uuid('workspace_id').notNull(),
    installationId: uuid('installation_id').notNull(),
    id: uuid('id').notNull().defaultRandom(),
    format: text('format', { enum: ['json', 'slack'] }).notNull(),
    url: text('url').notNull(),
    /** The signing secret, sealed (platform/crypto.ts). */
    secret: text('secret').notNull(),
    minSeverity: text('min_severity', { enum: ['low', 'medium', 'high'] }).notNull(),
    enabled: boolean('enabled').notNull().default(true),
    createdAt: instant('created_at').notNull(),
    createdBy: text('created_by').notNull(),
  },
  (table) => [primaryKey({ columns: [table.workspaceId, table.installationId, table.id] }), ofInstallation(table)],
);

/** Each warning event sent to each channel once: the row is made with the event, the job delivers it. */
export const notificationDeliveries = pgTable(
  'notification_deliveries',
  {
    workspaceId: uuid('workspace_id').notNull(),
    installationId: uuid('installation_id').notNull(),
    channelId: uuid('channel_id').notNull(),
    warningId: uuid('warning_id').notNull(),
    event: text('event', { enum: ['opened', 'resolved'] }).notNull(),
    state: text('state', { enum: ['pending', 'delivered', 'failed'] }).notNull(),
    attempts: integer('attempts').notNull().default(0),
    lastStatus: integer('last_status'),
    lastError: text('last_error'),
    createdAt: instant('created_at').notNull(),
    deliveredAt: instant('delivered_at'),
  },
  (table) => [
    primaryKey({
      name: 'notification_deliveries_pk',
      columns: [table.workspaceId, table.installationId, table.channelId, table.warningId, table.event],
    }),
    foreignKey({
      columns: [table.workspaceId, table.installationId, table.channelId],
      foreignColumns: [notificationChannels.workspaceId, notificationChannels.installationId, notificationChannels.id],
    }).onDelete('cascade'),
    foreignKey({
      columns: [table.workspaceId, table.installationId, table.warningId],
      foreignColumns: [warnings.workspaceId, warnings.installationId, warnings.id],
    }).onDelete('cascade'),
    ofInstallation(table),
  ],
);

/**
 * QBR briefs, versioned per account and QBR date: a new version only when the content changed
 * (`contentHash`). Markdown, HTML and PDF are drawn from `brief` when asked for; the CRM note of a
 * version is written once (`noteState`, and the note carries the brief's key for an in-doubt write).
 */
export const qbrBriefs = pgTable(
  'qbr_briefs',
  {
    workspaceId: uuid('workspace_id').notNull(),
    installationId: uuid('installation_id').notNull(),
    id: uuid('id').notNull().defaultRandom(),
    accountExternalId: text('account_external_id').notNull(),
    qbrDate: day('qbr_date').notNull(),
    periodStart: day('period_start').notNull(),
    periodEnd: day('period_end').notNull(),
    version: integer('version').notNull(),
    contentHash: text('content_hash').notNull(),
    brief: jsonb('brief').$type<unknown>().notNull(),
    trigger: text('trigger', { enum: ['schedule', 'card', 'api'] }).notNull(),
    requestedBy: text('requested_by'),
    generatedAt: instant('generated_at').notNull(),
    noteState: text('note_state', { enum: ['pending', 'written', 'failed'] }).notNull(),
    noteAttempts: integer('note_attempts').notNull().default(0),
    noteAttemptedAt: instant('note_attempted_at'),
    crmNoteId: text('crm_note_id'),
    noteWrittenAt: instant('note_written_at'),
    noteError: text('note_error'),
  },
  (table) => [
    primaryKey({ columns: [table.workspaceId, table.installationId, table.id] }),
    uniqueIndex('qbr_briefs_version_idx').on(
      table.workspaceId,
      table.installationId,
      table.accountExternalId,
      table.qbrDate,
      table.version,
    ),
    index('qbr_briefs_account_idx').on(
      table.workspaceId,
      table.installationId,
      table.accountExternalId,
      table.generatedAt,
    ),
    ofInstallation(table),
  ],
);

/**
 * Per installation, the revenue analytics settings in force (server/core/revenue
 * `analyticsSettingsSchema`: retention definitions, touch tiers, staffing targets), versioned;
 * the latest version wins and no row means the defaults.
 */
export const analyticsSettings = pgTable(
  'analytics_settings',
  {
    workspaceId: uuid('workspace_id').notNull(),
    installationId: uuid('installation_id').notNull(),
    version: integer('version').notNull(),
    settings: jsonb('settings').$type<unknown>().notNull(),
    updatedAt: instant('updated_at').notNull(),
    updatedBy: text('updated_by').notNull(),
  },
  (table) => [primaryKey({ columns: [table.workspaceId, table.installationId, table.version] }), ofInstallation(table)],
);

/**
 * The renewal model learned from an installation's own past renewals (server/core/revenue/forecast
 * `renewalModelSchema`), versioned: a new version only when training changed it; the latest wins.
 */
export const renewalModels = pgTable(
  'renewal_models',
  {
    workspaceId: uuid('workspace_id').notNull(),
    installationId: uuid('installation_id').notNull(),
    version: integer('version').notNull(),
    model: jsonb('model').$type<unknown>().notNull(),
    trainedAt: instant('trained_at').notNull(),
  },
  (table) => [primaryKey({ columns: [table.workspaceId, table.installationId, table.version] }), ofInstallation(table)],
);

/**
 * Every renewal in the next six months with its probability to renew, as the last analytics run left
 * it; the run replaces an installation's rows whole, so a renewal that moved out of the window goes.
 */
export const renewalForecasts = pgTable(
  'renewal_forecasts',
  {
    workspaceId: uuid('workspace_id').notNull(),
    installationId: uuid('installation_id').notNull(),
    accountExternalId: text('account_external_id').notNull(),
    renewalDate: day('renewal_date').notNull(),
    /** Null when the CRM holds no ARR for the account. */
    arr: money('arr'),
    probability: doublePrecision('probability').notNull(),
    expectedArr: money('expected_arr').notNull(),
    revenueAtRisk: money('revenue_at_risk').notNull(),
    /** 'model' or 'prior': what the probability came from. */
    basis: text('basis').notNull(),
    contributions: jsonb('contributions').$type<unknown>().notNull(),
    healthDrivers: text('health_drivers'),
    opportunities: jsonb('opportunities').$type<unknown>().notNull(),
    bottom20: boolean('bottom20').notNull(),
    /** 1 = the least likely to renew. */
    rank: integer('rank').notNull(),
    computedAt: instant('computed_at').notNull(),
  },
  (table) => [
    primaryKey({ columns: [table.workspaceId, table.installationId, table.accountExternalId] }),
    index('renewal_forecasts_rank_idx').on(table.workspaceId, table.installationId, table.rank),
    ofInstallation(table),
  ],
);

export const ANALYTICS_SNAPSHOT_KINDS = ['forecast', 'retention', 'nps', 'portfolio', 'staffing'] as const;

/**
 * The figures the dashboard reads, precomputed by the analytics job: per kind, the core function's
 * output (JSON-safe), and what it was computed from (`sourceVersion`: model and settings versions).
 */
export const analyticsSnapshots = pgTable(
  'analytics_snapshots',
  {
    workspaceId: uuid('workspace_id').notNull(),
    installationId: uuid('installation_id').notNull(),
    kind: text('kind', { enum: ANALYTICS_SNAPSHOT_KINDS }).notNull(),
    payload: jsonb('payload').$type<unknown>().notNull(),
    computedAt: instant('computed_at').notNull(),
    sourceVersion: text('source_version').notNull(),
  },
  (table) => [
    primaryKey({ columns: [table.workspaceId, table.installationId, table.kind] }),
    check(
      'analytics_snapshots_kind_check',
      sql`${table.kind} in ('forecast', 'retention', 'nps', 'portfolio', 'staffing')`,
    ),
    ofInstallation(table),
  ],
);

/* ------------------------------------------------------------------ one customer in two CRMs */

export const LINK_RULES = ['connector_id', 'domain', 'manual'] as const;
export const MATCH_DECISIONS = ['linked', 'rejected'] as const;

/** Both sides of a link or decision: a HubSpot company and a Salesforce Account of one workspace. */
const pairColumns = () => ({
  workspaceId: uuid('workspace_id').notNull(),
  hubspotInstallationId: uuid('hubspot_installation_id').notNull(),
  hubspotAccountId: text('hubspot_account_id').notNull(),
  salesforceInstallationId: uuid('salesforce_installation_id').notNull(),
  salesforceAccountId: text('salesforce_account_id').notNull(),
});

const pairInstallations = (table: {
  workspaceId: AnyPgColumn;
  hubspotInstallationId: AnyPgColumn;
  salesforceInstallationId: AnyPgColumn;
}) => [
  foreignKey({
    columns: [table.workspaceId, table.hubspotInstallationId],
    foreignColumns: [installations.workspaceId, installations.id],
  }).onDelete('cascade'),
  foreignKey({
    columns: [table.workspaceId, table.salesforceInstallationId],
    foreignColumns: [installations.workspaceId, installations.id],
  }).onDelete('cascade'),
];

/**
 * Which HubSpot company and Salesforce Account are the same customer: the matching job's answer,
 * rewritten whole on every run from the records and the admins' decisions. One-to-one.
 */
export const accountLinks = pgTable(
  'account_links',
  {
    ...pairColumns(),
    rule: text('rule', { enum: LINK_RULES }).notNull(),
    linkedAt: instant('linked_at').notNull().defaultNow(),
  },
  (table) => [
    primaryKey({ columns: [table.workspaceId, table.hubspotInstallationId, table.hubspotAccountId] }),
    uniqueIndex('account_links_salesforce_idx').on(
      table.workspaceId,
      table.salesforceInstallationId,
      table.salesforceAccountId,
    ),
    check('account_links_rule_check', sql`${table.rule} in ('connector_id', 'domain', 'manual')`),
    ...pairInstallations(table),
  ],
);

/** An admin's word on a pair: linked (by hand, or a confirmed proposal) or rejected (never link them). */
export const accountMatchDecisions = pgTable(
  'account_match_decisions',
  {
    ...pairColumns(),
    decision: text('decision', { enum: MATCH_DECISIONS }).notNull(),
    decidedBy: text('decided_by').notNull(),
    decidedAt: instant('decided_at').notNull().defaultNow(),
  },
  (table) => [
    primaryKey({
      name: 'account_match_decisions_pk',
      columns: [
        table.workspaceId,
        table.hubspotInstallationId,
        table.hubspotAccountId,
        table.salesforceInstallationId,
        table.salesforceAccountId,
      ],
    }),
    check('account_match_decisions_decision_check', sql`${table.decision} in ('linked', 'rejected')`),
    ...pairInstallations(table),
  ],
);

/** The last matching run's report: counts per rule, conflicts and proposals for review. */
export const accountMatchReports = pgTable('account_match_reports', {
  workspaceId: uuid('workspace_id')
    .primaryKey()
    .references(() => workspaces.id, { onDelete: 'cascade' }),
  hubspotInstallationId: uuid('hubspot_installation_id').notNull(),
  salesforceInstallationId: uuid('salesforce_installation_id').notNull(),
  report: jsonb('report').$type<unknown>().notNull(),
  computedAt: instant('computed_at').notNull(),
});

/**
 * Per installation, the lifecycle stage rules and the success-plan templates in force
 * (server/core/plans), versioned; a null column means the shipped defaults.
 */
export const planSettings = pgTable(
  'plan_settings',
  {
    workspaceId: uuid('workspace_id').notNull(),
    installationId: uuid('installation_id').notNull(),
    version: integer('version').notNull(),
    stageRules: jsonb('stage_rules').$type<unknown>(),
    templates: jsonb('templates').$type<unknown>(),
    updatedAt: instant('updated_at').notNull(),
    updatedBy: text('updated_by').notNull(),
  },
  (table) => [primaryKey({ columns: [table.workspaceId, table.installationId] }), ofInstallation(table)],
);

const LIFECYCLE_STAGE_VALUES = ['onboarding', 'adoption', 'value', 'renewal', 'at_risk', 'churned'] as const;

/**
 * Every stay of an account in a lifecycle stage: a new row when the stage changes, `left_at` set on
 * the row it leaves. A plan made for a stage names the stay it was made for, so one stay gets one plan.
 */
export const accountStageHistory = pgTable(
  'account_stage_history',
  {
    workspaceId: uuid('workspace_id').notNull(),
    installationId: uuid('installation_id').notNull(),
    id: uuid('id').notNull().defaultRandom(),
    accountExternalId: text('account_external_id').notNull(),
    stage: text('stage', { enum: LIFECYCLE_STAGE_VALUES }).notNull(),
    reason: text('reason').notNull(),
    enteredAt: instant('entered_at').notNull(),
    leftAt: instant('left_at'),
  },
  (table) => [
    primaryKey({ columns: [table.workspaceId, table.installationId, table.id] }),
    // One current stay per account.
    uniqueIndex('account_stage_current_idx')
      .on(table.workspaceId, table.installationId, table.accountExternalId)
      .where(sql`${table.leftAt} is null`),
    index('account_stage_account_idx').on(
      table.workspaceId,
      table.installationId,
      table.accountExternalId,
      table.enteredAt,
    ),
    ofInstallation(table),
  ],
);

/** A success plan of one account, made from a template when the account entered a stage (or by hand). */
export const successPlans = pgTable(
  'success_plans',
  {
    workspaceId: uuid('workspace_id').notNull(),
    installationId: uuid('installation_id').notNull(),
    id: uuid('id').notNull().defaultRandom(),
    accountExternalId: text('account_external_id').notNull(),
    name: text('name').notNull(),
    templateKey: text('template_key'),
    stage: text('stage', { enum: LIFECYCLE_STAGE_VALUES }).notNull(),
    /** The stage stay it was made for; null for a plan made by hand. */
    stageEntryId: uuid('stage_entry_id'),
    status: text('status', { enum: ['active', 'closed'] }).notNull(),
    startedAt: instant('started_at').notNull(),
    closedAt: instant('closed_at'),
    createdBy: text('created_by').notNull(),
    /** When its objectives and milestones were last read from the signals. */
    readAt: instant('read_at'),
  },
  (table) => [
    primaryKey({ columns: [table.workspaceId, table.installationId, table.id] }),
    uniqueIndex('success_plans_stage_entry_idx')
      .on(table.workspaceId, table.installationId, table.stageEntryId)
      .where(sql`${table.stageEntryId} is not null`),
    index('success_plans_account_idx').on(
      table.workspaceId,
      table.installationId,
      table.accountExternalId,
      table.startedAt,
    ),
    ofInstallation(table),
  ],
);

const planChild = (table: { workspaceId: AnyPgColumn; installationId: AnyPgColumn; planId: AnyPgColumn }) =>
  foreignKey({
    columns: [table.workspaceId, table.installationId, table.planId],
    foreignColumns: [successPlans.workspaceId, successPlans.installationId, successPlans.id],
  }).onDelete('cascade');

/** An objective: a target on a metric by a due date; its status is read from the signals. */
export const planObjectives = pgTable(
  'plan_objectives',
  {
    workspaceId: uuid('workspace_id').notNull(),
    installationId: uuid('installation_id').notNull(),
    planId: uuid('plan_id').notNull(),
    key: text('key').notNull(),
    position: integer('position').notNull(),
    title: text('title').notNull(),
    metric: jsonb('metric').$type<unknown>().notNull(),
    comparator: text('comparator', { enum: ['gte', 'lte'] }).notNull(),
    target: doublePrecision('target').notNull(),
    startAt: instant('start_at').notNull(),
    dueAt: instant('due_at').notNull(),
    startValue: doublePrecision('start_value'),
    achievedAt: instant('achieved_at'),
    status: text('status', { enum: ['on_track', 'behind', 'achieved', 'missed', 'no_data'] }).notNull(),
    /** Since when the status has been what it is (a warning asks how long an objective has been behind). */
    statusSince: instant('status_since').notNull(),
    value: doublePrecision('value'),
    expected: doublePrecision('expected'),
    progress: doublePrecision('progress'),
    readAt: instant('read_at'),
  },
  (table) => [
    primaryKey({ columns: [table.workspaceId, table.installationId, table.planId, table.key] }),
    planChild(table),
    ofInstallation(table),
  ],
);

/** A milestone: a step with an owner and a due date, reached by hand or when its condition holds. */
export const planMilestones = pgTable(
  'plan_milestones',
  {
    workspaceId: uuid('workspace_id').notNull(),
    installationId: uuid('installation_id').notNull(),
    planId: uuid('plan_id').notNull(),
    key: text('key').notNull(),
    position: integer('position').notNull(),
    title: text('title').notNull(),
    ownerExternalId: text('owner_external_id'),
    dueAt: instant('due_at').notNull(),
    reachedWhen: jsonb('reached_when').$type<unknown>(),
    reachedAt: instant('reached_at'),
    /** `signal` when its condition was met, else who marked it. */
    reachedBy: text('reached_by'),
  },
  (table) => [
    primaryKey({ columns: [table.workspaceId, table.installationId, table.planId, table.key] }),
    planChild(table),
    ofInstallation(table),
  ],
);

export const planNotes = pgTable(
  'plan_notes',
  {
    workspaceId: uuid('workspace_id').notNull(),
    installationId: uuid('installation_id').notNull(),
    id: uuid('id').notNull().defaultRandom(),
    planId: uuid('plan_id').notNull(),
    author: text('author').notNull(),
    body: text('body').notNull(),
    createdAt: instant('created_at').notNull(),
  },
  (table) => [
    primaryKey({ columns: [table.workspaceId, table.installationId, table.id] }),
    index('plan_notes_plan_idx').on(table.workspaceId, table.installationId, table.planId, table.createdAt),
    planChild(table),
    ofInstallation(table),
  ],
);

/**
 * Read-only links to one plan for the customer: only the SHA-256 of the token is kept, so a
 * database copy opens nothing; a link stops at its expiry or when revoked.
 */
export const planShareLinks = pgTable(
  'plan_share_links',
  {
    workspaceId: uuid('workspace_id').notNull(),
    installationId: uuid('installation_id').notNull(),
    id: uuid('id').notNull().defaultRandom(),
    planId: uuid('plan_id').notNull(),
    tokenHash: text('token_hash').notNull(),
    createdBy: text('created_by').notNull(),
    createdAt: instant('created_at').notNull(),
    expiresAt: instant('expires_at').notNull(),
    revokedAt: instant('revoked_at'),
    lastOpenedAt: instant('last_opened_at'),
  },
  (table) => [
    primaryKey({ columns: [table.workspaceId, table.installationId, table.id] }),
    uniqueIndex('plan_share_links_token_idx').on(table.tokenHash),
    index('plan_share_links_plan_idx').on(table.workspaceId, table.installationId, table.planId),
    planChild(table),
    ofInstallation(table),
  ],
);
