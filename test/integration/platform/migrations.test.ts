import { sql } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '../../../server/platform/db/database.ts';
import { testDatabases } from '../../support/databases.ts';

/** Everything that defines the schema: columns with types and defaults, indexes, applied migrations. */
async function schemaSnapshot(handle: DatabaseHandle) {
  const columns = await handle.rows(sql`
    select table_name, column_name, data_type, is_nullable, column_default
    from information_schema.columns where table_schema = 'public'
    order by table_name, ordinal_position`);
  const indexes = await handle.rows(sql`
    select tablename, indexname, indexdef from pg_indexes where schemaname = 'public' order by indexname`);
  const migrations = await handle.rows(sql`select hash, created_at from drizzle.__drizzle_migrations order by id`);
  return { columns, indexes, migrations };
}

describe.each(testDatabases())('migrations on $name', (database) => {
  afterAll(() => database.cleanup());

  it('create the schema, and applying them again changes nothing', async () => {
    const handle = await database.open();
    try {
      await handle.migrate();
      const first = await schemaSnapshot(handle);
      expect(first.columns.map((row) => `${String(row.table_name)}.${String(row.column_name)}`)).toContain(
        'worker_heartbeats.last_beat_at',
      );
      expect(first.migrations.length).toBeGreaterThan(0);

      await handle.migrate();
      expect(await schemaSnapshot(handle)).toEqual(first);
    } finally {
      await handle.close();
    }

    // And again from a new process's point of view: reopen, migrate, compare.
    const reopened = await database.open();
    try {
      const before = await schemaSnapshot(reopened);
      await reopened.migrate();
      expect(await schemaSnapshot(reopened)).toEqual(before);
    } finally {
      await reopened.close();
    }
  });
});

describe('concurrent starts', () => {
  const postgres = testDatabases().find((database) => database.name === 'postgres');
  afterAll(() => postgres?.cleanup());

  it.runIf(postgres)('two processes migrating one fresh Postgres at once both succeed', async () => {
    const [a, b] = await Promise.all([postgres!.open(), postgres!.open()]);
    try {
      await Promise.all([a.migrate(), b.migrate()]);
      const applied = await a.rows(sql`select count(*)::int as n from drizzle.__drizzle_migrations`);
      const expected = await b.rows(sql`select count(*)::int as n from drizzle.__drizzle_migrations`);
      expect(applied[0]).toEqual(expected[0]);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it('the embedded database cannot be opened twice at once', async () => {
    const pglite = testDatabases()[0]!;
    const first = await pglite.open();
    try {
      await expect(pglite.open()).rejects.toThrow(/embedded database is in use by process \d+/);
    } finally {
      await first.close();
    }
  });
});
