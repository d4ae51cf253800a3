import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { meSchema } from '../../../server/contracts/dashboard.ts';
import { connectThroughOAuth, signInThroughOAuth } from '../../../server/demo.ts';
import { safeNextPath } from '../../../server/http/signin/next-path.ts';
import { listAudit } from '../../../server/platform/db/audit.ts';
import { startInstallApp, type InstallApp } from '../../e2e/install-app.ts';

/**
 * Sign-in through the CRM against the stand-ins' OAuth: a user of a connected portal or org gets a
 * session for its installation (user named, audited) without the installation's tokens changing; a
 * portal nobody connected gets the install-first page; /api/me answers for the session only.
 */

let app: InstallApp;

beforeAll(async () => {
  app = await startInstallApp();
});
afterAll(() => app?.close());

const me = (cookie?: string) => fetch(`${app.url}/api/me`, { headers: cookie ? { cookie } : {} });

describe('sign in with the CRM', () => {
  it('signs a HubSpot user in to the portal’s installation and leaves its stored tokens alone', async () => {
    const installed = await connectThroughOAuth(app.url, 'hubspot', { portalId: 1000001 });
    const installation = (await app.installations.findByExternalId('hubspot', '1000001'))!;
    const before = await app.installations.tokens(installation.workspaceId, installation.id);

    const signedIn = await signInThroughOAuth(app.url, 'hubspot', {
      portalId: 1000001,
      next: '/app/renewals?tier=high_touch',
    });
    expect(signedIn.status).toBe(303);
    expect(signedIn.location).toBe('/app/renewals?tier=high_touch');
    expect(signedIn.cookie).toContain('bw_session=');

    const after = await app.installations.tokens(installation.workspaceId, installation.id);
    expect(after).toEqual(before);

    const answer = await me(signedIn.cookie);
    expect(answer.status).toBe(200);
    const body = meSchema.parse(await answer.json());
    expect(body.installationId).toBe(installed.installationId);
    expect(body.workspace.id).toBe(installation.workspaceId);
    expect(body.user).toMatchObject({ provider: 'hubspot', externalId: '1000001' });
    expect(body.user?.email).toContain('@');
    expect(body.installations.map((item) => item.id)).toContain(installation.id);

    const audit = await listAudit(app.handle.db, installation.workspaceId, { installationId: installation.id });
    expect(audit.map((event) => event.action)).toContain('user.signed_in');
  });

  it('signs a Salesforce user in to the org’s installation, landing on the dashboard', async () => {
    const hubspot = await connectThroughOAuth(app.url, 'hubspot', { portalId: 1000001 });
    await connectThroughOAuth(app.url, 'salesforce', { cookie: hubspot.cookie });
    const org = (await app.installations.findByExternalId('salesforce', app.demo.sandboxes.salesforce.orgId))!;
    const before = await app.installations.tokens(org.workspaceId, org.id);
    const signedIn = await signInThroughOAuth(app.url, 'salesforce');
    expect(signedIn.status).toBe(303);
    expect(signedIn.location).toBe('/app/');
    expect(await app.installations.tokens(org.workspaceId, org.id)).toEqual(before);
    const body = meSchema.parse(await (await me(signedIn.cookie)).json());
    expect(body.installationId).toBe(org.id);
    expect(body.user).toMatchObject({ provider: 'salesforce', externalId: org.externalId });
    expect(body.user?.userId).toMatch(/^005/);
  });

  it('answers a portal without an installation with the install-first page and no session', async () => {
    const signedIn = await signInThroughOAuth(app.url, 'hubspot', { portalId: 1000002 });
    expect(signedIn.status).toBe(404);
    expect(signedIn.body).toContain('Install Bellwether first');
    expect(signedIn.body).toContain('href="/install/hubspot"');
    expect(signedIn.cookie).not.toContain('bw_session=');
  });

  it('refuses /api/me without a session, and signing out ends it', async () => {
    const refused = await me();
    expect(refused.status).toBe(401);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('SESSION_REQUIRED');

    const signedIn = await signInThroughOAuth(app.url, 'hubspot', { portalId: 1000001 });
    const out = await fetch(`${app.url}/signout`, {
      method: 'POST',
      headers: { cookie: signedIn.cookie, accept: 'application/json' },
    });
    expect(out.status).toBe(204);
    expect(out.headers.getSetCookie().join(';')).toMatch(/bw_session=;/);
  });

  it('shows the sign-in page with one button per CRM, carrying a safe next', async () => {
    const page = await fetch(`${app.url}/signin?next=${encodeURIComponent('/app/nps')}`);
    const html = await page.text();
    expect(page.status).toBe(200);
    expect(html).toContain('Sign in with HubSpot');
    expect(html).toContain('Sign in with Salesforce');
    expect(html).toContain('/signin/hubspot?next=%2Fapp%2Fnps');
  });
});

describe('where a sign-in may land', () => {
  const origin = 'http://127.0.0.1:3000';
  it.each([
    ['/app/renewals?tier=high_touch', '/app/renewals?tier=high_touch'],
    ['/installations/abc', '/installations/abc'],
    ['//evil.example/app', '/app/'],
    ['/\\evil.example', '/app/'],
    ['https://evil.example/app', '/app/'],
    ['/\t/evil.example', '/app/'],
    ['app', '/app/'],
    [undefined, '/app/'],
  ])('%s lands on %s', (next, expected) => {
    expect(safeNextPath(next, origin)).toBe(expected);
  });
});
