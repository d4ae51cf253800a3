import type { RequestHandler } from 'express';
import { createHealthModelRequestSchema, type HealthModelDetail } from '../../contracts/health.ts';
import { DEFAULT_MODEL } from '../../core/health/model.ts';
import { recordAudit } from '../../platform/db/audit.ts';
import { callerOf, requireJson, type HealthContext } from './deps.ts';
import { definitionOf, detailBody, findEntry } from './models.ts';

/**
 * `POST /api/installations/:id/health-models`: a new draft from the definition sent, a copy of version
 * `from`, or a copy of the model in use. Answers 201 with what is wrong with it, if anything.
 */
export function postHealthModels(ctx: HealthContext): RequestHandler {
  return async (req, res) => {
    requireJson(req);
    const { key, actor } = await callerOf(req, ctx);
    const request = createHealthModelRequestSchema.parse(req.body ?? {});
    let definition: unknown = request.definition;
    if (definition === undefined && request.from !== undefined) {
      definition = definitionOf(await findEntry(ctx, key.workspaceId, request.from));
    } else if (definition === undefined) {
      definition = (await ctx.models.published(key.workspaceId))?.definition ?? DEFAULT_MODEL;
    }
    const model = await ctx.models.createDraft(key.workspaceId, definition, actor);
    await recordAudit(ctx.db, {
      ...key,
      actor,
      action: 'health_model.draft_created',
      details: { version: model.version, ...(request.from === undefined ? {} : { from: request.from }) },
    });
    const body: HealthModelDetail = detailBody({ shipped: false, model });
    res.status(201).json(body);
  };
}
