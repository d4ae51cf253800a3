import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import { sql, type SQL } from 'drizzle-orm';
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
  /** Runs raw SQL and returns its rows (both drivers answer `{ rows }`). */
  rows<T extends Record<string, unknown>>(query: SQL): Promise<T[]>;
  close(): Promise<void>;
}

export interface OpenDatabaseOptions {
  databaseUrl?: string | undefined;
  dataDir: string;
  logger: Logger;
}

function rowsOf(db: Database) {
  return async <T extends Record<string, unknown>>(query: SQL): Promise<T[]> => {
    const result: unknown = await db.execute<T>(query);
    return (result as { rows: T[] }).rows;
  };
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
    rows: rowsOf(db),
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
    rows: rowsOf(db),
    async close() {
      await client.close();
      await releaseFolderLock(lockFile);
    },
  };
}

/** Lock files this process holds, so that opening one folder twice in-process is refused too. */
const heldLocks = new Set<string>();

/**
 * PGlite is single-process: a second process opening the same folder would corrupt it.
 * The lock file names the owner; a lock left by a dead process is taken over.
 */
async function takeFolderLock(lockFile: string): Promise<void> {
  if (heldLocks.has(lockFile)) throw inUse(process.pid);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      await writeFile(lockFile, String(process.pid), { flag: 'wx', mode: 0o600 });
      heldLocks.add(lockFile);
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const owner = Number.parseInt(await readFile(lockFile, 'utf8').catch(() => ''), 10);
    // Our own pid in a lock we do not hold is a leftover of an earlier run (containers reuse pids).
    if (Number.isInteger(owner) && owner !== process.pid && (await isNodeProcess(owner))) throw inUse(owner);
    await rm(lockFile, { force: true });
  }
  throw new ServiceUnavailableError('database', `could not lock the embedded database (${lockFile})`);
}

async function releaseFolderLock(lockFile: string): Promise<void> {
  heldLocks.delete(lockFile);
  await rm(lockFile, { force: true });
}

function inUse(owner: number): ServiceUnavailableError {
  return new ServiceUnavailableError(
    'database',
    `the embedded database is in use by process ${owner}. Stop it first, or run the server and worker as separate processes with DATABASE_URL pointing at Postgres.`,
  );
}

async function isNodeProcess(pid: number): Promise<boolean> {
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  // A live pid may belong to an unrelated program after a reboot; only a node process can hold the lock.
  const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => undefined);
  return cmdline === undefined || cmdline.includes('node');
}

function reason(error: unknown): string {
  if (error instanceof AggregateError && error.errors.length > 0) return reason(error.errors[0]);
  const err = error as NodeJS.ErrnoException;
  return err.code ? `${err.code}${err.message ? ` (${err.message})` : ''}` : String(err.message ?? error);
}
