import type { Queues } from '../../../jobs/queues.ts';
import type { OAuthConfigs } from '../../crm/oauth-config.ts';
import type { Sealer } from '../../platform/crypto.ts';
import type { Database } from '../../platform/db/database.ts';
import type { InstallationRepository } from '../../platform/db/installations.ts';
import type { CookieOptions } from './cookies.ts';

/** What the install pages, callbacks, status and disconnect need. */
export interface InstallDeps {
  db: Database;
  sealer: Sealer;
  queues: Queues;
  installations: InstallationRepository;
  /** A CRM without a config is not offered. */
  oauth: OAuthConfigs;
  /** Where browsers reach the app: OAuth redirect URIs and the same-origin check derive from it. */
  publicUrl: string;
  now?: () => number;
}

export interface InstallContext extends InstallDeps {
  now: () => number;
  cookies: CookieOptions;
  origin: string;
  redirectUri(provider: 'hubspot' | 'salesforce'): string;
}

export function installContext(deps: InstallDeps): InstallContext {
  const now = deps.now ?? Date.now;
  const base = new URL(deps.publicUrl);
  return {
    ...deps,
    now,
    origin: base.origin,
    cookies: { sealer: deps.sealer, secure: base.protocol === 'https:', now },
    redirectUri: (provider) => new URL(`/oauth/${provider}/callback`, base).toString(),
  };
}
