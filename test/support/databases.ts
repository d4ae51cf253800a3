import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openDatabase, type DatabaseHandle } from '../../server/platform/db/database.ts';
import { createLogger } from '../../server/platform/logger.ts';
import { tempDataDir } from './process.ts';

export const silentLogger = createLogger({ level: 'silent' });

export interface TestDatabase {
  name: 'pglite' | 'postgres';
  open(): Promise<DatabaseHandle>;
  /** Drops what open() created. */
  cleanup(): Promise<void>;
}

/**
 * The database suites run on PGlite always, and on Postgres when DATABASE_URL is set (CI sets it).
 * In CI a missing DATABASE_URL is an error, never a silent skip.
 */
export function testDatabases(): TestDatabase[] {
  const serverUrl = process.env.DATABASE_URL;
  if (!serverUrl && process.env.CI) {
    throw new Error(
      'CI must set DATABASE_URL (e.g. postgres://postgres@127.0.0.1:5432/test) so the Postgres suite runs',
    );
  }
  const list: TestDatabase[] = [pgliteDatabase()];
  if (serverUrl) list.push(postgresDatabase(serverUrl));
  return list;
}

function pgliteDatabase(): TestDatabase {
  let dataDir: string | undefined;
  return {
    name: 'pglite',
    async open() {
      dataDir ??= await tempDataDir();
      return openDatabase({ dataDir, logger: silentLogger });
    },
    async cleanup() {},
  };
}

/** A fresh database per suite on the Postgres server, so suites never see each other's rows. */
function postgresDatabase(serverUrl: string): TestDatabase {
  const name = `bw_test_${randomBytes(6).toString('hex')}`;
  let created: Promise<unknown> | undefined;
  const admin = async <T>(run: (client: pg.Client) => Promise<T>) => {
    const client = new pg.Client({ connectionString: serverUrl });
    await client.connect();
    try {
      return await run(client);
    } finally {
      await client.end();
    }
  };
  return {
    name: 'postgres',
    async open() {
      created ??= admin((client) => client.query(`create database ${name}`));
      await created;
      const url = new URL(serverUrl);
      url.pathname = `/${name}`;
      return openDatabase({ databaseUrl: url.toString(), dataDir: '/nonexistent', logger: silentLogger });
    },
    async cleanup() {
      if (created) await admin((client) => client.query(`drop database if exists ${name} with (force)`));
    },
  };
}
