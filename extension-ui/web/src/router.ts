import { useEffect, useState, type MouseEvent } from 'react';

/**
 * A history-API router small enough to read at a glance: the app has a handful of fixed pages, so a
 * path is split into the installation and the page, and links push state instead of reloading.
 */

export const APP_BASE = '/app';

export const PAGES = ['portfolio', 'renewals', 'retention', 'nps', 'team', 'plans', 'warnings', 'admin'] as const;
export type PageName = (typeof PAGES)[number];

export const PAGE_TITLE: Record<PageName, string> = {
  portfolio: 'Portfolio',
  renewals: 'Renewals',
  retention: 'Retention',
  nps: 'NPS',
  team: 'Team & staffing',
  plans: 'Plans',
  warnings: 'Warnings',
  admin: 'Admin',
};

export interface Route {
  /** Null on `/app/`: the first installation is picked once `/api/me` answers. */
  installationId: string | null;
  page: PageName | null;
  /** One account's success plans (`/app/:installationId/accounts/:accountId/plans`), under the Plans tab. */
  accountId: string | null;
  /** A path under the app that names no page: shown as "not found", never guessed. */
  unknown: boolean;
  search: URLSearchParams;
}

export function parseRoute(pathname: string, search = ''): Route {
  const params = new URLSearchParams(search);
  const rest = pathname.startsWith(APP_BASE) ? pathname.slice(APP_BASE.length) : pathname;
  const [installationId, page, ...extra] = rest.split('/').filter(Boolean);
  if (!installationId) return { installationId: null, page: null, accountId: null, unknown: false, search: params };
  if (page === 'accounts' && extra.length === 2 && extra[1] === 'plans') {
    const accountId = decoded(extra[0] ?? '');
    if (accountId) return { installationId, page: 'plans', accountId, unknown: false, search: params };
  }
  const known = page === undefined || (PAGES as readonly string[]).includes(page);
  return {
    installationId,
    page: page && known ? (page as PageName) : null,
    accountId: null,
    unknown: !known || extra.length > 0,
    search: params,
  };
}

/** A malformed escape names no account: the path is then not found. */
function decoded(segment: string): string | null {
  try {
    return decodeURIComponent(segment) || null;
  } catch {
    return null;
  }
}

export function pagePath(installationId: string, page: PageName, search?: URLSearchParams): string {
  const query = search && [...search.keys()].length > 0 ? `?${search.toString()}` : '';
  return `${APP_BASE}/${encodeURIComponent(installationId)}/${page}${query}`;
}

export function accountPlansPath(installationId: string, accountId: string): string {
  return `${APP_BASE}/${encodeURIComponent(installationId)}/accounts/${encodeURIComponent(accountId)}/plans`;
}

const CHANGE = 'bellwether:navigate';

export function navigate(to: string, options: { replace?: boolean } = {}): void {
  if (options.replace) window.history.replaceState(null, '', to);
  else window.history.pushState(null, '', to);
  window.dispatchEvent(new Event(CHANGE));
}

export function useRoute(): Route {
  const read = () => parseRoute(window.location.pathname, window.location.search);
  const [route, setRoute] = useState(read);
  useEffect(() => {
    const update = () => setRoute(read());
    window.addEventListener('popstate', update);
    window.addEventListener(CHANGE, update);
    return () => {
      window.removeEventListener('popstate', update);
      window.removeEventListener(CHANGE, update);
    };
  }, []);
  return route;
}

/** A plain left click stays in the app; a modified click (new tab, download) is the browser's. */
export function onLinkClick(event: MouseEvent<HTMLAnchorElement>): void {
  if (
    event.defaultPrevented ||
    event.button !== 0 ||
    event.metaKey ||
    event.ctrlKey ||
    event.shiftKey ||
    event.altKey
  ) {
    return;
  }
  const anchor = event.currentTarget;
  if (anchor.target && anchor.target !== '_self') return;
  if (anchor.origin !== window.location.origin || !anchor.pathname.startsWith(`${APP_BASE}/`)) return;
  event.preventDefault();
  navigate(`${anchor.pathname}${anchor.search}`);
}
