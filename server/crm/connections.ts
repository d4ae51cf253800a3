import type { Installation } from '../platform/db/installations.ts';
import type { TokenService } from './token-service.ts';
import type { CallBucket, CrmConnection } from './types.ts';

/**
 * Builds the CrmConnection an adapter uses for one installation: tokens from the shared token
 * service (one refresh per expiry across processes) and, when given, the shared rate-limit gate
 * before every call.
 */

export type CallGate = (bucket: CallBucket) => Promise<void>;

export interface InstallationConnection extends CrmConnection {
  /**
   * The access token this connection last handed out, so that a Salesforce INVALID_SESSION_ID
   * (which states no expiry) can ask for a refresh of exactly the token the CRM refused.
   */
  lastAccessToken(): string | undefined;
}

export interface ConnectionFactoryOptions {
  tokens: TokenService;
  gate?: (installation: Installation) => CallGate;
}

export type ConnectionFactory = (installation: Installation) => InstallationConnection;

export function createConnectionFactory(options: ConnectionFactoryOptions): ConnectionFactory {
  return (installation) => {
    let last: string | undefined;
    const gate = options.gate?.(installation);
    const connection: InstallationConnection = {
      installationId: installation.id,
      provider: installation.provider,
      externalId: installation.externalId,
      // HubSpot: the API base (a sandbox's, or undefined for the public one); Salesforce: the instance URL.
      baseUrl: installation.baseUrl ?? undefined,
      async accessToken() {
        last = await options.tokens.accessToken(installation);
        return last;
      },
      lastAccessToken: () => last,
    };
    if (gate) connection.beforeCall = gate;
    return connection;
  };
}
