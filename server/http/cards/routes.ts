import express, { type Request, type RequestHandler, type Response, type Router } from 'express';
import type { Installation } from '../../platform/db/installations.ts';
import { accountNotFound } from '../../platform/db/override-store.ts';
import { AppError } from '../../platform/errors.ts';
import { cardActions, type CardActions, type CardTarget } from './card-actions.ts';
import { verifyCanvasRequest } from './canvas-auth.ts';
import { canvasPage } from './canvas-page.ts';
import { canvasSessions, type CanvasSessions } from './canvas-session.ts';
import type { CardsDeps } from './deps.ts';
import { verifyHubspotCardRequest } from './hubspot-auth.ts';

/**
 * The card API. HubSpot: `/api/cards/account…`, each request signed (v3) by HubSpot's proxy, with the
 * portal and record in the signed query. Salesforce: `POST /canvas` turns a signed_request into a
 * short session bound to the org, user and record; `/api/canvas/card…` serves that record only.
 * Mounted before the app's JSON parser: the HubSpot routes verify over the raw body.
 */

const CARD_BODY_LIMIT = '64kb';
// Canvas contexts carry the whole record and user; generous, still bounded.
const CANVAS_FORM_LIMIT = '512kb';
const SALESFORCE_FRAMES = 'https://*.force.com https://*.salesforce.com https://*.salesforce-setup.com';

function parseJson(raw: string): unknown {
  if (raw.length === 0) return undefined;
  try {
    return JSON.parse(raw);
  } catch {
    throw new AppError(400, 'INVALID_JSON', 'Request body is not valid JSON');
  }
}

function noStore(res: Response): Response {
  return res.setHeader('Cache-Control', 'no-store');
}

/** Answers 202 for queued work; sets Retry-After on a refusal, then lets the error handler answer it. */
async function answerQueued(res: Response, run: () => Promise<unknown>): Promise<void> {
  try {
    await run();
  } catch (error) {
    if (error instanceof AppError && error.status === 429) {
      const { retryAfterMs } = error.details as { retryAfterMs: number };
      res.setHeader('Retry-After', String(Math.max(1, Math.ceil(retryAfterMs / 1000))));
    }
    throw error;
  }
  noStore(res).status(202).json({ status: 'queued' });
}

function activeInstallation(installation: Installation | undefined): Installation {
  // An unknown portal or org answers like an unknown account: nothing to probe.
  if (!installation || installation.status !== 'active') throw accountNotFound();
  return installation;
}

function hubspotRoutes(deps: CardsDeps, actions: CardActions, now: () => number): Router {
  const router = express.Router();
  router.use(express.raw({ type: () => true, limit: CARD_BODY_LIMIT }));

  const rawBodyOf = (req: Request) => (Buffer.isBuffer(req.body) ? req.body.toString('utf8') : '');
  const verified = (req: Request) =>
    verifyHubspotCardRequest(req, rawBodyOf(req), deps.hubspotClientSecret, deps.publicUrl, now());

  async function targetOf(req: Request): Promise<{ target: CardTarget; body: unknown }> {
    const rawBody = rawBodyOf(req);
    const query = verified(req);
    const installation = activeInstallation(await deps.installations.findByExternalId('hubspot', query.portalId));
    return {
      target: {
        crm: 'hubspot',
        key: { workspaceId: installation.workspaceId, installationId: installation.id },
        accountId: query.objectId,
        actor: `hubspot:user:${query.userId}`,
      },
      body: parseJson(rawBody),
    };
  }

  // The most frequent request (every record page view): the portal is resolved inside the card's
  // statement, one round trip, and an unknown or inactive portal finds no account (404) as before.
  router.get('/account', async (req, res) => {
    const query = verified(req);
    const scope = { provider: 'hubspot', externalId: query.portalId } as const;
    noStore(res).json(await actions.viewIn('hubspot', scope, query.objectId));
  });
  router.put('/account/override', async (req, res) => {
    const { target, body } = await targetOf(req);
    noStore(res).json(await actions.setOverride(target, body));
  });
  router.delete('/account/override', async (req, res) => {
    const { target } = await targetOf(req);
    noStore(res).json(await actions.clearOverride(target));
  });
  router.post('/account/rescore', async (req, res) => {
    const { target } = await targetOf(req);
    await answerQueued(res, () => actions.requestRescore(target));
  });
  router.post('/account/qbr', async (req, res) => {
    const { target } = await targetOf(req);
    await answerQueued(res, () => actions.requestBrief(target));
  });
  return router;
}

function canvasApiRoutes(actions: CardActions, sessions: CanvasSessions): Router {
  const router = express.Router();
  router.use(express.json({ limit: CARD_BODY_LIMIT }));

  async function targetOf(req: Request): Promise<CardTarget> {
    const session = await sessions.read(req.headers.authorization);
    return {
      crm: 'salesforce',
      key: { workspaceId: session.workspaceId, installationId: session.installationId },
      accountId: session.recordId,
      actor: `salesforce:user:${session.userId}`,
    };
  }

  router.get('/card', async (req, res) => {
    noStore(res).json(await actions.view(await targetOf(req)));
  });
  router.put('/card/override', async (req, res) => {
    const target = await targetOf(req);
    noStore(res).json(await actions.setOverride(target, req.body));
  });
  router.delete('/card/override', async (req, res) => {
    noStore(res).json(await actions.clearOverride(await targetOf(req)));
  });
  router.post('/card/rescore', async (req, res) => {
    const target = await targetOf(req);
    await answerQueued(res, () => actions.requestRescore(target));
  });
  router.post('/card/qbr', async (req, res) => {
    const target = await targetOf(req);
    await answerQueued(res, () => actions.requestBrief(target));
  });
  return router;
}

function canvasEntry(deps: CardsDeps, sessions: CanvasSessions): RequestHandler {
  const page = canvasPage(deps.canvasDistDir);
  return async (req, res) => {
    const secret = deps.salesforceConsumerSecret;
    if (!secret) {
      throw new AppError(503, 'CANVAS_NOT_CONFIGURED', 'The Salesforce card is not configured (no consumer secret)');
    }
    const body = (req.body ?? {}) as Record<string, unknown>;
    const identity = verifyCanvasRequest(body.signed_request, secret);
    const installation = activeInstallation(await deps.installations.findByExternalId('salesforce', identity.orgId));
    const session = await sessions.open({
      workspaceId: installation.workspaceId,
      installationId: installation.id,
      userId: identity.userId,
      recordId: identity.recordId,
    });
    const html = await page({ session, recordId: identity.recordId, apiBase: '/api/canvas' });
    // Salesforce frames this page from its own site: allow that frame, and nothing else loosened.
    const ancestors = ["'self'", SALESFORCE_FRAMES, identity.origin].filter(Boolean).join(' ');
    res.removeHeader('X-Frame-Options');
    res.setHeader(
      'Content-Security-Policy',
      [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        `frame-ancestors ${ancestors}`,
      ].join('; '),
    );
    noStore(res).type('html').send(html);
  };
}

export function cardsRouter(deps: CardsDeps): Router {
  const now = deps.now ?? Date.now;
  const actions = cardActions(deps.db, deps.queues, now, { sealer: deps.sealer, publicUrl: deps.publicUrl });
  const sessions = canvasSessions(deps.queues.redis);
  const router = express.Router();
  router.use('/api/cards', hubspotRoutes(deps, actions, now));
  router.use('/api/canvas', canvasApiRoutes(actions, sessions));
  router.post(
    '/canvas',
    express.urlencoded({ extended: false, limit: CANVAS_FORM_LIMIT }),
    canvasEntry(deps, sessions),
  );
  if (deps.canvasDistDir) {
    // Vite names the built files by content hash: they never change under a name.
    router.use(
      '/canvas/assets',
      express.static(deps.canvasDistDir, { immutable: true, maxAge: '365d', index: false, fallthrough: true }),
    );
  }
  return router;
}
