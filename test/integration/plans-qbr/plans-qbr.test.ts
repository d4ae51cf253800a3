import { sql } from 'drizzle-orm';
import { PDFParse } from 'pdf-parse';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runPlans } from '../../../jobs/plans/plans-run.ts';
import type { AccountFacts, FactsContext } from '../../../server/core/health/facts.ts';
import { metricSchema, metricValue } from '../../../server/core/plans/plan-model.ts';
import { parseBrief, type Brief } from '../../../server/core/qbr/brief.ts';
import { buildBrief } from '../../../server/core/qbr/build.ts';
import { metricValueText as metricText } from '../../../server/core/plans/metric-text.ts';
import { addDays, isoDay, qbrPeriod, type Period } from '../../../server/core/qbr/period.ts';
import { escapeHtml, renderHtml } from '../../../server/core/qbr/render-html.ts';
import { escapeMarkdown, renderMarkdown } from '../../../server/core/qbr/render-markdown.ts';
import { EMPTY, planSection } from '../../../server/core/qbr/sections.ts';
import type { DatabaseHandle } from '../../../server/platform/db/database.ts';
import { loadAccountFacts, loadFactsContext } from '../../../server/platform/db/health-facts-store.ts';
import { insertSurveyResponses, upsertUsageDaily } from '../../../server/platform/db/ingest-store.ts';
import { planStore, type PlanWithParts } from '../../../server/platform/db/plan-store.ts';
import { qbrInputs, saveBriefVersion } from '../../../server/platform/db/qbr-store.ts';
import { accounts, contacts, owners } from '../../../server/platform/db/schema.ts';
import type { InstallationKey } from '../../../server/platform/db/sync-store.ts';
import { pdfText, renderPdf } from '../../../server/platform/qbr/pdf.ts';
import { installBook } from '../analytics/seed-book.ts';
import { silentLogger, testDatabases, type TestDatabase } from '../../support/databases.ts';

/**
 * Acceptance 3: the QBR brief of an account with a success plan shows each objective's progress with
 * numbers equal to the signals. An enterprise account in onboarding gets its plan from the plans step,
 * read twice; a brief for an earlier QBR is stored; the brief for the next QBR then shows every
 * objective's value now and at that last QBR exactly as `metricValue` reads them over the account's
 * facts (and the active-user share as plain SQL over the usage rows computes it), in Markdown, HTML
 * and the PDF's text alike. An account without a plan says so in every rendering.
 */

const DAY_MS = 86_400_000;
const LICENCES = 40;
const WITH_PLAN = 'acc-plan';
const WITHOUT_PLAN = 'acc-none';

describe.each(testDatabases())('on $name', (each) => {
  let database: TestDatabase;
  let handle: DatabaseHandle;
  let key: InstallationKey;
  let now: number;
  let today: string;
  let lastQbr: string;
  let period: Period;
  let plan: PlanWithParts;
  let brief: Brief;
  let facts: AccountFacts;
  let context: FactsContext;
  let outputs: { format: string; text: string }[];

  /** Text of every rendering, whitespace squashed so a PDF line break reads as a space. */
  async function renderings(of: Brief) {
    const pdf = await renderPdf(of, planSection(of));
    const parser = new PDFParse({ data: new Uint8Array(pdf) });
    const pdfOut = (await parser.getText()).text;
    await parser.destroy();
    return [
      { format: 'Markdown', text: renderMarkdown(of) },
      { format: 'HTML', text: renderHtml(of) },
      { format: 'PDF', text: pdfOut },
    ].map((out) => ({ ...out, text: out.text.replace(/\s+/g, ' ') }));
  }
  const squash = (format: string, text: string) =>
    (format === 'PDF' ? pdfText(text) : format === 'HTML' ? escapeHtml(text) : escapeMarkdown(text)).replace(
      /\s+/g,
      ' ',
    );

  beforeAll(async () => {
    database = each;
    handle = await database.open();
    await handle.migrate();
    now = Date.now();
    today = isoDay(now);
    key = await installBook(handle.db, 'Plans in the QBR', `plans-qbr-${database.name}`);
    const modifiedAt = new Date(now - 200 * DAY_MS);
    await handle.db.insert(owners).values([
      { ...key, externalId: 'csm-1', modifiedAt, firstName: 'Dana', lastName: 'Scully', name: 'Dana Scully' },
      { ...key, externalId: 'owner-1', modifiedAt, firstName: 'Walter', lastName: 'Skinner', name: 'Walter Skinner' },
    ]);
    await handle.db.insert(accounts).values(
      [WITH_PLAN, WITHOUT_PLAN].map((externalId) => ({
        ...key,
        externalId,
        modifiedAt,
        createdAtCrm: modifiedAt,
        name: externalId === WITH_PLAN ? 'Plan Corp' : 'No Plan Ltd',
        segment: 'enterprise',
        ownerExternalId: 'owner-1',
        csmExternalId: 'csm-1',
        licences: LICENCES,
        customerStatus: 'active' as const,
      })),
    );
    await handle.db.insert(contacts).values({
      ...key,
      externalId: 'con-sponsor',
      modifiedAt,
      accountExternalId: WITH_PLAN,
      name: 'Sam Sponsor',
      role: 'executive_sponsor',
    });
    // 150 days of usage, active users rising from 4 to 19 of 40 licences; automation taken up late.
    const usage = [WITH_PLAN, WITHOUT_PLAN].flatMap((accountExternalId) =>
      Array.from({ length: 151 }, (_, index) => {
        const ago = 150 - index;
        const active = Math.round(4 + index / 10);
        return {
          accountExternalId,
          date: isoDay(now - ago * DAY_MS),
          activeUsers: active,
          licences: LICENCES,
          events: active * 30,
          features: {
            dashboards: Math.round(active * 0.7),
            reports: Math.round(active * 0.4),
            automation: ago < 40 ? Math.round(active * 0.3) : 1,
          },
        };
      }),
    );
    await upsertUsageDaily(handle.db, key, usage);
    await insertSurveyResponses(handle.db, key, [
      {
        clientId: 'nps-1',
        accountExternalId: WITH_PLAN,
        kind: 'nps',
        score: 6,
        verbatim: null,
        contactExternalId: 'con-sponsor',
        respondedAt: new Date(now - 80 * DAY_MS),
      },
      {
        clientId: 'nps-2',
        accountExternalId: WITH_PLAN,
        kind: 'nps',
        score: 9,
        verbatim: null,
        contactExternalId: 'con-sponsor',
        respondedAt: new Date(now - 10 * DAY_MS),
      },
    ]);

    // In onboarding for 70 days; the plans step makes the enterprise plan and reads it twice.
    const plans = planStore(handle.db);
    await plans.recordStages(
      key,
      [{ accountExternalId: WITH_PLAN, stage: 'onboarding', reason: 'Onboarding: day 1 of 90' }],
      new Date(now - 70 * DAY_MS),
    );
    const first = await runPlans({ db: handle.db, logger: silentLogger }, key, { at: new Date(now - 30 * DAY_MS) });
    expect(first.plansCreated).toBe(1);
    await plans.markMilestone(key, (await plans.activePlans(key, [WITH_PLAN]))[0]!.id, 'kickoff', {
      at: new Date(now - 66 * DAY_MS),
      by: 'csm-1',
    });
    await runPlans({ db: handle.db, logger: silentLogger }, key, { at: new Date(now) });
    plan = (await plans.activePlans(key, [WITH_PLAN]))[0]!;

    // The last QBR, 45 days ago: its brief is stored as the schedule would store it.
    lastQbr = addDays(today, -45);
    const earlierPeriod = qbrPeriod(lastQbr, now);
    const earlier = await qbrInputs(handle.db, key, WITH_PLAN, earlierPeriod);
    await saveBriefVersion(handle.db, key, {
      accountExternalId: WITH_PLAN,
      qbrDate: lastQbr,
      period: earlierPeriod,
      brief: buildBrief(earlier!, now, lastQbr),
      trigger: 'schedule',
      requestedBy: null,
    });

    const qbrDate = addDays(today, 1);
    period = qbrPeriod(qbrDate, now);
    const inputs = await qbrInputs(handle.db, key, WITH_PLAN, period);
    brief = parseBrief(JSON.parse(JSON.stringify(buildBrief(inputs!, now, qbrDate))));
    const loaded = await loadAccountFacts(handle.db, key, {
      asOf: new Date(now + DAY_MS),
      lookbackDays: 400,
      accountIds: [WITH_PLAN],
    });
    facts = loaded[0]!;
    context = await loadFactsContext(handle.db, key);
    outputs = await renderings(brief);
  }, 180_000);

  afterAll(async () => {
    await handle?.close();
    await database.cleanup();
  });

  it('shows the active plan, read since the last QBR', () => {
    expect(plan.templateKey).toBe('enterprise_onboarding');
    expect(brief.plans).toMatchObject({
      asOf: period.end,
      since: { kind: 'last_qbr', day: lastQbr },
      plans: [{ name: plan.name, stage: 'onboarding', stageText: 'Onboarding' }],
    });
    expect(brief.plans!.plans[0]!.objectives.map((objective) => objective.key)).toEqual(
      plan.objectives.map((objective) => objective.key),
    );
  });

  it("shows each objective's value now and at the last QBR equal to the signals, with the stored status", () => {
    const asOf = Date.parse(`${period.end}T00:00:00Z`) + DAY_MS - 1;
    const since = Date.parse(`${lastQbr}T00:00:00Z`);
    const shown = brief.plans!.plans[0]!.objectives;
    let measured = 0;
    for (const stored of plan.objectives) {
      const metric = metricSchema.parse(stored.metric);
      const objective = shown.find((item) => item.key === stored.key)!;
      const now = metricValue(metric, facts, asOf, context);
      const before = metricValue(metric, facts, since, context);
      if (now !== null) measured += 1;
      if (now === null) expect(objective.value, stored.key).toBeNull();
      else expect(objective.value, stored.key).toBeCloseTo(now, 3);
      if (before === null) expect(objective.before, stored.key).toBeNull();
      else expect(objective.before, stored.key).toBeCloseTo(before, 3);
      expect(objective.valueText, stored.key).toBe(metricText(metric, now));
      expect(objective.beforeText, stored.key).toBe(metricText(metric, before));
      expect(objective.targetText, stored.key).toBe(`at least ${metricText(metric, stored.target)}`);
      expect(objective.status, stored.key).toBe(stored.status);
      expect(objective.dueOn, stored.key).toBe(isoDay(stored.dueAt.getTime()));
    }
    // Usage and features read from the signals; the sponsor's NPS when the loader knows who answered.
    expect(measured).toBeGreaterThanOrEqual(2);
  });

  it('shows the active-user share that plain SQL computes over the usage rows', async () => {
    const objective = brief.plans!.plans[0]!.objectives.find((item) => item.key === 'active_users')!;
    const stored = plan.objectives.find((item) => item.key === 'active_users')!;
    const { windowDays } = metricSchema.parse(stored.metric) as { windowDays: number };
    const window = async (lastDay: string) => {
      const [row] = await handle.rows<{ share: number | string }>(
        sql`select avg(active_users::float8 / licences) as share from usage_daily
            where workspace_id = ${key.workspaceId} and installation_id = ${key.installationId}
              and account_external_id = ${WITH_PLAN}
              and date > ${addDays(lastDay, -windowDays)} and date <= ${lastDay}`,
      );
      return Number(row!.share);
    };
    expect(objective.value).toBeCloseTo(await window(period.end), 3);
    // At the start of the last QBR's day: the window ends with the day before.
    expect(objective.before).toBeCloseTo(await window(addDays(lastQbr, -1)), 3);
    expect(objective.value!).toBeGreaterThan(objective.before!);
    // Rising, but short of the straight line to 60% by the due date: behind, part of the way there.
    expect(objective.status).toBe('behind');
    const start = stored.startValue!;
    expect(objective.progress).toBeCloseTo((objective.value! - start) / (stored.target - start), 2);
    expect(objective.progress!).toBeGreaterThan(0);
    expect(objective.progress!).toBeLessThan(1);
  });

  it('shows the next milestones with their owner, and the ones reached in the period', () => {
    const [shown] = brief.plans!.plans;
    expect(shown!.reached.map((milestone) => milestone.title)).toContain(
      plan.milestones.find((milestone) => milestone.key === 'kickoff')!.title,
    );
    const open = plan.milestones.filter((milestone) => milestone.reachedAt === null);
    expect(shown!.next.map((milestone) => milestone.title)).toEqual(
      [...open]
        .sort((a, b) => a.dueAt.getTime() - b.dueAt.getTime())
        .slice(0, 5)
        .map((milestone) => milestone.title),
    );
    expect(shown!.next.length).toBeGreaterThan(0);
    for (const milestone of shown!.next) expect(milestone.owner).toBe('Dana Scully');
  });

  it('carries every objective figure and milestone into Markdown, HTML and the PDF', () => {
    const [shown] = brief.plans!.plans;
    for (const { format, text } of outputs) {
      expect(text, format).toContain('Success plan');
      for (const objective of shown!.objectives) {
        for (const value of [
          objective.title,
          objective.valueText,
          objective.beforeText,
          objective.targetText,
          objective.statusText,
          objective.progressText,
        ]) {
          expect(text, `${format}: ${objective.key}`).toContain(squash(format, value));
        }
      }
      for (const milestone of shown!.next) expect(text, format).toContain(squash(format, milestone.title));
      expect(text, format).toContain('Dana Scully');
    }
  });

  it('says "No success plan" for an account without one, in every rendering', async () => {
    const inputs = await qbrInputs(handle.db, key, WITHOUT_PLAN, period);
    const none = buildBrief(inputs!, now, addDays(today, 1));
    expect(none.plans).toMatchObject({ since: { kind: 'period_start', day: period.start }, plans: [] });
    for (const { format, text } of await renderings(none)) expect(text, format).toContain(EMPTY.plans);
  });
});
