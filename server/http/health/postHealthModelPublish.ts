import type { RequestHandler } from 'express';
import { enqueueScore } from '../../../jobs/queues.ts';
import type { PublishedHealthModel } from '../../contracts/health.ts';
import { recordAudit } from '../../platform/db/audit.ts';
import { SHIPPED_MODEL_VERSION } from '../../platform/db/health-model-store.ts';
import { AppError } from '../../platform/errors.ts';
import { callerOf, isScored, requireJson, type HealthContext } from './deps.ts';
import { detailBody, findEntry, sendModelInvalid, validationOf, versionParam } from './models.ts';

/**
 * `POST /api/installations/:id/health-models/:version/publish`: a valid draft becomes the model every
 * score of the workspace uses (the one before it retires), and every installation of the workspace is
 * rescored with it. An invalid draft answers 422 with its problems; a version that is not a draft, or a
 * draft changed after it was checked here, 409.
 */
export function postHealthModelPublish(ctx: HealthContext): RequestHandler {
  return async (req, res) => {
    requireJson(req);
    const { key, actor } = await callerOf(req, ctx);
    const version = versionParam(req);
    const entry = await findEntry(ctx, key.workspaceId, version);
    if (entry.shipped) {
      throw new AppError(
        409,
        'MODEL_NOT_DRAFT',
        `Version ${version} ships with the product; to score with it again, create a draft from it and publish that`,
      );
    }
    const validation = validationOf(entry.model.definition);
    if (!validation.ok) {
      sendModelInvalid(req, res, version, validation.problems);
      return;
    }
    const { previousVersion, ...model } = await ctx.models.publish(key.workspaceId, version, actor, {
      definition: entry.model.definition,
    });
    const previous = previousVersion ?? SHIPPED_MODEL_VERSION;
    await recordAudit(ctx.db, {
      ...key,
      actor,
      action: 'health_model.published',
      details: { version, previousVersion: previous },
    });
    const rescoring = (await ctx.install.installations.list(key.workspaceId)).filter(isScored);
    for (const installation of rescoring) {
      await enqueueScore(ctx.queues, {
        workspaceId: key.workspaceId,
        installationId: installation.id,
        full: true,
        reason: 'model',
      });
    }
    req.log.info({ workspaceId: key.workspaceId, version, previousVersion: previous }, 'health model published');
    const body: PublishedHealthModel = {
      model: detailBody({ shipped: false, model }),
      previousVersion: previous,
      rescoring: rescoring.map((installation) => installation.id),
    };
    res.json(body);
  };
}
