import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SCORE_JOB } from '../../../jobs/queues.ts';
import { accountOverrideSchema, overrideBodySchema } from '../../../server/contracts/health.ts';
import { listAudit } from '../../../server/platform/db/audit.ts';
import { testDatabases } from '../../support/databases.ts';
import { ADMIN_TOKEN, refusalOf, send, startHealthApp, type HealthApp } from './health-app.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

describe.each(testDatabases())('CSM override API on $name', (database) => {
  let app: HealthApp;
  let asA: Record<string, string>;
  let asB: Record<string, string>;

  const overrideUrl = (accountId: string, installationId = app.portal.installationId) =>
    `${app.url}/api/installations/${installationId}/accounts/${encodeURIComponent(accountId)}/override`;
  const inDays = (days: number) => new Date(app.clock.now + days * DAY).toISOString();

  async function read(accountId: string) {
    const response = await send(overrideUrl(accountId), 'GET', asA);
    expect(response.status).toBe(200);
    return accountOverrideSchema.parse(await response.json());
  }

  async function scoreJobsOf(installationId: string) {
    const jobs = await app.queues.get('score').getJobs(['waiting', 'delayed', 'prioritized']);
    return jobs
      .filter(
        (job) => job.name === SCORE_JOB && (job.data as { installationId?: unknown }).installationId === installationId,
      )
      .map((job) => job.data as Record<string, unknown>);
  }

  beforeAll(async () => {
    app = await startHealthApp(database);
    asA = { cookie: app.cookie };
    asB = { cookie: app.strangerCookie };
    await app.addAccounts(app.portal, ['acme', 'globex', 'initech', 'id/with slash']);
    await app.addAccounts(app.portal, ['archived-co'], true);
    await app.addAccounts(app.org, ['001ORG']);
    await app.addAccounts(app.stranger, ['stranger-co']);
  });
  afterAll(async () => {
    await app?.close();
  });

  it('sets an override, replaces it with the next one, and shows the current one and the history', async () => {
    expect(await read('acme')).toEqual({ current: null, history: [] });

    const first = await send(overrideUrl('acme'), 'PUT', asA, {
      band: 'red',
      reason: '  champion left; budget under review  ',
      expiresAt: inDays(30),
    });
    expect(first.status).toBe(200);
    const set = overrideBodySchema.parse(await first.json());
    expect(set).toMatchObject({
      accountId: 'acme',
      band: 'red',
      score: null,
      reason: 'champion left; budget under review',
      author: 'workspace session',
      setAt: new Date(app.clock.now).toISOString(),
      active: true,
      clearedAt: null,
    });
    const jobs = await scoreJobsOf(app.portal.installationId);
    expect(jobs).toEqual([{ ...app.portal, full: false, reason: 'override' }]);

    app.clock.now += HOUR;
    const second = overrideBodySchema.parse(
      await (
        await send(
          overrideUrl('acme'),
          'PUT',
          { authorization: `Bearer ${ADMIN_TOKEN}` },
          {
            score: 82,
            reason: 'exec sponsor renewed verbally',
            expiresAt: inDays(14),
          },
        )
      ).json(),
    );
    expect(second).toMatchObject({ score: 82, band: null, author: 'operator (admin token)', active: true });

    const { current, history } = await read('acme');
    expect(current?.id).toBe(second.id);
    expect(history.map((entry) => entry.id)).toEqual([second.id, set.id]);
    expect(history[1]).toMatchObject({
      clearedBy: 'operator (admin token)',
      clearedAt: new Date(app.clock.now).toISOString(),
      active: false,
    });

    const audit = await listAudit(app.handle.db, app.portal.workspaceId, { installationId: app.portal.installationId });
    const sets = audit.filter((event) => event.action === 'health_override.set');
    expect(sets.map((event) => [event.actor, event.details.overrideId, event.details.accountId])).toEqual([
      ['operator (admin token)', second.id, 'acme'],
      ['workspace session', set.id, 'acme'],
    ]);
    expect(sets[1]?.details).toMatchObject({ band: 'red', reason: 'champion left; budget under review' });
  });

  it('judges expiry when read: an expired override stays on record, no longer active', async () => {
    await send(overrideUrl('globex'), 'PUT', asA, {
      band: 'green',
      reason: 'pilot extended',
      expiresAt: new Date(app.clock.now + HOUR).toISOString(),
    });
    expect((await read('globex')).current?.active).toBe(true);
    app.clock.now += 2 * HOUR;
    const later = await read('globex');
    expect(later.current).toMatchObject({ band: 'green', active: false, clearedAt: null });
    expect(later.history).toHaveLength(1);
  });

  it('clears an override with who and when, audits it, rescores, and answers 404 when there is none', async () => {
    const set = overrideBodySchema.parse(
      await (
        await send(overrideUrl('initech'), 'PUT', asA, { band: 'yellow', reason: 'new CSM', expiresAt: inDays(5) })
      ).json(),
    );
    await app.queues.get('score').drain(true);
    const cleared = await send(overrideUrl('initech'), 'DELETE', asA);
    expect(cleared.status).toBe(200);
    expect(overrideBodySchema.parse(await cleared.json())).toMatchObject({
      id: set.id,
      clearedBy: 'workspace session',
      clearedAt: new Date(app.clock.now).toISOString(),
      active: false,
    });
    expect((await read('initech')).current).toBeNull();
    expect((await scoreJobsOf(app.portal.installationId)).map((job) => job.reason)).toEqual(['override']);
    const audit = await listAudit(app.handle.db, app.portal.workspaceId);
    expect(audit.find((event) => event.action === 'health_override.cleared')).toMatchObject({
      actor: 'workspace session',
      details: { accountId: 'initech', overrideId: set.id },
    });
    expect((await refusalOf(await send(overrideUrl('initech'), 'DELETE', asA), 404)).code).toBe('OVERRIDE_NOT_FOUND');
  });

  it('takes account ids as the CRM spells them', async () => {
    const response = await send(overrideUrl('id/with slash'), 'PUT', asA, {
      score: 10,
      reason: 'escalation open',
      expiresAt: inDays(1),
    });
    expect(response.status).toBe(200);
    expect((await read('id/with slash')).current?.accountId).toBe('id/with slash');
  });

  it.each([
    ['both a score and a band', { score: 50, band: 'red', reason: 'why not', expiresAt: 30 }, 'score'],
    ['neither a score nor a band', { reason: 'why not', expiresAt: 30 }, 'score'],
    ['a score above 100', { score: 120, reason: 'why not', expiresAt: 30 }, 'score'],
    ['an unknown band', { band: 'amber', reason: 'why not', expiresAt: 30 }, 'band'],
    ['no reason', { band: 'red', expiresAt: 30 }, 'reason'],
    ['a blank reason', { band: 'red', reason: '   ', expiresAt: 30 }, 'reason'],
    ['an expiry in the past', { band: 'red', reason: 'why not', expiresAt: -1 }, 'expiresAt'],
    ['an expiry over a year ahead', { band: 'red', reason: 'why not', expiresAt: 366 }, 'expiresAt'],
    ['an expiry that is no instant', { band: 'red', reason: 'why not', expiresAt: 'next week' }, 'expiresAt'],
    ['an unknown field', { band: 'red', reason: 'why not', expiresAt: 30, author: 'me' }, '(root)'],
  ])('refuses an override with %s, saying where (400)', async (_, body, path) => {
    const expiresAt = typeof body.expiresAt === 'number' ? inDays(body.expiresAt) : body.expiresAt;
    const refused = await refusalOf(await send(overrideUrl('acme'), 'PUT', asA, { ...body, expiresAt }), 400);
    expect(refused.code).toBe('VALIDATION_FAILED');
    expect(refused.issues?.map((issue) => issue.path)).toEqual([path]);
  });

  it('refuses an override that is not JSON', async () => {
    const response = await fetch(overrideUrl('acme'), {
      method: 'PUT',
      headers: { ...asA, 'content-type': 'text/plain' },
      body: 'band=red',
    });
    expect((await refusalOf(response, 415)).code).toBe('JSON_REQUIRED');
  });

  it('answers the same 404 for an unknown, archived or other installation’s account, and stores nothing', async () => {
    const body = { band: 'red', reason: 'probe', expiresAt: inDays(3) };
    const answers = [];
    for (const [accountId, installationId] of [
      ['nobody', app.portal.installationId],
      ['archived-co', app.portal.installationId],
      ['001ORG', app.portal.installationId],
      ['stranger-co', app.portal.installationId],
      ['acme', app.org.installationId],
    ] as const) {
      for (const method of ['PUT', 'GET'] as const) {
        const refused = await refusalOf(
          await send(overrideUrl(accountId, installationId), method, asA, method === 'PUT' ? body : undefined),
          404,
        );
        answers.push([refused.code, refused.message]);
      }
    }
    expect(new Set(answers.map((answer) => JSON.stringify(answer)))).toEqual(
      new Set([JSON.stringify(['ACCOUNT_NOT_FOUND', 'No such account in this installation'])]),
    );
    // Another workspace's session does not even find the installation.
    expect((await refusalOf(await send(overrideUrl('acme'), 'PUT', asB, body), 404)).code).toBe(
      'INSTALLATION_NOT_FOUND',
    );
    expect((await refusalOf(await send(overrideUrl('acme'), 'DELETE', asB), 404)).code).toBe('INSTALLATION_NOT_FOUND');
    const own = overrideUrl('acme', app.stranger.installationId);
    expect((await refusalOf(await send(own, 'DELETE', asB), 404)).code).toBe('OVERRIDE_NOT_FOUND');
    expect((await read('acme')).current?.reason).toBe('exec sponsor renewed verbally');
    const audit = await listAudit(app.handle.db, app.stranger.workspaceId);
    expect(audit.filter((event) => event.action.startsWith('health_override.'))).toEqual([]);
  });
});
