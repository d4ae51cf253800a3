import { and, eq, is, or, type SQL } from 'drizzle-orm';
import { getTableConfig, PgTable, type PgColumn } from 'drizzle-orm/pg-core';
import type { Database } from './database.ts';
import * as schema from './schema.ts';
import type { InstallationKey } from './sync-store.ts';

/**
 * Deletes everything an installation left behind, for an uninstall or disconnect. The tables are
 * found from the schema (every table with workspace_id and installation_id, or the HubSpot and
 * Salesforce installation ids of a two-CRM pair), so a table added later is purged without anyone
 * remembering to list it here. A pair's rows go with either of its installations. Audit events stay: they are the workspace's
 * record that the installation existed and was removed, and hold no CRM data.
 */

/** Tables whose rows outlive their installation. */
const KEPT = new Set(['audit_events']);

interface InstallationScopedTable {
  name: string;
  table: PgTable;
  workspaceId: PgColumn;
  /** installation_id, or a pair's hubspot_installation_id and salesforce_installation_id. */
  installationIds: PgColumn[];
}

const INSTALLATION_COLUMNS = ['installation_id', 'hubspot_installation_id', 'salesforce_installation_id'];

/** The rows of one installation in a table of installationTables(). */
export function rowsOfInstallation(entry: InstallationScopedTable, key: InstallationKey): SQL {
  const ofInstallation = entry.installationIds.map((column) => eq(column, key.installationId));
  return and(eq(entry.workspaceId, key.workspaceId), or(...ofInstallation)) as SQL;
}

function column(table: PgTable, name: string): PgColumn | undefined {
  return getTableConfig(table).columns.find((candidate) => candidate.name === name);
}

/** Every table holding rows of one installation, the installations table itself last. */
export function installationTables(): InstallationScopedTable[] {
  const found: InstallationScopedTable[] = [];
  let installationsTable: InstallationScopedTable | undefined;
  for (const value of Object.values(schema)) {
    if (!is(value, PgTable)) continue;
    const { name } = getTableConfig(value);
    const workspaceId = column(value, 'workspace_id');
    if (KEPT.has(name) || workspaceId === undefined) continue;
    if (value === schema.installations) {
      installationsTable = { name, table: value, workspaceId, installationIds: [schema.installations.id] };
      continue;
    }
    const installationIds = INSTALLATION_COLUMNS.flatMap((name) => column(value, name) ?? []);
    if (installationIds.length > 0) found.push({ name, table: value, workspaceId, installationIds });
  }
  if (!installationsTable) throw new Error('the schema has no installations table');
  return [...childrenFirst(found.sort((a, b) => a.name.localeCompare(b.name))), installationsTable];
}

/**
 * Tables that reference another tenant table come before it, so each table's own rows are counted
 * rather than removed by a cascade first.
 */
function childrenFirst(tables: InstallationScopedTable[]): InstallationScopedTable[] {
  const names = new Set(tables.map((entry) => entry.name));
  const parentsOf = new Map(
    tables.map((entry) => [
      entry.name,
      getTableConfig(entry.table)
        .foreignKeys.map((key) => getTableConfig(key.reference().foreignTable).name)
        .filter((parent) => parent !== entry.name && names.has(parent)),
    ]),
  );
  const ordered: InstallationScopedTable[] = [];
  const placed = new Set<string>();
  const place = (entry: InstallationScopedTable) => {
    if (placed.has(entry.name)) return;
    placed.add(entry.name);
    // Whoever references this table goes first.
    for (const child of tables) if (parentsOf.get(child.name)?.includes(entry.name)) place(child);
    ordered.push(entry);
  };
  for (const entry of tables) place(entry);
  return ordered;
}

/** Deletes the installation's rows in every tenant table in one transaction; answers rows deleted per table. */
export async function purgeInstallation(db: Database, key: InstallationKey): Promise<Record<string, number>> {
  const tables = installationTables();
  return db.transaction(async (tx) => {
    const deleted: Record<string, number> = {};
    for (const entry of tables) {
      const rows = await tx
        .delete(entry.table)
        .where(rowsOfInstallation(entry, key))
        .returning({ id: entry.workspaceId });
      deleted[entry.name] = rows.length;
    }
    return deleted;
  });
}
