import type { Express } from 'express';
import { getInstallationPage } from '../routes/getInstallationPage.ts';
import { getInstallationStatus } from '../routes/getInstallationStatus.ts';
import { getInstallHubspot } from '../routes/getInstallHubspot.ts';
import { getInstallLanding } from '../routes/getInstallLanding.ts';
import { getInstallSalesforce } from '../routes/getInstallSalesforce.ts';
import { getInstallScript } from '../routes/getInstallScript.ts';
import { getOauthHubspotCallback } from '../routes/getOauthHubspotCallback.ts';
import { getOauthSalesforceCallback } from '../routes/getOauthSalesforceCallback.ts';
import { postInstallationDisconnect } from '../routes/postInstallationDisconnect.ts';
import { installContext, type InstallDeps } from './deps.ts';

/** The install flow's routes: landing, OAuth start and callbacks, the installation page, status, disconnect. */
export function mountInstall(app: Express, deps: InstallDeps): void {
  const ctx = installContext(deps);
  const landing = getInstallLanding(ctx);
  app.get('/', landing);
  app.get('/install', landing);
  app.get('/install/installation.js', getInstallScript);
  app.get('/install/hubspot', getInstallHubspot(ctx));
  app.get('/install/salesforce', getInstallSalesforce(ctx));
  app.get('/oauth/hubspot/callback', getOauthHubspotCallback(ctx));
  app.get('/oauth/salesforce/callback', getOauthSalesforceCallback(ctx));
  app.get('/installations/:id', getInstallationPage(ctx));
  app.get('/api/installations/:id/status', getInstallationStatus(ctx));
  app.post('/api/installations/:id/disconnect', postInstallationDisconnect(ctx));
}
