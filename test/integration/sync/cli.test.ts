import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { crmBook, generateBook } from '../../../sandbox/generator/generate-book.ts';
import { openDatabase, type DatabaseHandle } from '../../../server/platform/db/database.ts';
import { silentLogger } from '../../support/databases.ts';
import { childEnv, startCommand, tempDataDir } from '../../support/process.ts';
import { TEST_REDIS_URL } from '../../support/redis.ts';
import { createSyncHarness, type SyncHarness } from '../../support/sync-harness.ts';

/** `npm run sync`: one run in the foreground against an installation in the embedded database. */

const key = randomBytes(32);
let dataDir: string;
let handle: DatabaseHandle;
let h: SyncHarness;

beforeAll(async () => {
  dataDir = await tempDataDir();
  handle = await openDatabase({ dataDir, logger: silentLogger });
  await handle.migrate();
  h = await createSyncHarness({
    db: handle,
    book: crmBook(generateBook({ seed: 4, accounts: 30, asOf: '2026-11-01' }).book),
    encryptionKey: key,
  });
  // The embedded database belongs to one process at a time: the command's, from here on.
  await handle.close();
}, 60_000);

afterAll(async () => {
  await h?.close();
});

function sync(args: string[]) {
  const started = startCommand(
    'npm',
    ['run', '-s', 'sync', '--', ...args],
    childEnv({
      DATA_DIR: dataDir,
      REDIS_URL: TEST_REDIS_URL,
      ENCRYPTION_KEY: key.toString('base64'),
      LOG_LEVEL: 'warn',
    }),
  );
  return started.exited.then((code) => ({ code, ...started.output() }));
}

describe('npm run sync', () => {
  it('runs a full sync with a summary table', async () => {
    const run = await sync(['--installation', h.installations.salesforce.id, '--full']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^accounts\s+30\s+0\s+\d+$/m);
    expect(run.stdout).toMatch(/full sync of installation .* finished in/);
  }, 60_000);

  it('names an unknown installation in one line and exits 1', async () => {
    const run = await sync(['--installation', '00000000-0000-4000-8000-00000000abcd']);
    expect(run.code).toBe(1);
    expect(run.stderr.trim().split('\n')).toEqual([
      'No installation 00000000-0000-4000-8000-00000000abcd: list them on the admin page or in the install status.',
    ]);
  }, 60_000);

  it('explains its usage when the id is missing', async () => {
    const run = await sync([]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--installation is required');
  }, 30_000);
});
