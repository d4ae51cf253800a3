import type { Express } from 'express';
import { installContext, type InstallDeps } from '../install/deps.ts';
import { dashboardContext, type DashboardDeps } from './deps.ts';
import { getDashboardNps } from './getDashboardNps.ts';
import { getDashboardPlans } from './getDashboardPlans.ts';
import { getDashboardPortfolio } from './getDashboardPortfolio.ts';
import { getDashboardRenewals } from './getDashboardRenewals.ts';
import { getDashboardRetention } from './getDashboardRetention.ts';
import { getDashboardSettings } from './getDashboardSettings.ts';
import { getDashboardTeam } from './getDashboardTeam.ts';
import { getDashboardWarnings } from './getDashboardWarnings.ts';
import { postDashboardTeamStaffing } from './postDashboardTeamStaffing.ts';
import { putDashboardSettings } from './putDashboardSettings.ts';
import { mountWebApp } from './web-app.ts';

export interface DashboardMount extends DashboardDeps {
  /** The built web app (extension-ui/web/dist); a page says how to build it while it is absent. */
  webDistDir?: string;
}

/**
 * The dashboard: the web app at /app/ and its API under the installation the caller may see. Access
 * is the install flow's (a workspace session from installing or signing in, or the operator), so the
 * API exists only with the install routes; without them the app page is still served.
 */
export function mountDashboard(app: Express, deps: DashboardMount, install: InstallDeps | undefined): void {
  const installCtx = install ? installContext(install) : undefined;
  mountWebApp(app, deps.webDistDir, installCtx);
  if (!installCtx) return;
  const ctx = dashboardContext(deps, installCtx);
  const base = '/api/installations/:id/dashboard';
  app.get(`${base}/portfolio`, getDashboardPortfolio(ctx));
  app.get(`${base}/renewals`, getDashboardRenewals(ctx));
  app.get(`${base}/retention`, getDashboardRetention(ctx));
  app.get(`${base}/nps`, getDashboardNps(ctx));
  app.get(`${base}/team`, getDashboardTeam(ctx));
  app.post(`${base}/team/staffing`, postDashboardTeamStaffing(ctx));
  app.get(`${base}/warnings`, getDashboardWarnings(ctx));
  app.get(`${base}/plans`, getDashboardPlans(ctx));
  app.get(`${base}/settings`, getDashboardSettings(ctx));
  app.put(`${base}/settings`, putDashboardSettings(ctx));
}
