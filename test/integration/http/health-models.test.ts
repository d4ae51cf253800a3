import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKTEST_JOB, SCORE_JOB } from '../../../jobs/queues.ts';
import {
  backtestQueuedSchema,
  healthModelDetailSchema,
  healthModelListSchema,
  modelValidationSchema,
  publishedHealthModelSchema,
  type HealthModelDetail,
} from '../../../server/contracts/health.ts';
import { DEFAULT_MODEL } from '../../../server/core/health/model.ts';
import { listAudit } from '../../../server/platform/db/audit.ts';
import { healthModelStore } from '../../../server/platform/db/health-model-store.ts';
import { testDatabases } from '../../support/databases.ts';
import { ADMIN_TOKEN, refusalOf, send, startHealthApp, type HealthApp } from './health-app.ts';

const DAY = 86_400_000;

/** The shipped model with its first measure reading a signal that does not exist. */
function withUnknownSignal(definition: unknown): Record<string, unknown> {
  const copy = structuredClone(definition) as { groups: [{ measures: [{ signal: string }] }] };
  copy.groups[0].measures[0].signal = 'usage.no_such_signal';
  return copy;
}

describe.each(testDatabases())('health model admin API on $name', (database) => {
  let app: HealthApp;
  let asA: Record<string, string>;
  let asB: Record<string, string>;
  const operator = { authorization: `Bearer ${ADMIN_TOKEN}` };

  const modelsUrl = (installationId = app.portal.installationId) =>
    `${app.url}/api/installations/${installationId}/health-models`;

  async function list(headers = asA, installationId?: string) {
    const response = await send(modelsUrl(installationId), 'GET', headers);
    expect(response.status).toBe(200);
    return healthModelListSchema.parse(await response.json());
  }

  async function detail(version: number): Promise<HealthModelDetail> {
    const response = await send(`${modelsUrl()}/${version}`, 'GET', asA);
    expect(response.status).toBe(200);
    return healthModelDetailSchema.parse(await response.json());
  }

  async function createDraft(body: unknown = {}, headers = asA): Promise<HealthModelDetail> {
    const response = await send(modelsUrl(), 'POST', headers, body);
    expect(response.status).toBe(201);
    return healthModelDetailSchema.parse(await response.json());
  }

  const publish = (version: number, headers = asA) => send(`${modelsUrl()}/${version}/publish`, 'POST', headers, {});

  /** Score jobs waiting on the queue, by installation. */
  async function scoreJobs() {
    const jobs = await app.queues.get('score').getJobs(['waiting', 'delayed', 'prioritized']);
    return jobs.filter((job) => job.name === SCORE_JOB).map((job) => job.data as Record<string, unknown>);
  }

  beforeAll(async () => {
    app = await startHealthApp(database);
    asA = { cookie: app.cookie };
    asB = { cookie: app.strangerCookie };
  });
  afterAll(async () => {
    await app?.close();
  });

  it('shows the shipped model as version 1 in use while nothing is stored, and keeps it read-only', async () => {
    const before = await list(asB, app.stranger.installationId);
    expect(before.inUse).toBe(1);
    expect(before.versions).toEqual([
      expect.objectContaining({ version: 1, status: 'published', shipped: true, name: DEFAULT_MODEL.name }),
    ]);
    const response = await send(`${modelsUrl(app.stranger.installationId)}/1`, 'GET', asB);
    const shipped = healthModelDetailSchema.parse(await response.json());
    expect(shipped.definition).toEqual(JSON.parse(JSON.stringify(DEFAULT_MODEL)));
    expect(shipped.validation).toEqual({ ok: true, problems: [] });

    const url = `${modelsUrl(app.stranger.installationId)}/1`;
    expect((await refusalOf(await send(url, 'PUT', asB, { definition: {} }), 409)).code).toBe(
      'SHIPPED_MODEL_READ_ONLY',
    );
    expect((await refusalOf(await send(url, 'DELETE', asB), 409)).code).toBe('SHIPPED_MODEL_READ_ONLY');
    expect((await refusalOf(await send(`${url}/publish`, 'POST', asB, {}), 409)).code).toBe('MODEL_NOT_DRAFT');
    // The shipped model can be backtested (the baseline for drafts); the report is the job's result.
    const backtest = await send(`${url}/backtest`, 'POST', asB, {});
    expect(backtest.status).toBe(202);
    const job = await app.queues.get('score').getJob(backtestQueuedSchema.parse(await backtest.json()).jobId);
    expect(job?.data).toMatchObject({ workspaceId: app.stranger.workspaceId, version: 1 });
    expect((await refusalOf(await send(`${modelsUrl(app.stranger.installationId)}/2`, 'GET', asB), 404)).code).toBe(
      'MODEL_VERSION_NOT_FOUND',
    );
    expect((await refusalOf(await send(`${modelsUrl(app.stranger.installationId)}/x1`, 'GET', asB), 404)).code).toBe(
      'MODEL_VERSION_NOT_FOUND',
    );
  });

  it('takes a draft through invalid and valid edits to publishing, retiring the one before and rescoring', async () => {
    const draft = await createDraft();
    expect(draft).toMatchObject({ version: 2, status: 'draft', shipped: false, createdBy: 'workspace session' });
    expect(draft.definition).toEqual({ ...JSON.parse(JSON.stringify(DEFAULT_MODEL)), version: 2 });
    expect(draft.validation.ok).toBe(true);

    // An invalid draft is saved (work in progress) and answers its problems at their paths.
    const invalid = await send(`${modelsUrl()}/2`, 'PUT', asA, { definition: withUnknownSignal(draft.definition) });
    expect(invalid.status).toBe(200);
    const saved = healthModelDetailSchema.parse(await invalid.json());
    expect(saved.validation.ok).toBe(false);
    expect(saved.validation.problems).toEqual([
      expect.objectContaining({
        path: '$.groups[0].measures[0].signal',
        message: expect.stringContaining('unknown signal'),
      }),
    ]);
    expect((await detail(2)).definition).toEqual(withUnknownSignal(draft.definition));

    const refused = await refusalOf(await publish(2), 422);
    expect(refused.code).toBe('MODEL_INVALID');
    expect(refused.issues).toEqual([expect.objectContaining({ path: '$.groups[0].measures[0].signal' })]);
    expect((await list()).inUse).toBe(1);
    expect(await scoreJobs()).toEqual([]);

    const valid = await send(`${modelsUrl()}/2`, 'PUT', asA, {
      definition: { ...(draft.definition as object), name: 'Enterprise first' },
    });
    expect(healthModelDetailSchema.parse(await valid.json()).validation).toEqual({ ok: true, problems: [] });

    const published = await publish(2);
    expect(published.status).toBe(200);
    const body = publishedHealthModelSchema.parse(await published.json());
    expect(body.model).toMatchObject({ version: 2, status: 'published', publishedBy: 'workspace session' });
    expect(body.previousVersion).toBe(1);
    // Every installation of the workspace that is still connected, not the disconnected one.
    expect(body.rescoring.sort()).toEqual([app.portal.installationId, app.org.installationId].sort());
    const jobs = await scoreJobs();
    expect(jobs).toEqual(
      expect.arrayContaining([
        { ...app.portal, full: true, reason: 'model' },
        { ...app.org, full: true, reason: 'model' },
      ]),
    );
    expect(jobs.map((job) => job.installationId)).not.toContain(app.disconnected.installationId);
    const audit = await listAudit(app.handle.db, app.portal.workspaceId);
    expect(audit.find((event) => event.action === 'health_model.published')).toMatchObject({
      actor: 'workspace session',
      details: { version: 2, previousVersion: 1 },
    });

    // The next draft copies the model in use; publishing it retires version 2.
    const next = await createDraft({}, operator);
    expect(next).toMatchObject({ version: 3, name: 'Enterprise first', createdBy: 'operator (admin token)' });
    const second = publishedHealthModelSchema.parse(await (await publish(3, operator)).json());
    expect(second.previousVersion).toBe(2);
    const after = await list();
    expect(after.inUse).toBe(3);
    expect(after.versions.map((version) => [version.version, version.status])).toEqual([
      [1, 'retired'],
      [2, 'retired'],
      [3, 'published'],
    ]);
    expect((await refusalOf(await send(`${modelsUrl()}/2`, 'PUT', asA, { definition: {} }), 409)).code).toBe(
      'MODEL_NOT_DRAFT',
    );
  });

  it('answers 409 to the second of two publishes at once', async () => {
    const draft = await createDraft({ from: 1 });
    expect(draft.definition).toEqual({ ...JSON.parse(JSON.stringify(DEFAULT_MODEL)), version: draft.version });
    const [first, second] = await Promise.all([publish(draft.version), publish(draft.version)]);
    expect([first.status, second.status].sort()).toEqual([200, 409]);
    const statuses = (await list()).versions.filter((version) => version.status === 'published');
    expect(statuses.map((version) => version.version)).toEqual([draft.version]);
  });

  it("keeps workspaces apart: another workspace's session can neither read nor change these versions", async () => {
    const draft = await createDraft();
    const url = `${modelsUrl()}/${draft.version}`;
    for (const response of [
      await send(modelsUrl(), 'GET', asB),
      await send(url, 'GET', asB),
      await send(`${url}/publish`, 'POST', asB, {}),
      await send(url, 'PUT', asB, { definition: {} }),
      await send(url, 'DELETE', asB),
      await send(`${url}/backtest`, 'POST', asB, {}),
    ]) {
      expect((await refusalOf(response, 404)).code).toBe('INSTALLATION_NOT_FOUND');
    }
    // Through its own installation the version does not exist either.
    const own = `${modelsUrl(app.stranger.installationId)}/${draft.version}`;
    expect((await refusalOf(await send(own, 'GET', asB), 404)).code).toBe('MODEL_VERSION_NOT_FOUND');
    expect((await refusalOf(await send(`${own}/publish`, 'POST', asB, {}), 404)).code).toBe('MODEL_VERSION_NOT_FOUND');
    expect((await list(asB, app.stranger.installationId)).versions.map((version) => version.version)).toEqual([1]);
    expect((await refusalOf(await send(modelsUrl(), 'GET', {}), 401)).code).toBe('SESSION_REQUIRED');
    expect((await detail(draft.version)).status).toBe('draft');
  });

  it('queues a backtest (202) and shows the report the job saves', async () => {
    const draft = await createDraft();
    const response = await send(`${modelsUrl()}/${draft.version}/backtest`, 'POST', asA, { horizonDays: 90 });
    expect(response.status).toBe(202);
    const { jobId } = backtestQueuedSchema.parse(await response.json());
    const job = await app.queues.get('score').getJob(jobId);
    expect(job?.name).toBe(BACKTEST_JOB);
    expect(job?.data).toEqual({
      workspaceId: app.portal.workspaceId,
      version: draft.version,
      horizonDays: 90,
      requestedBy: 'workspace session',
    });

    // What the backtest job does when it finishes.
    const report = {
      asOf: '2026-01-01',
      horizonDays: 90,
      accounts: 120,
      scored: 118,
      churned: 14,
      auc: 0.81,
      bottom20: { accounts: 24, churnedArrShare: 0.62, churnRate: 0.33, baseChurnRate: 0.12 },
      calibration: [{ from: 0, to: 10, accounts: 3, churned: 2, observedRenewal: 0.33, predictedRenewal: 0.4 }],
      bySegment: { enterprise: { accounts: 40, churned: 3, auc: 0.77 } },
    };
    await healthModelStore(app.handle.db).saveBacktest(app.portal.workspaceId, draft.version, report);
    expect((await detail(draft.version)).backtestReport).toEqual(report);
    expect((await list()).versions.find((version) => version.version === draft.version)?.backtest).toEqual({
      asOf: '2026-01-01',
      horizonDays: 90,
      accounts: 120,
      churned: 14,
      auc: 0.81,
      bottom20ChurnedArrShare: 0.62,
    });
  });

  it('refuses backtests whose outcomes are not known yet, with the path, and of invalid drafts', async () => {
    const draft = await createDraft();
    const url = `${modelsUrl()}/${draft.version}/backtest`;
    const recent = new Date(app.clock.now - 30 * DAY).toISOString().slice(0, 10);
    const early = await refusalOf(await send(url, 'POST', asA, { asOf: recent, horizonDays: 90 }), 400);
    expect(early.issues).toEqual([expect.objectContaining({ path: 'asOf' })]);
    const unknown = await refusalOf(await send(url, 'POST', asA, { horizonDays: 10, extra: true }), 400);
    expect(unknown.issues?.map((issue) => issue.path).sort()).toEqual(['(root)', 'horizonDays']);

    await send(`${modelsUrl()}/${draft.version}`, 'PUT', asA, { definition: withUnknownSignal(draft.definition) });
    const invalid = await refusalOf(await send(url, 'POST', asA, {}), 422);
    expect(invalid.issues).toEqual([expect.objectContaining({ path: '$.groups[0].measures[0].signal' })]);
  });

  it('validates any version on request', async () => {
    const draft = await createDraft({ definition: { id: 'tiny', name: 'Tiny', groups: [] } });
    expect(draft.validation.ok).toBe(false);
    const response = await send(`${modelsUrl()}/${draft.version}/validate`, 'POST', asA, {});
    const validation = modelValidationSchema.parse(await response.json());
    expect(validation.ok).toBe(false);
    expect(validation.problems).toEqual([expect.objectContaining({ path: '$.groups' })]);
    const shipped = await send(`${modelsUrl()}/1/validate`, 'POST', asA, {});
    expect(modelValidationSchema.parse(await shipped.json())).toEqual({ ok: true, problems: [] });
  });

  it('refuses requests that are not JSON or not what the API takes, saying where', async () => {
    const form = await fetch(modelsUrl(), {
      method: 'POST',
      headers: { ...asA, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'from=1',
    });
    expect((await refusalOf(form, 415)).code).toBe('JSON_REQUIRED');
    const both = await refusalOf(await send(modelsUrl(), 'POST', asA, { from: 1, definition: {} }), 400);
    expect(both.issues).toEqual([expect.objectContaining({ path: 'from' })]);
    const notObject = await refusalOf(await send(modelsUrl(), 'POST', asA, { definition: [1, 2] }), 400);
    expect(notObject.issues).toEqual([expect.objectContaining({ path: 'definition' })]);
    expect((await refusalOf(await send(modelsUrl(), 'POST', asA, { from: 99 }), 404)).code).toBe(
      'MODEL_VERSION_NOT_FOUND',
    );
  });

  it('discards a draft, never a published or retired version', async () => {
    const draft = await createDraft();
    const gone = await send(`${modelsUrl()}/${draft.version}`, 'DELETE', asA);
    expect(gone.status).toBe(204);
    expect((await refusalOf(await send(`${modelsUrl()}/${draft.version}`, 'GET', asA), 404)).code).toBe(
      'MODEL_VERSION_NOT_FOUND',
    );
    const { inUse } = await list();
    expect((await refusalOf(await send(`${modelsUrl()}/${inUse}`, 'DELETE', asA), 409)).code).toBe('MODEL_NOT_DRAFT');
    expect((await refusalOf(await send(`${modelsUrl()}/2`, 'DELETE', asA), 409)).code).toBe('MODEL_NOT_DRAFT');
  });
});
