import type { ChangeEvent } from 'react';
import type { Me, MeInstallation } from './api/contracts.ts';
import { AdminPage } from './admin/admin-page.tsx';
import { NpsPage } from './pages/nps-page.tsx';
import { PlansPage } from './pages/plans-page.tsx';
import { PortfolioPage } from './pages/portfolio-page.tsx';
import { RenewalsPage } from './pages/renewals-page.tsx';
import { RetentionPage } from './pages/retention-page.tsx';
import { TeamPage } from './pages/team-page.tsx';
import { WarningsPage } from './pages/warnings-page.tsx';
import { navigate, onLinkClick, PAGE_TITLE, PAGES, pagePath, type PageName, type Route } from './router.ts';

/** Header (workspace, installation picker, who is signed in), the page tabs, and the page itself. */

const PROVIDER_NAME = { hubspot: 'HubSpot', salesforce: 'Salesforce' } as const;

const installationLabel = (installation: MeInstallation) =>
  `${installation.displayName} · ${PROVIDER_NAME[installation.provider]} ${installation.externalId}${
    installation.status === 'active' ? '' : ` (${installation.status.replace('_', ' ')})`
  }`;

function PageBody({ page }: { page: PageName }) {
  switch (page) {
    case 'portfolio':
      return <PortfolioPage />;
    case 'renewals':
      return <RenewalsPage />;
    case 'retention':
      return <RetentionPage />;
    case 'nps':
      return <NpsPage />;
    case 'team':
      return <TeamPage />;
    case 'plans':
      return <PlansPage />;
    case 'warnings':
      return <WarningsPage />;
    case 'admin':
      return <AdminPage />;
  }
}

function NotFound({ what }: { what: string }) {
  return (
    <div className="bw-state bw-state-error" role="alert" data-testid="not-found">
      <strong>{what}</strong>
      <span>Pick one of your workspace&apos;s installations above.</span>
    </div>
  );
}

export function Shell({ me, installation, route }: { me: Me; installation: MeInstallation | null; route: Route }) {
  const page = route.page ?? 'portfolio';
  const pick = (event: ChangeEvent<HTMLSelectElement>) => navigate(pagePath(event.target.value, page));
  const user = me.user ? (me.user.name ?? me.user.email ?? me.user.userId) : null;

  return (
    <>
      <header className="bw-header">
        <span className="bw-brand">Bellwether</span>
        <span className="bw-workspace" data-testid="workspace-name">
          {me.workspace.name}
        </span>
        <span className="bw-header-spacer" />
        <label className="bw-user" htmlFor="bw-installation">
          Installation
        </label>
        <select
          id="bw-installation"
          data-testid="installation-picker"
          value={installation?.id ?? ''}
          onChange={pick}
          aria-label="Installation"
        >
          {installation ? null : <option value="">Choose an installation</option>}
          {me.installations.map((one) => (
            <option key={one.id} value={one.id}>
              {installationLabel(one)}
            </option>
          ))}
        </select>
        {user ? (
          <span className="bw-user" data-testid="user-name">
            {user}
          </span>
        ) : null}
        <form method="post" action="/signout">
          <button type="submit" className="bw-button bw-button-quiet">
            Sign out
          </button>
        </form>
      </header>
      <nav className="bw-nav" aria-label="Dashboard pages">
        {PAGES.map((name) => (
          <a
            key={name}
            href={pagePath(installation?.id ?? route.installationId ?? me.installationId, name)}
            aria-current={installation && name === route.page ? 'page' : undefined}
            onClick={onLinkClick}
            data-testid={`nav-${name}`}
          >
            {PAGE_TITLE[name]}
          </a>
        ))}
      </nav>
      <main className="bw-main">
        {route.unknown ? (
          <NotFound what="There is no such page." />
        ) : installation ? (
          <PageBody key={`${installation.id}/${page}`} page={page} />
        ) : (
          <NotFound what="No such installation in your workspace." />
        )}
      </main>
    </>
  );
}
