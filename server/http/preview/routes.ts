import { readFile } from 'node:fs/promises';
import path from 'node:path';
import express, { type Express, type Request } from 'express';
import { z } from 'zod';
import { buildCardView, HISTORY_DAYS } from '../../core/health/card-view.ts';
import { DAY_MS } from '../../core/health/signals.ts';
import { withBriefLinks } from '../cards/card-actions.ts';
import { cardStore } from '../../platform/db/card-store.ts';
import type { Installation } from '../../platform/db/installations.ts';
import { AppError } from '../../platform/errors.ts';
import type { PreviewDeps } from './deps.ts';
import { canvasPostPage, hubspotPreviewPage, previewIndexPage, recordPage, SUBMIT_CANVAS_SCRIPT } from './pages.ts';
import { listPreviewAccounts } from './preview-store.ts';

/**
 * `/preview` (demo mode only): the demo's Salesforce accounts, each on a mock Account page whose
 * Canvas card is opened exactly as Salesforce opens it (a signed_request posted to /canvas), with
 * the same card drawn in HubSpot's layout beside it. Nothing here grants access the card API would
 * not: the Canvas frame still goes through signature verification and a session.
 */

const recordParamsSchema = z.strictObject({
  installationId: z.uuid('installation id must be a UUID'),
  accountId: z.string().regex(/^[\w.-]{1,64}$/, 'account id must be 1–64 letters, digits, dots, dashes or underscores'),
});

function recordParams(req: Request) {
  const parsed = recordParamsSchema.safeParse(req.params);
  if (!parsed.success) {
    const where = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ');
    throw new AppError(400, 'INVALID_PREVIEW_PATH', `Invalid preview path (${where})`);
  }
  return parsed.data;
}

/** A file from the built card, read once; a missing build is looked for again on the next request. */
function builtFile(distDir: string | undefined, name: string) {
  let cached: Promise<string | null> | undefined;
  return () => {
    cached ??= distDir
      ? readFile(path.join(distDir, name), 'utf8').catch(() => {
          cached = undefined;
          return null;
        })
      : Promise.resolve(null);
    return cached;
  };
}

const stylesheetsOf = (html: string | null): string[] =>
  html ? [...html.matchAll(/<link rel="stylesheet"[^>]*href="([^"]+)"/g)].map((match) => match[1] as string) : [];

export function mountPreview(app: Express, deps: PreviewDeps): void {
  const now = deps.now ?? Date.now;
  const cards = cardStore(deps.db);
  const cardPage = builtFile(deps.canvasDistDir, 'index.html');
  const hubspotTemplate = builtFile(deps.canvasDistDir, 'hubspot-preview.html');
  const canvasUrl = new URL('/canvas', deps.publicUrl).toString();
  const publicOrigin = new URL(deps.publicUrl).origin;
  const router = express.Router();

  const salesforceInstallations = async (): Promise<Installation[]> =>
    (await deps.installations()).filter((row) => row.provider === 'salesforce' && row.status === 'active');

  async function installationOf(id: string): Promise<Installation> {
    const installation = (await salesforceInstallations()).find((row) => row.id === id);
    if (!installation) throw new AppError(404, 'NOT_FOUND', 'No such Salesforce installation in this demo');
    return installation;
  }

  async function cardOf(installation: Installation, accountId: string) {
    const at = now();
    const since = new Date(at - (HISTORY_DAYS - 1) * DAY_MS).toISOString().slice(0, 10);
    const key = { workspaceId: installation.workspaceId, installationId: installation.id };
    const rows = await cards.load({ key }, accountId, since);
    if (!rows) throw new AppError(404, 'NOT_FOUND', 'No such account in this installation');
    const links = { sealer: deps.sealer, publicUrl: deps.publicUrl, key };
    return { card: buildCardView({ ...withBriefLinks(rows, links, at), crm: 'salesforce' }, at), at };
  }

  router.get('/', async (_req, res) => {
    const installations = await Promise.all(
      (await salesforceInstallations()).map(async (installation) => ({
        id: installation.id,
        displayName: installation.displayName,
        externalId: installation.externalId,
        accounts: await listPreviewAccounts(deps.db, {
          workspaceId: installation.workspaceId,
          installationId: installation.id,
        }),
      })),
    );
    res.type('html').send(previewIndexPage(installations, stylesheetsOf(await cardPage())));
  });

  router.get('/assets/submit-canvas.js', (_req, res) => {
    res.type('text/javascript').send(SUBMIT_CANVAS_SCRIPT);
  });

  router.get('/salesforce/:installationId/accounts/:accountId', async (req, res) => {
    const { installationId, accountId } = recordParams(req);
    const { card } = await cardOf(await installationOf(installationId), accountId);
    const base = `/preview/salesforce/${installationId}/accounts/${encodeURIComponent(accountId)}`;
    res.type('html').send(
      recordPage({
        accountName: card.account.name ?? accountId,
        accountId,
        canvasFrameHref: `${base}/canvas`,
        hubspotFrameHref: `${base}/hubspot`,
        stylesheets: stylesheetsOf(await cardPage()),
      }),
    );
  });

  router.get('/salesforce/:installationId/accounts/:accountId/canvas', async (req, res) => {
    const { installationId, accountId } = recordParams(req);
    const installation = await installationOf(installationId);
    const signedRequest = deps.signRequest({
      consumerSecret: deps.salesforceConsumerSecret,
      orgId: installation.externalId,
      recordId: accountId,
    });
    // The form posts to the public canvas URL, as a real org would.
    res.setHeader(
      'Content-Security-Policy',
      `default-src 'self'; script-src 'self'; img-src 'self' data:; form-action 'self' ${publicOrigin}; frame-ancestors 'self'; base-uri 'self'`,
    );
    res.setHeader('Cache-Control', 'no-store');
    res.type('html').send(canvasPostPage(canvasUrl, signedRequest));
  });

  router.get('/salesforce/:installationId/accounts/:accountId/hubspot', async (req, res) => {
    const { installationId, accountId } = recordParams(req);
    const { card, at } = await cardOf(await installationOf(installationId), accountId);
    const template = await hubspotTemplate();
    if (template === null) {
      res.status(503).type('text/plain').send('The card UI is not built yet: run npm run build:ui.');
      return;
    }
    res.setHeader('Cache-Control', 'no-store');
    res.type('html').send(hubspotPreviewPage(template, { card, now: new Date(at).toISOString() }));
  });

  app.use('/preview', router);
}
