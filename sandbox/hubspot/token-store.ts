import { randomBytes, randomUUID } from 'node:crypto';
import type { Clock } from '../shared/clock.ts';

export interface RefreshGrant {
  token: string;
  portalId: string;
  clientId: string;
  userId: number;
  userEmail: string;
  scopes: string[];
}

/** An access token carries everything its refresh token does, plus its expiry and that token. */
export interface AccessGrant extends RefreshGrant {
  expiresAt: number;
  refreshToken: string;
}

interface CodeGrant {
  portalId: string;
  clientId: string;
  redirectUri: string;
  scopes: string[];
  expiresAt: number;
}

/** Authorization codes live ten minutes and are spent on first use. */
const CODE_TTL_MS = 10 * 60_000;

/** OAuth codes, access tokens and refresh tokens of every portal, with their expiry on the given clock. */
export class TokenStore {
  private readonly codes = new Map<string, CodeGrant>();
  private readonly access = new Map<string, AccessGrant>();
  private readonly refresh = new Map<string, RefreshGrant>();

  constructor(
    private readonly clock: Clock,
    readonly accessTokenTtlSeconds: number,
  ) {}

  createCode(grant: Omit<CodeGrant, 'expiresAt'>): string {
    const code = randomUUID();
    this.codes.set(code, { ...grant, expiresAt: this.clock.now() + CODE_TTL_MS });
    return code;
  }

  /** Spends a code; undefined when unknown, expired, already used or issued to another client/redirect. */
  redeemCode(code: string, clientId: string, redirectUri: string): CodeGrant | undefined {
    const grant = this.codes.get(code);
    if (!grant) return undefined;
    this.codes.delete(code);
    if (grant.expiresAt <= this.clock.now() || grant.clientId !== clientId || grant.redirectUri !== redirectUri) {
      return undefined;
    }
    return grant;
  }

  /** A new refresh token and its first access token. */
  issue(grant: Omit<RefreshGrant, 'token'>): AccessGrant {
    const refreshToken = randomUUID();
    this.refresh.set(refreshToken, { ...grant, token: refreshToken });
    return this.mintAccess(refreshToken);
  }

  /** A new access token for a known refresh token of this client; the refresh token stays valid. */
  refreshAccess(refreshToken: string, clientId: string): AccessGrant | undefined {
    const grant = this.refresh.get(refreshToken);
    if (!grant || grant.clientId !== clientId) return undefined;
    return this.mintAccess(refreshToken);
  }

  accessGrant(token: string): AccessGrant | undefined {
    return this.access.get(token);
  }

  refreshGrant(token: string): RefreshGrant | undefined {
    return this.refresh.get(token);
  }

  deleteRefresh(token: string): boolean {
    const existed = this.refresh.delete(token);
    for (const [key, grant] of this.access) if (grant.refreshToken === token) this.access.delete(key);
    return existed;
  }

  /** Uninstall: every token of the portal for this client stops working. */
  revokePortal(portalId: string, clientId: string): void {
    for (const [key, grant] of this.refresh) {
      if (grant.portalId === portalId && grant.clientId === clientId) this.deleteRefresh(key);
    }
  }

  /** For tests: every access token of the portal expires now. */
  expireAccessTokens(portalId: string): void {
    const now = this.clock.now();
    for (const grant of this.access.values())
      if (grant.portalId === portalId) grant.expiresAt = Math.min(grant.expiresAt, now);
  }

  private mintAccess(refreshToken: string): AccessGrant {
    const base = this.refresh.get(refreshToken) as RefreshGrant;
    // HubSpot access tokens are opaque and vary in length up to 300 characters.
    const token = `C${randomBytes(48).toString('base64url')}`;
    const grant: AccessGrant = {
      token,
      portalId: base.portalId,
      clientId: base.clientId,
      userId: base.userId,
      userEmail: base.userEmail,
      scopes: base.scopes,
      expiresAt: this.clock.now() + this.accessTokenTtlSeconds * 1000,
      refreshToken,
    };
    this.access.set(token, grant);
    return grant;
  }
}
