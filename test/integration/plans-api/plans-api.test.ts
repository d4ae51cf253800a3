import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorBodySchema } from '../../../server/contracts/health.ts';
import { DEFAULT_STAGE_RULES } from '../../../server/core/plans/stages.ts';
import {
  accountPlansBodySchema,
  noteBodySchema,
  planBodySchema,
  planSettingsBodySchema,
  type PlanBody,
} from '../../../server/contracts/plans.ts';
import { listAudit } from '../../../server/platform/db/audit.ts';
import { testDatabases } from '../../support/databases.ts';
import { DAY, openPlansWorld, SIGNED_IN_EMAIL, T0, template, sender, type PlansWorld } from './support.ts';

/**
 * The success-plan API over HTTP: an account's plans with its stage and the numbers in words, one
 * plan, a plan made by hand, milestones, notes, closing and the stage rules and templates; each write
 * audited, each error with its status and path, and nothing of workspace B reachable from A.
 */

const ACTOR = `HubSpot user ${SIGNED_IN_EMAIL}`;

describe.each(testDatabases())('success plan API on $name', (database) => {
  let world: PlansWorld;
  let send: ReturnType<typeof sender>;
  const base = () => `/api/installations/${world.a.installationId}`;
  const planPath = (id = world.acmePlan.id) => `${base()}/plans/${id}`;
  const audits = async (action: string) =>
    (await listAudit(world.db, world.a.workspaceId, { installationId: world.a.installationId })).filter(
      (event) => event.action === action,
    );
  const errorOf = async (response: Response, status: number) => {
    expect(response.status).toBe(status);
    return errorBodySchema.parse(await response.json()).error;
  };
  const planOf = async (response: Response, status = 200): Promise<PlanBody> => {
    expect(response.status).toBe(status);
    return planBodySchema.parse(await response.json());
  };

  beforeAll(async () => {
    world = await openPlansWorld(database);
    send = sender(world);
  });
  afterAll(async () => {
    await world?.close();
  });

  describe('reading', () => {
    it("lists an account's plans with its stage, days in stage, readings in words and owners by name", async () => {
      const response = await send('GET', `${base()}/accounts/acme-1/plans`);
      expect(response.status).toBe(200);
      expect(response.headers.get('cache-control')).toBe('no-store');
      const body = accountPlansBodySchema.parse(await response.json());
      expect(body.accountName).toBe('Acme <b>Corp</b> & "Sons"');
      expect(body.stage).toEqual({
        stage: 'onboarding',
        label: 'Onboarding',
        reason: 'Onboarding: day 1 of 90',
        enteredAt: new Date(T0 - 3 * DAY).toISOString(),
        daysInStage: 3,
      });
      expect(body.plans).toHaveLength(1);
      const [plan] = body.plans;
      expect(plan).toMatchObject({
        id: world.acmePlan.id,
        name: 'Enterprise onboarding',
        templateKey: 'enterprise_onboarding',
        stage: 'onboarding',
        stageLabel: 'Onboarding',
        status: 'active',
        origin: 'stage',
        createdBy: 'system',
      });
      const [users, features, nps] = plan!.objectives;
      expect(users).toMatchObject({
        key: 'active_users',
        status: 'on_track',
        statusLabel: 'On track',
        value: 0.42,
        valueText: '42% of licences',
        target: 0.6,
        targetText: '≥ 60% of licences',
        expected: 0.3,
        expectedText: '30% of licences',
        progress: 0.35,
        dueAt: new Date(T0 - 3 * DAY + 90 * DAY).toISOString(),
      });
      expect(features).toMatchObject({ status: 'behind', valueText: '2.0 features', targetText: '≥ 3.0 features' });
      expect(nps).toMatchObject({ status: 'no_data', value: null, valueText: null, targetText: '≥ 8 out of 10' });
      const milestones = Object.fromEntries(plan!.milestones.map((one) => [one.key, one]));
      expect(milestones.kickoff).toMatchObject({
        status: 'upcoming',
        owner: { id: 'u-casey', name: 'Casey Chen' },
        reachedAt: null,
        condition: null,
      });
      expect(milestones.first_users).toMatchObject({
        status: 'reached',
        reachedBy: 'signal',
        reachedAt: new Date(T0 - DAY).toISOString(),
        condition: { comparator: 'gte', target: 0.05, text: '≥ 5% of licences' },
      });
      expect(plan!.notes.map((note) => note.body)).toEqual(['Internal: sponsor is sceptical about the rollout']);
    });

    it('answers an account without plans or stage, and 404 for an account it does not hold', async () => {
      const globex = accountPlansBodySchema.parse(
        await (await send('GET', `${base()}/accounts/globex-2/plans`)).json(),
      );
      expect(globex).toEqual({ accountId: 'globex-2', accountName: 'Globex Industries', stage: null, plans: [] });
      expect((await errorOf(await send('GET', `${base()}/accounts/nobody/plans`), 404)).code).toBe('ACCOUNT_NOT_FOUND');
      // B's account, through A's installation.
      expect((await errorOf(await send('GET', `${base()}/accounts/bravo-9/plans`), 404)).code).toBe(
        'ACCOUNT_NOT_FOUND',
      );
    });

    it('reads one plan, and never one of another installation', async () => {
      const plan = await planOf(await send('GET', planPath()));
      expect(plan.objectives.map((one) => one.key)).toEqual(['active_users', 'features_live', 'sponsor_nps']);
      expect((await errorOf(await send('GET', planPath(world.bravoPlan.id)), 404)).code).toBe('PLAN_NOT_FOUND');
      expect((await errorOf(await send('GET', planPath('not-a-plan')), 404)).code).toBe('PLAN_NOT_FOUND');
      // B's installation with A's session, and B's own plan with B's session.
      const asAInB = await send('GET', `/api/installations/${world.b.installationId}/plans/${world.bravoPlan.id}`);
      expect((await errorOf(asAInB, 404)).code).toBe('INSTALLATION_NOT_FOUND');
      const asB = await send(
        'GET',
        `/api/installations/${world.b.installationId}/plans/${world.bravoPlan.id}`,
        undefined,
        world.asB(),
      );
      expect((await planOf(asB)).accountId).toBe('bravo-9');
    });

    it('asks for a session', async () => {
      expect((await errorOf(await send('GET', planPath(), undefined, {}), 401)).code).toBe('SESSION_REQUIRED');
    });
  });

  describe('making a plan by hand', () => {
    it('makes one from a template, named for the user, audited', async () => {
      const plan = await planOf(
        await send('POST', `${base()}/accounts/globex-2/plans`, { templateKey: 'adoption' }),
        201,
      );
      expect(plan).toMatchObject({
        accountId: 'globex-2',
        templateKey: 'adoption',
        stage: 'adoption',
        origin: 'manual',
        createdBy: ACTOR,
        status: 'active',
        startedAt: new Date(T0).toISOString(),
      });
      expect(plan.objectives.map((one) => one.key)).toEqual(template('adoption').objectives.map((one) => one.key));
      // Globex has no CSM: its CSM milestones go to the account's owner.
      expect(plan.milestones[0]!.owner).toEqual({ id: 'u-owen', name: 'Owen Park' });
      const [audit] = await audits('success_plan.created');
      expect(audit).toMatchObject({
        actor: ACTOR,
        details: { planId: plan.id, accountId: 'globex-2', templateKey: 'adoption' },
      });

      const again = await send('POST', `${base()}/accounts/globex-2/plans`, { templateKey: 'adoption' });
      expect((await errorOf(again, 409)).code).toBe('PLAN_EXISTS');
    });

    it('refuses an unknown template (422), an unknown or archived account (404) and a bad body (400 with paths)', async () => {
      const unknown = await errorOf(
        await send('POST', `${base()}/accounts/globex-2/plans`, { templateKey: 'moon_landing' }),
        422,
      );
      expect(unknown.code).toBe('TEMPLATE_NOT_FOUND');
      expect(unknown.issues?.map((issue) => issue.path)).toEqual(['$.templateKey']);
      for (const account of ['nobody', 'gone-3', 'bravo-9']) {
        const response = await send('POST', `${base()}/accounts/${account}/plans`, { templateKey: 'adoption' });
        expect((await errorOf(response, 404)).code).toBe('ACCOUNT_NOT_FOUND');
      }
      const bad = await errorOf(
        await send('POST', `${base()}/accounts/globex-2/plans`, { templateKey: 7, extra: true }),
        400,
      );
      expect(bad.issues?.map((issue) => issue.path).sort()).toEqual(['(root)', 'templateKey']);
      const form = await fetch(`${world.url}${base()}/accounts/globex-2/plans`, {
        method: 'POST',
        headers: { ...world.asA(), 'content-type': 'application/x-www-form-urlencoded' },
        body: 'templateKey=adoption',
      });
      expect((await errorOf(form, 415)).code).toBe('JSON_REQUIRED');
    });
  });

  describe('milestones', () => {
    const milestone = (plan: PlanBody, key: string) => plan.milestones.find((one) => one.key === key)!;
    const patch = (key: string, body: unknown, headers = world.asA()) =>
      send('PATCH', `${planPath()}/milestones/${key}`, body, headers);

    it('marks one reached by the user and not reached again, audited', async () => {
      const reached = await planOf(await patch('kickoff', { reached: true }));
      expect(milestone(reached, 'kickoff')).toMatchObject({
        status: 'reached',
        reachedBy: ACTOR,
        reachedAt: new Date(T0).toISOString(),
      });
      const cleared = await planOf(await patch('kickoff', { reached: false }));
      expect(milestone(cleared, 'kickoff')).toMatchObject({ status: 'upcoming', reachedBy: null, reachedAt: null });
      expect((await audits('plan_milestone.updated')).map((event) => event.details.reached).sort()).toEqual([
        'marked',
        'unmarked',
      ]);
    });

    it('marks a milestone with a signal condition by hand, and keeps the date a signal reached one on', async () => {
      const marked = await planOf(await patch('first_department', { reached: true }));
      expect(milestone(marked, 'first_department')).toMatchObject({ status: 'reached', reachedBy: ACTOR });
      expect(milestone(marked, 'first_department').condition).not.toBeNull();
      const kept = await planOf(await patch('first_users', { reached: true }));
      expect(milestone(kept, 'first_users')).toMatchObject({
        reachedBy: 'signal',
        reachedAt: new Date(T0 - DAY).toISOString(),
      });
      const audited = await audits('plan_milestone.updated');
      expect(audited.filter((event) => event.details.milestone === 'first_users')).toEqual([]);
    });

    it('moves the due date (a day is due until its end), changes the owner and the title', async () => {
      const moved = await planOf(await patch('success_review', { dueAt: '2026-08-31', title: 'Review  ' }));
      expect(milestone(moved, 'success_review')).toMatchObject({
        dueAt: '2026-08-31T23:59:59.999Z',
        status: 'overdue',
        title: 'Review',
      });
      const owned = await planOf(await patch('success_review', { ownerExternalId: 'u-owen' }));
      expect(milestone(owned, 'success_review').owner).toEqual({ id: 'u-owen', name: 'Owen Park' });
      const nobody = await planOf(await patch('success_review', { ownerExternalId: null }));
      expect(milestone(nobody, 'success_review').owner).toBeNull();
      const instant = await planOf(await patch('success_review', { dueAt: '2026-12-01T09:30:00.000Z' }));
      expect(milestone(instant, 'success_review')).toMatchObject({
        dueAt: '2026-12-01T09:30:00.000Z',
        status: 'upcoming',
      });
      const audit = (await audits('plan_milestone.updated')).find((event) => event.details.title === 'Review');
      expect(audit?.details).toMatchObject({ milestone: 'success_review', dueAt: '2026-08-31T23:59:59.999Z' });
    });

    it('refuses a bad body with paths, an unknown or inactive owner, an unknown milestone and plans of B', async () => {
      const bad = await errorOf(await patch('kickoff', { dueAt: 'tomorrow', reached: 'yes' }), 400);
      expect(bad.issues?.map((issue) => issue.path).sort()).toEqual(['dueAt', 'reached']);
      const empty = await errorOf(await patch('kickoff', {}), 400);
      expect(empty.issues?.[0]?.message).toContain('at least one');
      for (const owner of ['u-nobody', 'u-left', 'u-bee']) {
        const refused = await errorOf(await patch('kickoff', { ownerExternalId: owner }), 422);
        expect(refused).toMatchObject({ code: 'UNKNOWN_OWNER', issues: [{ path: '$.ownerExternalId' }] });
      }
      expect((await errorOf(await patch('no_such_step', { reached: true }), 404)).code).toBe('MILESTONE_NOT_FOUND');
      expect((await errorOf(await patch('Bad Key!', { reached: true }), 404)).code).toBe('MILESTONE_NOT_FOUND');
      const other = await send('PATCH', `${planPath(world.bravoPlan.id)}/milestones/kickoff`, { reached: true });
      expect((await errorOf(other, 404)).code).toBe('PLAN_NOT_FOUND');
      const bravo = await world.store.plan(world.b, world.bravoPlan.id);
      expect(bravo!.milestones.find((one) => one.key === 'kickoff')!.reachedAt).toBeNull();
    });
  });

  describe('notes and closing', () => {
    it('adds a note by the user, audited without its text', async () => {
      const response = await send('POST', `${planPath()}/notes`, { body: '  Kickoff moved to the 9th.  ' });
      expect(response.status).toBe(201);
      const note = noteBodySchema.parse(await response.json());
      expect(note).toMatchObject({ author: ACTOR, body: 'Kickoff moved to the 9th.' });
      const plan = await planOf(await send('GET', planPath()));
      expect(plan.notes[0]).toEqual(note);
      const [audit] = await audits('plan_note.added');
      expect(audit!.details).toEqual({
        planId: world.acmePlan.id,
        accountId: 'acme-1',
        noteId: note.id,
        length: 'Kickoff moved to the 9th.'.length,
      });
    });

    it('refuses an empty or too long note, and notes on B’s plan', async () => {
      expect((await errorOf(await send('POST', `${planPath()}/notes`, { body: '   ' }), 400)).issues?.[0]?.path).toBe(
        'body',
      );
      const long = await send('POST', `${planPath()}/notes`, { body: 'x'.repeat(10_001) });
      expect((await errorOf(long, 400)).issues?.[0]?.path).toBe('body');
      const edge = await send('POST', `${planPath()}/notes`, { body: 'y'.repeat(10_000) });
      expect(edge.status).toBe(201);
      const other = await send('POST', `${planPath(world.bravoPlan.id)}/notes`, { body: 'hello' });
      expect((await errorOf(other, 404)).code).toBe('PLAN_NOT_FOUND');
    });

    it('closes a plan once; a closed plan keeps its milestones as they were', async () => {
      const globex = accountPlansBodySchema.parse(
        await (await send('GET', `${base()}/accounts/globex-2/plans`)).json(),
      );
      const id = globex.plans[0]!.id;
      const closed = await planOf(await send('POST', `${planPath(id)}/close`));
      expect(closed).toMatchObject({ status: 'closed', closedAt: new Date(T0).toISOString() });
      expect((await errorOf(await send('POST', `${planPath(id)}/close`), 409)).code).toBe('PLAN_CLOSED');
      const key = closed.milestones[0]!.key;
      const patched = await send('PATCH', `${planPath(id)}/milestones/${key}`, { reached: true });
      expect((await errorOf(patched, 409)).code).toBe('PLAN_CLOSED');
      expect(await audits('success_plan.closed')).toHaveLength(1);
      expect((await errorOf(await send('POST', `${planPath(world.bravoPlan.id)}/close`), 404)).code).toBe(
        'PLAN_NOT_FOUND',
      );
      expect((await world.store.plan(world.b, world.bravoPlan.id))!.status).toBe('active');
      // Now closed, the account may get a plan of the same template again.
      const again = await send('POST', `${base()}/accounts/globex-2/plans`, { templateKey: 'adoption' });
      expect(again.status).toBe(201);
    });
  });

  describe('stage rules and templates', () => {
    const settingsPath = () => `${base()}/plan-settings`;
    const scoreJobs = async () => {
      const jobs = await world.queues.get('score').getJobs(['waiting', 'delayed', 'prioritized', 'active']);
      return jobs.filter((job) => job.data.installationId === world.a.installationId);
    };
    const custom = (key: string, segment: string | null, target: unknown = 0.7) => ({
      key,
      name: `Plan ${key}`,
      stage: 'onboarding',
      segment,
      objectives: [
        {
          key: 'active_users',
          title: 'Most licences in use',
          metric: { kind: 'signal', signal: 'usage.active_user_ratio', windowDays: 28, aggregation: 'mean' },
          comparator: 'gte',
          target,
          dueDays: 60,
        },
      ],
      milestones: [{ key: 'kickoff', title: 'Kickoff', dueDays: 7 }],
    });

    it('shows the shipped defaults until an admin saves', async () => {
      const response = await send('GET', settingsPath());
      expect(response.status).toBe(200);
      const body = planSettingsBodySchema.parse(await response.json());
      expect(body).toMatchObject({
        version: 0,
        source: { stageRules: 'defaults', templates: 'defaults' },
        stageRules: DEFAULT_STAGE_RULES,
        updatedAt: null,
        problems: [],
      });
      expect(body.templates).toEqual(body.defaults.templates);
    });

    it('refuses settings with problems (422, each at its path) and saves nothing', async () => {
      const refused = await errorOf(
        await send('PUT', settingsPath(), {
          stageRules: { onboardingDays: 0, atRiskBands: ['purple'] },
          templates: [custom('first', 'enterprise'), custom('second', 'smb'), custom('third', null, 'high')],
        }),
        422,
      );
      expect(refused.code).toBe('INVALID_PLAN_SETTINGS');
      expect(refused.issues?.map((issue) => issue.path)).toEqual([
        '$.stageRules.onboardingDays',
        '$.stageRules.atRiskBands[0]',
        '$.templates[2].objectives[0].target',
      ]);
      const clash = await errorOf(
        await send('PUT', settingsPath(), {
          templates: [custom('first', 'Enterprise'), custom('second', 'enterprise')],
        }),
        422,
      );
      expect(clash.issues).toEqual([{ path: '$.templates[1].segment', message: expect.stringContaining('"first"') }]);
      const shape = await errorOf(await send('PUT', settingsPath(), { templates: {}, colour: 'red' }), 400);
      expect(shape.issues?.map((issue) => issue.path).sort()).toEqual(['(root)', 'templates']);
      expect((await errorOf(await send('PUT', settingsPath(), {}), 400)).issues?.[0]?.message).toContain(
        'stageRules, templates or both',
      );
      expect(await world.store.settings(world.a)).toBeNull();
      expect(await audits('plan_settings.saved')).toHaveLength(0);
      expect(await scoreJobs()).toHaveLength(0);
    });

    it('saves rules and templates, audits, rescores the installation in full, and uses them', async () => {
      const response = await send('PUT', settingsPath(), {
        stageRules: { onboardingDays: 120 },
        templates: [custom('first', 'enterprise'), custom('anyone', null)],
      });
      expect(response.status).toBe(200);
      const body = planSettingsBodySchema.parse(await response.json());
      expect(body).toMatchObject({
        version: 1,
        source: { stageRules: 'saved', templates: 'saved' },
        stageRules: { ...DEFAULT_STAGE_RULES, onboardingDays: 120 },
        updatedBy: ACTOR,
      });
      expect(body.templates.map((one) => (one as { key: string }).key)).toEqual(['first', 'anyone']);
      const jobs = await scoreJobs();
      expect(jobs.map((job): unknown => job.data)).toEqual([
        { workspaceId: world.a.workspaceId, installationId: world.a.installationId, full: true, reason: 'plans' },
      ]);
      expect(body.scoreJobId).toBe(jobs[0]!.id);
      const [audit] = await audits('plan_settings.saved');
      expect(audit).toMatchObject({ actor: ACTOR, details: { version: 1, stageRules: 'saved', templates: 'saved' } });

      // The saved templates are the ones a plan is made from; the shipped ones are gone.
      const made = await planOf(
        await send('POST', `${base()}/accounts/globex-2/plans`, { templateKey: 'anyone' }),
        201,
      );
      expect(made.objectives[0]).toMatchObject({ targetText: '≥ 70% of licences' });
      const gone = await send('POST', `${base()}/accounts/acme-1/plans`, { templateKey: 'renewal' });
      expect((await errorOf(gone, 422)).code).toBe('TEMPLATE_NOT_FOUND');
      // B's settings are untouched.
      const b = planSettingsBodySchema.parse(
        await (
          await send('GET', `/api/installations/${world.b.installationId}/plan-settings`, undefined, world.asB())
        ).json(),
      );
      expect(b.version).toBe(0);
    });

    it('puts the shipped defaults back with null', async () => {
      const response = await send('PUT', settingsPath(), { templates: null });
      const body = planSettingsBodySchema.parse(await response.json());
      expect(body).toMatchObject({
        version: 2,
        source: { stageRules: 'saved', templates: 'defaults' },
        stageRules: { onboardingDays: 120 },
      });
      expect(body.templates).toEqual(body.defaults.templates);
      const latest = (await audits('plan_settings.saved')).find((event) => event.details.version === 2);
      expect(latest!.details).toEqual({ version: 2, stageRules: 'unchanged', templates: 'defaults' });
    });

    it('keeps B from A’s settings', async () => {
      const response = await send('PUT', `/api/installations/${world.b.installationId}/plan-settings`, {
        templates: null,
      });
      expect((await errorOf(response, 404)).code).toBe('INSTALLATION_NOT_FOUND');
    });
  });
});
