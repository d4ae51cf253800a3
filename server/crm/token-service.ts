import type { Redis } from 'ioredis';
import type { Installation, InstallationRepository, InstallationTokens } from '../platform/db/installations.ts';
import { withLock } from '../platform/redis-lock.ts';
import { CrmError } from './errors.ts';
import type { Provider } from './types.ts';

/**
 * Hands out valid access tokens and refreshes them at most once per expiry across every process:
 * the refresh runs under a Redis lock per installation, and whoever takes the lock first re-reads
 * the stored tokens, so the others find the fresh token instead of refreshing again. A refresh
 * token the CRM has revoked marks the installation needs_reauth once; nothing retries it.
 */

export type RefreshOutcome =
  | { kind: 'refreshed'; tokens: InstallationTokens }
  /** The CRM refused the refresh token for good (HubSpot BAD_REFRESH_TOKEN, Salesforce invalid_grant). */
  | { kind: 'revoked'; reason: string };

/** Calls the CRM's token endpoint; transient failures throw (as CrmError TEMPORARY) and are retried by the job. */
export type Refresher = (installation: Installation, refreshToken: string) => Promise<RefreshOutcome>;

export interface TokenServiceOptions {
  installations: InstallationRepository;
  redis: Redis;
  refreshers: Record<Provider, Refresher>;
  /** Refresh this long before the stated expiry (HubSpot tokens live 30 minutes). */
  refreshAheadMs?: number;
  now?: () => number;
}

export interface TokenService {
  accessToken(installation: Installation): Promise<string>;
  /**
   * The CRM rejected `rejected` (Salesforce INVALID_SESSION_ID, which states no expiry): refresh
   * unless another process already replaced it.
   */
  refreshAfterRejection(installation: Installation, rejected: string): Promise<string>;
}

export function createTokenService(options: TokenServiceOptions): TokenService {
  const refreshAheadMs = options.refreshAheadMs ?? 5 * 60_000;
  const now = options.now ?? Date.now;
  const lockKey = (installation: Installation) => `bw:lock:{${installation.id}}:token-refresh`;

  const load = async (installation: Installation): Promise<InstallationTokens> => {
    const tokens = await options.installations.tokens(installation.workspaceId, installation.id);
    if (!tokens) throw new CrmError('UNAUTHORIZED', `installation ${installation.id} has no tokens (uninstalled)`);
    return tokens;
  };
  const fresh = (tokens: InstallationTokens) =>
    tokens.accessTokenExpiresAt === null || tokens.accessTokenExpiresAt.getTime() - refreshAheadMs > now();

  const refresh = (installation: Installation, stillStale: (tokens: InstallationTokens) => boolean) =>
    withLock(options.redis, lockKey(installation), async () => {
      // Another process may have found the refresh token revoked while this one waited.
      const latest = await options.installations.get(installation.workspaceId, installation.id);
      if (latest?.status !== 'active') {
        throw new CrmError('UNAUTHORIZED', `installation ${installation.id} needs to be authorised again`);
      }
      const current = await load(installation);
      if (!stillStale(current)) return current.accessToken;
      if (!current.refreshToken) {
        await options.installations.setStatus(
          installation.workspaceId,
          installation.id,
          'needs_reauth',
          'no refresh token',
        );
        throw new CrmError('UNAUTHORIZED', 'the access token expired and there is no refresh token');
      }
      const outcome = await options.refreshers[installation.provider](installation, current.refreshToken);
      if (outcome.kind === 'revoked') {
        await options.installations.setStatus(
          installation.workspaceId,
          installation.id,
          'needs_reauth',
          outcome.reason,
        );
        throw new CrmError('UNAUTHORIZED', `the CRM revoked the refresh token: ${outcome.reason}`);
      }
      // Salesforce may not rotate the refresh token: keep the one we have.
      const tokens = { ...outcome.tokens, refreshToken: outcome.tokens.refreshToken ?? current.refreshToken };
      await options.installations.saveTokens(installation, tokens);
      return tokens.accessToken;
    });

  return {
    async accessToken(installation) {
      if (installation.status === 'needs_reauth') {
        throw new CrmError('UNAUTHORIZED', `installation ${installation.id} needs to be authorised again`);
      }
      const tokens = await load(installation);
      if (fresh(tokens)) return tokens.accessToken;
      return refresh(installation, (current) => !fresh(current));
    },
    async refreshAfterRejection(installation, rejected) {
      return refresh(installation, (current) => current.accessToken === rejected);
    },
  };
}
