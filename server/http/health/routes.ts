import type { Express } from 'express';
import { installContext, type InstallDeps } from '../install/deps.ts';
import { deleteAccountOverride } from './deleteAccountOverride.ts';
import { deleteHealthModel } from './deleteHealthModel.ts';
import { healthContext, type HealthDeps } from './deps.ts';
import { getAccountOverride } from './getAccountOverride.ts';
import { getHealthModel } from './getHealthModel.ts';
import { getHealthModels } from './getHealthModels.ts';
import { postHealthModelBacktest } from './postHealthModelBacktest.ts';
import { postHealthModelPublish } from './postHealthModelPublish.ts';
import { postHealthModels } from './postHealthModels.ts';
import { postHealthModelValidate } from './postHealthModelValidate.ts';
import { putAccountOverride } from './putAccountOverride.ts';
import { putHealthModel } from './putHealthModel.ts';

/**
 * The health model admin API and CSM overrides, under the installation the caller may see. Access is
 * the install flow's (workspace session or operator), so they exist only when the install routes do.
 */
export function mountHealth(app: Express, deps: HealthDeps, install: InstallDeps | undefined): void {
  if (!install) return;
  const ctx = healthContext(deps, installContext(install));
  const models = '/api/installations/:id/health-models';
  app.get(models, getHealthModels(ctx));
  app.post(models, postHealthModels(ctx));
  app.get(`${models}/:version`, getHealthModel(ctx));
  app.put(`${models}/:version`, putHealthModel(ctx));
  app.delete(`${models}/:version`, deleteHealthModel(ctx));
  app.post(`${models}/:version/validate`, postHealthModelValidate(ctx));
  app.post(`${models}/:version/backtest`, postHealthModelBacktest(ctx));
  app.post(`${models}/:version/publish`, postHealthModelPublish(ctx));
  const override = '/api/installations/:id/accounts/:accountId/override';
  app.get(override, getAccountOverride(ctx));
  app.put(override, putAccountOverride(ctx));
  app.delete(override, deleteAccountOverride(ctx));
}
