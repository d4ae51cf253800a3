import type { Env } from '../platform/env.ts';
import type { Manifest } from '../platform/manifest.ts';
import {
  HUBSPOT_PUBLIC_API_BASE,
  HUBSPOT_PUBLIC_AUTHORIZE_URL,
  hubspotRefresher,
  type HubspotOAuthConfig,
} from './hubspot/oauth.ts';
import {
  SALESFORCE_PUBLIC_LOGIN_URL,
  SALESFORCE_PUBLIC_SANDBOX_LOGIN_URL,
  salesforceRefresher,
  type SalesforceOAuthConfig,
} from './salesforce/oauth.ts';
import { CrmError } from './errors.ts';
import type { Refresher } from './token-service.ts';
import type { Provider } from './types.ts';

/**
 * The OAuth clients of both CRMs from the environment and manifest.json (scopes). A CRM without
 * client credentials has no config; overrides supply them for the demo, where the stand-ins play
 * the CRMs with their own client ids.
 */

export interface OAuthConfigs {
  hubspot?: HubspotOAuthConfig;
  salesforce?: SalesforceOAuthConfig;
}

export interface OAuthConfigOverrides {
  hubspot?: Partial<HubspotOAuthConfig>;
  salesforce?: Partial<SalesforceOAuthConfig>;
}

type OAuthEnv = Pick<
  Env,
  | 'HUBSPOT_CLIENT_ID'
  | 'HUBSPOT_CLIENT_SECRET'
  | 'HUBSPOT_API_BASE'
  | 'HUBSPOT_AUTHORIZE_URL'
  | 'SALESFORCE_CLIENT_ID'
  | 'SALESFORCE_CLIENT_SECRET'
  | 'SALESFORCE_LOGIN_URL'
  | 'SALESFORCE_SANDBOX_LOGIN_URL'
>;

export function oauthConfigFromEnv(
  env: OAuthEnv,
  manifest: Pick<Manifest, 'crms'>,
  overrides: OAuthConfigOverrides = {},
): OAuthConfigs {
  const configs: OAuthConfigs = {};
  const hubspot = overrides.hubspot ?? {};
  const hubspotId = hubspot.clientId ?? env.HUBSPOT_CLIENT_ID;
  const hubspotSecret = hubspot.clientSecret ?? env.HUBSPOT_CLIENT_SECRET;
  if (hubspotId !== undefined && hubspotSecret !== undefined) {
    configs.hubspot = {
      clientId: hubspotId,
      clientSecret: hubspotSecret,
      apiBase: (hubspot.apiBase ?? env.HUBSPOT_API_BASE ?? HUBSPOT_PUBLIC_API_BASE).replace(/\/$/, ''),
      authorizeUrl: hubspot.authorizeUrl ?? env.HUBSPOT_AUTHORIZE_URL ?? HUBSPOT_PUBLIC_AUTHORIZE_URL,
      scopes: hubspot.scopes ?? {
        required: [...manifest.crms.hubspot.scopes.required],
        optional: [...manifest.crms.hubspot.scopes.optional],
      },
    };
  }
  const salesforce = overrides.salesforce ?? {};
  const salesforceId = salesforce.clientId ?? env.SALESFORCE_CLIENT_ID;
  const salesforceSecret = salesforce.clientSecret ?? env.SALESFORCE_CLIENT_SECRET;
  if (salesforceId !== undefined && salesforceSecret !== undefined) {
    configs.salesforce = {
      clientId: salesforceId,
      clientSecret: salesforceSecret,
      loginUrl: (salesforce.loginUrl ?? env.SALESFORCE_LOGIN_URL ?? SALESFORCE_PUBLIC_LOGIN_URL).replace(/\/$/, ''),
      sandboxLoginUrl: (
        salesforce.sandboxLoginUrl ??
        env.SALESFORCE_SANDBOX_LOGIN_URL ??
        SALESFORCE_PUBLIC_SANDBOX_LOGIN_URL
      ).replace(/\/$/, ''),
      scopes: salesforce.scopes ?? [
        ...manifest.crms.salesforce.scopes.required,
        ...manifest.crms.salesforce.scopes.optional,
      ],
    };
  }
  return configs;
}

/**
 * A process without the CRM's client cannot refresh. That is the operator's set-up, not the customer
 * revoking access: the job fails and retries, and the installation stays connected for a process that
 * is configured, rather than being marked for re-authorisation.
 */
const notConfigured =
  (provider: Provider): Refresher =>
  () =>
    Promise.reject(
      new CrmError(
        'TEMPORARY',
        `cannot refresh the access token: the ${provider === 'hubspot' ? 'HubSpot (HUBSPOT_CLIENT_ID/SECRET)' : 'Salesforce (SALESFORCE_CLIENT_ID/SECRET)'} OAuth client is not configured in this process`,
      ),
    );

export function refreshersFor(configs: OAuthConfigs): Record<Provider, Refresher> {
  return {
    hubspot: configs.hubspot ? hubspotRefresher(configs.hubspot) : notConfigured('hubspot'),
    salesforce: configs.salesforce ? salesforceRefresher(configs.salesforce) : notConfigured('salesforce'),
  };
}
