import { getTableColumns, sql, type SQL } from 'drizzle-orm';
import type { PgTable } from 'drizzle-orm/pg-core';

/**
 * The `set` of an upsert that takes the incoming row's value for each named column
 * (`column = excluded.column`), so the column list is written once, by property name.
 */
export function fromExcluded<T extends PgTable>(
  table: T,
  properties: readonly (keyof T['$inferInsert'] & string)[],
): Record<string, SQL> {
  const columns = getTableColumns(table);
  const set: Record<string, SQL> = {};
  for (const property of properties) {
    const column = columns[property];
    if (!column) throw new Error(`no column ${property}`);
    set[property] = sql.raw(`excluded."${column.name}"`);
  }
  return set;
}
