import express, { type Request, type RequestHandler, type Router } from 'express';
import { ZodError } from 'zod';
import { enqueueSync, enqueueUninstall, type Queues } from '../../../jobs/queues.ts';
import { MAX_AGE_MS, verifyHubspotRequest, type SignatureVerdict } from '../../crm/hubspot/request-signature.ts';
import type { AuditInput } from '../../platform/db/audit.ts';
import type { InstallationRepository } from '../../platform/db/installations.ts';
import { AppError } from '../../platform/errors.ts';
import {
  groupByPortal,
  hubspotDeliverySchema,
  type HubspotEvent,
  type PortalEvents,
} from '../webhooks/hubspot-events.ts';
import { createReplayCache, UNTIMED_REPLAY_WINDOW_MS, type ReplayCache } from '../webhooks/replay-cache.ts';

/**
 * `POST /webhooks/hubspot`: verify the signature over the raw body and the URL HubSpot signed, refuse
 * replays, then turn the delivery into at most one incremental sync per portal. No CRM call happens
 * here; the answer goes back as soon as the syncs are queued, well inside HubSpot's timeout.
 */

export interface HubspotWebhookDeps {
  /** The app's client secret; without it the endpoint answers 503. */
  hubspotClientSecret: string | undefined;
  /** The public origin HubSpot posts to (PUBLIC_URL): the signed URL is this plus the request's path. */
  publicUrl: string;
  installations: Pick<InstallationRepository, 'findByExternalId' | 'setStatus'>;
  queues: Queues;
  /** The company properties the app writes back: their change events are the app's own writes. */
  ownProperties?: ReadonlySet<string>;
  /** Records the uninstall in the workspace's audit trail (recordAudit bound to the database). */
  audit?: (entry: AuditInput) => Promise<unknown>;
  replayCache?: ReplayCache;
  /** How long a webhook-triggered sync waits, so events arriving in a burst fold into one run. */
  syncDelayMs?: number;
  now?: () => number;
}

export const WEBHOOK_BODY_LIMIT = '1mb';
const DEFAULT_SYNC_DELAY_MS = 2_000;

const REFUSALS: Record<Extract<SignatureVerdict, { ok: false }>['reason'], string> = {
  missing: 'SIGNATURE_MISSING',
  stale: 'SIGNATURE_STALE',
  mismatch: 'SIGNATURE_MISMATCH',
  unsupported: 'SIGNATURE_UNSUPPORTED',
};

function firstHeader(req: Request, name: string): string {
  const value = req.headers[name];
  return (Array.isArray(value) ? value[0] : value) ?? '';
}

function parseDelivery(rawBody: string): HubspotEvent[] {
  let json: unknown;
  try {
    json = JSON.parse(rawBody);
  } catch {
    throw new AppError(400, 'INVALID_JSON', 'Webhook body is not valid JSON (expected an array of HubSpot events)');
  }
  // A ZodError reaches the error handler, which answers 400 naming each bad path.
  return hubspotDeliverySchema.parse(json);
}

type Outcome = 'sync_queued' | 'sync_already_queued' | 'uninstalled' | 'ignored';

/**
 * A router to mount at /webhooks/hubspot before the JSON parser: it reads every body under the path
 * raw (so a body the JSON parser would choke on never reaches it), serves POST and answers 405 to
 * other methods.
 */
export function postHubspotWebhooks(deps: HubspotWebhookDeps): Router {
  const now = deps.now ?? Date.now;
  const replayCache = deps.replayCache ?? createReplayCache(deps.queues.redis);
  const syncDelayMs = deps.syncDelayMs ?? DEFAULT_SYNC_DELAY_MS;

  async function handlePortal(req: Request, group: PortalEvents, signedWithTimestamp: boolean): Promise<Outcome> {
    const installation = await deps.installations.findByExternalId('hubspot', group.portalId);
    const log = { portalId: group.portalId, installationId: installation?.id };
    if (!installation) {
      req.log.info(log, 'webhook events for a portal with no installation ignored');
      return 'ignored';
    }
    if (group.uninstalled) {
      // An uninstall cannot be undone: only act on a delivery whose signature has a freshness window.
      if (!signedWithTimestamp) {
        req.log.warn(log, 'uninstall event without a v3 signature ignored');
        return 'ignored';
      }
      const wasUninstalled = installation.status === 'uninstalled';
      if (!wasUninstalled) {
        await deps.installations.setStatus(
          installation.workspaceId,
          installation.id,
          'uninstalled',
          'uninstalled in HubSpot',
        );
      }
      // Queued even when already marked: a retry after a failed enqueue must still purge.
      await enqueueUninstall(deps.queues, { workspaceId: installation.workspaceId, installationId: installation.id });
      if (!wasUninstalled && deps.audit) {
        await deps.audit({
          workspaceId: installation.workspaceId,
          installationId: installation.id,
          actor: 'crm:hubspot',
          action: 'installation.uninstalled',
          details: { provider: 'hubspot', portalId: group.portalId, source: 'webhook' },
        });
      }
      req.log.info(log, 'app uninstalled from the portal; purge queued');
      return 'uninstalled';
    }
    if (installation.status !== 'active') {
      req.log.info({ ...log, status: installation.status }, 'webhook events for an inactive installation ignored');
      return 'ignored';
    }
    if (group.changes === 0) return 'ignored';
    const { deduplicated } = await enqueueSync(
      deps.queues,
      {
        workspaceId: installation.workspaceId,
        installationId: installation.id,
        mode: 'incremental',
        reason: 'webhook',
      },
      { delayMs: syncDelayMs },
    );
    return deduplicated ? 'sync_already_queued' : 'sync_queued';
  }

  const handler: RequestHandler = async (req, res) => {
    const secret = deps.hubspotClientSecret;
    if (!secret) {
      throw new AppError(
        503,
        'WEBHOOKS_NOT_CONFIGURED',
        'HubSpot webhooks are not configured (no HubSpot client secret)',
      );
    }
    const rawBody = Buffer.isBuffer(req.body) ? req.body.toString('utf8') : '';
    const at = now();
    const verdict = verifyHubspotRequest(
      { method: req.method, url: `${deps.publicUrl}${req.originalUrl}`, rawBody, headers: req.headers },
      secret,
      at,
    );
    if (!verdict.ok) {
      req.log.warn({ reason: verdict.reason }, 'HubSpot webhook refused');
      throw new AppError(401, REFUSALS[verdict.reason], verdict.message);
    }

    const signature =
      verdict.version === 'v3' ? firstHeader(req, 'x-hubspot-signature-v3') : firstHeader(req, 'x-hubspot-signature');
    const replayKey = `${verdict.version}:${signature}`;
    // Remembered until the timestamp leaves the window (it may lie up to 5 minutes ahead of us).
    const ttlMs =
      verdict.timestamp === undefined ? UNTIMED_REPLAY_WINDOW_MS : verdict.timestamp + MAX_AGE_MS - at + 1_000;
    if (!(await replayCache.claim(replayKey, ttlMs))) {
      req.log.warn({ version: verdict.version }, 'HubSpot webhook replayed');
      throw new AppError(401, 'SIGNATURE_REPLAYED', 'This delivery was already received (replayed signature)');
    }

    try {
      const events = parseDelivery(rawBody);
      const groups = groupByPortal(events, deps.ownProperties);
      const outcomes = await Promise.all(groups.map((group) => handlePortal(req, group, verdict.version === 'v3')));
      req.log.info(
        { events: events.length, portals: groups.length, outcomes: outcomes.join(',') },
        'HubSpot webhook delivery accepted',
      );
    } catch (error) {
      // A malformed body stays malformed; anything else (Redis, the database) may work on HubSpot's retry.
      if (!(error instanceof AppError && error.status < 500) && !(error instanceof ZodError)) {
        await replayCache.release(replayKey).catch(() => undefined);
      }
      throw error;
    }
    res.status(204).end();
  };

  const router = express.Router();
  router.use(readRawBody);
  router.post('/', handler);
  router.all('/', (_req, res) => {
    res.setHeader('Allow', 'POST');
    throw new AppError(405, 'METHOD_NOT_ALLOWED', 'HubSpot webhooks are delivered with POST');
  });
  return router;
}

const rawParser = express.raw({ type: () => true, limit: WEBHOOK_BODY_LIMIT });

/**
 * The raw body, whatever the content type. A body that cannot be read (a gzip header on bytes that are
 * not gzip, say) is the sender's fault: 400, not the generic 500 the error handler gives unknown errors.
 */
const readRawBody: RequestHandler = (req, res, next) => {
  rawParser(req, res, (error?: unknown) => {
    if (error === undefined || error === null) return next();
    const { status, type } = error as { status?: unknown; type?: unknown };
    if (typeof type === 'string' || typeof status !== 'number' || status < 400 || status >= 500) return next(error);
    next(new AppError(status, 'UNREADABLE_BODY', 'Request body could not be read (bad content encoding?)'));
  });
};
