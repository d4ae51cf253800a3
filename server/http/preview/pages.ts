import { escapeHtml } from '../install/pages.ts';
import type { PreviewAccount } from './preview-store.ts';

/**
 * The preview's pages, server-rendered and escaped here. The record page borrows the card's built
 * SLDS stylesheet so the mock Account page looks like Lightning; scripts are files (the CSP allows
 * no inline script).
 */

const STYLE = `
  body { margin: 0; background: #f3f3f3; }
  .preview-columns { display: grid; grid-template-columns: minmax(0, 1fr) 22rem; gap: 1rem; padding: 1rem; }
  .preview-frame { width: 100%; border: 0; background: #fff; border-radius: .25rem; }
  .preview-frame.salesforce { height: 60rem; }
  .preview-frame.hubspot { height: 60rem; background: #f5f8fa; }
  .preview-list { margin: 1rem; }
  .band-red { color: #ba0517; } .band-yellow { color: #8c4b02; } .band-green { color: #2e844a; }
`;

function layout(title: string, stylesheets: readonly string[], body: string): string {
  const links = stylesheets.map((href) => `<link rel="stylesheet" href="${escapeHtml(href)}">`).join('');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} · Bellwether preview</title><link rel="icon" href="data:,">${links}<style>${STYLE}</style></head><body class="slds-scope">${body}</body></html>`;
}

export interface PreviewInstallation {
  id: string;
  displayName: string;
  externalId: string;
  accounts: PreviewAccount[];
}

const recordHref = (installationId: string, accountId: string) =>
  `/preview/salesforce/${encodeURIComponent(installationId)}/accounts/${encodeURIComponent(accountId)}`;

export function previewIndexPage(
  installations: readonly PreviewInstallation[],
  stylesheets: readonly string[],
): string {
  const sections = installations.map((installation) => {
    const rows = installation.accounts
      .map(
        (account) => `<tr>
<th scope="row"><a href="${escapeHtml(recordHref(installation.id, account.externalId))}">${escapeHtml(account.name ?? account.externalId)}</a></th>
<td>${account.score === null ? '—' : String(Math.round(account.score))}</td>
<td class="band-${escapeHtml(account.band ?? 'none')}">${escapeHtml(account.band ?? 'not scored')}</td></tr>`,
      )
      .join('');
    const table = rows
      ? `<table class="slds-table slds-table_bordered slds-table_cell-buffer"><thead><tr><th scope="col">Account</th><th scope="col">Score</th><th scope="col">Band</th></tr></thead><tbody>${rows}</tbody></table>`
      : `<p>No accounts yet: the demo's first sync is still running. Reload in a moment.</p>`;
    return `<section class="slds-card slds-p-around_medium" data-installation-id="${escapeHtml(installation.id)}">
<h2 class="slds-text-heading_medium">${escapeHtml(installation.displayName)} <span class="slds-text-color_weak">(${escapeHtml(installation.externalId)})</span></h2>${table}</section>`;
  });
  const body = sections.length ? sections.join('') : `<p>No Salesforce installation in this demo yet.</p>`;
  return layout(
    'Cards',
    stylesheets,
    `<div class="preview-list"><h1 class="slds-text-heading_large slds-m-bottom_medium">Account health cards</h1>
<p class="slds-m-bottom_medium">Each account opens a mock Salesforce Account page whose card is loaded through a real signed Canvas request, with the same card drawn in HubSpot's layout beside it.</p>${body}</div>`,
  );
}

export function recordPage(input: {
  accountName: string;
  accountId: string;
  canvasFrameHref: string;
  hubspotFrameHref: string;
  stylesheets: readonly string[];
}): string {
  return layout(
    input.accountName,
    input.stylesheets,
    `<div class="slds-page-header slds-page-header_record-home">
  <div class="slds-page-header__row"><div class="slds-page-header__col-title"><div class="slds-media">
    <div class="slds-media__body"><div class="slds-page-header__name"><div class="slds-page-header__name-title">
      <span class="slds-page-header__name-meta">Account</span>
      <h1><span class="slds-page-header__title slds-truncate" id="account-name">${escapeHtml(input.accountName)}</span></h1>
    </div></div></div>
  </div></div>
  <div class="slds-page-header__col-actions"><a class="slds-button slds-button_neutral" href="/preview">All accounts</a></div></div>
  <p class="slds-text-body_small slds-text-color_weak">${escapeHtml(input.accountId)}</p>
</div>
<div class="preview-columns">
  <section aria-label="Salesforce Canvas card"><h2 class="slds-text-title_caps slds-m-bottom_x-small">Salesforce (Canvas)</h2>
    <iframe class="preview-frame salesforce" id="salesforce-card" title="Salesforce card" src="${escapeHtml(input.canvasFrameHref)}"></iframe></section>
  <section aria-label="HubSpot layout"><h2 class="slds-text-title_caps slds-m-bottom_x-small">HubSpot (same view model)</h2>
    <iframe class="preview-frame hubspot" id="hubspot-card" title="HubSpot layout" src="${escapeHtml(input.hubspotFrameHref)}"></iframe></section>
</div>`,
  );
}

/** What the Canvas frame loads: a form Salesforce would post, submitted by a script file. */
export function canvasPostPage(canvasUrl: string, signedRequest: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Opening the card…</title><link rel="icon" href="data:,">
<script src="/preview/assets/submit-canvas.js" defer></script></head><body>
<form id="canvas-post" method="post" action="${escapeHtml(canvasUrl)}">
<input type="hidden" name="signed_request" value="${escapeHtml(signedRequest)}">
<noscript><button type="submit">Open the card</button></noscript></form></body></html>`;
}

export const SUBMIT_CANVAS_SCRIPT = `document.getElementById('canvas-post').submit();\n`;

/** The built HubSpot-layout page with the card put in as inert JSON. */
export function hubspotPreviewPage(template: string, data: { card: unknown; now: string }): string {
  const json = JSON.stringify(data).replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026');
  const element = `<script id="bellwether-preview-card" type="application/json">${json}</script>`;
  return template.includes('<!--bellwether-preview-card-->')
    ? template.replace('<!--bellwether-preview-card-->', element)
    : template.replace('</head>', `${element}</head>`);
}
