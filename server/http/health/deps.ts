import type { Request } from 'express';
import type { Queues } from '../../../jobs/queues.ts';
import type { Database } from '../../platform/db/database.ts';
import { healthModelStore, type HealthModelStore } from '../../platform/db/health-model-store.ts';
import type { Installation } from '../../platform/db/installations.ts';
import { overrideStore, type OverrideStore } from '../../platform/db/override-store.ts';
import type { InstallationKey } from '../../platform/db/sync-store.ts';
import { AppError } from '../../platform/errors.ts';
import { viewerActor } from '../ingest/keys.ts';
import { installationFor } from '../install/access.ts';
import type { InstallContext } from '../install/deps.ts';

/** What the model admin and override routes need; their access check also needs the install flow's context. */
export interface HealthDeps {
  db: Database;
  queues: Queues;
}

export interface HealthContext {
  db: Database;
  queues: Queues;
  install: InstallContext;
  models: HealthModelStore;
  overrides: OverrideStore;
  now: () => number;
}

export function healthContext(deps: HealthDeps, install: InstallContext): HealthContext {
  return {
    ...deps,
    install,
    models: healthModelStore(deps.db),
    overrides: overrideStore(deps.db),
    now: install.now,
  };
}

/** The installation the caller may see (404 otherwise), its key, and the caller's name for authorship and audit. */
export async function callerOf(
  req: Request,
  ctx: HealthContext,
): Promise<{ installation: Installation; key: InstallationKey; actor: string }> {
  const { installation, viewer } = await installationFor(req, ctx.install, req.params.id);
  return {
    installation,
    key: { workspaceId: installation.workspaceId, installationId: installation.id },
    actor: viewerActor(viewer),
  };
}

/** JSON only, so a cross-site form cannot send a change. */
export function requireJson(req: Request): void {
  if (!req.is('application/json')) throw new AppError(415, 'JSON_REQUIRED', 'Send the request as application/json');
}

/** Installations whose accounts are still scored: everything not disconnected. */
export const isScored = (installation: Pick<Installation, 'status'>) => installation.status !== 'uninstalled';
