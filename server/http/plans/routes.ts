import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { enqueueScore } from '../../../jobs/queues.ts';
import { planFromTemplate, validateTemplates, type PlanDraft } from '../../core/plans/plan-model.ts';
import { validateStageRules } from '../../core/plans/stages.ts';
import { recordAudit } from '../../platform/db/audit.ts';
import type { Database } from '../../platform/db/database.ts';
import { accountNotFound } from '../../platform/db/override-store.ts';
import { planShareStore } from '../../platform/db/plan-share.ts';
import { planStore, type NewPlan, type PlanWithParts } from '../../platform/db/plan-store.ts';
import type { InstallationKey } from '../../platform/db/sync-store.ts';
import { AppError } from '../../platform/errors.ts';
import { createRateLimiter, type RateLimitRule } from '../../platform/rate-limit.ts';
import { isScored, requireJson } from '../health/deps.ts';
import { accountParam } from '../health/overrides.ts';
import { viewerActor } from '../ingest/keys.ts';
import { installationFor } from '../install/access.ts';
import { readSession } from '../install/cookies.ts';
import { installContext, type InstallDeps } from '../install/deps.ts';
import {
  createPlanRequestSchema,
  milestoneChangeSchema,
  noteRequestSchema,
  planKeySchema,
  planSettingsRequestSchema,
  shareRequestSchema,
  type AccountPlansBody,
  type NewShareLinkBody,
  type PlanSettingsBody,
  type ShareLinksBody,
} from '../../contracts/plans.ts';
import { milestoneOwners, noteBody, planBody, shareLinkBody, stageBody } from './present.ts';
import { planSettingsBody, planSettingsOf, underPart, type Problem } from './settings.ts';
import {
  newNonce,
  setSharedPageHeaders,
  sharedBusyPage,
  sharedErrorPage,
  sharedNotFoundPage,
  sharedPlanPage,
} from './shared-page.ts';
import { hashShareToken, isShareToken, newShareToken } from './share-token.ts';

/**
 * Success plans for people signed in to the workspace, under the installation they may see (another
 * workspace's installation, plan or link does not exist: 404): an account's plans with its stage,
 * one plan, a plan made by hand from a template, milestones marked and moved, notes, closing, the
 * stage rules and templates (a saved change rescores the installation), and customer share links.
 * Every write is audited. `/shared/plans/:token` is the customer's read-only page, without a session.
 */

export interface PlansDeps {
  db: Database;
  /** Openings of share links per client address; the default suits a team behind one office address. */
  sharedPageLimit?: RateLimitRule;
}

export const SHARED_PAGE_LIMIT: RateLimitRule = { name: 'shared-plan', limit: 120, windowMs: 60_000 };

const CRM = { hubspot: 'HubSpot', salesforce: 'Salesforce' } as const;
const DAY_MS = 86_400_000;

const planNotFound = () => new AppError(404, 'PLAN_NOT_FOUND', 'No such plan in this installation');
const milestoneNotFound = () => new AppError(404, 'MILESTONE_NOT_FOUND', 'No such milestone in this plan');
const linkNotFound = () => new AppError(404, 'SHARE_LINK_NOT_FOUND', 'No such share link for this plan');
const planClosed = () => new AppError(409, 'PLAN_CLOSED', 'This plan is closed; its milestones no longer change');

const uuid = z.uuid();

/** 422: the request is well formed but names what cannot be used; every problem at its JSONPath. */
function sendUnprocessable(req: Request, res: Response, code: string, message: string, issues: readonly Problem[]) {
  res.status(422).json({
    error: {
      code,
      message,
      ...(typeof req.id === 'string' ? { requestId: req.id } : {}),
      issues: issues.map(({ path, message: text }) => ({ path, message: text })),
    },
  });
}

/** JSON when there is a body; a request without one (close, a link with the default expiry) needs none. */
function jsonIfBody(req: Request): void {
  const length = req.headers['content-length'];
  const hasBody = req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
  if (hasBody) requireJson(req);
}

/** A due day counts until its end (UTC); an instant is taken as sent. */
const dueInstant = (value: string) =>
  new Date(value.length === 10 ? Date.parse(value) + DAY_MS - 1 : Date.parse(value));

function newPlanOf(draft: PlanDraft, accountExternalId: string, startedAt: Date, createdBy: string): NewPlan {
  return {
    accountExternalId,
    name: draft.name,
    templateKey: draft.templateKey,
    stage: draft.stage,
    stageEntryId: null,
    startedAt,
    createdBy,
    objectives: draft.objectives.map((objective) => ({
      ...objective,
      startAt: new Date(objective.startAt),
      dueAt: new Date(objective.dueAt),
    })),
    milestones: draft.milestones.map((milestone) => ({ ...milestone, dueAt: new Date(milestone.dueAt) })),
  };
}

export function plansRouter(deps: PlansDeps, install: InstallDeps): Router {
  const router = Router();
  const ctx = installContext(install);
  const store = planStore(deps.db);
  const share = planShareStore(deps.db);
  const limiter = createRateLimiter(ctx.queues.redis);
  const pageLimit = deps.sharedPageLimit ?? SHARED_PAGE_LIMIT;

  const caller = async (req: Request) => {
    const { installation, viewer } = await installationFor(req, ctx, req.params.id);
    const user = viewer.kind === 'session' ? readSession(req, ctx.cookies)?.user : undefined;
    return {
      installation,
      key: { workspaceId: installation.workspaceId, installationId: installation.id } satisfies InstallationKey,
      // A user who signed in through the CRM is named; a session from installing is the workspace's.
      actor: user ? `${CRM[user.provider]} user ${user.email ?? user.name ?? user.userId}` : viewerActor(viewer),
    };
  };

  const planOf = async (key: InstallationKey, raw: unknown): Promise<PlanWithParts> => {
    const id = uuid.safeParse(raw);
    const plan = id.success ? await store.plan(key, id.data) : null;
    if (!plan) throw planNotFound();
    return plan;
  };

  const bodiesOf = async (key: InstallationKey, plans: PlanWithParts[], at: number) => {
    const [names, notes] = await Promise.all([
      share.ownerNames(key, milestoneOwners(plans)),
      Promise.all(plans.map((plan) => store.notes(key, plan.id))),
    ]);
    return plans.map((plan, index) => planBody(plan, notes[index] ?? [], at, names));
  };
  const sendPlan = async (res: Response, key: InstallationKey, planId: string, status = 200) => {
    const plan = await store.plan(key, planId);
    if (!plan) throw planNotFound();
    const [body] = await bodiesOf(key, [plan], ctx.now());
    res.setHeader('Cache-Control', 'no-store');
    res.status(status).json(body);
  };

  const accountPlans = '/api/installations/:id/accounts/:accountId/plans';
  const onePlan = '/api/installations/:id/plans/:planId';

  router.get(accountPlans, async (req, res) => {
    const { key } = await caller(req);
    const accountId = accountParam(req);
    const [account, plans, stays] = await Promise.all([
      share.account(key, accountId),
      store.plansOf(key, accountId),
      store.currentStages(key, [accountId]),
    ]);
    // An account gone from the CRM keeps its plans readable.
    if (!account && plans.length === 0) throw accountNotFound();
    const at = ctx.now();
    const stay = stays.get(accountId);
    res.setHeader('Cache-Control', 'no-store');
    res.json({
      accountId,
      accountName: account?.name ?? null,
      stage: stay ? stageBody(stay, at) : null,
      plans: await bodiesOf(key, plans, at),
    } satisfies AccountPlansBody);
  });

  router.post(accountPlans, async (req, res) => {
    requireJson(req);
    const { key, actor } = await caller(req);
    const accountId = accountParam(req);
    const body = createPlanRequestSchema.parse(req.body ?? {});
    const account = await share.account(key, accountId);
    if (!account || account.archived) throw accountNotFound();
    const { templates } = await planSettingsOf(store, key);
    const template = templates.find((one) => one.key === body.templateKey);
    if (!template) {
      const known = templates.map((one) => one.key).join(', ') || 'none';
      sendUnprocessable(req, res, 'TEMPLATE_NOT_FOUND', `No plan template "${body.templateKey}" in this installation`, [
        { path: '$.templateKey', message: `not one of this installation's templates (${known})` },
      ]);
      return;
    }
    const at = ctx.now();
    const draft = planFromTemplate(template, {
      startAt: at,
      csmId: account.csmExternalId,
      ownerId: account.ownerExternalId,
    });
    const [made] = await store.createPlans(key, [newPlanOf(draft, accountId, new Date(at), actor)], new Date(at));
    if (!made) {
      throw new AppError(
        409,
        'PLAN_EXISTS',
        `The account already has an active plan from template "${template.key}"; close it before making another`,
      );
    }
    await recordAudit(deps.db, {
      ...key,
      actor,
      action: 'success_plan.created',
      details: { planId: made.id, accountId, templateKey: template.key },
    });
    await sendPlan(res, key, made.id, 201);
  });

  router.get(onePlan, async (req, res) => {
    const { key } = await caller(req);
    const plan = await planOf(key, req.params.planId);
    const [body] = await bodiesOf(key, [plan], ctx.now());
    res.setHeader('Cache-Control', 'no-store');
    res.json(body);
  });

  router.patch(`${onePlan}/milestones/:key`, async (req, res) => {
    requireJson(req);
    const { key, actor } = await caller(req);
    const plan = await planOf(key, req.params.planId);
    const milestoneKey = planKeySchema.safeParse(req.params.key);
    const milestone = milestoneKey.success ? plan.milestones.find((one) => one.key === milestoneKey.data) : undefined;
    if (!milestone) throw milestoneNotFound();
    const change = milestoneChangeSchema.parse(req.body ?? {});
    if (plan.status === 'closed') throw planClosed();
    if (change.ownerExternalId != null && !(await share.activeOwner(key, change.ownerExternalId))) {
      sendUnprocessable(req, res, 'UNKNOWN_OWNER', 'The owner is not an active user of this CRM', [
        { path: '$.ownerExternalId', message: `no active CRM user ${change.ownerExternalId} in this installation` },
      ]);
      return;
    }
    const edit: { title?: string; dueAt?: Date; ownerExternalId?: string | null } = {};
    if (change.title !== undefined) edit.title = change.title;
    if (change.dueAt !== undefined) edit.dueAt = dueInstant(change.dueAt);
    if (change.ownerExternalId !== undefined) edit.ownerExternalId = change.ownerExternalId;
    if (Object.keys(edit).length > 0) await store.updateMilestone(key, plan.id, milestone.key, edit);
    // Marking reached keeps the first date it was reached on, whether a person or a signal reached it.
    let reached: 'marked' | 'unmarked' | undefined;
    if (change.reached === true && milestone.reachedAt === null) {
      await store.markMilestone(key, plan.id, milestone.key, { at: new Date(ctx.now()), by: actor });
      reached = 'marked';
    } else if (change.reached === false && milestone.reachedAt !== null) {
      await store.markMilestone(key, plan.id, milestone.key, null);
      reached = 'unmarked';
    }
    // Marking a reached milestone reached again changes nothing, and records nothing.
    const changed = Object.keys(edit).length > 0 || reached !== undefined;
    if (changed)
      await recordAudit(deps.db, {
        ...key,
        actor,
        action: 'plan_milestone.updated',
        details: {
          planId: plan.id,
          accountId: plan.accountExternalId,
          milestone: milestone.key,
          ...(edit.title !== undefined ? { title: edit.title } : {}),
          ...(edit.dueAt !== undefined ? { dueAt: edit.dueAt.toISOString() } : {}),
          ...(edit.ownerExternalId !== undefined ? { ownerExternalId: edit.ownerExternalId } : {}),
          ...(reached ? { reached } : {}),
        },
      });
    await sendPlan(res, key, plan.id);
  });

  router.post(`${onePlan}/notes`, async (req, res) => {
    requireJson(req);
    const { key, actor } = await caller(req);
    const plan = await planOf(key, req.params.planId);
    const { body } = noteRequestSchema.parse(req.body ?? {});
    const note = await store.addNote(key, plan.id, actor, body, new Date(ctx.now()));
    await recordAudit(deps.db, {
      ...key,
      actor,
      action: 'plan_note.added',
      details: { planId: plan.id, accountId: plan.accountExternalId, noteId: note.id, length: body.length },
    });
    res.status(201).json(noteBody(note));
  });

  router.post(`${onePlan}/close`, async (req, res) => {
    jsonIfBody(req);
    const { key, actor } = await caller(req);
    const plan = await planOf(key, req.params.planId);
    if (!(await store.closePlan(key, plan.id, new Date(ctx.now())))) {
      throw new AppError(409, 'PLAN_CLOSED', 'This plan is already closed');
    }
    await recordAudit(deps.db, {
      ...key,
      actor,
      action: 'success_plan.closed',
      details: { planId: plan.id, accountId: plan.accountExternalId },
    });
    await sendPlan(res, key, plan.id);
  });

  const settingsPath = '/api/installations/:id/plan-settings';

  router.get(settingsPath, async (req, res) => {
    const { key } = await caller(req);
    res.setHeader('Cache-Control', 'no-store');
    res.json(planSettingsBody(await planSettingsOf(store, key)) satisfies PlanSettingsBody);
  });

  router.put(settingsPath, async (req, res) => {
    requireJson(req);
    const { installation, key, actor } = await caller(req);
    const body = planSettingsRequestSchema.parse(req.body ?? {});
    const problems: Problem[] = [];
    const parts: { stageRules?: unknown; templates?: unknown } = {};
    if (body.stageRules !== undefined) {
      // Stored as sent: a rule left out follows the shipped default, also when that default changes.
      const checked = body.stageRules === null ? null : validateStageRules(body.stageRules);
      if (checked && !checked.ok) problems.push(...underPart('stageRules', checked.problems));
      parts.stageRules = body.stageRules;
    }
    if (body.templates !== undefined) {
      const checked = body.templates === null ? null : validateTemplates(body.templates);
      if (checked && !checked.ok) problems.push(...underPart('templates', checked.problems));
      parts.templates = checked?.ok ? checked.templates : null;
    }
    if (problems.length > 0) {
      sendUnprocessable(
        req,
        res,
        'INVALID_PLAN_SETTINGS',
        `The plan settings have ${problems.length} problem${problems.length === 1 ? '' : 's'}; nothing was saved`,
        problems,
      );
      return;
    }
    const at = new Date(ctx.now());
    const version = await store.saveSettings(key, parts, actor, at);
    const partState = (part: unknown) => (part === undefined ? 'unchanged' : part === null ? 'defaults' : 'saved');
    await recordAudit(deps.db, {
      ...key,
      actor,
      action: 'plan_settings.saved',
      details: { version, stageRules: partState(parts.stageRules), templates: partState(parts.templates) },
    });
    // Stages and the plans they make follow the new rules on every account, not only the changed ones.
    const run = isScored(installation)
      ? await enqueueScore(ctx.queues, { ...key, full: true, reason: 'plans' })
      : undefined;
    const answer: PlanSettingsBody = planSettingsBody(await planSettingsOf(store, key));
    res.setHeader('Cache-Control', 'no-store');
    res.json(run ? { ...answer, scoreJobId: run.jobId } : answer);
  });

  const sharePath = `${onePlan}/share`;

  router.post(sharePath, async (req, res) => {
    jsonIfBody(req);
    const { key, actor } = await caller(req);
    const plan = await planOf(key, req.params.planId);
    const { expiresInDays } = shareRequestSchema.parse(req.body ?? {});
    const at = ctx.now();
    const { token, hash } = newShareToken();
    const link = await store.createShareLink(key, {
      planId: plan.id,
      tokenHash: hash,
      createdBy: actor,
      createdAt: new Date(at),
      expiresAt: new Date(at + expiresInDays * DAY_MS),
    });
    // Never the token nor its hash: the audit names the link by its id.
    await recordAudit(deps.db, {
      ...key,
      actor,
      action: 'plan_share_link.created',
      details: {
        planId: plan.id,
        accountId: plan.accountExternalId,
        linkId: link.id,
        expiresAt: link.expiresAt.toISOString(),
      },
    });
    res.setHeader('Cache-Control', 'no-store');
    res.status(201).json({
      id: link.id,
      url: `${ctx.publicUrl.replace(/\/+$/, '')}/shared/plans/${token}`,
      expiresAt: link.expiresAt.toISOString(),
    } satisfies NewShareLinkBody);
  });

  router.get(sharePath, async (req, res) => {
    const { key } = await caller(req);
    const plan = await planOf(key, req.params.planId);
    const at = ctx.now();
    const links = await store.shareLinks(key, plan.id);
    res.setHeader('Cache-Control', 'no-store');
    res.json({ links: links.map((link) => shareLinkBody(link, at)) } satisfies ShareLinksBody);
  });

  router.delete(`${sharePath}/:linkId`, async (req, res) => {
    const { key, actor } = await caller(req);
    const plan = await planOf(key, req.params.planId);
    const linkId = uuid.safeParse(req.params.linkId);
    const find = async () => (await store.shareLinks(key, plan.id)).find((one) => one.id === linkId.data);
    const link = linkId.success ? await find() : undefined;
    if (!link) throw linkNotFound();
    // Revoking twice is the same as once: the first date stays and nothing more is audited.
    if (link.revokedAt === null && (await store.revokeShareLink(key, plan.id, link.id, new Date(ctx.now())))) {
      await recordAudit(deps.db, {
        ...key,
        actor,
        action: 'plan_share_link.revoked',
        details: { planId: plan.id, accountId: plan.accountExternalId, linkId: link.id },
      });
    }
    const revoked = await find();
    if (!revoked) throw linkNotFound();
    res.json(shareLinkBody(revoked, ctx.now()));
  });

  /** Whether this client may open another page; a limiter that cannot answer lets it through. */
  const admitted = async (req: Request): Promise<{ ok: true } | { ok: false; retryAfterMs: number }> => {
    try {
      const admission = await limiter.acquire(`shared-plan:${req.ip ?? 'unknown'}`, pageLimit);
      return admission.allowed ? { ok: true } : { ok: false, retryAfterMs: admission.retryAfterMs };
    } catch (error) {
      // A token is 256 random bits: the limit spares the database, it is not what keeps plans private.
      req.log.warn({ err: error }, 'shared plan rate limit unavailable');
      return { ok: true };
    }
  };

  router.get('/shared/plans/:token', async (req, res) => {
    const nonce = newNonce();
    setSharedPageHeaders(res, nonce);
    const notFound = () => void res.status(404).send(sharedNotFoundPage(nonce));
    try {
      const token = req.params.token;
      if (!isShareToken(token)) return notFound();
      const admission = await admitted(req);
      if (!admission.ok) {
        res.setHeader('Retry-After', String(Math.max(1, Math.ceil(admission.retryAfterMs / 1000))));
        res.status(429).send(sharedBusyPage(nonce));
        return;
      }
      const at = ctx.now();
      const opened = await store.openShareLink(hashShareToken(token), new Date(at));
      if (!opened) return notFound();
      // A disconnected installation shares nothing, whatever links it left behind.
      const installation = await ctx.installations.get(opened.key.workspaceId, opened.key.installationId);
      if (!installation || installation.status === 'uninstalled') return notFound();
      const plan = await store.plan(opened.key, opened.planId);
      if (!plan) return notFound();
      const account = await share.account(opened.key, plan.accountExternalId);
      res
        .status(200)
        .send(sharedPlanPage({ accountName: account?.name ?? null, plan, at, expiresAt: opened.expiresAt }, nonce));
    } catch (error) {
      req.log.error({ err: error }, 'shared plan page failed');
      res.status(500).send(sharedErrorPage(nonce));
    }
  });

  return router;
}
