import type { RequestHandler } from 'express';
import type { ModelValidation } from '../../contracts/health.ts';
import { callerOf, requireJson, type HealthContext } from './deps.ts';
import { definitionOf, findEntry, validationOf, versionParam } from './models.ts';

/** `POST /api/installations/:id/health-models/:version/validate`: `{ ok, problems }`, each problem at its JSONPath. */
export function postHealthModelValidate(ctx: HealthContext): RequestHandler {
  return async (req, res) => {
    requireJson(req);
    const { key } = await callerOf(req, ctx);
    const entry = await findEntry(ctx, key.workspaceId, versionParam(req));
    const body: ModelValidation = validationOf(definitionOf(entry));
    res.json(body);
  };
}
