import { Router, type Request } from 'express';
import { z } from 'zod';
import { enqueueQbrBrief, type Queues } from '../../../jobs/queues.ts';
import { parseBrief } from '../../core/qbr/brief.ts';
import { briefQbrDate } from '../../core/qbr/cadence.ts';
import { renderHtml } from '../../core/qbr/render-html.ts';
import { renderMarkdown } from '../../core/qbr/render-markdown.ts';
import { planSection } from '../../core/qbr/sections.ts';
import type { Sealer } from '../../platform/crypto.ts';
import { cardStore } from '../../platform/db/card-store.ts';
import type { Database } from '../../platform/db/database.ts';
import { accountNotFound } from '../../platform/db/override-store.ts';
import { briefById, listBriefs } from '../../platform/db/qbr-store.ts';
import { AppError } from '../../platform/errors.ts';
import { renderPdf } from '../../platform/qbr/pdf.ts';
import { viewerActor } from '../ingest/keys.ts';
import { installationFor } from '../install/access.ts';
import { installContext, type InstallDeps } from '../install/deps.ts';
import { BRIEF_FORMATS, briefLinks, readBriefLink, type BriefFormat } from './brief-links.ts';

/**
 * QBR briefs: each version opened through its sealed link (the card's links, no sign-in) as HTML,
 * Markdown or PDF; and, for people signed in to the workspace, an account's versions and "write a brief
 * now" under the installation they may see.
 */

export interface QbrDeps {
  db: Database;
  queues: Queues;
  sealer: Sealer;
  publicUrl: string;
}

const fileSchema = z.string().regex(/^[0-9a-f-]{36}\.(html|md|pdf)$/, 'must be <brief id>.html, .md or .pdf');
const requestSchema = z.strictObject({ qbrDate: z.iso.date().optional() });

const CONTENT_TYPE: Record<BriefFormat, string> = {
  html: 'text/html; charset=utf-8',
  md: 'text/markdown; charset=utf-8',
  pdf: 'application/pdf',
};

const safeName = (text: string) => text.replace(/[^A-Za-z0-9._-]+/g, '-').slice(0, 80) || 'account';

export function qbrRouter(deps: QbrDeps, install: InstallDeps): Router {
  const router = Router();
  const ctx = installContext(install);

  router.get('/briefs/:file', async (req, res) => {
    const file = fileSchema.safeParse(req.params.file);
    if (!file.success) throw new AppError(404, 'NOT_FOUND', 'No such brief');
    const [briefId, format] = file.data.split('.') as [string, BriefFormat];
    if (!BRIEF_FORMATS.includes(format)) throw new AppError(404, 'NOT_FOUND', 'No such brief');
    const link = readBriefLink(deps.sealer, briefId, req.query.t, ctx.now());
    const stored = await briefById(deps.db, link.key, link.briefId);
    if (!stored) throw new AppError(404, 'NOT_FOUND', 'This brief no longer exists');
    const brief = parseBrief(stored.brief);
    const name = `qbr-${safeName(brief.account.name ?? stored.accountExternalId)}-${stored.qbrDate}-v${stored.version}`;
    // The link carries its token in the query: never pass it on, never keep the answer in a shared cache.
    res.setHeader('Referrer-Policy', 'no-referrer');
    res.setHeader('Cache-Control', 'private, no-store');
    res.type(CONTENT_TYPE[format]);
    if (format === 'html') {
      res.setHeader('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'; img-src data:");
      res.send(renderHtml(brief));
    } else if (format === 'md') {
      res.setHeader('Content-Disposition', `inline; filename="${name}.md"`);
      res.send(renderMarkdown(brief));
    } else {
      res.setHeader('Content-Disposition', `attachment; filename="${name}.pdf"`);
      res.send(await renderPdf(brief, planSection(brief)));
    }
  });

  const accountBriefs = '/api/installations/:id/accounts/:accountId/briefs';
  const account = async (req: Request) => {
    const { installation, viewer } = await installationFor(req, ctx, req.params.id);
    const key = { workspaceId: installation.workspaceId, installationId: installation.id };
    const accountId = z.string().min(1).max(255).parse(req.params.accountId);
    const found = await cardStore(deps.db).renewalOf(key, accountId);
    if (!found) throw accountNotFound();
    return { key, accountId, renewalDate: found.renewalDate, actor: viewerActor(viewer) };
  };

  router.get(accountBriefs, async (req, res) => {
    const { key, accountId } = await account(req);
    const now = ctx.now();
    const versions = await listBriefs(deps.db, key, { accountExternalId: accountId });
    res.setHeader('Cache-Control', 'no-store');
    res.json({
      briefs: versions.map((version) => ({
        id: version.id,
        qbrDate: version.qbrDate,
        period: version.period,
        version: version.version,
        trigger: version.trigger,
        requestedBy: version.requestedBy,
        generatedAt: version.generatedAt.toISOString(),
        note: { state: version.noteState, crmNoteId: version.crmNoteId, error: version.noteError },
        links: briefLinks(deps.sealer, deps.publicUrl, key, version.id, now),
      })),
    });
  });

  router.post(accountBriefs, async (req, res) => {
    const { key, accountId, renewalDate, actor } = await account(req);
    const body = requestSchema.parse(req.body ?? {});
    const qbrDate = body.qbrDate ?? briefQbrDate(renewalDate, ctx.now());
    const { jobId } = await enqueueQbrBrief(deps.queues, {
      ...key,
      accountExternalId: accountId,
      qbrDate,
      trigger: 'api',
      requestedBy: actor,
    });
    res.status(202).json({ status: 'queued', jobId, qbrDate });
  });
  return router;
}
