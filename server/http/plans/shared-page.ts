import { randomBytes } from 'node:crypto';
import type { Response } from 'express';
import { milestoneStatus } from '../../core/plans/plan-model.ts';
import { STAGE_LABELS } from '../../core/plans/stages.ts';
import type { PlanWithParts } from '../../platform/db/plan-store.ts';
import { escapeHtml } from '../install/pages.ts';
import { metricValueText, parseStoredMetric, targetText } from '../../core/plans/metric-text.ts';
import { MILESTONE_STATUS_LABELS, OBJECTIVE_STATUS_LABELS } from './present.ts';

/**
 * The read-only page a customer opens through a share link: one plan, its objectives with progress
 * and its milestones with due dates. It shows nothing the customer should not see: no notes, no
 * owners (their names and addresses are the vendor's), no CRM ids, no links into the app. Every
 * string from the CRM or a template is escaped; the only style is one block carrying the response's
 * nonce, and the page runs no script.
 */

export interface SharedPlanView {
  accountName: string | null;
  plan: PlanWithParts;
  at: number;
  expiresAt: Date;
}

const DAY_FORMAT = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'UTC',
  day: 'numeric',
  month: 'long',
  year: 'numeric',
});
const day = (date: Date) => DAY_FORMAT.format(date);

const STYLE = `
  :root { color-scheme: light; }
  body { font: 16px/1.5 system-ui, sans-serif; margin: 0; color: #1f2933; background: #f5f7fa; }
  main { max-width: 50rem; margin: 2.5rem auto; padding: 2rem; background: #fff; border-radius: 8px; box-shadow: 0 1px 3px #0002; }
  h1 { margin: 0 0 .25rem; font-size: 1.6rem; } h2 { font-size: 1.15rem; margin: 2rem 0 .75rem; }
  .muted { color: #616e7c; } .facts { margin: 0; color: #616e7c; }
  ul { list-style: none; padding: 0; margin: 0; }
  li { padding: .8rem 0; border-bottom: 1px solid #e4e7eb; }
  .row { display: flex; justify-content: space-between; gap: 1rem; align-items: baseline; }
  .title { font-weight: 600; }
  .status { font-size: .85rem; font-weight: 600; padding: .1rem .55rem; border-radius: 999px; white-space: nowrap; }
  .on_track, .achieved, .reached { background: #d3f9d8; color: #2b8a3e; }
  .behind, .overdue { background: #fff3bf; color: #9c4f00; }
  .missed { background: #ffe3e3; color: #c92a2a; }
  .no_data, .upcoming { background: #e9ecef; color: #495057; }
  .bar { height: .5rem; background: #e9ecef; border-radius: 999px; overflow: hidden; margin: .5rem 0 .35rem; }
  .bar > span { display: block; height: 100%; background: #3b5bdb; width: 0; }
  .detail { font-size: .9rem; color: #616e7c; }
  footer { margin-top: 2rem; font-size: .85rem; color: #616e7c; }
`;

/** A random nonce per answer, for the page's one style block. */
export const newNonce = () => randomBytes(16).toString('base64');

/** The journey stage the customer reads; "at risk" and "churned" are the team's words, not theirs. */
function stageText(stage: keyof typeof STAGE_LABELS): string {
  if (stage === 'at_risk' || stage === 'churned') return 'Started';
  return `Stage: <span data-testid="plan-stage">${STAGE_LABELS[stage]}</span> · started`;
}

/** The headers of every answer on a share link: not cached, not indexed, no referrer, nothing but the nonce'd style. */
export function setSharedPageHeaders(res: Response, nonce: string): void {
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('X-Robots-Tag', 'noindex, nofollow');
  res.setHeader(
    'Content-Security-Policy',
    `default-src 'none'; style-src 'nonce-${nonce}'; img-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`,
  );
  res.type('html');
}

function frame(title: string, nonce: string, body: string, extraStyle = ''): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow"><meta name="referrer" content="no-referrer">
<title>${escapeHtml(title)}</title><style nonce="${nonce}">${STYLE}${extraStyle}</style></head>
<body><main>${body}</main></body></html>`;
}

export function sharedPlanPage(view: SharedPlanView, nonce: string): string {
  const { plan, at } = view;
  // Widths go in the nonce'd style block: a style attribute would need 'unsafe-inline'.
  const widths: string[] = [];
  const objectives = plan.objectives.map((objective, index) => {
    const metric = parseStoredMetric(objective.metric);
    const percent = objective.progress === null ? 0 : Math.round(Math.min(1, Math.max(0, objective.progress)) * 100);
    widths.push(`#objective-${index} .bar > span { width: ${percent}%; }`);
    const now = objective.value === null ? 'No reading yet' : `Now ${metricValueText(metric, objective.value)}`;
    const progress = objective.progress === null ? '' : ` · ${percent}% of the way`;
    return `<li id="objective-${index}" data-testid="objective" data-status="${objective.status}">
<div class="row"><span class="title">${escapeHtml(objective.title)}</span><span class="status ${objective.status}">${OBJECTIVE_STATUS_LABELS[objective.status]}</span></div>
<div class="bar" role="progressbar" aria-label="${escapeHtml(objective.title)}" aria-valuemin="0" aria-valuemax="100" aria-valuenow="${percent}"><span></span></div>
<div class="detail">${escapeHtml(now)} · Target ${escapeHtml(targetText(metric, objective.comparator, objective.target, 'full'))} by ${day(objective.dueAt)}${progress}</div>
</li>`;
  });
  const milestones = plan.milestones.map((milestone) => {
    const status = milestoneStatus(
      { dueAt: milestone.dueAt.getTime(), reachedAt: milestone.reachedAt?.getTime() ?? null },
      at,
    );
    const when =
      milestone.reachedAt === null
        ? `Due ${day(milestone.dueAt)}`
        : `Reached ${day(milestone.reachedAt)} · due ${day(milestone.dueAt)}`;
    return `<li data-testid="milestone" data-status="${status}">
<div class="row"><span class="title">${escapeHtml(milestone.title)}</span><span class="status ${status}">${MILESTONE_STATUS_LABELS[status]}</span></div>
<div class="detail">${when}</div>
</li>`;
  });
  const heading =
    view.accountName === null ? escapeHtml(plan.name) : `${escapeHtml(view.accountName)}: ${escapeHtml(plan.name)}`;
  const state = plan.status === 'closed' && plan.closedAt !== null ? ` · closed ${day(plan.closedAt)}` : '';
  const body = `<h1 data-testid="plan-heading">${heading}</h1>
<p class="facts">${stageText(plan.stage)} ${day(plan.startedAt)}${state}</p>
<h2>Objectives</h2>
${objectives.length === 0 ? '<p class="muted">This plan has no objectives.</p>' : `<ul data-testid="objectives">${objectives.join('\n')}</ul>`}
<h2>Milestones</h2>
${milestones.length === 0 ? '<p class="muted">This plan has no milestones.</p>' : `<ul data-testid="milestones">${milestones.join('\n')}</ul>`}
<footer>A read-only view of your success plan, as of ${day(new Date(at))}. This link stops working on ${day(view.expiresAt)}.</footer>`;
  return frame(`${view.accountName ?? 'Success plan'}: ${plan.name}`, nonce, body, widths.join('\n'));
}

/**
 * The one answer for a link that opens nothing, whatever the reason (never was, revoked, expired,
 * malformed), so someone trying links learns nothing from it.
 */
export const SHARED_NOT_FOUND_TEXT =
  'This link does not open a plan. It may have expired or been withdrawn; ask your contact for a new one.';

export function sharedNotFoundPage(nonce: string): string {
  return frame(
    'Link not available',
    nonce,
    `<h1>Link not available</h1><p data-testid="not-found">${SHARED_NOT_FOUND_TEXT}</p>`,
  );
}

export function sharedBusyPage(nonce: string): string {
  return frame(
    'Too many requests',
    nonce,
    '<h1>Too many requests</h1><p>Too many pages were opened from here just now; try again in a minute.</p>',
  );
}

export function sharedErrorPage(nonce: string): string {
  return frame(
    'Not available right now',
    nonce,
    '<h1>Not available right now</h1><p>This page could not be shown just now; try again shortly.</p>',
  );
}
