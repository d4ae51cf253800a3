import type { OAuthConfigOverrides } from './crm/oauth-config.ts';
import type { CrmBook } from '../sandbox/generator/book.ts';
import { crmBook, generateBook } from '../sandbox/generator/generate-book.ts';
import { DEFAULT_PORTALS } from '../sandbox/hubspot/index.ts';
import { startSandboxes, type RunningSandboxes } from '../sandbox/start-sandboxes.ts';

/**
 * The embedded demo: with no CRM credentials, `npm start` runs the stand-ins and connects a demo
 * portal and a demo org through the same OAuth redirects an admin's browser follows.
 */

const unescapeHtml = (value: string) =>
  value.replace(/&#(\d+);/g, (_m, code: string) => String.fromCharCode(Number(code)));

function hiddenFields(html: string): URLSearchParams {
  const form = new URLSearchParams();
  for (const match of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) {
    form.set(match[1] as string, unescapeHtml(match[2] as string));
  }
  return form;
}

async function submit(action: string, form: URLSearchParams, headers: Record<string, string>): Promise<URL> {
  const answer = await fetch(action, { method: 'POST', body: form, redirect: 'manual', headers });
  const location = answer.headers.get('location');
  if (answer.status !== 302 || !location) {
    throw new Error(`the consent form answered HTTP ${answer.status}: ${(await answer.text()).slice(0, 300)}`);
  }
  return new URL(location, action);
}

async function consentPage(authorizeUrl: string, crm: string): Promise<string> {
  const page = await fetch(authorizeUrl);
  const html = await page.text();
  if (page.status !== 200)
    throw new Error(`the ${crm} consent page answered HTTP ${page.status}: ${html.slice(0, 300)}`);
  return html;
}

/** The HubSpot stand-in's account chooser: picks a portal; resolves to the redirect (our callback with code and state). */
export async function approveHubspotConsent(authorizeUrl: string, portalId: string | number): Promise<URL> {
  const html = await consentPage(authorizeUrl, 'HubSpot');
  const item = html.split('<li>').find((part) => part.includes(`name="portal_id" value="${portalId}"`));
  if (!item) throw new Error(`portal ${portalId} is not offered on the HubSpot consent page`);
  return submit(new URL('/oauth/authorize', authorizeUrl).toString(), hiddenFields(item), {});
}

/** The Salesforce stand-in's "Allow Access?" page: logs in as the first user offered (or `user`, "orgId:userId"). */
export async function approveSalesforceConsent(
  authorizeUrl: string,
  options: { user?: string; decision?: 'allow' | 'deny' } = {},
): Promise<URL> {
  const html = await consentPage(authorizeUrl, 'Salesforce');
  const form = hiddenFields(html);
  const user = options.user ?? /<option value="([^"]+)"/.exec(html)?.[1];
  if (!user) throw new Error('the Salesforce consent page offers no user');
  form.set('user', user);
  form.set('decision', options.decision ?? 'allow');
  return submit(new URL('/services/oauth2/authorize', authorizeUrl).toString(), form, {});
}

export interface DemoSandboxes {
  sandboxes: RunningSandboxes;
  /** The stand-ins' OAuth clients, for oauthConfigFromEnv(env, manifest, overrides). */
  oauth: OAuthConfigOverrides;
  close(): Promise<void>;
}

export interface StartDemoSandboxesOptions {
  /** Where browsers reach the app: the stand-ins accept its callback URLs as redirect URIs. */
  publicUrl: string;
  /** The book loaded into the demo portal and org; by default a generated one of `accounts` accounts. */
  book?: CrmBook;
  accounts?: number;
  seed?: number;
  host?: string;
  /** Fixed ports keep the stand-ins' addresses (and so the stored installations) the same across restarts. */
  hubspotPort?: number;
  salesforcePort?: number;
}

/** Day the generated demo book is "as of": today, so renewals and activity look current. */
const today = () => new Date().toISOString().slice(0, 10);

/** Starts both stand-ins with a book loaded and the app's callbacks registered with their OAuth clients. */
export async function startDemoSandboxes(options: StartDemoSandboxesOptions): Promise<DemoSandboxes> {
  const book =
    options.book ??
    crmBook(generateBook({ seed: options.seed ?? 42, accounts: options.accounts ?? 300, asOf: today() }).book);
  const sandboxes = await startSandboxes({
    book,
    hubspotWebhookUrl: new URL('/webhooks/hubspot', options.publicUrl).toString(),
    ...(options.host ? { host: options.host } : {}),
    ...(options.hubspotPort === undefined ? {} : { hubspotPort: options.hubspotPort }),
    ...(options.salesforcePort === undefined ? {} : { salesforcePort: options.salesforcePort }),
  });
  const hubspot = sandboxes.hubspot.sandbox.oauth;
  const salesforce = sandboxes.salesforce.sandbox.oauth;
  // The stand-ins read their client's redirect URIs on every request: registering ours is enough.
  const callback = (provider: string) => new URL(`/oauth/${provider}/callback`, options.publicUrl).toString();
  if (!hubspot.redirectUris.includes(callback('hubspot'))) {
    hubspot.redirectUris = [...hubspot.redirectUris, callback('hubspot')];
  }
  if (!salesforce.redirectUris.includes(callback('salesforce'))) {
    salesforce.redirectUris = [...salesforce.redirectUris, callback('salesforce')];
  }
  return {
    sandboxes,
    oauth: {
      hubspot: {
        clientId: hubspot.clientId,
        clientSecret: hubspot.clientSecret,
        apiBase: sandboxes.hubspot.url,
        authorizeUrl: `${sandboxes.hubspot.url}/oauth/authorize`,
      },
      salesforce: {
        clientId: salesforce.clientId,
        clientSecret: salesforce.clientSecret,
        loginUrl: sandboxes.salesforce.url,
        sandboxLoginUrl: sandboxes.salesforce.url,
      },
    },
    close: () => sandboxes.close(),
  };
}

/** A tiny cookie jar: the install flow needs its flow cookie back at the callback, and the session after. */
class CookieJar {
  private readonly cookies = new Map<string, string>();
  take(response: Response): void {
    for (const line of response.headers.getSetCookie()) {
      const pair = line.split(';')[0] ?? '';
      const at = pair.indexOf('=');
      if (at <= 0) continue;
      const name = pair.slice(0, at).trim();
      const value = pair.slice(at + 1).trim();
      if (value === '' || /max-age=0|expires=thu, 01 jan 1970/i.test(line)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }
  header(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }
}

export interface ConnectedInstall {
  installationId: string;
  /** The session cookie header this browser-less client ended with. */
  cookie: string;
}

async function step(url: string, jar: CookieJar, expect: number[]): Promise<Response> {
  const response = await fetch(url, { redirect: 'manual', headers: { cookie: jar.header() } });
  jar.take(response);
  if (!expect.includes(response.status)) {
    throw new Error(
      `${new URL(url).pathname} answered HTTP ${response.status}: ${(await response.text()).slice(0, 300)}`,
    );
  }
  return response;
}

const locationOf = (response: Response, base: string) =>
  new URL(response.headers.get('location') ?? '', base).toString();

/**
 * Connects one CRM through the app's real install flow, as a browser would: the app's start URL
 * (flow cookie set), the stand-in's consent page, the app's callback (session cookie set).
 */
export async function connectThroughOAuth(
  publicUrl: string,
  provider: 'hubspot' | 'salesforce',
  options: { portalId?: string | number; cookie?: string; domain?: 'production' | 'sandbox' } = {},
): Promise<ConnectedInstall> {
  const jar = new CookieJar();
  if (options.cookie)
    jar.take(new Response(null, { headers: options.cookie.split('; ').map((c) => ['set-cookie', c]) }));
  const start =
    provider === 'hubspot' ? '/install/hubspot' : `/install/salesforce?domain=${options.domain ?? 'production'}`;
  const started = await step(new URL(start, publicUrl).toString(), jar, [302]);
  const consent = locationOf(started, publicUrl);
  const callback =
    provider === 'hubspot'
      ? await approveHubspotConsent(consent, options.portalId ?? DEFAULT_PORTALS[0]?.id ?? '')
      : await approveSalesforceConsent(consent);
  const landed = await step(callback.toString(), jar, [303]);
  const page = new URL(locationOf(landed, publicUrl));
  const installationId = /^\/installations\/([^/]+)$/.exec(page.pathname)?.[1];
  if (!installationId) throw new Error(`the callback sent the browser to ${page.pathname}, not an installation page`);
  return { installationId, cookie: jar.header() };
}

/**
 * The embedded demo, after the app listens: the demo portal and the demo org connected through the
 * OAuth flow into one workspace (each connect enqueues its first full sync).
 */
export async function connectDemo(
  publicUrl: string,
): Promise<{ hubspot: ConnectedInstall; salesforce: ConnectedInstall }> {
  const hubspot = await connectThroughOAuth(publicUrl, 'hubspot');
  const salesforce = await connectThroughOAuth(publicUrl, 'salesforce', { cookie: hubspot.cookie });
  return { hubspot, salesforce };
}

export interface RunningDemo extends DemoSandboxes {
  /** After the app listens at publicUrl: connects the demo portal and org (idempotent: a re-install each start). */
  connect(): Promise<{ hubspot: ConnectedInstall; salesforce: ConnectedInstall }>;
}

/**
 * `npm start` with no CRM credentials: the stand-ins with a generated book (300 accounts unless
 * told otherwise). Build the app with `oauthConfigFromEnv(env, manifest, demo.oauth)`, listen, then
 * `await demo.connect()`; close the demo on shutdown.
 */
export async function startDemo(options: StartDemoSandboxesOptions): Promise<RunningDemo> {
  const sandboxes = await startDemoSandboxes({ accounts: 300, ...options });
  return { ...sandboxes, connect: () => connectDemo(options.publicUrl) };
}
