import type { Logger } from 'pino';
import { hubspotRefresher, uninstallHubspotApp } from '../../crm/hubspot/oauth.ts';
import { revokeSalesforceToken } from '../../crm/salesforce/oauth.ts';
import type { Installation, InstallationTokens } from '../../platform/db/installations.ts';
import type { InstallContext } from './deps.ts';

/**
 * Tells the CRM the app is leaving: HubSpot uninstalls the app from the portal, Salesforce revokes
 * the refresh token (and with it every access token it issued). Best effort: the disconnect goes
 * ahead whatever the CRM answers; the outcome is logged and reported.
 */
export async function revokeAtCrm(
  ctx: InstallContext,
  installation: Installation,
  tokens: InstallationTokens | undefined,
  log: Pick<Logger, 'warn'>,
): Promise<boolean> {
  if (!tokens) return false;
  try {
    if (installation.provider === 'hubspot') {
      const config = ctx.oauth.hubspot;
      if (!config) return false;
      let accessToken = tokens.accessToken;
      // The uninstall call needs a live access token; one that is about to expire is refreshed first.
      const stale = tokens.accessTokenExpiresAt !== null && tokens.accessTokenExpiresAt.getTime() - 60_000 < ctx.now();
      if (stale && tokens.refreshToken) {
        const outcome = await hubspotRefresher(config)(installation, tokens.refreshToken);
        if (outcome.kind === 'revoked') return true;
        accessToken = outcome.tokens.accessToken;
      }
      await uninstallHubspotApp(config, accessToken);
      return true;
    }
    const config = ctx.oauth.salesforce;
    if (!config) return false;
    await revokeSalesforceToken(config, installation.baseUrl, tokens.refreshToken ?? tokens.accessToken);
    return true;
  } catch (error) {
    log.warn({ err: error, installationId: installation.id }, 'the CRM did not confirm the disconnect; continuing');
    return false;
  }
}
