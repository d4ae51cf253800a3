import { and, eq } from 'drizzle-orm';
import { mappedProperties } from '../../../server/core/accounts/mapping.ts';
import type { Database } from '../../../server/platform/db/database.ts';
import { crmRecords } from '../../../server/platform/db/schema.ts';
import { NORMALISED_TABLES } from '../../../server/platform/db/sync-store.ts';
import type { SyncHarness } from '../../support/sync-harness.ts';
import { SYNC_OBJECTS, type SyncObject } from '../../../jobs/sync/run-sync.ts';

/**
 * Compares the app's copy of an installation with the stand-in's state: the same live ids per
 * object (raw and normalised), the same values of every mapped property, the same associations.
 * Answers the differences (empty when converged), so a failure names what differs.
 */

interface Truth {
  id: string;
  properties: Record<string, string | null>;
  associations: Partial<Record<SyncObject, string[]>>;
}

const HUBSPOT_TYPE = { accounts: 'companies', contacts: 'contacts', deals: 'deals', tickets: 'tickets' } as const;
const SALESFORCE_TYPE = {
  owners: 'User',
  accounts: 'Account',
  contacts: 'Contact',
  deals: 'Opportunity',
  tickets: 'Case',
} as const;
const SALESFORCE_LOOKUPS: Record<SyncObject, Record<string, SyncObject>> = {
  owners: {},
  accounts: {},
  contacts: { AccountId: 'accounts' },
  deals: { AccountId: 'accounts' },
  tickets: { AccountId: 'accounts', ContactId: 'contacts' },
};

function asText(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

function hubspotTruth(h: SyncHarness, object: SyncObject): Truth[] {
  const portal = h.hubspot.sandbox.portals.get(String(h.hubspot.portalId));
  if (!portal) throw new Error('no portal');
  if (object === 'owners') {
    return [...portal.owners.values()]
      .filter((owner) => !owner.archived)
      .map((owner) => ({
        id: owner.id,
        properties: { email: owner.email, firstName: owner.firstName, lastName: owner.lastName },
        associations: {},
      }));
  }
  const type = HUBSPOT_TYPE[object];
  return portal
    .table(type)
    .order.filter((record) => !record.archived)
    .map((record) => ({
      id: record.id,
      properties: record.properties,
      associations:
        type === 'companies' ? {} : { accounts: portal.associations(record, 'companies').map((link) => link.id) },
    }));
}

function salesforceTruth(h: SyncHarness, object: SyncObject): Truth[] {
  const org = h.salesforce.sandbox.orgs.get(h.salesforce.orgId);
  if (!org) throw new Error('no org');
  return [...org.table(SALESFORCE_TYPE[object]).values()]
    .filter((row) => row.IsDeleted !== true)
    .map((row) => {
      const associations: Partial<Record<SyncObject, string[]>> = {};
      for (const [lookup, target] of Object.entries(SALESFORCE_LOOKUPS[object])) {
        const id = row[lookup];
        associations[target] = typeof id === 'string' && id !== '' ? [id] : [];
      }
      return {
        id: row.Id as string,
        properties: Object.fromEntries(Object.entries(row).map(([name, value]) => [name, asText(value)])),
        associations,
      };
    });
}

export interface Differences {
  object: SyncObject;
  missing: string[];
  extra: string[];
  normalisedMissing: string[];
  normalisedExtra: string[];
  values: string[];
  associations: string[];
}

/** The installation's live raw records of one object, as the sync stored them. */
export function liveRawRecords(db: Database, key: { workspaceId: string; installationId: string }, object: string) {
  return db
    .select({ id: crmRecords.externalId, properties: crmRecords.properties, associations: crmRecords.associations })
    .from(crmRecords)
    .where(
      and(
        eq(crmRecords.workspaceId, key.workspaceId),
        eq(crmRecords.installationId, key.installationId),
        eq(crmRecords.objectType, object),
        eq(crmRecords.archived, false),
      ),
    );
}

export async function differences(
  h: SyncHarness,
  db: Database,
  provider: 'hubspot' | 'salesforce',
): Promise<Differences[]> {
  const installation = h.installations[provider];
  const key = { workspaceId: installation.workspaceId, installationId: installation.id };
  const mapping = await h.deps.mappings.get(key);
  if (!mapping) throw new Error('no mapping saved: has the installation synced?');
  const mapped = mappedProperties(mapping);
  const result: Differences[] = [];
  for (const object of SYNC_OBJECTS) {
    const truth = provider === 'hubspot' ? hubspotTruth(h, object) : salesforceTruth(h, object);
    const rows = await liveRawRecords(db, key, object);
    const table = NORMALISED_TABLES[object];
    const normalised = await db
      .select({ id: table.externalId })
      .from(table)
      .where(
        and(
          eq(table.workspaceId, key.workspaceId),
          eq(table.installationId, key.installationId),
          eq(table.archived, false),
        ),
      );
    const stored = new Map(rows.map((row) => [row.id, row]));
    const truthIds = new Set(truth.map((record) => record.id));
    const normalisedIds = new Set(normalised.map((row) => row.id));
    const diff: Differences = {
      object,
      missing: truth.filter((record) => !stored.has(record.id)).map((record) => record.id),
      extra: rows.filter((row) => !truthIds.has(row.id)).map((row) => row.id),
      normalisedMissing: truth.filter((record) => !normalisedIds.has(record.id)).map((record) => record.id),
      normalisedExtra: [...normalisedIds].filter((id) => !truthIds.has(id)),
      values: [],
      associations: [],
    };
    const names =
      object === 'owners' && provider === 'hubspot' ? ['email', 'firstName', 'lastName'] : (mapped[object] ?? []);
    for (const record of truth) {
      const copy = stored.get(record.id);
      if (!copy) continue;
      for (const name of names) {
        const want = record.properties[name] ?? null;
        const have = copy.properties[name] ?? null;
        if (want !== have) diff.values.push(`${record.id}.${name}: ${String(have)} ≠ ${String(want)}`);
      }
      for (const [target, ids] of Object.entries(record.associations)) {
        const want = [...ids].sort().join(',');
        const have = [...(copy.associations[target] ?? [])].sort().join(',');
        if (want !== have) diff.associations.push(`${record.id}→${target}: [${have}] ≠ [${want}]`);
      }
    }
    result.push(diff);
  }
  return result;
}

/** Only the objects that differ, each cut to a few examples, for a readable failure. */
export function summarise(diffs: readonly Differences[]): Record<string, Record<string, string[] | number>> {
  const out: Record<string, Record<string, string[] | number>> = {};
  for (const diff of diffs) {
    const parts: Record<string, string[] | number> = {};
    for (const [name, list] of Object.entries(diff)) {
      if (name === 'object' || !Array.isArray(list) || list.length === 0) continue;
      parts[name] = list.slice(0, 5);
      parts[`${name}Count`] = list.length;
    }
    if (Object.keys(parts).length > 0) out[diff.object] = parts;
  }
  return out;
}
