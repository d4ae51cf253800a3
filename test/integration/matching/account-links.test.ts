import { randomBytes, randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parse } from 'csv-parse/sync';
import { and, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runMatchJob } from '../../../jobs/match/match.job.ts';
import { createQueues, type Queues } from '../../../jobs/queues.ts';
import { defaultMapping, type MappingProvider } from '../../../server/core/accounts/mapping.ts';
import { normaliseRecords, type RawRecord } from '../../../server/core/accounts/normalise.ts';
import { accountMatchesSchema, type AccountMatches } from '../../../server/contracts/account-matching.ts';
import { errorBodySchema } from '../../../server/contracts/health.ts';
import { createApp } from '../../../server/http/app.ts';
import { SESSION_COOKIE, sessionCookieValue } from '../../../server/http/install/cookies.ts';
import { createSealer } from '../../../server/platform/crypto.ts';
import type { DatabaseHandle } from '../../../server/platform/db/database.ts';
import { createWorkspace, installationRepository } from '../../../server/platform/db/installations.ts';
import { purgeInstallation } from '../../../server/platform/db/purge.ts';
import { matchStore } from '../../../server/platform/db/match-store.ts';
import { accountLinks, auditEvents } from '../../../server/platform/db/schema.ts';
import { syncStore, type InstallationKey } from '../../../server/platform/db/sync-store.ts';
import { AppError } from '../../../server/platform/errors.ts';
import { createProducerConnection, whenReady, type Redis } from '../../../server/platform/redis.ts';
import { silentLogger, testDatabases } from '../../support/databases.ts';
import { dropPrefix, TEST_REDIS_URL, uniquePrefix } from '../../support/redis.ts';

/**
 * Matching a workspace's HubSpot companies with its Salesforce Accounts, through the job, the store and
 * the HTTP API: each rule links what it should, conflicts and name proposals link nothing, a rerun
 * changes nothing, an admin's link, rejection and its withdrawal take effect on the next run, and no
 * other workspace sees any of it. A workspace holds one CRM of each kind.
 */

const NOW = Date.parse('2026-06-15T12:00:00Z');

const raw = (id: string, properties: Record<string, string>): RawRecord => ({
  id,
  modifiedAt: 1_000,
  createdAt: 500,
  archived: false,
  properties,
  associations: {},
});

describe.each(testDatabases())('account matching across two CRMs on %s', (database) => {
  let handle: DatabaseHandle;
  let redis: Redis;
  let queues: Queues;
  let prefix: string;
  let server: Server;
  let url: string;
  let hubspot: InstallationKey;
  let salesforce: InstallationKey;
  let single: InstallationKey;
  let asW: Record<string, string>;
  let asSingle: Record<string, string>;
  let installations: ReturnType<typeof installationRepository>;

  const job = { updateProgress: async () => {} };
  const match = () =>
    runMatchJob(
      { db: handle.db, queues, logger: silentLogger, now: () => NOW },
      { workspaceId: hubspot.workspaceId },
      job,
    );
  const api = (key: InstallationKey, rest = '') =>
    `${url}/api/installations/${key.installationId}/account-matches${rest}`;
  const report = async (headers = asW, key = hubspot): Promise<AccountMatches> => {
    const response = await fetch(api(key), { headers });
    expect(response.status).toBe(200);
    return accountMatchesSchema.parse(await response.json());
  };
  const ready = async () => {
    const body = await report();
    if (body.status !== 'ready') throw new Error(`matching is ${body.status}`);
    return body;
  };
  const decide = (body: unknown) =>
    fetch(api(hubspot, '/decisions'), {
      method: 'POST',
      headers: { ...asW, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  const pairsOf = (body: Extract<AccountMatches, { status: 'ready' }>) =>
    body.links.map((link) => `${link.hubspotId}=${link.salesforceId}:${link.rule}`);

  async function saveAccounts(key: InstallationKey, provider: MappingProvider, records: RawRecord[]) {
    const mapping = defaultMapping(provider, {});
    await syncStore(handle.db).savePage(
      key,
      'accounts',
      records.map((record) => ({ ...record, objectType: 'accounts' })),
      { cursor: null, calls: 1 },
      normaliseRecords(provider, 'accounts', records, mapping),
    );
  }

  beforeAll(async () => {
    handle = await database.open();
    await handle.migrate();
    redis = createProducerConnection(TEST_REDIS_URL, silentLogger);
    await whenReady(redis);
    prefix = uniquePrefix();
    queues = createQueues(redis, prefix);
    const sealer = createSealer(randomBytes(32));
    installations = installationRepository(handle.db, sealer);
    const connect = async (workspaceId: string, provider: 'hubspot' | 'salesforce') => {
      const row = await installations.install({
        workspaceId,
        provider,
        externalId: `${provider}-${randomUUID()}`,
        displayName: provider,
        baseUrl: null,
        scopes: [],
        tokens: { accessToken: 'access', refreshToken: 'refresh', accessTokenExpiresAt: null },
      });
      return { workspaceId, installationId: row.id };
    };
    const workspace = await createWorkspace(handle.db, 'Two CRMs');
    hubspot = await connect(workspace.id, 'hubspot');
    salesforce = await connect(workspace.id, 'salesforce');
    single = await connect((await createWorkspace(handle.db, 'HubSpot only')).id, 'hubspot');

    await saveAccounts(hubspot, 'hubspot', [
      // The connector's id wins over a domain that differs.
      raw('h1', { name: 'Acme', domain: 'acme.io', salesforceaccountid: 'sf1' }),
      raw('h2', { name: 'Globex', domain: 'globex.com' }),
      raw('h3', { name: 'Initech Inc', domain: 'initech.com' }),
      // Two companies name one Account: the connector is confused, nothing links.
      raw('h4', { name: 'Umbrella', domain: 'umbrella.com', salesforceaccountid: 'sf4' }),
      raw('h5', { name: 'Umbrella Europe', domain: 'umbrella.eu', salesforceaccountid: 'sf4' }),
      raw('h6', { name: 'Hooli', domain: 'hooli.com' }),
    ]);
    await saveAccounts(salesforce, 'salesforce', [
      raw('sf1', { Name: 'Acme Corporation', Website: 'https://acme-corp.com' }),
      raw('sf2', { Name: 'Globex Corporation', Website: 'https://www.GLOBEX.com/' }),
      raw('sf3', { Name: 'Initech', Website: 'https://initech.net' }),
      raw('sf4', { Name: 'Umbrella', Website: 'https://umbrella.com' }),
      raw('sf7', { Name: 'Vandelay Industries', Website: 'https://vandelay.com' }),
    ]);
    await saveAccounts(single, 'hubspot', [raw('h1', { name: 'Acme', domain: 'acme.io' })]);

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
        install: { db: handle.db, sealer, queues, installations, oauth: {}, publicUrl: url, now: () => NOW },
        warnings: { db: handle.db },
      }),
    );
    const cookieFor = (key: InstallationKey) =>
      `${SESSION_COOKIE}=${sessionCookieValue({ sealer, now: () => NOW }, key)}`;
    asW = { cookie: cookieFor(hubspot) };
    asSingle = { cookie: cookieFor(single) };
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

  it('says pending before the first run, and links by connector id, then domain; conflicts and names link nothing', async () => {
    expect((await report()).status).toBe('pending');
    const result = await match();
    expect(result).toMatchObject({ outcome: 'matched', linked: 2, unlinked: 0 });

    const body = await ready();
    expect(pairsOf(body)).toEqual(['h1=sf1:connector_id', 'h2=sf2:domain']);
    expect(body.links[0]).toMatchObject({ hubspotName: 'Acme', salesforceName: 'Acme Corporation' });
    expect(body.proposals.map((proposal) => `${proposal.hubspotId}~${proposal.salesforceId}`)).toContain('h3~sf3');
    expect(body.conflicts).toEqual([
      expect.objectContaining({ rule: 'connector_id', key: 'sf4', hubspotIds: ['h4', 'h5'] }),
    ]);
    expect(body.counts).toMatchObject({ connector_id: 1, domain: 1, manual: 0, conflicts: 1 });
    expect(body.linksPage).toEqual({ page: 1, pageSize: 100, total: 2 });
    // The same view through the workspace's other installation.
    expect(await report(asW, salesforce)).toEqual(body);
  });

  it('changes nothing when it runs again: no link written, same linked-at', async () => {
    const before = await ready();
    expect(await match()).toMatchObject({ outcome: 'matched', linked: 0, unlinked: 0 });
    const after = await ready();
    expect(after.links).toEqual(before.links);
  });

  it("applies an admin's link, rejection and its withdrawal on the next run, audited", async () => {
    expect((await decide({ hubspotAccountId: 'h3', salesforceAccountId: 'sf3', decision: 'linked' })).status).toBe(202);
    expect((await decide({ hubspotAccountId: 'h2', salesforceAccountId: 'sf2', decision: 'rejected' })).status).toBe(
      202,
    );
    expect(await match()).toMatchObject({ linked: 1, unlinked: 1 });
    let body = await ready();
    expect(pairsOf(body)).toEqual(['h1=sf1:connector_id', 'h3=sf3:manual']);
    // Kept apart: neither linked by the domain nor proposed by the name.
    expect(body.proposals.some((proposal) => proposal.hubspotId === 'h2' && proposal.salesforceId === 'sf2')).toBe(
      false,
    );

    const cleared = await fetch(api(hubspot, '/decisions?hubspotAccountId=h2&salesforceAccountId=sf2'), {
      method: 'DELETE',
      headers: asW,
    });
    expect(cleared.status).toBe(202);
    await match();
    body = await ready();
    expect(pairsOf(body)).toEqual(['h1=sf1:connector_id', 'h2=sf2:domain', 'h3=sf3:manual']);

    const actions = await handle.db
      .select({ action: auditEvents.action })
      .from(auditEvents)
      .where(and(eq(auditEvents.workspaceId, hubspot.workspaceId), sql`${auditEvents.action} like 'account_match.%'`));
    expect(actions.map((row) => row.action).sort()).toEqual([
      'account_match.decision_cleared',
      'account_match.linked',
      'account_match.rejected',
    ]);
  });

  it('refuses decisions on records it does not hold, or that do not parse, saying where', async () => {
    const unknown = await decide({ hubspotAccountId: 'h1', salesforceAccountId: 'nope', decision: 'linked' });
    expect(unknown.status).toBe(404);
    const bad = await decide({ hubspotAccountId: 'h1', salesforceAccountId: 'sf1', decision: 'maybe' });
    expect(bad.status).toBe(400);
    expect(errorBodySchema.parse(await bad.json()).error.issues?.[0]?.path).toContain('decision');
    const gone = await fetch(api(hubspot, '/decisions?hubspotAccountId=h6&salesforceAccountId=sf7'), {
      method: 'DELETE',
      headers: asW,
    });
    expect(gone.status).toBe(404);
  });

  it('exports the links, proposals and conflicts as CSV', async () => {
    const body = await ready();
    const response = await fetch(api(hubspot, '?format=csv&table=links'), { headers: asW });
    expect(response.headers.get('content-type')).toContain('text/csv');
    const rows = parse<Record<string, string>>(await response.text(), { bom: true, columns: true });
    expect(rows.map((row) => `${row['HubSpot company id']}=${row['Salesforce Account id']}:${row.Rule}`)).toEqual(
      pairsOf(body),
    );
    const conflicts = parse<Record<string, string>>(
      await (await fetch(api(hubspot, '?format=csv&table=conflicts'), { headers: asW })).text(),
      { bom: true, columns: true },
    );
    expect(conflicts[0]).toMatchObject({ Rule: 'connector_id', Key: 'sf4', 'HubSpot company ids': 'h4 h5' });
  });

  it('shows nothing to another workspace, and a one-CRM workspace is told to connect the other', async () => {
    expect((await fetch(api(hubspot), { headers: asSingle })).status).toBe(404);
    expect((await fetch(api(hubspot))).status).toBe(401);
    expect(await report(asSingle, single)).toMatchObject({ status: 'single_crm' });
    const refused = await fetch(api(single, '/decisions'), {
      method: 'POST',
      headers: { ...asSingle, 'content-type': 'application/json' },
      body: JSON.stringify({ hubspotAccountId: 'h1', salesforceAccountId: 'sf1', decision: 'linked' }),
    });
    expect(refused.status).toBe(409);
  });

  it('moves an Account from one company to another in one save, and the next run puts it back', async () => {
    const store = matchStore(handle.db);
    const pair = (await store.pair(hubspot.workspaceId))!;
    const counts = {
      connector_id: 0,
      domain: 0,
      manual: 1,
      proposed: 0,
      conflicts: 0,
      unmatchedHubspot: 5,
      unmatchedSalesforce: 4,
    };
    const moved = await store.save(
      pair,
      { links: [{ hubspotId: 'h6', salesforceId: 'sf1', rule: 'manual' }], proposals: [], conflicts: [], counts },
      new Date(NOW),
    );
    expect(moved).toEqual({ linked: 1, unlinked: 3 });
    expect(pairsOf(await ready())).toEqual(['h6=sf1:manual']);
    expect(await match()).toMatchObject({ linked: 3, unlinked: 1 });
    expect(pairsOf(await ready())).toEqual(['h1=sf1:connector_id', 'h2=sf2:domain', 'h3=sf3:manual']);
  });

  it('keeps one HubSpot portal and one Salesforce org per workspace', async () => {
    const second = installations.install({
      workspaceId: hubspot.workspaceId,
      provider: 'hubspot',
      externalId: `hubspot-${randomUUID()}`,
      displayName: 'Another portal',
      baseUrl: null,
      scopes: [],
      tokens: { accessToken: 'access', refreshToken: 'refresh', accessTokenExpiresAt: null },
    });
    await expect(second).rejects.toBeInstanceOf(AppError);
    await expect(second).rejects.toMatchObject({ status: 409, code: 'ONE_PER_CRM' });
  });

  it('forgets the links, decisions and report when either CRM is purged', async () => {
    const deleted = await purgeInstallation(handle.db, salesforce);
    expect(deleted.account_links).toBeGreaterThan(0);
    expect(deleted.account_match_decisions).toBeGreaterThan(0);
    expect(deleted.account_match_reports).toBe(1);
    const left = await handle.db
      .select({ n: sql<number>`count(*)::int` })
      .from(accountLinks)
      .where(eq(accountLinks.workspaceId, hubspot.workspaceId));
    expect(left[0]?.n).toBe(0);
  });
});
