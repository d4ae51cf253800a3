import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { readFile, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planBook } from '../../../sandbox/generator/generate-book.ts';
import { writeBook } from '../../../sandbox/generator/write-book.ts';
import { readBookDirectory } from '../../../sandbox/generator/read-book.ts';
import { normaliseDomain } from '../../../server/core/accounts/normalise.ts';
import { createApp } from '../../../server/http/app.ts';
import { createSealer } from '../../../server/platform/crypto.ts';
import type { DatabaseHandle } from '../../../server/platform/db/database.ts';
import { createIngestKey } from '../../../server/platform/db/ingest-store.ts';
import { createWorkspace, installationRepository } from '../../../server/platform/db/installations.ts';
import { accounts } from '../../../server/platform/db/schema.ts';
import type { InstallationKey } from '../../../server/platform/db/sync-store.ts';
import { ROOT_DIR } from '../../../server/platform/runtime.ts';
import { silentLogger, testDatabases } from '../../support/databases.ts';
import { tempDataDir } from '../../support/process.ts';

/**
 * `npm run ingest` on the sandbox generator's own files, as `npm run sandbox:seed` writes them: the
 * line type gives the kind, accounts resolve by domain, and a second run stores nothing twice.
 */

function runCli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', path.join(ROOT_DIR, 'server/ingest-cli.ts'), ...args],
      { cwd: ROOT_DIR, timeout: 60_000 },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : 1;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

const database = testDatabases()[0]!;

let handle: DatabaseHandle;
let server: Server;
let url: string;
let key: string;
let scope: InstallationKey;
let dir: string;
/** Book account id → its normalised domain. */
const domains = new Map<string, string>();

const lines = async (file: string) =>
  (await readFile(path.join(dir, file), 'utf8'))
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown> & { account: { domain: string } });

async function count(table: string): Promise<number> {
  const [row] = await handle.rows<{ n: number }>(
    sql`select count(*)::int as n from ${sql.identifier(table)}
        where workspace_id = ${scope.workspaceId} and installation_id = ${scope.installationId}`,
  );
  return row?.n ?? 0;
}

beforeAll(async () => {
  dir = await tempDataDir();
  await writeBook(planBook({ seed: 5, accounts: 12, asOf: '2026-10-31', historyMonths: 6 }), dir);
  const bookAccounts = (await readBookDirectory(dir)).pairs.map((pair) => pair.slice.account);

  handle = await database.open();
  await handle.migrate();
  const workspace = await createWorkspace(handle.db, 'Sandbox files');
  const installation = await installationRepository(handle.db, createSealer(Buffer.alloc(32, 3))).install({
    workspaceId: workspace.id,
    provider: 'hubspot',
    externalId: `hs-${randomUUID()}`,
    displayName: 'Sandbox files',
    baseUrl: null,
    scopes: [],
    tokens: { accessToken: 'a', refreshToken: 'r', accessTokenExpiresAt: null },
  });
  scope = { workspaceId: workspace.id, installationId: installation.id };
  // The book's accounts as a sync would have stored them: CRM id and normalised domain.
  for (const account of bookAccounts) domains.set(account.id, normaliseDomain(account.domain)!);
  await handle.db.insert(accounts).values(
    bookAccounts.map((account) => ({
      ...scope,
      externalId: account.id,
      modifiedAt: new Date('2026-10-01T00:00:00Z'),
      name: account.name,
      domain: domains.get(account.id)!,
    })),
  );
  key = (await createIngestKey(handle.db, scope, 'sandbox files')).secret;

  server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  server.on(
    'request',
    createApp({
      logger: silentLogger,
      version: '0.0.0-test',
      bodyLimit: '1mb',
      readiness: {},
      ingest: { db: handle.db },
    }),
  );
}, 60_000);

afterAll(async () => {
  server?.closeAllConnections();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  await handle?.close();
  await database.cleanup();
});

describe('npm run ingest on the sandbox generator files', () => {
  it('loads usage.jsonl without --kind, each day on the account its domain names', async () => {
    const usage = await lines('usage.jsonl');
    expect(usage.length).toBeGreaterThan(1_000);
    const result = await runCli([path.join(dir, 'usage.jsonl'), '--key', key, '--url', url]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(
      `${usage.length} items in ${Math.ceil(usage.length / 1_000)} batches: ${usage.length} accepted`,
    );
    expect(await count('usage_daily')).toBe(usage.length);

    const sample = usage[Math.floor(usage.length / 2)]!;
    const accountId = [...domains].find(([, domain]) => domain === normaliseDomain(sample.account.domain))![0];
    const [row] = await handle.rows<{ active_users: number; licences: number; events: number; features: unknown }>(
      sql`select active_users, licences, events, features from usage_daily
          where workspace_id = ${scope.workspaceId} and installation_id = ${scope.installationId}
            and account_external_id = ${accountId} and date = ${sample.date as string}`,
    );
    expect(row).toEqual({
      active_users: sample.activeUsers,
      licences: sample.licences,
      events: sample.events,
      features: sample.features,
    });
  });

  it('loads surveys.jsonl and sentiment.jsonl, and a second run stores nothing twice', async () => {
    const surveys = await lines('surveys.jsonl');
    const notes = await lines('sentiment.jsonl');
    expect(surveys.length).toBeGreaterThan(0);
    expect(notes.length).toBeGreaterThan(0);
    for (const file of ['surveys.jsonl', 'sentiment.jsonl']) {
      const result = await runCli([path.join(dir, file), '--key', key, '--url', url]);
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
    }
    expect(await count('survey_responses')).toBe(surveys.length);
    expect(await count('csm_sentiment')).toBe(notes.length);
    const [scores] = await handle.rows<{ total: number }>(
      sql`select coalesce(sum(score), 0)::int as total from survey_responses
          where workspace_id = ${scope.workspaceId} and installation_id = ${scope.installationId}`,
    );
    expect(scores?.total).toBe(surveys.reduce((sum, line) => sum + (line.score as number), 0));

    const again = await runCli([path.join(dir, 'surveys.jsonl'), '--key', key, '--url', url, '--kind', 'surveys']);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('had been sent before');
    expect(await count('survey_responses')).toBe(surveys.length);

    // Another batching gives other idempotency keys: the ids derived from the lines make them duplicates.
    const rebatched = await runCli([
      path.join(dir, 'surveys.jsonl'),
      '--key',
      key,
      '--url',
      url,
      '--batch-bytes',
      '2000',
    ]);
    expect(rebatched.code).toBe(0);
    expect(rebatched.stdout).toContain(`${surveys.length} items`);
    expect(rebatched.stdout).toContain(`0 accepted, ${surveys.length} already held`);
    expect(await count('survey_responses')).toBe(surveys.length);
  });

  it('names the line when a file does not fit its kind or its type is unknown', async () => {
    const wrongKind = await runCli([
      path.join(dir, 'sentiment.jsonl'),
      '--key',
      key,
      '--url',
      url,
      '--kind',
      'surveys',
    ]);
    expect(wrongKind.code).toBe(1);
    expect(wrongKind.stderr).toContain('sentiment.jsonl:1: a sentiment item in a file of surveys items');

    const mixed = path.join(dir, 'mixed.jsonl');
    const [usageLine] = (await readFile(path.join(dir, 'usage.jsonl'), 'utf8')).split('\n');
    await writeFile(mixed, `${usageLine}\n{"type":"usage.weekly","account":{"domain":"x.example"}}\n`);
    const unknown = await runCli([mixed, '--key', key, '--url', url]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('mixed.jsonl:2: unknown line type "usage.weekly"');

    const plain = path.join(dir, 'plain.jsonl');
    await writeFile(plain, `{"accountDomain":"x.example","date":"2026-10-01","activeUsers":3}\n`);
    const noKind = await runCli([plain, '--key', key, '--url', url]);
    expect(noKind.code).toBe(1);
    expect(noKind.stderr).toContain('plain.jsonl:1: the line has no "type"');

    const misshapen = path.join(dir, 'misshapen.jsonl');
    await writeFile(misshapen, `{"type":"csm.sentiment","account":"x.example","sentiment":"positive"}\n`);
    const shape = await runCli([misshapen, '--key', key, '--url', url]);
    expect(shape.code).toBe(1);
    expect(shape.stderr).toContain('misshapen.jsonl:1: not a csm.sentiment line of the sandbox generator (account:');
  });
});
