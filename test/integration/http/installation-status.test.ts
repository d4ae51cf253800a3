import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hubspotRefresher } from '../../../server/crm/hubspot/oauth.ts';
import { salesforceRefresher } from '../../../server/crm/salesforce/oauth.ts';
import { connectDemo, connectThroughOAuth, type ConnectedInstall } from '../../../server/demo.ts';
import {
  disconnectResponseSchema,
  installationStatusSchema,
  type InstallationStatusBody,
} from '../../../server/contracts/installations.ts';
import { SESSION_COOKIE, sessionCookieValue } from '../../../server/http/install/cookies.ts';
import { listAudit } from '../../../server/platform/db/audit.ts';
import { createWorkspace, type Installation } from '../../../server/platform/db/installations.ts';
import { errorBodySchema } from '../../../server/contracts/health.ts';
import { ADMIN_TOKEN, startInstallApp, type InstallApp } from '../../e2e/install-app.ts';

let app: InstallApp;
let portal: ConnectedInstall;
let org: ConnectedInstall;
/** A browser signed in to another workspace. */
let strangerCookie: string;

beforeAll(async () => {
  app = await startInstallApp();
  // What `npm start` does in the demo: the portal, then the org, through the OAuth redirects.
  ({ hubspot: portal, salesforce: org } = await connectDemo(app.url));
  const other = await createWorkspace(app.handle.db, 'someone else');
  strangerCookie = `${SESSION_COOKIE}=${sessionCookieValue(
    { sealer: app.sealer, now: Date.now },
    { workspaceId: other.id, installationId: randomUUID() },
  )}`;
});
afterAll(() => app?.close());

const statusOf = (id: string, headers: Record<string, string> = {}) =>
  fetch(`${app.url}/api/installations/${id}/status`, { headers });

async function installation(connected: ConnectedInstall): Promise<Installation> {
  const all = await app.installations.list((await readStatus(connected)).installation.workspaceId);
  return all.find((row) => row.id === connected.installationId)!;
}

async function readStatus(connected: ConnectedInstall): Promise<InstallationStatusBody> {
  const response = await statusOf(connected.installationId, { cookie: connected.cookie });
  expect(response.status).toBe(200);
  return installationStatusSchema.parse(await response.json());
}

const disconnect = (id: string, headers: Record<string, string>, body = '{}') =>
  fetch(`${app.url}/api/installations/${id}/disconnect`, { method: 'POST', headers, body });

describe('GET /api/installations/:id/status', () => {
  it('shows identity, every object (empty before the first sync), the queued full sync and the schedules', async () => {
    await app.queues.get('sync').upsertJobScheduler(
      `sync.incremental@${portal.installationId}`,
      { pattern: '3/5 * * * *', tz: 'UTC' },
      {
        name: 'incremental',
        data: {},
      },
    );
    const body = await readStatus(portal);
    expect(body.installation).toMatchObject({
      provider: 'hubspot',
      externalId: '1000001',
      status: 'active',
      statusReason: null,
    });
    expect(body.objects.map((object) => object.objectType)).toEqual([
      'owners',
      'accounts',
      'contacts',
      'deals',
      'tickets',
    ]);
    expect(body.objects.every((object) => object.records === 0 && object.lastFinishedAt === null)).toBe(true);
    expect(body.run).toMatchObject({ state: 'waiting', mode: 'full', reason: 'install', attemptsMade: 0 });
    expect(body.schedules).toEqual([
      { id: `sync.incremental@${portal.installationId}`, pattern: '3/5 * * * *', nextRunAt: expect.any(String) },
    ]);
    expect(Date.parse(body.schedules[0]!.nextRunAt!)).toBeGreaterThan(Date.now());
  });

  it('shows why an installation needs to be authorised again', async () => {
    const row = await installation(org);
    await app.installations.setStatus(row.workspaceId, row.id, 'needs_reauth', 'Salesforce refused the refresh token');
    try {
      const body = await readStatus(org);
      expect(body.installation).toMatchObject({
        status: 'needs_reauth',
        statusReason: 'Salesforce refused the refresh token',
      });
    } finally {
      await app.installations.setStatus(row.workspaceId, row.id, 'active', null);
    }
  });

  it("keeps workspaces apart: another workspace's session gets 404, no session 401, the admin token sees it", async () => {
    const stranger = await statusOf(portal.installationId, { cookie: strangerCookie });
    expect(stranger.status).toBe(404);
    expect(errorBodySchema.parse(await stranger.json()).error.code).toBe('INSTALLATION_NOT_FOUND');
    expect((await statusOf(portal.installationId)).status).toBe(401);
    expect((await statusOf(portal.installationId, { cookie: 'bw_session=v1.forged.x.y.z' })).status).toBe(401);
    expect((await statusOf('not-a-uuid', { cookie: portal.cookie })).status).toBe(404);
    const admin = await statusOf(portal.installationId, { authorization: `Bearer ${ADMIN_TOKEN}` });
    expect(admin.status).toBe(200);
    expect((await statusOf(portal.installationId, { authorization: 'Bearer wrong-token-wrong-token' })).status).toBe(
      401,
    );
  });

  it('the installation page is the same: its own workspace only', async () => {
    const own = await fetch(`${app.url}/installations/${portal.installationId}`, {
      headers: { cookie: portal.cookie },
    });
    expect(own.status).toBe(200);
    const html = await own.text();
    expect(html).toContain('bellwether-demo.example.com');
    expect(html).toContain('src="/install/installation.js"');
    const stranger = await fetch(`${app.url}/installations/${portal.installationId}`, {
      headers: { cookie: strangerCookie },
    });
    expect(stranger.status).toBe(404);
  });
});

describe('POST /api/installations/:id/disconnect', () => {
  const json = (cookie: string) => ({ cookie, 'content-type': 'application/json', origin: app.url });

  it('refuses what a cross-site page could send, and other workspaces', async () => {
    const form = await disconnect(
      portal.installationId,
      { cookie: portal.cookie, 'content-type': 'application/x-www-form-urlencoded', origin: app.url },
      'a=1',
    );
    expect(form.status).toBe(415);
    const crossOrigin = await disconnect(portal.installationId, {
      ...json(portal.cookie),
      origin: 'https://evil.example',
    });
    expect(crossOrigin.status).toBe(403);
    const crossSite = await disconnect(portal.installationId, {
      ...json(portal.cookie),
      'sec-fetch-site': 'cross-site',
    });
    expect(crossSite.status).toBe(403);
    expect((await disconnect(portal.installationId, json(strangerCookie))).status).toBe(404);
    expect((await disconnect(portal.installationId, json(portal.cookie), '{"extra":1}')).status).toBe(400);
    expect((await readStatus(portal)).installation.status).toBe('active');
  });

  it('HubSpot: uninstalls the app from the portal, deletes the tokens, audits, and queues the uninstall', async () => {
    const row = await installation(portal);
    const tokens = await app.installations.tokens(row.workspaceId, row.id);
    const response = await disconnect(portal.installationId, json(portal.cookie));
    expect(response.status).toBe(200);
    expect(disconnectResponseSchema.parse(await response.json())).toEqual({
      installationId: portal.installationId,
      status: 'uninstalled',
      revokedAtCrm: true,
      uninstallJobId: `uninstall.${portal.installationId}`,
    });
    expect(await app.installations.tokens(row.workspaceId, row.id)).toBeUndefined();
    expect((await readStatus(portal)).installation).toMatchObject({
      status: 'uninstalled',
      statusReason: 'disconnected',
    });
    // HubSpot no longer honours the portal's refresh token.
    const config = { ...app.demo.oauth.hubspot!, scopes: { required: [], optional: [] } } as Parameters<
      typeof hubspotRefresher
    >[0];
    expect((await hubspotRefresher(config)(row, tokens!.refreshToken!)).kind).toBe('revoked');
    const job = await app.queues.get('maintenance').getJob(`uninstall.${portal.installationId}`);
    expect(job?.data).toEqual({ workspaceId: row.workspaceId, installationId: row.id });
    const audit = await listAudit(app.handle.db, row.workspaceId, { installationId: row.id });
    expect(audit[0]).toMatchObject({ action: 'installation.disconnected', actor: 'workspace session' });
  });

  it('connecting the portal again before the purge ran cancels the purge and reactivates it', async () => {
    const again = await connectThroughOAuth(app.url, 'hubspot', { portalId: 1000001, cookie: portal.cookie });
    expect(again.installationId).toBe(portal.installationId);
    expect((await readStatus(portal)).installation).toMatchObject({ status: 'active', statusReason: null });
    expect(await app.queues.get('maintenance').getJob(`uninstall.${portal.installationId}`)).toBeUndefined();
  });

  it('Salesforce, by the operator: revokes the refresh token at the org', async () => {
    const row = await installation(org);
    const tokens = await app.installations.tokens(row.workspaceId, row.id);
    const response = await disconnect(org.installationId, {
      authorization: `Bearer ${ADMIN_TOKEN}`,
      'content-type': 'application/json',
    });
    expect(response.status).toBe(200);
    expect(disconnectResponseSchema.parse(await response.json()).revokedAtCrm).toBe(true);
    const config = { ...app.demo.oauth.salesforce!, scopes: [] } as Parameters<typeof salesforceRefresher>[0];
    expect((await salesforceRefresher(config)(row, tokens!.refreshToken!)).kind).toBe('revoked');
    const audit = await listAudit(app.handle.db, row.workspaceId, { installationId: row.id });
    expect(audit[0]).toMatchObject({ action: 'installation.disconnected', actor: 'operator (admin token)' });
  });
});
