import { and, asc, eq } from 'drizzle-orm';
import type { Queues } from '../../../jobs/queues.ts';
import { runWriteBackJob, type WriteBackServices } from '../../../jobs/write-back/write-back.job.ts';
import type { Database } from '../../../server/platform/db/database.ts';
import { accounts, type HealthFieldValues } from '../../../server/platform/db/schema.ts';
import { ledgerText, writeBackStore } from '../../../server/platform/db/write-back-store.ts';
import type { ManifestField } from '../../../server/platform/manifest.ts';
import { silentLogger } from '../../support/databases.ts';
import type { SyncHarness } from '../../support/sync-harness.ts';

/** The write-back job's services against a sync harness, a job stand-in and helpers to read the CRMs. */

export type Provider = 'hubspot' | 'salesforce';

export function writeBackServices(h: SyncHarness, db: Database, queues: Queues): WriteBackServices {
  return {
    db,
    manifest: h.manifest,
    installations: h.repository,
    store: writeBackStore(db),
    adapters: h.adapters,
    connections: h.deps.connections,
    tokens: h.tokens,
    queues,
    redis: h.redis,
    fields: h.manifest.fields,
    logger: silentLogger,
  };
}

export interface FakeJob {
  progress: unknown[];
  delayedUntil: number[];
  updateProgress(progress: unknown): Promise<void>;
  moveToDelayed(timestamp: number): Promise<void>;
}

export function fakeJob(): FakeJob {
  const job: FakeJob = {
    progress: [],
    delayedUntil: [],
    updateProgress(progress) {
      job.progress.push(progress);
      return Promise.resolve();
    },
    moveToDelayed(timestamp) {
      job.delayedUntil.push(timestamp);
      return Promise.resolve();
    },
  };
  return job;
}

export async function runJob(services: WriteBackServices, h: SyncHarness, provider: Provider, job = fakeJob()) {
  const installation = h.installations[provider];
  return runWriteBackJob(
    services,
    { workspaceId: installation.workspaceId, installationId: installation.id },
    job,
    undefined,
  );
}

const BANDS = ['red', 'yellow', 'green'] as const;
const TRENDS = ['improving', 'stable', 'declining'] as const;
const STAGES = ['onboarding', 'adoption', 'value', 'renewal', 'at_risk', 'churned'] as const;

/** Deterministic values of all eight fields for account number `index` (variant shifts the score). */
export function healthValues(index: number, scoredAt: number, variant = 0): HealthFieldValues {
  const score = (index * 37 + variant * 11) % 101;
  return {
    health_score: score,
    health_band: score < 40 ? BANDS[0] : score < 70 ? BANDS[1] : BANDS[2],
    health_trend: TRENDS[index % 3]!,
    health_drivers: `Usage ${score % 2 === 0 ? 'rising' : 'falling'}; ${index % 5} open tickets; renewal in ${index % 12} months`,
    // A string on purpose: the ledger must treat "55.25" and 55.25 alike.
    renewal_probability: String(((index * 13) % 10_000) / 100),
    revenue_at_risk: (index % 50) * 1234.5,
    lifecycle_stage: STAGES[index % STAGES.length]!,
    last_scored_at: scoredAt,
  };
}

/** Every synced, live account id of an installation, in id order. */
export async function accountIds(db: Database, h: SyncHarness, provider: Provider): Promise<string[]> {
  const installation = h.installations[provider];
  const rows = await db
    .select({ id: accounts.externalId })
    .from(accounts)
    .where(
      and(
        eq(accounts.workspaceId, installation.workspaceId),
        eq(accounts.installationId, installation.id),
        eq(accounts.archived, false),
      ),
    )
    .orderBy(asc(accounts.externalId));
  return rows.map((row) => row.id);
}

/** The written fields of one account as the CRM holds them, raw. */
export function crmValues(h: SyncHarness, provider: Provider, id: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (provider === 'hubspot') {
    const portal = h.hubspot.sandbox.portals.get(String(h.hubspot.portalId))!;
    const record = portal.table('companies').order.find((candidate) => candidate.id === id);
    if (!record) throw new Error(`no company ${id}`);
    for (const field of h.manifest.fields) out[field.key] = record.properties[field.hubspot.name] ?? null;
    return out;
  }
  const org = h.salesforce.sandbox.orgs.get(h.salesforce.orgId)!;
  const row = org.table('Account').get(id);
  if (!row) throw new Error(`no Account ${id}`);
  for (const field of h.manifest.fields) {
    const name = Object.keys(row).find((candidate) =>
      candidate.toLowerCase().endsWith(field.salesforce.name.toLowerCase()),
    );
    out[field.key] = name === undefined ? null : (row[name] ?? null);
  }
  return out;
}

/** A CRM value in the ledger's form (picklists compared without case, empty as cleared). */
export function crmText(field: ManifestField, raw: unknown): string {
  if (raw === null || raw === undefined || raw === '') return '';
  if (typeof raw !== 'number' && typeof raw !== 'string')
    throw new Error(`unexpected CRM value ${JSON.stringify(raw)}`);
  const text = ledgerText(field, raw);
  return field.type === 'enumeration' ? text.toLowerCase() : text;
}

/** Accounts whose CRM values differ from the database's current values, with what differs. */
export function crmDifferences(
  currentById: Map<string, HealthFieldValues>,
  h: SyncHarness,
  provider: Provider,
): string[] {
  const problems: string[] = [];
  for (const [id, values] of currentById) {
    const crm = crmValues(h, provider, id);
    for (const field of h.manifest.fields) {
      const want = ledgerText(field, values[field.key] ?? null);
      const got = crmText(field, crm[field.key]);
      if (want !== got) problems.push(`${id}.${field.key}: database ${want}, CRM ${got}`);
    }
  }
  return problems;
}

/** Gives the org's users edit access to every write-back field (what the managed package's permission set does). */
export function grantFieldAccess(h: SyncHarness): void {
  const org = h.salesforce.sandbox.orgs.get(h.salesforce.orgId)!;
  const actor = org.users()[0]!.id;
  const permissionSet = org.insert('PermissionSet', { Name: 'Bellwether', Label: 'Bellwether' }, actor);
  for (const field of h.manifest.fields) {
    org.insert(
      'FieldPermissions',
      {
        ParentId: permissionSet,
        SobjectType: 'Account',
        Field: `Account.${field.salesforce.name}`,
        PermissionsRead: true,
        PermissionsEdit: true,
      },
      actor,
    );
  }
  // The Task key field the warning tasks need, when ensureSchema has created it.
  if (org.object('Task')?.fields.has('activity_key__c')) {
    org.insert(
      'FieldPermissions',
      {
        ParentId: permissionSet,
        SobjectType: 'Task',
        Field: 'Task.Activity_Key__c',
        PermissionsRead: true,
        PermissionsEdit: true,
      },
      actor,
    );
  }
}

/** Requests to the CRM's write endpoint since the counters were reset. */
export function writeCalls(h: SyncHarness, provider: Provider): number {
  const counters = h[provider].counters;
  let calls = 0;
  for (const [path, count] of counters.byPath) {
    if (provider === 'hubspot' ? path.endsWith('/batch/update') : path.includes('/composite/sobjects')) calls += count;
  }
  return calls;
}
