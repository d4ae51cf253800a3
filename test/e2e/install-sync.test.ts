import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../support/browser.ts';
import { smallBook, startInstallApp, type InstallApp } from './install-app.ts';

let app: InstallApp;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  [app, browser] = await Promise.all([startInstallApp({ workers: true }), launchChromium()]);
  page = await browser.newPage();
});
afterAll(async () => {
  await browser?.close();
  await app?.close();
});

const recordsShown = (object: string) => page.textContent(`#objects tr[data-object="${object}"] td:nth-child(2)`);

/**
 * Needs the job side: the worker's sync run (jobs/sync) reading the stand-in with the scopes the
 * manifest asks for, and creating the installation's schedulers after its first run.
 */
describe('the success page follows the first sync', () => {
  it('installs HubSpot in Chromium and shows the records arriving until the full sync is done', async () => {
    const book = smallBook();
    await page.goto(`${app.url}/install`);
    await page.click('#connect-hubspot');
    await page.click('button:has-text("Bellwether demo (1000001)")');
    await page.waitForURL(/\/installations\/[0-9a-f-]{36}$/);
    await expect
      .poll(() => recordsShown('accounts'), { timeout: 60_000, interval: 500 })
      .toBe(String(book.accounts.length));
    await expect
      .poll(() => recordsShown('contacts'), { timeout: 30_000, interval: 500 })
      .toBe(String(book.contacts.length));
    await expect
      .poll(() => page.textContent('#run'), { timeout: 30_000, interval: 500 })
      .toMatch(/^Idle; last sync finished/);
    expect(await page.textContent('#status')).toBe('active');
    // The installation's schedules exist once its first sync has run (incremental and reconcile).
    await expect
      .poll(() => page.textContent('#schedules'), { timeout: 10_000, interval: 500 })
      .toMatch(/Changes from the CRM, every 5 minutes \(cron \d+\/5 \* \* \* \* UTC\); next /);
    expect(await page.textContent('#schedules')).toMatch(
      /Daily reconciliation of every record \(cron \d+ 3 \* \* \* UTC\)/,
    );
  });
});
