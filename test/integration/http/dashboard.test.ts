import { randomBytes, randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDashboard, type DashboardSeed } from '../../../bench/dashboard.ts';
import { createQueues, type Queues } from '../../../jobs/queues.ts';
import {
  analyticsSettingsAnswerSchema,
  npsSchema,
  portfolioSchema,
  renewalsSchema,
  retentionSchema,
  staffingWhatIfAnswerSchema,
  teamSchema,
  warningsInboxSchema,
} from '../../../server/contracts/dashboard.ts';
import { errorBodySchema } from '../../../server/contracts/health.ts';
import { createApp } from '../../../server/http/app.ts';
import { SESSION_COOKIE, sessionCookieValue } from '../../../server/http/install/cookies.ts';
import { createSealer } from '../../../server/platform/crypto.ts';
import type { DatabaseHandle } from '../../../server/platform/db/database.ts';
import { createWorkspace, installationRepository } from '../../../server/platform/db/installations.ts';
import type { InstallationKey } from '../../../server/platform/db/sync-store.ts';
import { createProducerConnection, whenReady, type Redis } from '../../../server/platform/redis.ts';
import { silentLogger, testDatabases } from '../../support/databases.ts';
import { dropPrefix, TEST_REDIS_URL, uniquePrefix } from '../../support/redis.ts';

/**
 * The dashboard API over HTTP on a seeded installation: every answer parses with its contract, another
 * workspace's session finds nothing (404), an installation the analytics job has not run for answers
 * `pending`, CSV exports parse back to the table's rows with formulas neutralised, the what-if and the
 * settings refuse bad input with JSON paths (422), and the web app is served behind sign-in.
 */

const FORMULA = '=HYPERLINK("http://evil.example","click")';
const AS_OF = Date.parse('2026-06-15T12:00:00Z');

describe.each(testDatabases())('the dashboard API on %s', (database) => {
  let handle: DatabaseHandle;
  let redis: Redis;
  let queues: Queues;
  let prefix: string;
  let server: Server;
  let url: string;
  let seeded: DashboardSeed;
  let a: InstallationKey;
  let b: InstallationKey;
  let asA: Record<string, string>;
  let asB: Record<string, string>;
  let distDir: string;

  const dashboard = (key: InstallationKey, view: string, query = '') =>
    `${url}/api/installations/${key.installationId}/dashboard/${view}${query}`;
  const get = (key: InstallationKey, view: string, headers: Record<string, string>, query = '') =>
    fetch(dashboard(key, view, query), { headers });
  const json = async (response: Response) => {
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    return response.json();
  };
  const csv = async (response: Response) => {
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/csv');
    expect(response.headers.get('content-disposition')).toMatch(/^attachment; filename="[\w.-]+\.csv"$/);
    return parse<Record<string, string>>(await response.text(), { bom: true, columns: true });
  };

  beforeAll(async () => {
    handle = await database.open();
    await handle.migrate();
    redis = createProducerConnection(TEST_REDIS_URL, silentLogger);
    await whenReady(redis);
    prefix = uniquePrefix();
    queues = createQueues(redis, prefix);
    const sealer = createSealer(randomBytes(32));
    const installations = installationRepository(handle.db, sealer);
    const install = async (name: string) => {
      const workspace = await createWorkspace(handle.db, name);
      const row = await installations.install({
        workspaceId: workspace.id,
        provider: 'hubspot',
        externalId: `portal-${randomUUID()}`,
        displayName: name,
        baseUrl: null,
        scopes: [],
        tokens: { accessToken: 'access', refreshToken: 'refresh', accessTokenExpiresAt: null },
      });
      return { workspaceId: workspace.id, installationId: row.id };
    };
    a = await install('Workspace A');
    b = await install('Workspace B');
    seeded = await seedDashboard(handle.db, a, { accounts: 300, asOf: AS_OF, formulaName: FORMULA });

    distDir = await mkdtemp(path.join(os.tmpdir(), 'web-dist-'));
    await mkdir(path.join(distDir, 'assets'));
    await writeFile(path.join(distDir, 'index.html'), '<!doctype html><div id="root"></div>');
    await writeFile(path.join(distDir, 'assets', 'index-abc123.js'), 'console.log(1)');

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
        install: { db: handle.db, sealer, queues, installations, oauth: {}, publicUrl: url, now: () => AS_OF },
        dashboard: { db: handle.db, queues, webDistDir: distDir },
      }),
    );
    const cookieFor = (key: InstallationKey) =>
      `${SESSION_COOKIE}=${sessionCookieValue({ sealer, now: () => AS_OF }, key)}`;
    asA = { cookie: cookieFor(a) };
    asB = { cookie: cookieFor(b) };
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

  it('answers every figure by its contract, ready, with computedAt', async () => {
    const portfolio = portfolioSchema.parse(await json(await get(a, 'portfolio', asA)));
    expect(portfolio.status).toBe('ready');
    if (portfolio.status !== 'ready') return;
    expect(portfolio.totals.accounts).toBe(300);
    expect(portfolio.bands.reduce((sum, band) => sum + band.accounts, 0)).toBe(300);
    expect(portfolio.byTier.reduce((sum, tier) => sum + tier.accounts, 0)).toBe(300);
    expect(portfolio.csms.reduce((sum, csm) => sum + csm.accounts, 0)).toBe(300);
    expect(portfolio.options.csms.length).toBe(seeded.csmIds.length);

    const renewals = renewalsSchema.parse(await json(await get(a, 'renewals', asA)));
    if (renewals.status !== 'ready') throw new Error('renewals pending');
    expect(renewals.computedAt).toBe(new Date(AS_OF).toISOString());
    expect(renewals.months).toHaveLength(6);
    expect(renewals.totals.renewals).toBe(seeded.renewals);
    expect(renewals.totals.atRiskRenewals).toBe(seeded.bottom20);
    expect(renewals.bottom20).toHaveLength(Math.min(50, seeded.bottom20));
    expect(renewals.bottom20Page).toEqual({ page: 1, pageSize: 50 });
    expect(renewals.bottom20[0]?.rank).toBe(1);
    expect(renewals.bottom20[0]?.opportunities.length).toBeLessThanOrEqual(3);
    expect(renewals.model?.basis).toBe('learned');
    // Expected renewed ARR and revenue at risk add up to the ARR up for renewal, month by month.
    for (const month of renewals.months) {
      expect(month.expectedArr + month.revenueAtRisk).toBeCloseTo(month.arrUp, 0);
    }

    const retention = retentionSchema.parse(await json(await get(a, 'retention', asA)));
    if (retention.status !== 'ready') throw new Error('retention pending');
    expect(retention.months).toHaveLength(12);
    expect(retention.definitions.map((definition) => definition.key)).toEqual(
      expect.arrayContaining(['nrr', 'grr', 'logo_churn_rate', 'revenue_churn_rate', 'cohorts']),
    );
    expect(retention.cohorts.length).toBeGreaterThan(0);

    const nps = npsSchema.parse(await json(await get(a, 'nps', asA)));
    if (nps.status !== 'ready') throw new Error('nps pending');
    expect(nps.trend.length).toBeGreaterThan(0);
    expect(nps.byCsm.find((row) => row.csmId === seeded.csmIds[0])?.name).toBe('CSM 1');

    const team = teamSchema.parse(await json(await get(a, 'team', asA)));
    if (team.status !== 'ready') throw new Error('team pending');
    expect(team.staffing.months.length).toBe(6);
    expect(team.settings.targetLoad.high_touch).toBe(15);

    const inbox = warningsInboxSchema.parse(await json(await get(a, 'warnings', asA, '?pageSize=10&page=2')));
    expect(inbox.total).toBe(seeded.openWarnings);
    expect(inbox.items).toHaveLength(10);
    const openedAt = inbox.items.map((item) => item.openedAt);
    expect([...openedAt].sort().reverse()).toEqual(openedAt);

    analyticsSettingsAnswerSchema.parse(await json(await get(a, 'settings', asA)));
  });

  it('applies the filters', async () => {
    const all = renewalsSchema.parse(await json(await get(a, 'renewals', asA)));
    const high = renewalsSchema.parse(await json(await get(a, 'renewals', asA, '?tier=high_touch')));
    const enterprise = renewalsSchema.parse(await json(await get(a, 'renewals', asA, '?segment=Enterprise')));
    if (all.status !== 'ready' || high.status !== 'ready' || enterprise.status !== 'ready') throw new Error('pending');
    expect(high.filters.tier).toBe('high_touch');
    expect(high.totals.renewals).toBeLessThan(all.totals.renewals);
    expect(enterprise.totals.renewals).toBeLessThan(all.totals.renewals);

    const csm = seeded.csmIds[1]!;
    const inbox = warningsInboxSchema.parse(await json(await get(a, 'warnings', asA, `?csm=${csm}&severity=high`)));
    expect(inbox.items.every((item) => item.csmId === csm && item.severity === 'high')).toBe(true);

    const retention = retentionSchema.parse(await json(await get(a, 'retention', asA, '?segment=smb')));
    if (retention.status !== 'ready') throw new Error('pending');
    expect(retention.filters).toEqual({ segment: 'smb', tier: null, csm: null });

    const refused = await get(a, 'portfolio', asA, '?tier=gold');
    expect(refused.status).toBe(400);
    expect(errorBodySchema.parse(await refused.json()).error.issues?.[0]?.path).toContain('tier');
  });

  it('pages the bottom fifth: pages continue the ranks, the last one is short, other views refuse a page', async () => {
    const pageSize = 4;
    expect(seeded.bottom20).toBeGreaterThan(2 * pageSize);
    const pages = [];
    for (let page = 1; page <= Math.ceil(seeded.bottom20 / pageSize); page += 1) {
      const body = renewalsSchema.parse(
        await json(await get(a, 'renewals', asA, `?page=${page}&pageSize=${pageSize}`)),
      );
      if (body.status !== 'ready') throw new Error('pending');
      expect(body.bottom20Page).toEqual({ page, pageSize });
      pages.push(...body.bottom20);
    }
    expect(pages.map((row) => row.rank)).toEqual(Array.from({ length: seeded.bottom20 }, (_, index) => index + 1));
    const beyond = renewalsSchema.parse(
      await json(await get(a, 'renewals', asA, `?page=${seeded.bottom20}&pageSize=50`)),
    );
    if (beyond.status !== 'ready') throw new Error('pending');
    expect(beyond.bottom20).toEqual([]);
    expect(beyond.totals.atRiskRenewals).toBe(seeded.bottom20);

    const tooBig = await get(a, 'renewals', asA, '?pageSize=500');
    expect(tooBig.status).toBe(400);
    expect(errorBodySchema.parse(await tooBig.json()).error.issues?.[0]?.path).toContain('pageSize');
    expect((await get(a, 'portfolio', asA, '?page=2')).status).toBe(400);
  });

  it('lets nobody else see the installation: another workspace gets 404, no session 401', async () => {
    for (const view of ['portfolio', 'renewals', 'retention', 'nps', 'team', 'warnings', 'settings']) {
      const other = await get(a, view, asB);
      expect(other.status).toBe(404);
      expect(errorBodySchema.parse(await other.json()).error.code).toBe('INSTALLATION_NOT_FOUND');
      expect((await get(a, view, {})).status).toBe(401);
    }
    const whatIf = await fetch(dashboard(a, 'team/staffing'), {
      method: 'POST',
      headers: { ...asB, 'content-type': 'application/json' },
      body: '{}',
    });
    expect(whatIf.status).toBe(404);
  });

  it('says pending, not an error, before the analytics job has run', async () => {
    for (const [view, schema] of [
      ['portfolio', portfolioSchema],
      ['renewals', renewalsSchema],
      ['retention', retentionSchema],
      ['nps', npsSchema],
      ['team', teamSchema],
    ] as const) {
      const body = schema.parse(await json(await get(b, view, asB)));
      expect(body).toMatchObject({ status: 'pending', computedAt: null });
    }
    expect((await get(b, 'renewals', asB, '?format=csv')).status).toBe(409);
  });

  it('exports every table as CSV that parses back to the rows, formulas neutralised', async () => {
    const renewals = renewalsSchema.parse(await json(await get(a, 'renewals', asA)));
    if (renewals.status !== 'ready') throw new Error('pending');
    const bottom = await csv(await get(a, 'renewals', asA, '?format=csv'));
    expect(bottom).toHaveLength(renewals.totals.atRiskRenewals);
    expect(bottom[0]).toMatchObject({
      Rank: '1',
      'Account id': renewals.bottom20[0]!.accountId,
      ARR: String(renewals.bottom20[0]!.arr),
      Probability: String(renewals.bottom20[0]!.probability),
    });
    const months = await csv(await get(a, 'renewals', { ...asA, accept: 'text/csv' }, '?table=months'));
    expect(months.map((row) => row.Month)).toEqual(renewals.months.map((month) => month.month));

    const warnings = await csv(await get(a, 'warnings', asA, '?format=csv'));
    expect(warnings).toHaveLength(seeded.openWarnings);
    const evil = warnings.find((row) => row['Account id'] === 'acc-3');
    expect(evil?.Account).toBe(`'${FORMULA}`);

    const tables = {
      portfolio: ['csms', 'bands', 'scores', 'tiers', 'segments'],
      retention: ['months', 'cohorts'],
      nps: ['trend', 'segments', 'csms', 'tiers', 'themes'],
      team: ['portfolios', 'tiers', 'staffing'],
    };
    for (const [view, names] of Object.entries(tables)) {
      for (const table of names) {
        const rows = await csv(await get(a, view, asA, `?format=csv&table=${table}`));
        expect(rows.length, `${view} ${table}`).toBeGreaterThan(0);
      }
    }
    expect((await get(a, 'nps', asA, '?format=csv&table=bottom20')).status).toBe(400);
  });

  it('answers the staffing what-if, and refuses bad input with JSON paths', async () => {
    const refused = await fetch(dashboard(a, 'team/staffing'), {
      method: 'POST',
      headers: { ...asA, 'content-type': 'application/json' },
      body: JSON.stringify({
        months: 0,
        targetLoad: { high_touch: -1 },
        plannedHires: [{ month: 'May', tier: 'x', count: 1 }],
      }),
    });
    expect(refused.status).toBe(422);
    const error = errorBodySchema.parse(await refused.json()).error;
    expect(error.code).toBe('INVALID_WHAT_IF');
    expect(error.issues?.map((issue) => issue.path)).toEqual(
      expect.arrayContaining([
        '$.months',
        '$.targetLoad.high_touch',
        '$.plannedHires[0].month',
        '$.plannedHires[0].tier',
      ]),
    );

    const answer = await fetch(dashboard(a, 'team/staffing'), {
      method: 'POST',
      headers: { ...asA, 'content-type': 'application/json' },
      body: JSON.stringify({ months: 3, targetLoad: { high_touch: 10 } }),
    });
    const body = staffingWhatIfAnswerSchema.parse(await json(answer));
    expect(body.staffing.months).toHaveLength(3);
    expect(body.staffing.assumptions.targetLoad.high_touch).toBe(10);
  });

  it('reads and saves the analytics settings; invalid ones are refused with their paths', async () => {
    const before = analyticsSettingsAnswerSchema.parse(await json(await get(b, 'settings', asB)));
    expect(before).toMatchObject({ version: 0, source: 'defaults' });

    const refused = await fetch(dashboard(b, 'settings'), {
      method: 'PUT',
      headers: { ...asB, 'content-type': 'application/json' },
      body: JSON.stringify({ staffing: { targetLoad: { high_touch: 0 } }, touch: { rules: [{ tier: 'high_touch' }] } }),
    });
    expect(refused.status).toBe(422);
    const error = errorBodySchema.parse(await refused.json()).error;
    expect(error.issues?.map((issue) => issue.path)).toEqual(
      expect.arrayContaining(['$.staffing.targetLoad.high_touch', '$.touch.rules[0]']),
    );

    const saved = await fetch(dashboard(b, 'settings'), {
      method: 'PUT',
      headers: { ...asB, 'content-type': 'application/json' },
      body: JSON.stringify({ nps: { wave: 'month' } }),
    });
    const body = analyticsSettingsAnswerSchema.parse(await json(saved));
    expect(body).toMatchObject({ version: 1, source: 'saved', settings: { nps: { wave: 'month' } } });
    const again = analyticsSettingsAnswerSchema.parse(await json(await get(b, 'settings', asB)));
    expect(again.version).toBe(1);
  });

  it('serves the web app behind sign-in, its assets for good and its page never cached', async () => {
    const anonymous = await fetch(`${url}/app/renewals?tier=high_touch`, { redirect: 'manual' });
    expect(anonymous.status).toBe(302);
    expect(anonymous.headers.get('location')).toBe(
      `/signin?next=${encodeURIComponent('/app/renewals?tier=high_touch')}`,
    );

    const page = await fetch(`${url}/app/renewals`, { headers: asA });
    expect(page.status).toBe(200);
    expect(page.headers.get('cache-control')).toBe('no-store');
    expect(await page.text()).toContain('<div id="root">');

    const asset = await fetch(`${url}/app/assets/index-abc123.js`);
    expect(asset.status).toBe(200);
    expect(asset.headers.get('cache-control')).toContain('immutable');
    expect((await fetch(`${url}/app/assets/missing.js`)).status).toBe(404);
  });
});
