import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { count } from '../../extension-ui/web/src/format.ts';
import { plansSchema } from '../../server/contracts/dashboard.ts';
import {
  accountPlansBodySchema,
  planBodySchema,
  planSettingsBodySchema,
  shareLinksBodySchema,
  type PlanBody,
} from '../../server/contracts/plans.ts';
import { DEFAULT_PLAN_TEMPLATES } from '../../server/core/plans/default-templates.ts';
import { planFromTemplate } from '../../server/core/plans/plan-model.ts';
import { planStore } from '../../server/platform/db/plan-store.ts';
import type { InstallationKey } from '../../server/platform/db/sync-store.ts';
import { launchChromium } from '../support/browser.ts';
import { startDashboardApp, type DashboardApp } from './dashboard-app.ts';

/**
 * The success-plan pages in Chromium on the seeded demo book: from the Plans dashboard to one
 * account's plans, a milestone marked by hand, a note, a share link that opens in a browser with no
 * session until it is revoked; then the admin's stage rules and templates, where a refused save
 * names the problem by its path and stores nothing, and a valid one raises the version. Each step
 * is read back from the API with the same cookies. Screenshots: bench/results/account-plan.png and
 * bench/results/admin-plans.png.
 */

const RESULTS_DIR = path.resolve(import.meta.dirname, '../../bench/results');

let app: DashboardApp;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let key: InstallationKey;
/** The account opened from the dashboard, and the plan behind that row. */
let accountId: string;
let planId: string;
const pageErrors: string[] = [];
const failedCalls: string[] = [];

beforeAll(async () => {
  [app, browser] = await Promise.all([startDashboardApp(), launchChromium()]);
  await app.ready;
  const [installation] = await app.handle.rows<{ workspace_id: string }>(
    sql`select workspace_id from installations where id = ${app.a}`,
  );
  key = { workspaceId: installation!.workspace_id, installationId: app.a };
  context = await browser.newContext({
    viewport: { width: 1440, height: 1000 },
    permissions: ['clipboard-read', 'clipboard-write'],
  });
  page = await context.newPage();
  page.on('pageerror', (error) => pageErrors.push(error.message));
  page.on('response', (response) => {
    if (response.status() >= 400) failedCalls.push(`${response.status()} ${new URL(response.url()).pathname}`);
  });
  await mkdir(RESULTS_DIR, { recursive: true });
}, 420_000);

afterAll(async () => {
  await browser?.close();
  await app?.close();
});

const apiBase = () => `/api/installations/${app.a}`;

/** The API as the signed-in browser sees it (the context's cookies). */
async function api<T>(apiPath: string, schema: { parse(input: unknown): T }): Promise<T> {
  const response = await page.request.get(`${app.url}${apiPath}`);
  expect(response.status(), apiPath).toBe(200);
  return schema.parse(await response.json());
}

const planOf = (id: string) => api(`${apiBase()}/plans/${id}`, planBodySchema);
const byTestId = (scope: Page | Locator, testId: string) => scope.locator(`[data-testid="${testId}"]`);
const settled = () => page.waitForSelector('[data-testid="loading"]', { state: 'detached', timeout: 30_000 });

/**
 * An active plan with an objective behind on the dashboard. The score runs' plans step normally
 * makes one; when none is behind, one plan is read as behind through the plan store, and when the
 * book has no plan at all, one is made for the first customer account as its onboarding stay's plan.
 */
async function ensurePlanBehind(): Promise<void> {
  const figure = await api(`${apiBase()}/dashboard/plans`, plansSchema);
  if (figure.status === 'ready' && figure.summary.plansBehind > 0) return;
  const store = planStore(app.handle.db);
  let [plan] = await store.activePlans(key);
  if (!plan) {
    const [account] = await app.handle.rows<{ external_id: string }>(
      sql`select external_id from accounts
          where workspace_id = ${key.workspaceId} and installation_id = ${key.installationId} and not archived
          order by external_id limit 1`,
    );
    const now = new Date();
    if (!(await store.currentStages(key, [account!.external_id])).has(account!.external_id)) {
      await store.recordStages(
        key,
        [{ accountExternalId: account!.external_id, stage: 'onboarding', reason: 'Seeded for the plan pages test' }],
        now,
      );
    }
    const [stay] = (await store.staysWithoutPlan(key, ['onboarding'])).filter(
      (one) => one.accountExternalId === account!.external_id,
    );
    const template = DEFAULT_PLAN_TEMPLATES.find((one) => one.stage === 'onboarding')!;
    const draft = planFromTemplate(template, {
      startAt: stay!.enteredAt.getTime(),
      csmId: stay!.csmExternalId,
      ownerId: stay!.ownerExternalId,
    });
    await store.createPlans(
      key,
      [
        {
          accountExternalId: stay!.accountExternalId,
          name: draft.name,
          templateKey: draft.templateKey,
          stage: stay!.stage,
          stageEntryId: stay!.entryId,
          startedAt: stay!.enteredAt,
          createdBy: 'plan pages test',
          objectives: draft.objectives.map((one) => ({
            ...one,
            startAt: new Date(one.startAt),
            dueAt: new Date(one.dueAt),
          })),
          milestones: draft.milestones.map((one) => ({ ...one, dueAt: new Date(one.dueAt) })),
        },
      ],
      now,
    );
    [plan] = await store.activePlans(key, [account!.external_id]);
  }
  const objective = plan!.objectives[0]!;
  await store.saveReadings(
    key,
    [
      {
        planId: plan!.id,
        objectives: [
          {
            key: objective.key,
            status: 'behind',
            value: objective.target / 4,
            expected: (objective.target * 3) / 4,
            progress: 0.25,
            startValue: 0,
            achievedAt: null,
          },
        ],
        reached: [],
      },
    ],
    new Date(),
  );
}

describe('success plan pages in Chromium', () => {
  it('signs in through HubSpot', async () => {
    await page.goto(`${app.url}/app/`);
    await page.waitForURL(/\/signin\?next=/);
    await page.click('#signin-hubspot');
    await page.click('button:has-text("Bellwether demo (1000001)")');
    await page.waitForURL(new RegExp(`/app/${app.a}/portfolio$`), { timeout: 30_000 });
    // The sign-in pages are not the dashboard's; judged from here on.
    failedCalls.length = 0;
  });

  it('opens an account’s plans from the Plans dashboard: its stage and plans equal the API', async () => {
    await ensurePlanBehind();
    await byTestId(page, 'nav-plans').click();
    await page.waitForURL(new RegExp(`/app/${app.a}/plans`));
    await settled();
    const figure = await api(`${apiBase()}/dashboard/plans`, plansSchema);
    if (figure.status !== 'ready') throw new Error('plans pending');
    const row = figure.plansBehind[0]!;
    accountId = row.accountId;
    planId = row.planId;

    await page
      .locator(`[data-testid="plans-behind-table"] tr[data-key="${planId}"] [data-testid="account-plans-link"]`)
      .click();
    await page.waitForURL(`${app.url}/app/${app.a}/accounts/${encodeURIComponent(accountId)}/plans`);
    await page.waitForSelector('[data-testid="page-account-plans"] [data-testid="plan"]');
    // The Plans tab stays the current one.
    expect(await byTestId(page, 'nav-plans').getAttribute('aria-current')).toBe('page');

    const answer = await api(`${apiBase()}/accounts/${encodeURIComponent(accountId)}/plans`, accountPlansBodySchema);
    expect(await page.locator('h1').innerText()).toBe(answer.accountName ?? accountId);
    if (answer.stage) {
      expect(await byTestId(page, 'stage-label').innerText()).toBe(answer.stage.label);
      expect(await byTestId(page, 'stage-reason').innerText()).toBe(answer.stage.reason);
      expect(await byTestId(page, 'stage-days').getAttribute('data-value')).toBe(String(answer.stage.daysInStage));
      expect(await byTestId(page, 'stage-days').innerText()).toContain(count(answer.stage.daysInStage));
    } else {
      await page.waitForSelector('[data-testid="stage-none"]');
    }
    const shown = byTestId(page, 'plan');
    expect(await shown.count()).toBe(answer.plans.length);
    const statuses: string[] = [];
    for (let index = 0; index < answer.plans.length; index += 1) {
      statuses.push((await shown.nth(index).getAttribute('data-status'))!);
    }
    // Active plans first.
    expect(statuses).toEqual([...statuses].sort((a, b) => Number(a === 'closed') - Number(b === 'closed')));

    const plan = answer.plans.find((one) => one.id === planId)!;
    const section = page.locator(`[data-plan="${planId}"]`);
    const objectiveRows = section.locator('[data-testid="objectives-table"] tbody tr');
    expect(await objectiveRows.count()).toBe(plan.objectives.length);
    for (const [index, objective] of plan.objectives.entries()) {
      const cells = objectiveRows.nth(index);
      expect(await cells.getAttribute('data-status')).toBe(objective.status);
      expect(await cells.locator('[data-col="status"]').innerText()).toBe(objective.statusLabel);
      expect(await cells.locator('[data-col="target"]').innerText()).toBe(objective.targetText);
      if (objective.valueText) expect(await cells.locator('[data-col="value"]').innerText()).toBe(objective.valueText);
      if (objective.progress !== null) {
        expect(await cells.locator('[role="progressbar"]').getAttribute('aria-valuenow')).toBe(
          String(Math.round(objective.progress * 100)),
        );
      }
    }
    const milestoneRows = section.locator('[data-testid="milestones-table"] tbody tr');
    expect(await milestoneRows.count()).toBe(plan.milestones.length);
    for (const [index, milestone] of plan.milestones.entries()) {
      expect(await milestoneRows.nth(index).getAttribute('data-status')).toBe(milestone.status);
    }
  });

  it('marks a milestone reached and not reached by hand: the API says so and the page shows it', async () => {
    const before = await planOf(planId);
    const milestone = before.milestones[0]!;
    const row = page.locator(
      `[data-plan="${planId}"] [data-testid="milestones-table"] tr[data-key="${milestone.key}"]`,
    );
    const box = row.locator('[data-testid="milestone-reached"]');
    const reachedOf = (plan: PlanBody) => plan.milestones.find((one) => one.key === milestone.key)!;

    if (milestone.reachedAt !== null) {
      await box.uncheck();
      await row.locator('[data-testid="milestone-reached"]:not(:checked):not([disabled])').waitFor();
      expect(reachedOf(await planOf(planId)).reachedAt).toBeNull();
    }
    await box.check();
    await page.waitForSelector(
      `[data-plan="${planId}"] [data-testid="milestones-table"] tr[data-key="${milestone.key}"][data-status="reached"]`,
    );
    const marked = reachedOf(await planOf(planId));
    expect(marked.status).toBe('reached');
    expect(marked.reachedAt).not.toBeNull();
    expect(marked.reachedBy).toMatch(/^HubSpot user /);
    expect(await box.isChecked()).toBe(true);
    expect(await row.locator('[data-col="status"]').innerText()).toContain('Reached');

    await box.uncheck();
    await page.waitForSelector(
      `[data-plan="${planId}"] [data-testid="milestones-table"] tr[data-key="${milestone.key}"]:not([data-status="reached"])`,
    );
    const unmarked = reachedOf(await planOf(planId));
    expect(unmarked.reachedAt).toBeNull();
    expect(await row.getAttribute('data-status')).toBe(unmarked.status);

    await box.check();
    await page.waitForSelector(
      `[data-plan="${planId}"] [data-testid="milestones-table"] tr[data-key="${milestone.key}"][data-status="reached"]`,
    );
  });

  it('adds a note: shown on the page and stored with the plan', async () => {
    const section = page.locator(`[data-plan="${planId}"]`);
    const before = (await planOf(planId)).notes.length;
    const body = `Kick-off went well; the champion wants a second training session.\nBooked for next week.`;
    await section.locator('[data-testid="note-input"]').fill(body);
    await section.locator('[data-testid="note-add"]').click();
    await section.locator('[data-testid="plan-note"]', { hasText: 'Booked for next week.' }).waitFor();
    expect(await section.locator('[data-testid="note-input"]').inputValue()).toBe('');
    const notes = (await planOf(planId)).notes;
    expect(notes.length).toBe(before + 1);
    expect(notes.at(-1)!.body).toBe(body);
    expect(await section.locator('[data-testid="plan-note"]').last().innerText()).toContain(
      'Kick-off went well; the champion wants a second training session.',
    );
  });

  it('refuses a second active plan from the same template, next to the control', async () => {
    const plan = await planOf(planId);
    const options = await Promise.all(
      (await page.locator('[data-testid="plan-template"] option').all()).map((option) => option.getAttribute('value')),
    );
    expect(options).toContain(plan.templateKey);
    await page.selectOption('[data-testid="plan-template"]', plan.templateKey ?? '');
    await byTestId(page, 'plan-start').click();
    await page.waitForSelector('[data-testid="plan-start-error"]');
    expect(await byTestId(page, 'plan-start-error').innerText()).toContain('PLAN_EXISTS');
    const answer = await api(`${apiBase()}/accounts/${encodeURIComponent(accountId)}/plans`, accountPlansBodySchema);
    expect(answer.plans.filter((one) => one.templateKey === plan.templateKey && one.status === 'active')).toHaveLength(
      1,
    );
  });

  it('creates a share link shown once, which opens without a session until it is revoked', async () => {
    const section = page.locator(`[data-plan="${planId}"]`);
    await section.locator('[data-testid="share-days"]').fill('14');
    await section.locator('[data-testid="share-create"]').click();
    const urlBox = section.locator('[data-testid="share-url"]');
    await urlBox.waitFor();
    const url = await urlBox.inputValue();
    expect(url).toMatch(new RegExp(`^${app.url}/shared/plans/[A-Za-z0-9_-]+$`));
    expect(await section.locator('[data-testid="share-new"]').innerText()).toContain('will not be shown again');
    await section.locator('[data-testid="share-copy"]').click();
    await section.locator('[data-testid="share-copy"]', { hasText: 'Copied' }).waitFor();
    expect(await page.evaluate('navigator.clipboard.readText()')).toBe(url);

    const { links } = await api(`${apiBase()}/plans/${planId}/share`, shareLinksBodySchema);
    const link = links[0]!;
    expect(link.state).toBe('active');
    expect(Date.parse(link.expiresAt) - Date.parse(link.createdAt)).toBe(14 * 86_400_000);
    const linkRow = section.locator(`[data-testid="share-links-table"] tr[data-key="${link.id}"]`);
    expect(await linkRow.getAttribute('data-state')).toBe('active');
    expect(await linkRow.locator('[data-col="state"]').innerText()).toBe('Live');
    expect(await linkRow.locator('[data-col="opened"]').innerText()).toBe('Never');

    const plan = await planOf(planId);
    const account = await api(`${apiBase()}/accounts/${encodeURIComponent(accountId)}/plans`, accountPlansBodySchema);
    await page.screenshot({ path: path.join(RESULTS_DIR, 'account-plan.png'), fullPage: true });

    // A browser with no cookies: the customer.
    const guest = await browser.newContext();
    try {
      const customer = await guest.newPage();
      const opened = await customer.goto(url);
      expect(opened?.status()).toBe(200);
      expect(await customer.locator('[data-testid="plan-heading"]').innerText()).toBe(
        account.accountName === null ? plan.name : `${account.accountName}: ${plan.name}`,
      );
      expect(await customer.locator('[data-testid="milestone"]').count()).toBe(plan.milestones.length);

      await linkRow.locator('[data-testid="share-revoke"]').click();
      await section
        .locator(`[data-testid="share-links-table"] tr[data-key="${link.id}"][data-state="revoked"]`)
        .waitFor();
      expect(await section.locator(`tr[data-key="${link.id}"] [data-col="state"]`).innerText()).toContain('Revoked');
      expect(await section.locator(`tr[data-key="${link.id}"] [data-testid="share-revoke"]`).count()).toBe(0);
      const after = (await api(`${apiBase()}/plans/${planId}/share`, shareLinksBodySchema)).links.find(
        (one) => one.id === link.id,
      )!;
      expect(after.state).toBe('revoked');
      expect(after.lastOpenedAt).not.toBeNull();

      expect((await customer.reload())?.status()).toBe(404);
      expect(await customer.locator('body').innerText()).not.toContain(plan.name);
    } finally {
      await guest.close();
    }
  });

  it('shows "not found" for a path under an account that names no page, and for an unknown account', async () => {
    await page.goto(`${app.url}/app/${app.a}/accounts/${encodeURIComponent(accountId)}/plans/extra`);
    await page.waitForSelector('[data-testid="not-found"]');
    expect(await byTestId(page, 'not-found').innerText()).toContain('There is no such page.');

    await page.goto(`${app.url}/app/${app.a}/accounts/no-such-account/plans`);
    await page.waitForSelector('[data-testid="not-found"]');
    expect(await byTestId(page, 'not-found').innerText()).toContain('No such account in this installation.');
  });

  it('Admin → Success plans: a refused save names the problem by its path and stores nothing; a valid one raises the version', async () => {
    const settingsPath = `${apiBase()}/plan-settings`;
    const before = await api(settingsPath, planSettingsBodySchema);
    await page.goto(`${app.url}/app/${app.a}/admin?tab=plans`);
    await page.waitForSelector('[data-testid="plan-settings"]');
    expect(await byTestId(page, 'admin-tab-plans').getAttribute('aria-selected')).toBe('true');
    expect(JSON.parse(await byTestId(page, 'templates-json').inputValue())).toEqual(before.templates);

    // A target that is not a number.
    const broken = structuredClone(before.templates) as { name: string; objectives: { target: unknown }[] }[];
    broken[0]!.objectives[0]!.target = 'most of them';
    await byTestId(page, 'templates-json').fill(JSON.stringify(broken, null, 2));
    await byTestId(page, 'templates-save').click();
    await page.waitForSelector('[data-testid="templates-problems"]');
    expect(await byTestId(page, 'templates-problems').innerText()).toContain('$.templates[0].objectives[0].target');
    expect(await byTestId(page, 'templates-notice').innerText()).toContain('nothing was saved');
    expect((await api(settingsPath, planSettingsBodySchema)).version).toBe(before.version);

    // A stage rule out of range is named beside its field.
    await page.fill('#plan-rule-onboardingDays', '0');
    await byTestId(page, 'stage-rules-save').click();
    await page.waitForSelector('[data-testid="issue-onboardingDays"]');
    expect((await api(settingsPath, planSettingsBodySchema)).version).toBe(before.version);
    await page.screenshot({ path: path.join(RESULTS_DIR, 'admin-plans-refused.png'), fullPage: true });

    const renamed = structuredClone(before.templates) as { name: string }[];
    renamed[0]!.name = `${renamed[0]!.name} (edited)`;
    await byTestId(page, 'templates-json').fill(JSON.stringify(renamed, null, 2));
    await byTestId(page, 'templates-save').click();
    await page
      .locator('[data-testid="templates-notice"]', { hasText: `Saved as version ${before.version + 1}.` })
      .waitFor();
    expect(await byTestId(page, 'templates-problems').count()).toBe(0);
    const saved = await api(settingsPath, planSettingsBodySchema);
    expect(saved.version).toBe(before.version + 1);
    expect(saved.source.templates).toBe('saved');
    expect((saved.templates[0] as { name: string }).name).toBe(renamed[0]!.name);
    expect(saved.updatedBy).toMatch(/^HubSpot user /);
    expect(await byTestId(page, 'plan-settings-version').getAttribute('data-value')).toBe(String(saved.version));
    expect(await byTestId(page, 'plan-settings-by').innerText()).toBe(saved.updatedBy);

    // The stage rules in percent: 55% goes as 0.55; the refused 0 days is corrected first.
    await page.fill('#plan-rule-onboardingDays', '60');
    await page.fill('#plan-rule-valueActiveRatio', '55');
    await byTestId(page, 'at-risk-yellow').check();
    await byTestId(page, 'stage-rules-save').click();
    await page
      .locator('[data-testid="stage-rules-notice"]', { hasText: `Saved as version ${before.version + 2}.` })
      .waitFor();
    const rules = (await api(settingsPath, planSettingsBodySchema)).stageRules;
    expect(rules).toMatchObject({ onboardingDays: 60, valueActiveRatio: 0.55, atRiskBands: ['red', 'yellow'] });
    await page.screenshot({ path: path.join(RESULTS_DIR, 'admin-plans.png'), fullPage: true });

    // Back to the shipped templates.
    await byTestId(page, 'templates-restore').click();
    await byTestId(page, 'templates-restore-confirm').click();
    await page
      .locator('[data-testid="templates-notice"]', { hasText: `Saved as version ${before.version + 3}.` })
      .waitFor();
    const restored = await api(settingsPath, planSettingsBodySchema);
    expect(restored.source.templates).toBe('defaults');
    expect(restored.templates).toEqual(restored.defaults.templates);
    expect(JSON.parse(await byTestId(page, 'templates-json').inputValue())).toEqual(restored.defaults.templates);
  });

  it('failed calls were only the ones the steps provoked, and the page never threw', () => {
    const plans = `${apiBase()}/accounts/`;
    const expected = (call: string) =>
      call === `409 ${apiBase()}/accounts/${encodeURIComponent(accountId)}/plans` ||
      call === `404 ${plans}no-such-account/plans` ||
      call === `422 ${apiBase()}/plan-settings`;
    expect(failedCalls.filter((call) => !expected(call))).toEqual([]);
    expect(failedCalls.some((call) => call.startsWith('422'))).toBe(true);
    expect(pageErrors).toEqual([]);
  });
});
