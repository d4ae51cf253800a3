import { execFile } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createQueues, type Queues } from '../../../jobs/queues.ts';
import { errorBodySchema, type ErrorBody } from '../../../server/contracts/health.ts';
import {
  createdIngestKeySchema,
  ingestKeyListSchema,
  ingestKeySchema,
  ingestResultSchema,
} from '../../../server/contracts/ingest.ts';
import { createApp } from '../../../server/http/app.ts';
import { SESSION_COOKIE, sessionCookieValue } from '../../../server/http/install/cookies.ts';
import { createSealer } from '../../../server/platform/crypto.ts';
import { listAudit } from '../../../server/platform/db/audit.ts';
import type { DatabaseHandle } from '../../../server/platform/db/database.ts';
import { purgeInstallation } from '../../../server/platform/db/purge.ts';
import { pruneIngestBatches } from '../../../server/platform/db/ingest-store.ts';
import {
  createWorkspace,
  installationRepository,
  type InstallationRepository,
} from '../../../server/platform/db/installations.ts';
import { accounts } from '../../../server/platform/db/schema.ts';
import { createProducerConnection, whenReady, type Redis } from '../../../server/platform/redis.ts';
import { ROOT_DIR } from '../../../server/platform/runtime.ts';
import { silentLogger, testDatabases } from '../../support/databases.ts';
import { tempDataDir } from '../../support/process.ts';
import { dropPrefix, TEST_REDIS_URL, uniquePrefix } from '../../support/redis.ts';

const ADMIN_TOKEN = 'admin-token-for-ingest-tests';

/** Runs `npm run ingest -- …` (the entry itself) and answers its exit code and output. */
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

interface Scope {
  workspaceId: string;
  installationId: string;
}

describe.each(testDatabases())('ingest API on $name', (database) => {
  let handle: DatabaseHandle;
  let server: Server;
  let url: string;
  let redis: Redis;
  let queues: Queues;
  let prefix: string;
  /** Workspace A's HubSpot portal, its Salesforce org, and workspace B's portal. */
  let portal: Scope;
  let org: Scope;
  let stranger: Scope;
  let portalCookie: string;
  let strangerCookie: string;
  let portalKey: string;
  let strangerKey: string;
  let installations: InstallationRepository;

  const sealer = createSealer(randomBytes(32));

  async function addAccounts(scope: Scope, rows: { id: string; domain: string | null }[]) {
    await handle.db.insert(accounts).values(
      rows.map((row) => ({
        ...scope,
        externalId: row.id,
        modifiedAt: new Date('2026-06-01T00:00:00Z'),
        name: `Account ${row.id}`,
        domain: row.domain,
      })),
    );
  }

  async function count(table: string, scope: Scope): Promise<number> {
    const [row] = await handle.rows<{ n: number }>(
      sql`select count(*)::int as n from ${sql.identifier(table)}
          where workspace_id = ${scope.workspaceId} and installation_id = ${scope.installationId}`,
    );
    return row?.n ?? 0;
  }

  const ingest = (kind: string, key: string | undefined, body: unknown, idempotencyKey: string | undefined) =>
    fetch(`${url}/api/ingest/${kind}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(key === undefined ? {} : { authorization: `Bearer ${key}` }),
        ...(idempotencyKey === undefined ? {} : { 'idempotency-key': idempotencyKey }),
      },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });

  async function errorOf(response: Response): Promise<ErrorBody['error']> {
    return errorBodySchema.parse(await response.json()).error;
  }

  const keysUrl = (scope: Scope) => `${url}/api/installations/${scope.installationId}/ingest-keys`;

  async function createKey(scope: Scope, headers: Record<string, string>, label = 'warehouse export') {
    const response = await fetch(keysUrl(scope), {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ label }),
    });
    expect(response.status).toBe(201);
    return createdIngestKeySchema.parse(await response.json());
  }

  const event = (id: string, accountId: string) => ({
    id,
    accountId,
    occurredAt: '2026-06-02T10:00:00Z',
    userId: 'u1',
    event: 'report.viewed',
    feature: 'reporting',
  });

  beforeAll(async () => {
    handle = await database.open();
    await handle.migrate();
    redis = createProducerConnection(TEST_REDIS_URL, silentLogger);
    await whenReady(redis);
    prefix = uniquePrefix();
    queues = createQueues(redis, prefix);
    installations = installationRepository(handle.db, sealer);
    const tokens = { accessToken: 'access', refreshToken: 'refresh', accessTokenExpiresAt: null };
    const a = await createWorkspace(handle.db, 'Workspace A');
    const b = await createWorkspace(handle.db, 'Workspace B');
    const install = async (workspaceId: string, provider: 'hubspot' | 'salesforce', externalId: string) => {
      const row = await installations.install({
        workspaceId,
        provider,
        externalId,
        displayName: externalId,
        baseUrl: null,
        scopes: [],
        tokens,
      });
      return { workspaceId, installationId: row.id };
    };
    portal = await install(a.id, 'hubspot', `hs-${randomUUID()}`);
    org = await install(a.id, 'salesforce', `sf-${randomUUID()}`);
    stranger = await install(b.id, 'hubspot', `hs-${randomUUID()}`);
    await addAccounts(portal, [
      { id: 'c-1', domain: 'acme.example' },
      { id: 'c-2', domain: 'globex.example' },
      { id: 'c-3', domain: 'twin.example' },
      { id: 'c-4', domain: 'twin.example' },
    ]);
    for (let i = 0; i < 10; i++) await addAccounts(portal, [{ id: `bulk-${i}`, domain: null }]);
    await addAccounts(org, [{ id: '001ORG', domain: 'acme.example' }]);
    await addAccounts(stranger, [{ id: 'secret-9', domain: 'initech.example' }]);

    server = createServer();
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const app = createApp({
      logger: silentLogger,
      version: '0.0.0-test',
      bodyLimit: '1mb',
      readiness: {},
      admin: { auth: { token: ADMIN_TOKEN, allowLoopbackWithoutToken: false } },
      install: { db: handle.db, sealer, queues, installations, oauth: {}, publicUrl: url },
      ingest: { db: handle.db },
    });
    server.on('request', app);

    const cookieFor = (scope: Scope) =>
      `${SESSION_COOKIE}=${sessionCookieValue({ sealer, now: Date.now }, { workspaceId: scope.workspaceId, installationId: scope.installationId })}`;
    portalCookie = cookieFor(portal);
    strangerCookie = cookieFor(stranger);
    portalKey = (await createKey(portal, { cookie: portalCookie })).key;
    strangerKey = (await createKey(stranger, { authorization: `Bearer ${ADMIN_TOKEN}` })).key;
  });

  afterAll(async () => {
    server?.closeAllConnections();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    await queues?.close();
    redis?.disconnect();
    await handle?.close();
    await database.cleanup();
    if (prefix) await dropPrefix(prefix);
  });

  describe('keys', () => {
    it('creates a key shown once, lists it without the secret, and a revoked key gets 401 at once', async () => {
      const created = await createKey(org, { authorization: `Bearer ${ADMIN_TOKEN}` }, 'nightly usage');
      expect(created.key).toMatch(new RegExp(`^bw_${created.prefix}_`));
      const body = { items: [{ accountId: '001ORG', date: '2026-06-01', activeUsers: 4 }] };
      expect((await ingest('usage-daily', created.key, body, 'k-org-1')).status).toBe(200);

      const listed = await fetch(keysUrl(org), { headers: { cookie: portalCookie } });
      expect(listed.status).toBe(200);
      const text = await listed.text();
      expect(text).not.toContain(created.key.slice(16));
      const list = ingestKeyListSchema.parse(JSON.parse(text));
      expect(list.keys).toEqual([expect.objectContaining({ id: created.id, label: 'nightly usage', revokedAt: null })]);

      const revoked = await fetch(`${keysUrl(org)}/${created.id}`, {
        method: 'DELETE',
        headers: { cookie: portalCookie },
      });
      expect(revoked.status).toBe(200);
      expect(ingestKeySchema.parse(await revoked.json()).revokedAt).not.toBeNull();
      const after = await ingest('usage-daily', created.key, body, 'k-org-2');
      expect(after.status).toBe(401);
      expect((await errorOf(after)).code).toBe('INGEST_KEY_INVALID');

      const actions = (await listAudit(handle.db, org.workspaceId, { installationId: org.installationId })).map(
        (entry) => entry.action,
      );
      expect(actions).toEqual(expect.arrayContaining(['ingest_key.created', 'ingest_key.revoked']));
      expect(JSON.stringify(await listAudit(handle.db, org.workspaceId))).not.toContain(created.key.slice(16));
    });

    it("keeps workspaces apart: another workspace's session sees no keys and cannot revoke them", async () => {
      const created = await createKey(portal, { cookie: portalCookie }, 'kept');
      expect((await fetch(keysUrl(portal), { headers: { cookie: strangerCookie } })).status).toBe(404);
      const revoke = await fetch(`${keysUrl(portal)}/${created.id}`, {
        method: 'DELETE',
        headers: { cookie: strangerCookie },
      });
      expect(revoke.status).toBe(404);
      // Its own installation does not hold the key either.
      const viaOwn = await fetch(`${keysUrl(stranger)}/${created.id}`, {
        method: 'DELETE',
        headers: { cookie: strangerCookie },
      });
      expect(viaOwn.status).toBe(404);
      expect((await fetch(keysUrl(portal))).status).toBe(401);
      const unchanged = await ingest('usage-events', created.key, { items: [event('kept-1', 'c-1')] }, 'kept-1');
      expect(unchanged.status).toBe(200);
    });

    it('refuses a key request that is not JSON or has no label', async () => {
      const form = await fetch(keysUrl(portal), {
        method: 'POST',
        headers: { cookie: portalCookie, 'content-type': 'application/x-www-form-urlencoded' },
        body: 'label=x',
      });
      expect(form.status).toBe(415);
      const empty = await fetch(keysUrl(portal), {
        method: 'POST',
        headers: { cookie: portalCookie, 'content-type': 'application/json' },
        body: JSON.stringify({ label: ' ', extra: 1 }),
      });
      expect(empty.status).toBe(400);
    });
  });

  describe('authentication', () => {
    it('answers 401 to a missing, malformed, unknown or wrong key, and stores nothing', async () => {
      const body = { items: [event('auth-1', 'c-1')] };
      const [, keyPrefix] = /^bw_([0-9a-f]{12})_/.exec(portalKey)!;
      const wrongSecret = `bw_${keyPrefix}_${randomBytes(32).toString('base64url')}`;
      const unknownPrefix = `bw_000000000000_${portalKey.slice(16)}`;
      for (const key of [undefined, 'nonsense', wrongSecret, unknownPrefix]) {
        const response = await ingest('usage-events', key, body, `auth-${String(key)}`);
        expect(response.status, String(key)).toBe(401);
        expect((await errorOf(response)).code).toBe('INGEST_KEY_INVALID');
      }
      const basic = await fetch(`${url}/api/ingest/usage-events`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'idempotency-key': 'auth-basic',
          authorization: `Basic ${Buffer.from(`x:${portalKey}`).toString('base64')}`,
        },
        body: JSON.stringify(body),
      });
      expect(basic.status).toBe(401);
      const [row] = await handle.rows<{ n: number }>(
        sql`select count(*)::int as n from usage_events where client_id = 'auth-1'`,
      );
      expect(row?.n).toBe(0);
    });

    it('takes nothing in for a disconnected installation, even with a valid key', async () => {
      const created = await createKey(org, { authorization: `Bearer ${ADMIN_TOKEN}` }, 'before disconnect');
      await installations.setStatus(org.workspaceId, org.installationId, 'uninstalled', 'disconnected');
      try {
        const body = { items: [{ accountId: '001ORG', date: '2026-06-09', activeUsers: 1 }] };
        const response = await ingest('usage-daily', created.key, body, 'after-disconnect');
        expect(response.status).toBe(403);
        expect((await errorOf(response)).code).toBe('INSTALLATION_DISCONNECTED');
        const [row] = await handle.rows<{ n: number }>(
          sql`select count(*)::int as n from usage_daily where date = '2026-06-09'`,
        );
        expect(row?.n).toBe(0);
      } finally {
        await installations.setStatus(org.workspaceId, org.installationId, 'active', null);
      }
    });

    it('requires an Idempotency-Key', async () => {
      const response = await ingest('usage-events', portalKey, { items: [event('idem-0', 'c-1')] }, undefined);
      expect(response.status).toBe(400);
      expect((await errorOf(response)).code).toBe('IDEMPOTENCY_KEY_REQUIRED');
    });
  });

  describe('validation', () => {
    it("names every bad item's index and reason, and stores nothing of the batch", async () => {
      const before = await count('survey_responses', portal);
      const good = (id: string) => ({
        id,
        accountId: 'c-1',
        kind: 'nps',
        score: 9,
        verbatim: 'Great',
        respondedAt: '2026-06-03T09:00:00Z',
      });
      const items = [
        good('s-0'),
        { ...good('s-1'), score: 11 },
        good('s-2'),
        { ...good('s-3'), respondedAt: 'yesterday', colour: 'red' },
        { ...good('s-4'), accountId: undefined },
        { ...good('s-5'), kind: 'ces', score: 0 },
      ];
      const response = await ingest('surveys', portalKey, { items }, 'bad-batch-1');
      expect(response.status).toBe(400);
      const error = await errorOf(response);
      expect(error.code).toBe('INVALID_ITEMS');
      expect(error.message).toContain('4 items are invalid (index 1, 3, 4, 5)');
      expect(error.message).toContain('nothing of this batch was stored');
      const paths = error.issues!.map((issue) => issue.path);
      expect(paths).toEqual(
        expect.arrayContaining([
          'items[1].score',
          'items[3].respondedAt',
          'items[3]',
          'items[4].accountId',
          'items[5].score',
        ]),
      );
      expect(paths.some((path) => path.startsWith('items[0]') || path.startsWith('items[2]'))).toBe(false);
      const messages = Object.fromEntries(error.issues!.map((issue) => [issue.path, issue.message]));
      expect(messages['items[1].score']).toBe('NPS scores run from 0 to 10');
      expect(messages['items[3]']).toContain('colour');
      expect(messages['items[4].accountId']).toBe('accountId or accountDomain is required');
      expect(await count('survey_responses', portal)).toBe(before);

      // The key was not used up: the fixed batch goes through under the same key.
      const fixed = await ingest('surveys', portalKey, { items: [good('s-0'), good('s-2')] }, 'bad-batch-1');
      expect(fixed.status).toBe(200);
      expect(ingestResultSchema.parse(await fixed.json())).toEqual({ accepted: 2, duplicates: 0 });
    });

    it('accepts 1,000 items in a batch and refuses 1,001', async () => {
      const items = (n: number, tag: string) =>
        Array.from({ length: n }, (_, i) => event(`${tag}-${i}`, `bulk-${i % 10}`));
      const big = await ingest('usage-events', portalKey, { items: items(1_001, 'over') }, 'size-1001');
      expect(big.status).toBe(400);
      const error = await errorOf(big);
      expect(error.issues).toEqual([{ path: 'items', message: 'a batch holds at most 1000 items' }]);
      expect(error.message).toContain('items: a batch holds at most 1000 items');
      const full = await ingest('usage-events', portalKey, { items: items(1_000, 'full') }, 'size-1000');
      expect(full.status).toBe(200);
      expect(ingestResultSchema.parse(await full.json())).toEqual({ accepted: 1_000, duplicates: 0 });
      const [row] = await handle.rows<{ n: number }>(
        sql`select count(*)::int as n from usage_events where client_id like 'over-%'`,
      );
      expect(row?.n).toBe(0);
      expect((await ingest('usage-events', portalKey, { items: [] }, 'size-0')).status).toBe(400);
    });
  });

  describe('accounts', () => {
    it("answers 404 for another installation's account exactly as for an unknown one, and stores nothing", async () => {
      const before = await count('usage_events', portal);
      const theirs = await ingest(
        'usage-events',
        portalKey,
        { items: [event('x-0', 'c-1'), event('x-1', 'secret-9')] },
        'cross-1',
      );
      const unknown = await ingest(
        'usage-events',
        portalKey,
        { items: [event('x-0', 'c-1'), event('x-1', 'no-such-id')] },
        'cross-2',
      );
      const sameWorkspace = await ingest(
        'usage-events',
        portalKey,
        { items: [event('x-0', 'c-1'), event('x-1', '001ORG')] },
        'cross-3',
      );
      for (const response of [theirs, unknown, sameWorkspace]) expect(response.status).toBe(404);
      const [a, b, c] = await Promise.all([errorOf(theirs), errorOf(unknown), errorOf(sameWorkspace)]);
      const shape = (error: ErrorBody['error']) => ({ code: error.code, message: error.message, issues: error.issues });
      expect(shape(a)).toEqual({
        code: 'ACCOUNT_NOT_FOUND',
        message: '1 item names no known account (index 1); nothing of this batch was stored',
        issues: [{ path: 'items[1].accountId', message: 'account not found' }],
      });
      expect(shape(b)).toEqual(shape(a));
      expect(shape(c)).toEqual(shape(a));
      expect(JSON.stringify(a)).not.toContain('secret-9');
      expect(await count('usage_events', portal)).toBe(before);
      // The other workspace's own key reaches its own account.
      expect((await ingest('usage-events', strangerKey, { items: [event('y-1', 'secret-9')] }, 'cross-1')).status).toBe(
        200,
      );
    });

    it('finds accounts by normalised domain within the installation, refusing a domain two accounts share', async () => {
      const sentiment = (id: string, accountDomain: string) => ({
        id,
        accountDomain,
        sentiment: 'negative',
        note: 'Champion left',
        csmId: 'owner-7',
        recordedAt: '2026-06-04T12:00:00+02:00',
      });
      const ok = await ingest(
        'sentiment',
        portalKey,
        { items: [sentiment('m-1', 'https://www.ACME.example/about'), sentiment('m-2', 'globex.example')] },
        'dom-1',
      );
      expect(ok.status).toBe(200);
      const rows = await handle.rows<{ client_id: string; account_external_id: string }>(
        sql`select client_id, account_external_id from csm_sentiment
            where workspace_id = ${portal.workspaceId} and installation_id = ${portal.installationId} order by client_id`,
      );
      // acme.example is also an account of the org; the portal's key resolves to the portal's own.
      expect(rows).toEqual([
        { client_id: 'm-1', account_external_id: 'c-1' },
        { client_id: 'm-2', account_external_id: 'c-2' },
      ]);
      const twin = await ingest('sentiment', portalKey, { items: [sentiment('m-3', 'twin.example')] }, 'dom-2');
      expect(twin.status).toBe(400);
      expect((await errorOf(twin)).code).toBe('ACCOUNT_AMBIGUOUS');
      const missing = await ingest('sentiment', portalKey, { items: [sentiment('m-4', 'initech.example')] }, 'dom-3');
      expect(missing.status).toBe(404);
      const junk = await ingest('sentiment', portalKey, { items: [sentiment('m-5', 'not a domain')] }, 'dom-4');
      expect(junk.status).toBe(400);
      expect((await errorOf(junk)).issues).toEqual([
        { path: 'items[0].accountDomain', message: 'not a web domain such as example.com' },
      ]);
    });
  });

  describe('idempotency', () => {
    it('answers a repeated key with the stored answer and counts the batch once; another body gets 409', async () => {
      const body = { items: [event('i-1', 'c-1'), event('i-2', 'c-2'), event('i-1', 'c-1')] };
      const first = await ingest('usage-events', portalKey, body, 'idem-1');
      expect(first.status).toBe(200);
      const answer = ingestResultSchema.parse(await first.json());
      expect(answer).toEqual({ accepted: 2, duplicates: 1 });
      const stored = await count('usage_events', portal);

      const again = await ingest('usage-events', portalKey, body, 'idem-1');
      expect(again.status).toBe(200);
      expect(again.headers.get('idempotent-replayed')).toBe('true');
      expect(ingestResultSchema.parse(await again.json())).toEqual(answer);
      expect(await count('usage_events', portal)).toBe(stored);

      const changed = await ingest('usage-events', portalKey, { items: [event('i-3', 'c-1')] }, 'idem-1');
      expect(changed.status).toBe(409);
      expect((await errorOf(changed)).code).toBe('IDEMPOTENCY_KEY_REUSED');
      const otherKind = await ingest('surveys', portalKey, body, 'idem-1');
      expect([400, 409]).toContain(otherKind.status);

      // A new key with the same events: the event ids make them duplicates, not new events.
      const resent = await ingest('usage-events', portalKey, body, 'idem-2');
      expect(ingestResultSchema.parse(await resent.json())).toEqual({ accepted: 0, duplicates: 3 });
      expect(await count('usage_events', portal)).toBe(stored);
      // Keys belong to their installation: the other workspace may use the same key for its own batch.
      const elsewhere = await ingest('usage-events', strangerKey, { items: [event('i-1', 'secret-9')] }, 'idem-1');
      expect(elsewhere.status).toBe(200);
    });

    it('answers the same to the same batch sent several times at once, storing it once', async () => {
      const body = { items: [event('race-1', 'c-1'), event('race-2', 'c-2')] };
      const responses = await Promise.all(
        Array.from({ length: 5 }, () => ingest('usage-events', portalKey, body, 'race')),
      );
      expect(responses.map((response) => response.status)).toEqual([200, 200, 200, 200, 200]);
      const answers = await Promise.all(
        responses.map(async (response) => ingestResultSchema.parse(await response.json())),
      );
      expect(answers).toEqual(Array.from({ length: 5 }, () => ({ accepted: 2, duplicates: 0 })));
      const [row] = await handle.rows<{ n: number }>(
        sql`select count(*)::int as n from usage_events where client_id like 'race-%'`,
      );
      expect(row?.n).toBe(2);
    });

    it('replaces a usage day only when its values change', async () => {
      const day = (activeUsers: number) => ({
        accountId: 'c-2',
        date: '2026-06-05',
        activeUsers,
        licences: 20,
        events: 140,
        features: { reporting: 3, api: 1 },
      });
      const post = async (key: string, items: unknown[]) => {
        const response = await ingest('usage-daily', portalKey, { items }, key);
        expect(response.status).toBe(200);
        return ingestResultSchema.parse(await response.json());
      };
      expect(await post('day-1', [day(5)])).toEqual({ accepted: 1, duplicates: 0 });
      expect(await post('day-2', [day(5)])).toEqual({ accepted: 0, duplicates: 1 });
      // Within a batch the last copy of a day wins.
      expect(await post('day-3', [day(6), day(7)])).toEqual({ accepted: 1, duplicates: 1 });
      const rows = await handle.rows<{ active_users: number; features: Record<string, number> }>(
        sql`select active_users, features from usage_daily
            where workspace_id = ${portal.workspaceId} and installation_id = ${portal.installationId}
              and account_external_id = 'c-2' and date = '2026-06-05'`,
      );
      expect(rows).toEqual([{ active_users: 7, features: { reporting: 3, api: 1 } }]);
      const impossible = await ingest('usage-daily', portalKey, { items: [{ ...day(1), date: '2026-02-30' }] }, 'd4');
      expect(impossible.status).toBe(400);
      expect((await errorOf(impossible)).issues).toEqual([
        { path: 'items[0].date', message: 'not a calendar date (YYYY-MM-DD)' },
      ]);
    });
  });

  describe('npm run ingest', () => {
    it('streams a JSONL file in batches of 1,000; a re-run stores nothing twice', async () => {
      const dir = await tempDataDir();
      const file = path.join(dir, 'events.jsonl');
      const lines = Array.from({ length: 2_500 }, (_, i) => JSON.stringify(event(`cli-${i}`, `bulk-${i % 10}`)));
      await writeFile(file, `${lines.join('\n')}\n\n`);
      const args = [file, '--kind', 'usage-events', '--key', portalKey, '--url', url];
      const first = await runCli(args);
      expect(first.stderr).toBe('');
      expect(first.code).toBe(0);
      expect(first.stdout).toContain('2500 items in 3 batches: 2500 accepted, 0 already held');
      const [row] = await handle.rows<{ n: number }>(
        sql`select count(*)::int as n from usage_events where client_id like 'cli-%'`,
      );
      expect(row?.n).toBe(2_500);
      const again = await runCli(args);
      expect(again.code).toBe(0);
      expect(again.stdout).toContain('2500 items in 3 batches: 2500 accepted, 0 already held');
      expect(again.stdout).toContain('3 batches had been sent before');
      const [after] = await handle.rows<{ n: number }>(
        sql`select count(*)::int as n from usage_events where client_id like 'cli-%'`,
      );
      expect(after?.n).toBe(2_500);
    });

    it('sends CSV rows as typed items and names the file line of a refused row', async () => {
      const dir = await tempDataDir();
      const good = path.join(dir, 'usage.csv');
      await writeFile(
        good,
        [
          'accountDomain,date,activeUsers,licences,events,features.reporting,features.api',
          'acme.example,2026-06-10,8,20,300,5,',
          'globex.example,2026-06-10,3,,40,1,2',
        ].join('\n'),
      );
      const ok = await runCli([good, '--kind', 'usage-daily', '--key', portalKey, '--url', url]);
      expect(ok.code, ok.stderr).toBe(0);
      expect(ok.stdout).toContain('2 items in 1 batches: 2 accepted');
      const rows = await handle.rows<{ account_external_id: string; licences: number | null; features: unknown }>(
        sql`select account_external_id, licences, features from usage_daily
            where workspace_id = ${portal.workspaceId} and installation_id = ${portal.installationId}
              and date = '2026-06-10' order by account_external_id`,
      );
      expect(rows).toEqual([
        { account_external_id: 'c-1', licences: 20, features: { reporting: 5 } },
        { account_external_id: 'c-2', licences: null, features: { reporting: 1, api: 2 } },
      ]);

      const bad = path.join(dir, 'bad.csv');
      await writeFile(
        bad,
        ['accountId,date,activeUsers', 'c-1,2026-06-11,4', 'c-1,2026-06-12,many', 'c-2,2026-06-12,2'].join('\n'),
      );
      const refused = await runCli([bad, '--kind', 'usage-daily', '--key', portalKey, '--url', url]);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain('INVALID_ITEMS');
      expect(refused.stderr).toContain(`${bad}:3 activeUsers:`);
      const [held] = await handle.rows<{ n: number }>(
        sql`select count(*)::int as n from usage_daily where date in ('2026-06-11', '2026-06-12')`,
      );
      expect(held?.n).toBe(0);
    });

    it('closes a batch early when it would pass --batch-bytes', async () => {
      const dir = await tempDataDir();
      const file = path.join(dir, 'small-batches.jsonl');
      const lines = Array.from({ length: 300 }, (_, i) => JSON.stringify(event(`small-${i}`, 'c-3')));
      await writeFile(file, lines.join('\n'));
      const result = await runCli([
        file,
        '--kind',
        'usage-events',
        '--key',
        portalKey,
        '--url',
        url,
        '--batch-bytes',
        '10000',
      ]);
      expect(result.code, result.stderr).toBe(0);
      const batches = Number(/300 items in (\d+) batches: 300 accepted/.exec(result.stdout)?.[1]);
      // Greedy packing of the items' sizes, as the command does.
      let expected = 1;
      let current = 0;
      for (const line of lines) {
        const size = Buffer.byteLength(line) + 1;
        if (current > 0 && current + size > 10_000) {
          expected++;
          current = 0;
        }
        current += size;
      }
      expect(batches).toBe(expected);
      expect(batches).toBeGreaterThan(1);
    });

    it('explains a wrong command line', async () => {
      const usage = await runCli(['nothing.txt', '--kind', 'usage-events', '--key', portalKey]);
      expect(usage.code).toBe(2);
      expect(usage.stderr).toContain('.csv or .jsonl');
      const wrongKey = await runCli(['x.jsonl', '--kind', 'surveys', '--key', 'secret']);
      expect(wrongKey.code).toBe(2);
      expect(wrongKey.stderr).toContain('--key must be an ingest key');
    });
  });

  it('an installation purge removes its keys, signals and batch answers', async () => {
    const purged = await purgeInstallation(handle.db, stranger);
    expect(purged).toMatchObject({ ingest_api_keys: 1, usage_events: 2, ingest_batches: 2 });
    expect((await ingest('usage-events', strangerKey, { items: [event('z', 'secret-9')] }, 'after')).status).toBe(401);
  });

  it('forgets stored answers older than the cut-off, after which a key may be used again', async () => {
    const body = (id: string) => ({ items: [event(id, 'c-1')] });
    expect((await ingest('usage-events', portalKey, body('p-1'), 'prune-1')).status).toBe(200);
    expect((await ingest('usage-events', portalKey, body('p-2'), 'prune-1')).status).toBe(409);
    expect(await pruneIngestBatches(handle.db, new Date(Date.now() - 3_600_000))).toBe(0);
    expect(await pruneIngestBatches(handle.db, new Date(Date.now() + 1_000))).toBeGreaterThan(0);
    expect((await ingest('usage-events', portalKey, body('p-2'), 'prune-1')).status).toBe(200);
  });
});
