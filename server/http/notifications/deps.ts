import type { Request } from 'express';
import type { Sealer } from '../../platform/crypto.ts';
import type { Database } from '../../platform/db/database.ts';
import type { Installation } from '../../platform/db/installations.ts';
import { notificationStore, type NotificationStore } from '../../platform/db/notification-store.ts';
import type { InstallationKey } from '../../platform/db/sync-store.ts';
import { viewerActor } from '../ingest/keys.ts';
import { installationFor } from '../install/access.ts';
import type { InstallContext } from '../install/deps.ts';

/** What the notification routes need; their access check is the install flow's (session or admin token). */
export interface NotificationsDeps {
  db: Database;
  sealer: Sealer;
  /** Development and tests only: channels may point at http://127.0.0.1 or localhost. */
  allowLoopbackHttp: boolean;
  fetch?: typeof fetch;
  /** A test send's wait for an answer (default 10 s). */
  timeoutMs?: number;
}

export interface NotificationsContext {
  db: Database;
  install: InstallContext;
  store: NotificationStore;
  allowLoopbackHttp: boolean;
  fetch: typeof fetch;
  timeoutMs: number;
  now: () => number;
}

export function notificationsContext(deps: NotificationsDeps, install: InstallContext): NotificationsContext {
  return {
    db: deps.db,
    install,
    store: notificationStore(deps.db, deps.sealer),
    allowLoopbackHttp: deps.allowLoopbackHttp,
    fetch: deps.fetch ?? ((input, init) => fetch(input, init)),
    timeoutMs: deps.timeoutMs ?? 10_000,
    now: install.now,
  };
}

/** The installation the caller may see (404 otherwise), its key, and the caller's name for authorship and audit. */
export async function callerOf(
  req: Request,
  ctx: NotificationsContext,
): Promise<{ installation: Installation; key: InstallationKey; actor: string }> {
  const { installation, viewer } = await installationFor(req, ctx.install, req.params.id);
  return {
    installation,
    key: { workspaceId: installation.workspaceId, installationId: installation.id },
    actor: viewerActor(viewer),
  };
}
