import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { syncDeduplicationId } from '../../../jobs/queues.ts';
import { approveHubspotConsent, approveSalesforceConsent, connectThroughOAuth } from '../../../server/demo.ts';
import { SESSION_COOKIE, sessionCookieValue } from '../../../server/http/install/cookies.ts';
import { listAudit } from '../../../server/platform/db/audit.ts';
import { createWorkspace } from '../../../server/platform/db/installations.ts';
import { installations as installationsTable } from '../../../server/platform/db/schema.ts';
import { startInstallApp, type InstallApp } from '../../e2e/install-app.ts';

let app: InstallApp;
let offsetMs = 0;

beforeAll(async () => {
  app = await startInstallApp({ now: () => Date.now() + offsetMs });
});
afterAll(() => app?.close());

/** Starts an install as a browser: the flow cookie it was given and where the app sent it. */
async function start(path: string): Promise<{ cookie: string; consent: string }> {
  const response = await fetch(`${app.url}${path}`, { redirect: 'manual' });
  expect(response.status).toBe(302);
  const cookie = (response.headers.getSetCookie()[0] ?? '').split(';')[0] ?? '';
  return { cookie, consent: response.headers.get('location') ?? '' };
}

async function callback(url: URL, cookie: string | undefined) {
  const response = await fetch(url, { redirect: 'manual', headers: cookie ? { cookie } : {} });
  return { status: response.status, html: await response.text(), location: response.headers.get('location') };
}

const SECOND_PORTAL = '1000002';
const hubspotRows = (portalId: string) => app.installations.findByExternalId('hubspot', portalId);

describe('install through the OAuth redirects', () => {
  let hubspot: { installationId: string; cookie: string };

  it('connects the HubSpot portal: tokens sealed, portal id and domain read, first full sync queued, audited', async () => {
    hubspot = await connectThroughOAuth(app.url, 'hubspot', { portalId: 1000001 });
    const installation = await hubspotRows('1000001');
    expect(installation).toMatchObject({
      id: hubspot.installationId,
      provider: 'hubspot',
      displayName: 'bellwether-demo.example.com',
      status: 'active',
      baseUrl: app.demo.sandboxes.hubspot.url,
    });
    expect(installation!.scopes).toEqual(expect.arrayContaining(['oauth', 'crm.objects.companies.read']));

    const [raw] = await app.handle.db
      .select({ access: installationsTable.accessTokenSealed, refresh: installationsTable.refreshTokenSealed })
      .from(installationsTable)
      .where(eq(installationsTable.id, hubspot.installationId));
    const tokens = await app.installations.tokens(installation!.workspaceId, installation!.id);
    expect(raw?.access).toMatch(/^v1\./);
    expect(raw?.access).not.toContain(tokens!.accessToken);
    expect(raw?.refresh).not.toContain(tokens!.refreshToken!);
    // The stored token is the one HubSpot issued for this portal.
    const info = await fetch(`${app.demo.sandboxes.hubspot.url}/oauth/v1/access-tokens/${tokens!.accessToken}`);
    expect(((await info.json()) as { hub_id: number }).hub_id).toBe(1000001);

    const queue = app.queues.get('sync');
    const jobId = await queue.getDeduplicationJobId(syncDeduplicationId(hubspot.installationId));
    const job = await queue.getJob(jobId ?? '');
    expect(job?.name).toBe('run');
    expect(job?.data).toEqual({
      workspaceId: installation!.workspaceId,
      installationId: installation!.id,
      mode: 'full',
      reason: 'install',
    });
    const audit = await listAudit(app.handle.db, installation!.workspaceId, { installationId: installation!.id });
    expect(audit.map((event) => event.action)).toContain('installation.connected');
  });

  it('connects the Salesforce org into the same workspace when the browser is signed in', async () => {
    const salesforce = await connectThroughOAuth(app.url, 'salesforce', { cookie: hubspot.cookie });
    const org = await app.installations.findByExternalId('salesforce', app.demo.sandboxes.salesforce.orgId);
    const portal = await hubspotRows('1000001');
    expect(org).toMatchObject({
      id: salesforce.installationId,
      status: 'active',
      baseUrl: app.demo.sandboxes.salesforce.url,
    });
    expect(org!.workspaceId).toBe(portal!.workspaceId);
    const tokens = await app.installations.tokens(org!.workspaceId, org!.id);
    expect(tokens?.refreshToken).toMatch(/^5Aep861/);
  });

  it('a re-install of the same portal keeps its installation and workspace', async () => {
    const before = await hubspotRows('1000001');
    const again = await connectThroughOAuth(app.url, 'hubspot', { portalId: 1000001 });
    const after = await hubspotRows('1000001');
    expect(again.installationId).toBe(before!.id);
    expect(after!.workspaceId).toBe(before!.workspaceId);
    const audit = await listAudit(app.handle.db, after!.workspaceId, { installationId: after!.id });
    expect(audit.map((event) => event.action)).toContain('installation.reconnected');
  });

  it('refuses a portal that another workspace already holds, with a page that says so', async () => {
    const other = await createWorkspace(app.handle.db, 'another company');
    const cookie = `${SESSION_COOKIE}=${sessionCookieValue(
      { sealer: app.sealer, now: Date.now },
      { workspaceId: other.id, installationId: randomUUID() },
    )}`;
    const { consent, cookie: flow } = await start('/install/hubspot');
    const answer = await callback(await approveHubspotConsent(consent, 1000001), `${flow}; ${cookie}`);
    expect(answer.status).toBe(409);
    expect(answer.html).toContain('already connected to another Bellwether workspace');
    expect((await app.installations.list(other.id)).length).toBe(0);
  });

  it('refuses a second HubSpot portal in a workspace that has one, naming it, and connects nothing', async () => {
    const { consent, cookie: flow } = await start('/install/hubspot');
    const answer = await callback(await approveHubspotConsent(consent, SECOND_PORTAL), `${flow}; ${hubspot.cookie}`);
    expect(answer.status).toBe(409);
    expect(answer.html).toContain('One of each CRM per workspace');
    expect(answer.html).toContain('already has a HubSpot portal connected');
    expect(answer.html).toContain('1000001');
    const portal = await hubspotRows('1000001');
    expect((await app.installations.list(portal!.workspaceId)).map((one) => one.provider).sort()).toEqual([
      'hubspot',
      'salesforce',
    ]);
    expect(await hubspotRows(SECOND_PORTAL)).toBeUndefined();
  });
});

describe('the state check binds the callback to the browser that started it', () => {
  it('refuses a callback without the flow cookie (another browser, or cookies blocked)', async () => {
    const { consent } = await start('/install/hubspot');
    const answer = await callback(await approveHubspotConsent(consent, SECOND_PORTAL), undefined);
    expect(answer.status).toBe(400);
    expect(answer.html).toContain('This browser did not start this connection');
    expect(answer.html).toContain('href="/install/hubspot"');
    expect(await hubspotRows(SECOND_PORTAL)).toBeUndefined();
  });

  it('refuses a state that does not match the cookie', async () => {
    const first = await start('/install/hubspot');
    const second = await start('/install/hubspot');
    const answer = await callback(await approveHubspotConsent(second.consent, SECOND_PORTAL), first.cookie);
    expect(answer.status).toBe(400);
    expect(answer.html).toContain('the state does not match');
    expect(await hubspotRows(SECOND_PORTAL)).toBeUndefined();
  });

  it('refuses a flow older than ten minutes', async () => {
    const { consent, cookie } = await start('/install/salesforce?domain=production');
    const redirect = await approveSalesforceConsent(consent);
    offsetMs = 11 * 60_000;
    try {
      const answer = await callback(redirect, cookie);
      expect(answer.status).toBe(400);
      expect(answer.html).toContain('has expired');
      expect(answer.html).toContain('href="/install/salesforce?domain=production"');
    } finally {
      offsetMs = 0;
    }
  });

  it('refuses a tampered cookie, and a callback replayed after its cookie was spent', async () => {
    const { consent, cookie } = await start('/install/hubspot');
    const redirect = await approveHubspotConsent(consent, SECOND_PORTAL);
    const tampered = cookie.slice(0, -4) + (cookie.endsWith('AAAA') ? 'BBBB' : 'AAAA');
    expect((await callback(redirect, tampered)).status).toBe(400);

    const fresh = await start('/install/hubspot');
    const good = await approveHubspotConsent(fresh.consent, SECOND_PORTAL);
    const spent = await fetch(good, { redirect: 'manual', headers: { cookie: fresh.cookie } });
    expect(spent.status).toBe(303);
    // The answer cleared the flow cookie; a browser replaying the URL has none left.
    expect(spent.headers.getSetCookie().some((line) => /^bw_oauth_hubspot=;/.test(line))).toBe(true);
    expect((await callback(good, undefined)).status).toBe(400);
  });

  it('says so when the admin declines, and connects nothing', async () => {
    const { consent, cookie } = await start('/install/salesforce?domain=sandbox');
    expect(new URL(consent).searchParams.get('code_challenge_method')).toBe('S256');
    const denied = await approveSalesforceConsent(consent, { decision: 'deny' });
    const answer = await callback(denied, cookie);
    expect(answer.status).toBe(400);
    expect(answer.html).toContain('access was declined');
  });

  it("escapes the CRM's error text on the page", async () => {
    const { consent, cookie } = await start('/install/hubspot');
    const redirect = await approveHubspotConsent(consent, SECOND_PORTAL);
    redirect.searchParams.delete('code');
    redirect.searchParams.set('error', 'server_error');
    redirect.searchParams.set('error_description', '<script>alert(1)</script>');
    const answer = await callback(redirect, cookie);
    expect(answer.status).toBe(400);
    expect(answer.html).not.toContain('<script>alert(1)');
    expect(answer.html).toContain('&#60;script&#62;alert(1)&#60;/script&#62;');
  });

  it('a forged code with a valid state is refused by the CRM, and the page says to start again', async () => {
    const { consent, cookie } = await start('/install/hubspot');
    const redirect = await approveHubspotConsent(consent, SECOND_PORTAL);
    redirect.searchParams.set('code', randomUUID());
    const answer = await callback(redirect, cookie);
    expect(answer.status).toBe(400);
    expect(answer.html).toContain('HubSpot refused the connection');
  });
});

describe('landing page', () => {
  it('offers both CRMs and both Salesforce login domains', async () => {
    const html = await (await fetch(`${app.url}/install`)).text();
    expect(html).toContain('href="/install/hubspot"');
    expect(html).toContain('href="/install/salesforce?domain=production"');
    expect(html).toContain('href="/install/salesforce?domain=sandbox"');
  });
});
