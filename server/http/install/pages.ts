import type { Response } from 'express';
import type { Installation } from '../../platform/db/installations.ts';

/**
 * The install pages: plain server-rendered HTML, no framework. Every value that reaches the page is
 * escaped here; the status page's script (install/status-script.ts) writes with textContent only.
 */

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

const STYLE = `
  body { font: 16px/1.5 system-ui, sans-serif; margin: 0; color: #1f2933; background: #f5f7fa; }
  main { max-width: 52rem; margin: 3rem auto; padding: 2rem; background: #fff; border-radius: 8px; box-shadow: 0 1px 3px #0002; }
  h1 { margin-top: 0; font-size: 1.6rem; }
  a.button, button { display: inline-block; padding: .6rem 1.1rem; margin: .25rem .5rem .25rem 0; border-radius: 6px; border: 0;
    background: #3b5bdb; color: #fff; text-decoration: none; font: inherit; cursor: pointer; }
  a.button.secondary, button.secondary { background: #e4e7eb; color: #1f2933; }
  button.danger { background: #c92a2a; }
  table { border-collapse: collapse; width: 100%; margin: 1rem 0; }
  th, td { text-align: left; padding: .35rem .6rem; border-bottom: 1px solid #e4e7eb; }
  .status-active { color: #2b8a3e; } .status-needs_reauth { color: #e67700; } .status-uninstalled { color: #868e96; }
  .muted { color: #616e7c; } .error { color: #c92a2a; }
  [hidden] { display: none !important; }
`;

/** The shared page frame of the install and sign-in pages. */
export function layout(title: string, body: string, extraHead = ''): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} · Bellwether</title><style>${STYLE}</style>${extraHead}</head><body><main>${body}</main></body></html>`;
}

export interface LandingOptions {
  hubspot: boolean;
  salesforce: boolean;
}

export function landingPage(options: LandingOptions): string {
  const hubspot = options.hubspot
    ? `<a class="button" id="connect-hubspot" href="/install/hubspot">Connect HubSpot</a>`
    : `<p class="muted">HubSpot is not configured on this server.</p>`;
  const salesforce = options.salesforce
    ? `<a class="button" id="connect-salesforce" href="/install/salesforce?domain=production">Connect Salesforce</a>
       <a class="button secondary" id="connect-salesforce-sandbox" href="/install/salesforce?domain=sandbox">Connect a Salesforce sandbox</a>`
    : `<p class="muted">Salesforce is not configured on this server.</p>`;
  return layout(
    'Connect your CRM',
    `<h1>Connect Bellwether to your CRM</h1>
<p>Bellwether reads your accounts, contacts, deals and tickets to score customer health, and writes the score back onto the account record.
You will be asked to approve access in your CRM; you can disconnect at any time.</p>
<h2>HubSpot</h2><p>${hubspot}</p>
<h2>Salesforce</h2><p>${salesforce}</p>`,
  );
}

/** A page that says what went wrong and how to try again. */
export function problemPage(title: string, message: string, retryHref = '/install'): string {
  return layout(
    title,
    `<h1>${escapeHtml(title)}</h1><p class="error" id="problem">${escapeHtml(message)}</p>
<p><a class="button" id="start-again" href="${escapeHtml(retryHref)}">Start again</a></p>`,
  );
}

const PROVIDER_NAMES = { hubspot: 'HubSpot portal', salesforce: 'Salesforce org' } as const;

/** A workspace holds one portal and one org: the installation's page offers the other CRM, into the same workspace. */
function otherCrmLink(provider: Installation['provider']): string {
  return provider === 'hubspot'
    ? `<p><a id="connect-other" href="/install/salesforce?domain=production">Connect Salesforce to this workspace</a> (or <a href="/install/salesforce?domain=sandbox">a Salesforce sandbox</a>): Bellwether matches the two CRMs' accounts.</p>`
    : `<p><a id="connect-other" href="/install/hubspot">Connect HubSpot to this workspace</a>: Bellwether matches the two CRMs' accounts.</p>`;
}

export function installationPage(installation: Installation): string {
  const what = PROVIDER_NAMES[installation.provider];
  const reason = installation.statusReason ? ` (${installation.statusReason})` : '';
  return layout(
    installation.displayName,
    `<div id="installation" data-installation-id="${escapeHtml(installation.id)}">
<h1>Connected: ${escapeHtml(installation.displayName)}</h1>
<p class="muted">${escapeHtml(what)} <span id="external-id">${escapeHtml(installation.externalId)}</span></p>
<p>Status: <strong id="status" class="status-${escapeHtml(installation.status)}">${escapeHtml(installation.status)}</strong><span id="status-reason">${escapeHtml(reason)}</span></p>
<h2>Sync</h2>
<p id="run">Waiting for the first sync…</p>
<table><thead><tr><th>Object</th><th>Records</th><th>Last finished</th><th>Last error</th></tr></thead><tbody id="objects"></tbody></table>
<h2>Schedules</h2><ul id="schedules"><li class="muted">none yet</li></ul>
<p id="poll-error" class="error"></p>
<p><button type="button" class="danger" id="disconnect">Disconnect</button>
<button type="button" class="danger" id="disconnect-confirm" hidden>Yes, disconnect and delete its data</button>
<button type="button" class="secondary" id="disconnect-cancel" hidden>Cancel</button></p>
${otherCrmLink(installation.provider)}
</div>`,
    '<script src="/install/installation.js" defer></script>',
  );
}

/** The 404 page of an install route whose CRM has no app credentials on this server. */
export function sendNotConfigured(res: Response, crm: 'HubSpot' | 'Salesforce'): void {
  res
    .status(404)
    .type('html')
    .send(problemPage(`${crm} is not configured`, `This server has no ${crm} app credentials.`));
}
