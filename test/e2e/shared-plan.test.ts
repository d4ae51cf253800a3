import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newShareLinkBodySchema, planBodySchema } from '../../server/contracts/plans.ts';
import { SHARED_NOT_FOUND_TEXT } from '../../server/http/plans/shared-page.ts';
import { launchChromium } from '../support/browser.ts';
import { testDatabases } from '../support/databases.ts';
import { ACME_NAME, DAY, openPlansWorld, sender, T0, type PlansWorld } from '../integration/plans-api/support.ts';

/**
 * Acceptance 4: a plan's share link opens in Chromium with no session and shows that plan (its
 * objectives with progress, its milestones) and nothing of any other account; once revoked, and once
 * expired, the same address shows the not-found page. The page's screenshot goes to
 * bench/results/shared-plan.png.
 */

const RESULTS_DIR = path.resolve(import.meta.dirname, '../../bench/results');
const database = testDatabases()[0]!;

let world: PlansWorld;
let send: ReturnType<typeof sender>;
let browser: Browser;
let context: BrowserContext;
let page: Page;
const cspViolations: string[] = [];

const statusesOf = async (rows: Locator) => {
  const statuses: (string | null)[] = [];
  for (let index = 0; index < (await rows.count()); index += 1) {
    statuses.push(await rows.nth(index).getAttribute('data-status'));
  }
  return statuses;
};

const shareAcme = async (expiresInDays: number) => {
  const response = await send('POST', `/api/installations/${world.a.installationId}/plans/${world.acmePlan.id}/share`, {
    expiresInDays,
  });
  expect(response.status).toBe(201);
  return newShareLinkBodySchema.parse(await response.json());
};

beforeAll(async () => {
  world = await openPlansWorld(database);
  send = sender(world);
  // A second account of the same installation with a plan of its own, which the link must not show.
  const globex = await send('POST', `/api/installations/${world.a.installationId}/accounts/globex-2/plans`, {
    templateKey: 'adoption',
  });
  expect(planBodySchema.parse(await globex.json()).name).toBe('Adoption plan');
  browser = await launchChromium();
  // A fresh context: no cookies, nobody signed in.
  context = await browser.newContext({ viewport: { width: 1100, height: 900 } });
  page = await context.newPage();
  page.on('console', (message) => {
    if (/content security policy/i.test(message.text())) cspViolations.push(message.text());
  });
  await mkdir(RESULTS_DIR, { recursive: true });
});

afterAll(async () => {
  await browser?.close();
  await world?.close();
});

describe('the shared plan page in Chromium', () => {
  it('opens without a login and shows that plan only', async () => {
    expect(await context.cookies()).toEqual([]);
    const link = await shareAcme(30);
    const response = await page.goto(link.url);
    expect(response?.status()).toBe(200);
    await page.waitForSelector('[data-testid="objectives"]');

    const heading = await page.locator('[data-testid="plan-heading"]').innerText();
    // The CRM's markup shows as text: escaped, never rendered.
    expect(heading).toBe(`${ACME_NAME}: Enterprise onboarding`);
    expect(await page.locator('main b').count()).toBe(0);
    expect(await page.locator('[data-testid="plan-stage"]').innerText()).toBe('Onboarding');

    const objectives = page.locator('[data-testid="objective"]');
    expect(await objectives.count()).toBe(3);
    expect(await statusesOf(objectives)).toEqual(['on_track', 'behind', 'no_data']);
    const first = objectives.first();
    expect(await first.innerText()).toContain('60% of licences in active use');
    expect(await first.innerText()).toContain('Now 42% of licences');
    expect(await first.innerText()).toContain('On track');
    expect(await first.locator('[role="progressbar"]').getAttribute('aria-valuenow')).toBe('35');
    // The bar is drawn by the nonce'd style: the policy let it through.
    const bar = await first.locator('.bar').boundingBox();
    const filled = await first.locator('.bar > span').boundingBox();
    const fill = filled!.width / bar!.width;
    expect(fill).toBeCloseTo(0.35, 2);
    expect(cspViolations).toEqual([]);

    const milestones = page.locator('[data-testid="milestone"]');
    expect(await milestones.count()).toBe(4);
    expect(await statusesOf(milestones)).toEqual(['upcoming', 'reached', 'upcoming', 'upcoming']);
    expect(await milestones.nth(0).innerText()).toContain('Due 5 September 2026');

    const text = await page.locator('body').innerText();
    for (const other of [
      'Globex Industries',
      'Adoption plan',
      'Usage review with the champion',
      'Bravo Limited',
      'sceptical',
      'Casey Chen',
      'acme-1',
    ]) {
      expect(text).not.toContain(other);
    }
    expect(await page.locator('a, script, form, img').count()).toBe(0);
    await page.screenshot({ path: path.join(RESULTS_DIR, 'shared-plan.png'), fullPage: true });
  });

  it('shows the not-found page once the link is revoked', async () => {
    const link = await shareAcme(30);
    expect((await page.goto(link.url))?.status()).toBe(200);
    const revoked = await send(
      'DELETE',
      `/api/installations/${world.a.installationId}/plans/${world.acmePlan.id}/share/${link.id}`,
    );
    expect(revoked.status).toBe(200);
    const response = await page.reload();
    expect(response?.status()).toBe(404);
    expect(await page.locator('[data-testid="not-found"]').innerText()).toBe(SHARED_NOT_FOUND_TEXT);
    expect(await page.locator('body').innerText()).not.toContain('Enterprise onboarding');
  });

  it('shows the not-found page once the link has expired', async () => {
    const link = await shareAcme(7);
    try {
      world.clock.now = T0 + 7 * DAY - 60_000;
      expect((await page.goto(link.url))?.status()).toBe(200);
      expect(await page.locator('[data-testid="objective"]').count()).toBe(3);
      world.clock.now = T0 + 7 * DAY;
      const response = await page.reload();
      expect(response?.status()).toBe(404);
      expect(await page.locator('[data-testid="not-found"]').innerText()).toBe(SHARED_NOT_FOUND_TEXT);
      expect(await page.locator('body').innerText()).not.toContain(ACME_NAME);
    } finally {
      world.clock.now = T0;
    }
  });
});
