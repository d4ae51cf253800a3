import type { Request, Response } from 'express';
import {
  backtestReportSchema,
  type ErrorBody,
  type HealthModelDetail,
  type HealthModelVersion,
  type ModelValidation,
} from '../../contracts/health.ts';
import { DEFAULT_MODEL, validateModel, type ModelProblem } from '../../core/health/model.ts';
import { SHIPPED_MODEL_VERSION, type StoredModel } from '../../platform/db/health-model-store.ts';
import { AppError } from '../../platform/errors.ts';
import type { HealthContext } from './deps.ts';

/**
 * A workspace's model versions as the API shows them. The shipped model is version 1: it is never
 * stored and cannot change, it scores until a version is published and is retired from then on.
 */

export type ModelEntry =
  { shipped: false; model: StoredModel } | { shipped: true; status: 'published' | 'retired'; definition: unknown };

const VERSION_PARAM = /^[1-9][0-9]{0,8}$/;

export const versionNotFound = (version: unknown) =>
  new AppError(404, 'MODEL_VERSION_NOT_FOUND', `No health model version ${String(version)} in this workspace`);

export const shippedReadOnly = () =>
  new AppError(
    409,
    'SHIPPED_MODEL_READ_ONLY',
    `Version ${SHIPPED_MODEL_VERSION} is the model that ships with the product and cannot change; create a draft from it`,
  );

/** The `:version` route parameter; anything but a positive whole number names no version. */
export function versionParam(req: Request): number {
  const raw = req.params.version;
  if (typeof raw !== 'string' || !VERSION_PARAM.test(raw)) throw versionNotFound(raw);
  return Number(raw);
}

export function shippedEntry(published: StoredModel | null): ModelEntry {
  return { shipped: true, status: published ? 'retired' : 'published', definition: DEFAULT_MODEL };
}

/** The stored version, or the shipped model as version 1 when nothing is stored under it; 404 otherwise. */
export async function findEntry(ctx: HealthContext, workspaceId: string, version: number): Promise<ModelEntry> {
  const model = await ctx.models.get(workspaceId, version);
  if (model) return { shipped: false, model };
  if (version !== SHIPPED_MODEL_VERSION) throw versionNotFound(version);
  return shippedEntry(await ctx.models.published(workspaceId));
}

export const definitionOf = (entry: ModelEntry) => (entry.shipped ? entry.definition : entry.model.definition);

export function validationOf(definition: unknown): ModelValidation {
  const result = validateModel(definition);
  return result.ok ? { ok: true, problems: [] } : { ok: false, problems: result.problems };
}

function reportOf(entry: ModelEntry) {
  if (entry.shipped || entry.model.backtest === null) return null;
  const parsed = backtestReportSchema.safeParse(entry.model.backtest);
  return parsed.success ? parsed.data : null;
}

function nameOf(definition: unknown): string | null {
  const name = (definition as { name?: unknown } | null)?.name;
  return typeof name === 'string' ? name : null;
}

export function versionBody(entry: ModelEntry): HealthModelVersion {
  const report = reportOf(entry);
  const backtest = report && {
    asOf: report.asOf,
    horizonDays: report.horizonDays,
    accounts: report.accounts,
    churned: report.churned,
    auc: report.auc,
    bottom20ChurnedArrShare: report.bottom20.churnedArrShare,
  };
  if (entry.shipped) {
    return {
      version: SHIPPED_MODEL_VERSION,
      status: entry.status,
      shipped: true,
      name: nameOf(entry.definition),
      createdBy: 'Bellwether',
      createdAt: null,
      updatedAt: null,
      publishedBy: null,
      publishedAt: null,
      backtest,
    };
  }
  const { model } = entry;
  return {
    version: model.version,
    status: model.status,
    shipped: false,
    name: nameOf(model.definition),
    createdBy: model.createdBy,
    createdAt: model.createdAt.toISOString(),
    updatedAt: model.updatedAt.toISOString(),
    publishedBy: model.publishedBy,
    publishedAt: model.publishedAt?.toISOString() ?? null,
    backtest,
  };
}

export function detailBody(entry: ModelEntry): HealthModelDetail {
  const definition = definitionOf(entry);
  return {
    ...versionBody(entry),
    definition,
    validation: validationOf(definition),
    backtestReport: reportOf(entry),
  };
}

/** 422 with every problem at its JSONPath: the model cannot be used as it is. */
export function sendModelInvalid(req: Request, res: Response, version: number, problems: readonly ModelProblem[]) {
  const body: ErrorBody = {
    error: {
      code: 'MODEL_INVALID',
      message: `Version ${version} has ${problems.length} problem${problems.length === 1 ? '' : 's'}; fix the draft first`,
      ...(typeof req.id === 'string' ? { requestId: req.id } : {}),
      issues: problems.map(({ path, message }) => ({ path, message })),
    },
  };
  res.status(422).json(body);
}
