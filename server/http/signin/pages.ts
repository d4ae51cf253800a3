import type { InstallProvider } from '../install/cookies.ts';
import { escapeHtml, layout } from '../install/pages.ts';

/** The sign-in pages: plain server-rendered HTML in the install pages' frame. */

const CRM = { hubspot: 'HubSpot', salesforce: 'Salesforce' } as const;
const WHAT = { hubspot: 'HubSpot portal', salesforce: 'Salesforce org' } as const;

const withNext = (href: string, next: string | undefined) =>
  next === undefined ? href : `${href}${href.includes('?') ? '&' : '?'}next=${encodeURIComponent(next)}`;

export interface SigninPageOptions {
  hubspot: boolean;
  salesforce: boolean;
  /** Passed on to the CRM flow when the sign-in was asked for by a page. */
  next?: string;
}

export function signinPage(options: SigninPageOptions): string {
  const buttons = [
    options.hubspot
      ? `<a class="button" id="signin-hubspot" href="${escapeHtml(withNext('/signin/hubspot', options.next))}">Sign in with HubSpot</a>`
      : '',
    options.salesforce
      ? `<a class="button" id="signin-salesforce" href="${escapeHtml(withNext('/signin/salesforce?domain=production', options.next))}">Sign in with Salesforce</a>
<a class="button secondary" id="signin-salesforce-sandbox" href="${escapeHtml(withNext('/signin/salesforce?domain=sandbox', options.next))}">Sign in with a Salesforce sandbox</a>`
      : '',
  ].join('\n');
  const none = !options.hubspot && !options.salesforce;
  return layout(
    'Sign in',
    `<h1>Sign in to Bellwether</h1>
<p>Use the CRM you already work in. Bellwether opens the dashboard of the installation your portal or org is connected to.</p>
<p>${none ? '<span class="muted">No CRM is configured on this server.</span>' : buttons}</p>
<p class="muted">Not connected yet? <a href="/install">Connect your CRM first</a>.</p>`,
  );
}

/** The CRM said who the user is, but their portal or org has no working installation. */
export function installFirstPage(
  provider: InstallProvider,
  externalId: string,
  state: 'missing' | 'active' | 'needs_reauth' | 'uninstalled',
): string {
  const installHref = provider === 'hubspot' ? '/install/hubspot' : '/install/salesforce?domain=production';
  const why =
    state === 'missing'
      ? `This ${WHAT[provider]} (${externalId}) is not connected to Bellwether yet.`
      : state === 'needs_reauth'
        ? `This ${WHAT[provider]} (${externalId}) is connected, but its access has to be approved again.`
        : `This ${WHAT[provider]} (${externalId}) was disconnected from Bellwether.`;
  return layout(
    'Install first',
    `<h1>Install Bellwether first</h1><p id="install-first">${escapeHtml(why)} An admin connects it once; after that everyone in it can sign in.</p>
<p><a class="button" id="install-link" href="${escapeHtml(installHref)}">Connect ${CRM[provider]}</a>
<a class="button secondary" href="/signin">Back to sign-in</a></p>`,
  );
}
