import { describe, expect, it } from 'vitest';
import { oauthConfigFromEnv, refreshersFor } from '../../../server/crm/oauth-config.ts';
import type { Installation } from '../../../server/platform/db/installations.ts';
import { parseEnv } from '../../../server/platform/env.ts';
import { loadManifest } from '../../../server/platform/manifest.ts';
import { MANIFEST_FILE } from '../../../server/platform/runtime.ts';

const manifest = loadManifest(MANIFEST_FILE);

describe('OAuth clients from the environment', () => {
  it('configures a CRM only when its client credentials are set, with public defaults and manifest scopes', () => {
    const configs = oauthConfigFromEnv(
      parseEnv({ HUBSPOT_CLIENT_ID: 'hid', HUBSPOT_CLIENT_SECRET: 'hsecret' }, '/tmp'),
      manifest,
    );
    expect(configs.salesforce).toBeUndefined();
    expect(configs.hubspot).toEqual({
      clientId: 'hid',
      clientSecret: 'hsecret',
      apiBase: 'https://api.hubapi.com',
      authorizeUrl: 'https://app.hubspot.com/oauth/authorize',
      scopes: manifest.crms.hubspot.scopes,
    });
  });

  it('reads Salesforce login domains and lets overrides stand in for credentials (the demo)', () => {
    const env = parseEnv(
      {
        SALESFORCE_CLIENT_ID: 'sid',
        SALESFORCE_CLIENT_SECRET: 'ssecret',
        SALESFORCE_LOGIN_URL: 'https://acme.my.salesforce.com/',
      },
      '/tmp',
    );
    const configs = oauthConfigFromEnv(env, manifest, {
      hubspot: { clientId: 'demo', clientSecret: 'demo-secret', apiBase: 'http://127.0.0.1:1' },
    });
    expect(configs.salesforce).toMatchObject({
      loginUrl: 'https://acme.my.salesforce.com',
      sandboxLoginUrl: 'https://test.salesforce.com',
      scopes: ['api', 'refresh_token', 'id'],
    });
    expect(configs.hubspot).toMatchObject({ clientId: 'demo', apiBase: 'http://127.0.0.1:1' });
  });

  it('a process without the CRM client fails the refresh as retryable, naming the variables, and revokes nothing', async () => {
    const refreshers = refreshersFor({});
    const refresh = refreshers.salesforce({ provider: 'salesforce' } as Installation, 'rt');
    await expect(refresh).rejects.toMatchObject({
      code: 'TEMPORARY',
      message: expect.stringContaining('SALESFORCE_CLIENT_ID/SECRET'),
    });
  });
});
