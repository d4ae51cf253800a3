import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildBrief } from '../../../server/core/qbr/build.ts';
import { qbrPeriod } from '../../../server/core/qbr/period.ts';
import { listAudit } from '../../../server/platform/db/audit.ts';
import { qbrInputs, saveBriefVersion } from '../../../server/platform/db/qbr-store.ts';
import { warnings } from '../../../server/platform/db/schema.ts';
import { testDatabases } from '../../support/databases.ts';
import { refusalOf, send, startHealthApp, type HealthApp } from './health-app.ts';

/**
 * The warnings and QBR routes for people signed in to the workspace: the rule set (a bad one refused
 * with its JSON paths), an account's warnings, its brief versions with links that open each format
 * without signing in, and "write a brief now"; another workspace sees none of it.
 */

describe.each(testDatabases())('warnings and QBR brief routes on %s', (database) => {
  let app: HealthApp;
  let asA: Record<string, string>;
  let asB: Record<string, string>;
  const base = () => `${app.url}/api/installations/${app.portal.installationId}`;

  beforeAll(async () => {
    app = await startHealthApp(database);
    asA = { cookie: app.cookie };
    asB = { cookie: app.strangerCookie };
    await app.addAccounts(app.portal, ['acme']);
  });
  afterAll(async () => {
    await app?.close();
  });

  it('keeps the shipped rules until an admin saves valid ones, and refuses invalid ones naming where', async () => {
    const shipped = await send(`${base()}/warning-rules`, 'GET', asA);
    expect(await shipped.json()).toMatchObject({ version: 0, source: 'defaults', problems: [] });

    const bad = await send(`${base()}/warning-rules`, 'PUT', asA, { usage_drop: { severity: 'dire' } });
    const refusal = await refusalOf(bad, 422);
    expect(JSON.stringify(refusal)).toContain('usage_drop.severity');
    expect((await (await send(`${base()}/warning-rules`, 'GET', asA)).json()) as object).toMatchObject({ version: 0 });

    const saved = await send(`${base()}/warning-rules`, 'PUT', asA, { no_engagement: { enabled: false } });
    expect(saved.status).toBe(200);
    const now = (await (await send(`${base()}/warning-rules`, 'GET', asA)).json()) as {
      version: number;
      rules: { no_engagement: { enabled: boolean } };
    };
    expect(now).toMatchObject({ version: 1, source: 'saved', rules: { no_engagement: { enabled: false } } });
    const audit = await listAudit(app.handle.db, app.portal.workspaceId, { installationId: app.portal.installationId });
    expect(audit.map((event) => event.action)).toContain('warning_rules.saved');

    await refusalOf(await send(`${base()}/warning-rules`, 'GET', asB), 404);
  });

  it("lists an account's warnings, and nothing through another workspace", async () => {
    const at = new Date();
    await app.handle.db.insert(warnings).values({
      ...app.portal,
      accountExternalId: 'acme',
      rule: 'band_drop',
      dedupeKey: 'band_drop:acme',
      severity: 'medium',
      status: 'open',
      title: 'Health fell from green to yellow',
      evidence: { text: 'Score 64, down from 73 a week ago', values: { score: 64 }, thresholds: { points: 5 } },
      openedAt: at,
      lastSeenAt: at,
    });
    const listed = (await (await send(`${base()}/accounts/acme/warnings`, 'GET', asA)).json()) as {
      warnings: { title: string; detail: string; status: string; tasks: unknown[] }[];
    };
    expect(listed.warnings).toEqual([
      expect.objectContaining({
        title: 'Health fell from green to yellow',
        detail: 'Score 64, down from 73 a week ago',
        status: 'open',
        tasks: [],
      }),
    ]);
    await refusalOf(await send(`${base()}/accounts/acme/warnings`, 'GET', asB), 404);
  });

  it('lists brief versions whose links open HTML, PDF and Markdown without signing in, and queues a new brief', async () => {
    const at = app.clock.now;
    const qbrDate = new Date(at + 14 * 86_400_000).toISOString().slice(0, 10);
    const period = qbrPeriod(qbrDate, at);
    const inputs = (await qbrInputs(app.handle.db, app.portal, 'acme', period))!;
    await saveBriefVersion(app.handle.db, app.portal, {
      accountExternalId: 'acme',
      qbrDate,
      period,
      brief: buildBrief(inputs, at, qbrDate),
      trigger: 'api',
      requestedBy: 'test',
    });
    const listed = (await (await send(`${base()}/accounts/acme/briefs`, 'GET', asA)).json()) as {
      briefs: { version: number; links: { html: string; pdf: string; markdown: string } }[];
    };
    expect(listed.briefs).toHaveLength(1);
    const { links } = listed.briefs[0]!;

    const html = await fetch(links.html);
    expect(html.status).toBe(200);
    expect(html.headers.get('content-type')).toMatch(/^text\/html/);
    expect(html.headers.get('referrer-policy')).toBe('no-referrer');
    expect(await html.text()).toContain('Account acme');
    const pdf = await fetch(links.pdf);
    expect(pdf.headers.get('content-type')).toBe('application/pdf');
    expect(
      Buffer.from(await pdf.arrayBuffer())
        .subarray(0, 5)
        .toString(),
    ).toBe('%PDF-');
    const markdown = await fetch(links.markdown);
    expect(await markdown.text()).toContain('Account acme');

    const forged = links.html.replace(/t=[^&]+/, 't=v1.forged');
    expect((await refusalOf(await fetch(forged), 401)).code).toBe('BRIEF_LINK_INVALID');
    await refusalOf(await send(`${base()}/accounts/acme/briefs`, 'GET', asB), 404);

    const queued = await send(`${base()}/accounts/acme/briefs`, 'POST', asA, {});
    expect(queued.status).toBe(202);
    const jobs = await app.queues.get('qbr').getJobs(['waiting', 'delayed', 'prioritized']);
    expect(jobs.map((job) => job.data as Record<string, unknown>)).toContainEqual(
      expect.objectContaining({ accountExternalId: 'acme', trigger: 'api' }),
    );
    await refusalOf(await send(`${base()}/accounts/nobody/briefs`, 'POST', asA, {}), 404);
  });
});
