import { createHash, createHmac, randomBytes } from 'node:crypto';
import type { Clock } from '../shared/clock.ts';

/**
 * OAuth state: authorization codes (with their PKCE challenge), access tokens (sessions) and
 * refresh tokens. Sessions time out after `ttlMs` without use, as a Salesforce session does.
 */

export interface OAuthClientConfig {
  clientId: string;
  clientSecret: string;
  redirectUris: string[];
  /** Refresh Token Rotation: each refresh issues a new refresh token and invalidates the old one. */
  rotateRefreshTokens: boolean;
}

interface PendingCode {
  orgId: string;
  userId: string;
  redirectUri: string;
  scope: string;
  codeChallenge: string | undefined;
  expiresAt: number;
}

export interface Session {
  orgId: string;
  userId: string;
  lastUsed: number;
  refreshToken: string | undefined;
}

interface RefreshGrant {
  orgId: string;
  userId: string;
  scope: string;
}

export interface TokenResponse {
  access_token: string;
  refresh_token?: string;
  signature: string;
  scope: string;
  instance_url: string;
  id: string;
  token_type: 'Bearer';
  issued_at: string;
}

const CODE_TTL_MS = 15 * 60_000;

export class SessionStore {
  private readonly codes = new Map<string, PendingCode>();
  private readonly sessions = new Map<string, Session>();
  private readonly refreshGrants = new Map<string, RefreshGrant>();

  constructor(
    readonly client: OAuthClientConfig,
    private readonly clock: Clock,
    private readonly ttlMs: number,
  ) {}

  createCode(pending: Omit<PendingCode, 'expiresAt'>): string {
    const code = `aPrx${randomBytes(24).toString('base64url')}`;
    this.codes.set(code, { ...pending, expiresAt: this.clock.now() + CODE_TTL_MS });
    return code;
  }

  /** Spends a code (codes are single-use); undefined when unknown, spent or expired. */
  takeCode(code: string): PendingCode | undefined {
    const pending = this.codes.get(code);
    this.codes.delete(code);
    if (!pending || pending.expiresAt <= this.clock.now()) return undefined;
    return pending;
  }

  /** Issues an access token, and a refresh token when the scope allows one. */
  issue(orgId: string, userId: string, scope: string, instanceUrl: string, withRefresh: boolean): TokenResponse {
    const refreshToken = withRefresh ? this.newRefreshToken(orgId, userId, scope) : undefined;
    return this.respond(orgId, userId, scope, instanceUrl, refreshToken, refreshToken);
  }

  /** A refresh: a new access token, and with rotation a new refresh token replacing the old one. */
  refresh(refreshToken: string, instanceUrl: string): TokenResponse | undefined {
    const grant = this.refreshGrants.get(refreshToken);
    if (!grant) return undefined;
    let current = refreshToken;
    let rotated: string | undefined;
    if (this.client.rotateRefreshTokens) {
      this.refreshGrants.delete(refreshToken);
      current = rotated = this.newRefreshToken(grant.orgId, grant.userId, grant.scope);
    }
    return this.respond(grant.orgId, grant.userId, grant.scope, instanceUrl, current, rotated);
  }

  orgOfRefreshToken(refreshToken: string): string | undefined {
    return this.refreshGrants.get(refreshToken)?.orgId;
  }

  /** The live session of an access token, touched; undefined when unknown or timed out. */
  use(accessToken: string): Session | undefined {
    const session = this.sessions.get(accessToken);
    if (!session) return undefined;
    const now = this.clock.now();
    if (now - session.lastUsed >= this.ttlMs) {
      this.sessions.delete(accessToken);
      return undefined;
    }
    session.lastUsed = now;
    return session;
  }

  /** Revokes an access token, or a refresh token together with the access tokens it issued. */
  revoke(token: string): boolean {
    if (this.sessions.delete(token)) return true;
    if (!this.refreshGrants.delete(token)) return false;
    for (const [accessToken, session] of this.sessions) {
      if (session.refreshToken === token) this.sessions.delete(accessToken);
    }
    return true;
  }

  /** Ends every session of an org (the token_expiry fault); refresh tokens stay valid. */
  expireOrgSessions(orgId: string): void {
    for (const [token, session] of this.sessions) if (session.orgId === orgId) this.sessions.delete(token);
  }

  private newRefreshToken(orgId: string, userId: string, scope: string): string {
    const token = `5Aep861${randomBytes(32).toString('base64url')}`;
    this.refreshGrants.set(token, { orgId, userId, scope });
    return token;
  }

  private respond(
    orgId: string,
    userId: string,
    scope: string,
    instanceUrl: string,
    sessionRefreshToken: string | undefined,
    returnedRefreshToken: string | undefined,
  ): TokenResponse {
    const accessToken = `${orgId.slice(0, 15)}!AQ${randomBytes(40).toString('base64url')}`;
    const now = this.clock.now();
    this.sessions.set(accessToken, { orgId, userId, lastUsed: now, refreshToken: sessionRefreshToken });
    const id = `${instanceUrl}/id/${orgId}/${userId}`;
    const issuedAt = String(now);
    return {
      access_token: accessToken,
      ...(returnedRefreshToken ? { refresh_token: returnedRefreshToken } : {}),
      signature: createHmac('sha256', this.client.clientSecret)
        .update(id + issuedAt)
        .digest('base64'),
      scope,
      instance_url: instanceUrl,
      id,
      token_type: 'Bearer',
      issued_at: issuedAt,
    };
  }
}

/** PKCE S256: base64url(SHA-256(verifier)). */
export function s256(verifier: string): string {
  return createHash('sha256').update(verifier).digest('base64url');
}
