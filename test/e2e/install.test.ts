import { eq } from 'drizzle-orm';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { syncDeduplicationId } from '../../jobs/queues.ts';
import { installations as installationsTable } from '../../server/platform/db/schema.ts';
import { launchChromium } from '../support/browser.ts';
import { startInstallApp, type InstallApp } from './install-app.ts';

let app: InstallApp;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  [app, browser] = await Promise.all([startInstallApp(), launchChromium()]);
  page = await browser.newPage();
});
afterAll(async () => {
  await browser?.close();
  await app?.close();
});

async function sealedColumns(id: string) {
  const [row] = await app.handle.db
    .select({ access: installationsTable.accessTokenSealed, refresh: installationsTable.refreshTokenSealed })
    .from(installationsTable)
    .where(eq(installationsTable.id, id));
  return row;
}

async function queuedRun(installationId: string) {
  const queue = app.queues.get('sync');
  const jobId = await queue.getDeduplicationJobId(syncDeduplicationId(installationId));
  return (await queue.getJob(jobId ?? ''))?.data as Record<string, unknown> | undefined;
}

const installationIdOf = (url: string) => /\/installations\/([0-9a-f-]{36})$/.exec(new URL(url).pathname)?.[1];

describe('installing both CRMs in Chromium', () => {
  it('connects HubSpot: landing → consent → success page that polls the status', async () => {
    await page.goto(`${app.url}/`);
    await page.click('#connect-hubspot');
    await page.waitForURL((url) => url.origin === app.demo.sandboxes.hubspot.url);
    expect(await page.textContent('h1')).toBe('Choose an account');
    await page.click('button:has-text("Bellwether demo (1000001)")');
    await page.waitForURL(/\/installations\/[0-9a-f-]{36}$/);

    const id = installationIdOf(page.url())!;
    expect(await page.textContent('h1')).toContain('bellwether-demo.example.com');
    // Filled in by the page's script from GET /api/installations/:id/status.
    await page.waitForSelector('#objects tr[data-object="accounts"]');
    expect(await page.textContent('#run')).toBe('full sync waiting');
    expect(await page.textContent('#status')).toBe('active');

    const row = await app.installations.findByExternalId('hubspot', '1000001');
    expect(row).toMatchObject({ id, status: 'active', displayName: 'bellwether-demo.example.com' });
    const sealed = await sealedColumns(id);
    const tokens = await app.installations.tokens(row!.workspaceId, id);
    expect(sealed?.access).toMatch(/^v1\./);
    expect(sealed?.access).not.toContain(tokens!.accessToken);
    expect(await queuedRun(id)).toEqual({
      workspaceId: row!.workspaceId,
      installationId: id,
      mode: 'full',
      reason: 'install',
    });

    // The flow cookie never reaches scripts; the session cookie neither.
    const cookies = await page.context().cookies(app.url);
    expect(cookies.find((cookie) => cookie.name === 'bw_session')).toMatchObject({ httpOnly: true, sameSite: 'Lax' });
    expect(await page.evaluate('document.cookie')).toBe('');
  });

  it("connects Salesforce from the HubSpot portal's page, into the same workspace", async () => {
    const hubspot = await app.installations.findByExternalId('hubspot', '1000001');
    await page.goto(`${app.url}/installations/${hubspot!.id}`);
    expect(await page.getAttribute('#connect-other', 'href')).toBe('/install/salesforce?domain=production');
    await page.click('#connect-other');
    await page.waitForURL((url) => url.origin === app.demo.sandboxes.salesforce.url);
    expect(await page.textContent('h1')).toBe('Allow Access?');
    await page.click('button[value="allow"]');
    await page.waitForURL(/\/installations\/[0-9a-f-]{36}$/);

    const id = installationIdOf(page.url())!;
    await page.waitForSelector('#objects tr[data-object="owners"]');
    const org = await app.installations.findByExternalId('salesforce', app.demo.sandboxes.salesforce.orgId);
    const portal = await app.installations.findByExternalId('hubspot', '1000001');
    expect(org).toMatchObject({ id, status: 'active', baseUrl: app.demo.sandboxes.salesforce.url });
    expect(await page.textContent('h1')).toBe(`Connected: Salesforce org ${app.demo.sandboxes.salesforce.orgId}`);
    expect(org!.workspaceId).toBe(portal!.workspaceId);
    const sealed = await sealedColumns(id);
    expect(sealed?.refresh).toMatch(/^v1\./);
    expect(await queuedRun(id)).toMatchObject({ mode: 'full', reason: 'install' });
  });

  it('disconnects from the success page and shows it', async () => {
    const id = installationIdOf(page.url())!;
    expect(await page.isHidden('#disconnect-confirm')).toBe(true);
    await page.click('#disconnect');
    await page.click('#disconnect-confirm');
    await expect.poll(() => page.textContent('#status'), { timeout: 10_000 }).toBe('uninstalled');
    expect(await page.isHidden('#disconnect')).toBe(true);
    const org = await app.installations.findByExternalId('salesforce', app.demo.sandboxes.salesforce.orgId);
    expect(org?.id).toBe(id);
    expect(await app.installations.tokens(org!.workspaceId, id)).toBeUndefined();
  });
});
