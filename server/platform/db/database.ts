import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import { sql } from 'drizzle-orm';
import { drizzle as drizzleNodePg } from 'drizzle-orm/node-postgres';
import { migrate as migrateNodePg } from 'drizzle-orm/node-postgres/migrator';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import pg from 'pg';
import { ServiceUnavailableError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import * as schema from './schema.ts';

export type Schema = typeof schema;
export type Database = PgDatabase<PgQueryResultHKT, Schema>;

export const MIGRATIONS_FOLDER = fileURLToPath(new URL('./migrations', import.meta.url));

export interface DatabaseHandle {
  readonly db: Database;
  readonly driver: 'pglite' | 'postgres';
  /** Where the data lives, without credentials: a folder for PGlite, host/database for Postgres. */
  readonly location: string;
  migrate(): Promise<void>;
  ping(): Promise<void>;
  close(): Promise<void>;
}

export interface OpenDatabaseOptions {
  databaseUrl?: string | undefined;
  dataDir: string;
  logger: Logger;
}

/** Opens Postgres when DATABASE_URL is set, otherwise the embedded PGlite in the data folder. */
export async function openDatabase(options: OpenDatabaseOptions): Promise<DatabaseHandle> {
  return options.databaseUrl
    ? openPostgres(options.databaseUrl, options.logger)
    : openPglite(path.join(options.dataDir, 'pglite'), options.logger);
}

export function describeDatabaseUrl(url: string): string {
  const parsed = new URL(url);
  return `${parsed.hostname}:${parsed.port || '5432'}${parsed.pathname}`;
}

// Different migrations in one Postgres must not interleave when several processes start at once.
const MIGRATION_LOCK_ID = 7_236_420_151;

async function openPostgres(url: string, logger: Logger): Promise<DatabaseHandle> {
  const location = describeDatabaseUrl(url);
  const pool = new pg.Pool({ connectionString: url, max: 10, connectionTimeoutMillis: 5_000 });
  // An idle client's network error must not crash the process; the next query reports it.
  pool.on('error', (error) => logger.warn({ err: error }, 'idle Postgres connection failed'));
  try {
    await pool.query('select 1');
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw new ServiceUnavailableError(
      'database',
      `Postgres is not reachable at ${location} (DATABASE_URL): ${reason(error)}. Start Postgres or fix DATABASE_URL; unset it to use the embedded database.`,
    );
  }
  const db: Database = drizzleNodePg(pool, { schema });
  return {
    db,
    driver: 'postgres',
    location,
    async migrate() {
      const client = await pool.connect();
      try {
        await client.query('select pg_advisory_lock($1)', [MIGRATION_LOCK_ID]);
        try {
          await migrateNodePg(drizzleNodePg(client, { schema }), { migrationsFolder: MIGRATIONS_FOLDER });
        } finally {
          await client.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK_ID]);
        }
      } finally {
        client.release();
      }
    },
    async ping() {
      await db.execute(sql`select 1`);
    },
    async close() {
      await pool.end();
    },
  };
}

async function openPglite(folder: string, logger: Logger): Promise<DatabaseHandle> {
  await mkdir(folder, { recursive: true, mode: 0o700 });
  const lockFile = `${folder}.lock`;
  await takeFolderLock(lockFile);
  let client: PGlite;
  try {
    client = await PGlite.create({ dataDir: folder });
  } catch (error) {
    await rm(lockFile, { force: true });
    throw new ServiceUnavailableError(
      'database',
      `the embedded database in ${folder} could not be opened: ${reason(error)}`,
    );
  }
  logger.debug({ folder }, 'opened the embedded database');
  const db: Database = drizzlePglite(client, { schema });
  return {
    db,
    driver: 'pglite',
    location: folder,
    async migrate() {
      await migratePglite(drizzlePglite(client, { schema }), { migrationsFolder: MIGRATIONS_FOLDER });
    },
    async ping() {
      await db.execute(sql`select 1`);
    },
    async close() {
      await client.close();
      await rm(lockFile, { force: true });
    },
  };
}

/**
 * PGlite is single-process: a second process opening the same folder would corrupt it.
 * The lock file names the owner; a lock left by a dead process is taken over.
 */
async function takeFolderLock(lockFile: string): Promise<void> {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      await writeFile(lockFile, String(process.pid), { flag: 'wx', mode: 0o600 });
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const owner = Number.parseInt(await readFile(lockFile, 'utf8').catch(() => ''), 10);
    if (Number.isInteger(owner) && owner !== process.pid && isAlive(owner)) {
      throw new ServiceUnavailableError(
        'database',
        `the embedded database is in use by process ${owner}. Stop it first, or run the server and worker as separate processes with DATABASE_URL pointing at Postgres.`,
      );
    }
    await rm(lockFile, { force: true });
  }
  throw new ServiceUnavailableError('database', `could not lock the embedded database (${lockFile})`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function reason(error: unknown): string {
  if (error instanceof AggregateError && error.errors.length > 0) return reason(error.errors[0]);
  const err = error as NodeJS.ErrnoException;
  return err.code ? `${err.code}${err.message ? ` (${err.message})` : ''}` : String(err.message ?? error);
}
