import { and, eq, ne } from 'drizzle-orm';
import type { Sealer } from '../crypto.ts';
import { AppError } from '../errors.ts';
import type { Database } from './database.ts';
import type { PROVIDERS, INSTALLATION_STATUSES } from './schema.ts';
import { installations, workspaces } from './schema.ts';
import { isUniqueViolation } from './unique-violation.ts';

/**
 * Installations and their tokens. Every read is scoped by workspace except the lookup by the CRM's
 * own id, which only a verified request (a signed webhook, an OAuth callback) may use. Tokens are
 * sealed with the row's identity and their kind as associated data: a sealed value copied to another
 * row, or an access token swapped with a refresh token, fails to open.
 */

export type Provider = (typeof PROVIDERS)[number];
export type InstallationStatus = (typeof INSTALLATION_STATUSES)[number];

export interface Installation {
  workspaceId: string;
  id: string;
  provider: Provider;
  externalId: string;
  displayName: string;
  baseUrl: string | null;
  status: InstallationStatus;
  statusReason: string | null;
  scopes: string[];
  accessTokenExpiresAt: Date | null;
  installedAt: Date;
  updatedAt: Date;
}

export interface InstallationTokens {
  accessToken: string;
  refreshToken: string | null;
  accessTokenExpiresAt: Date | null;
}

export interface NewInstallation {
  workspaceId: string;
  provider: Provider;
  externalId: string;
  displayName: string;
  baseUrl: string | null;
  scopes: string[];
  tokens: InstallationTokens;
}

const publicColumns = {
  workspaceId: installations.workspaceId,
  id: installations.id,
  provider: installations.provider,
  externalId: installations.externalId,
  displayName: installations.displayName,
  baseUrl: installations.baseUrl,
  status: installations.status,
  statusReason: installations.statusReason,
  scopes: installations.scopes,
  accessTokenExpiresAt: installations.accessTokenExpiresAt,
  installedAt: installations.installedAt,
  updatedAt: installations.updatedAt,
};

/** The one installation a workspace-scoped call may touch. */
const ofRow = (workspaceId: string, id: string) =>
  and(eq(installations.workspaceId, workspaceId), eq(installations.id, id));

function tokenBinding(row: { workspaceId: string; provider: string; id: string }, kind: 'access' | 'refresh'): string {
  return `${row.workspaceId}|${row.provider}|${row.id}|${kind}`;
}

export function createWorkspace(db: Database, name: string): Promise<{ id: string; name: string }> {
  return db
    .insert(workspaces)
    .values({ name })
    .returning({ id: workspaces.id, name: workspaces.name })
    .then((rows) => rows[0] as { id: string; name: string });
}

export function installationRepository(db: Database, sealer: Sealer) {
  const sealTokens = (row: { workspaceId: string; provider: string; id: string }, tokens: InstallationTokens) => ({
    accessTokenSealed: sealer.seal(tokens.accessToken, tokenBinding(row, 'access')),
    refreshTokenSealed:
      tokens.refreshToken === null ? null : sealer.seal(tokens.refreshToken, tokenBinding(row, 'refresh')),
    accessTokenExpiresAt: tokens.accessTokenExpiresAt,
  });

  /** One install in one transaction; the indexes still decide between two at the same instant. */
  const installInTransaction = (input: NewInstallation): Promise<Installation> =>
    db.transaction(async (tx) => {
      const [existing] = await tx
        .select(publicColumns)
        .from(installations)
        .where(and(eq(installations.provider, input.provider), eq(installations.externalId, input.externalId)));
      if (existing && existing.workspaceId !== input.workspaceId) {
        throw new AppError(
          409,
          'ALREADY_CONNECTED',
          `This ${input.provider === 'hubspot' ? 'HubSpot portal' : 'Salesforce org'} is already connected to another Bellwether workspace`,
        );
      }
      const [sibling] = await tx
        .select({ externalId: installations.externalId, displayName: installations.displayName })
        .from(installations)
        .where(
          and(
            eq(installations.workspaceId, input.workspaceId),
            eq(installations.provider, input.provider),
            ne(installations.externalId, input.externalId),
            ne(installations.status, 'uninstalled'),
          ),
        );
      if (sibling) {
        const crm = input.provider === 'hubspot' ? 'HubSpot portal' : 'Salesforce org';
        throw new AppError(
          409,
          'ONE_PER_CRM',
          `This workspace already has a ${crm} connected (${sibling.displayName}, ${sibling.externalId}); a workspace holds one ${crm}. Disconnect it first.`,
        );
      }
      const id = existing?.id ?? crypto.randomUUID();
      const sealed = sealTokens({ workspaceId: input.workspaceId, provider: input.provider, id }, input.tokens);
      const values = {
        displayName: input.displayName,
        baseUrl: input.baseUrl,
        scopes: input.scopes,
        status: 'active' as const,
        statusReason: null,
        updatedAt: new Date(),
        ...sealed,
      };
      const [row] = existing
        ? await tx.update(installations).set(values).where(ofRow(input.workspaceId, id)).returning(publicColumns)
        : await tx
            .insert(installations)
            .values({
              workspaceId: input.workspaceId,
              id,
              provider: input.provider,
              externalId: input.externalId,
              ...values,
            })
            .returning(publicColumns);
      return row as Installation;
    });

  return {
    /**
     * Installs, or re-installs the same portal/org in the same workspace (new tokens, active again).
     * A portal or org already connected to another workspace is refused, and so is a second portal
     * (or org) in a workspace that has one connected.
     */
    async install(input: NewInstallation): Promise<Installation> {
      try {
        return await installInTransaction(input);
      } catch (error) {
        // Two installs at the same instant: the unique indexes decide, and the loser hears why.
        if (!isUniqueViolation(error)) throw error;
        const crm = input.provider === 'hubspot' ? 'HubSpot portal' : 'Salesforce org';
        throw new AppError(
          409,
          'INSTALL_CONFLICT',
          `Another connection of this ${crm}, or of another ${crm} to this workspace, finished at the same moment; reload to see which`,
        );
      }
    },

    async get(workspaceId: string, id: string): Promise<Installation | undefined> {
      const [row] = await db.select(publicColumns).from(installations).where(ofRow(workspaceId, id));
      return row;
    },

    /** For verified requests only: the CRM's signed portal or org id names the installation. */
    async findByExternalId(provider: Provider, externalId: string): Promise<Installation | undefined> {
      const [row] = await db
        .select(publicColumns)
        .from(installations)
        .where(and(eq(installations.provider, provider), eq(installations.externalId, externalId)));
      return row;
    },

    async list(workspaceId: string): Promise<Installation[]> {
      return db.select(publicColumns).from(installations).where(eq(installations.workspaceId, workspaceId));
    },

    /**
     * Maintenance only (worker start): every installation of every workspace with its status, so
     * schedules can be reconciled. Ids and status only, never tokens.
     */
    async listAllForScheduling(): Promise<{ workspaceId: string; id: string; status: InstallationStatus }[]> {
      return db
        .select({ workspaceId: installations.workspaceId, id: installations.id, status: installations.status })
        .from(installations);
    },

    /** Opens the sealed tokens; undefined when the installation has none (uninstalled). */
    async tokens(workspaceId: string, id: string): Promise<InstallationTokens | undefined> {
      const [row] = await db
        .select({
          provider: installations.provider,
          access: installations.accessTokenSealed,
          refresh: installations.refreshTokenSealed,
          expiresAt: installations.accessTokenExpiresAt,
        })
        .from(installations)
        .where(ofRow(workspaceId, id));
      if (!row?.access) return undefined;
      const identity = { workspaceId, provider: row.provider, id };
      return {
        accessToken: sealer.open(row.access, tokenBinding(identity, 'access')),
        refreshToken: row.refresh === null ? null : sealer.open(row.refresh, tokenBinding(identity, 'refresh')),
        accessTokenExpiresAt: row.expiresAt,
      };
    },

    async saveTokens(installation: Pick<Installation, 'workspaceId' | 'provider' | 'id'>, tokens: InstallationTokens) {
      await db
        .update(installations)
        .set({ ...sealTokens(installation, tokens), updatedAt: new Date() })
        .where(ofRow(installation.workspaceId, installation.id));
    },

    /** Forgets the tokens (disconnect, uninstall): the sealed values are gone, not only unusable. */
    async clearTokens(workspaceId: string, id: string): Promise<void> {
      await db
        .update(installations)
        .set({ accessTokenSealed: null, refreshTokenSealed: null, accessTokenExpiresAt: null, updatedAt: new Date() })
        .where(ofRow(workspaceId, id));
    },

    async setStatus(workspaceId: string, id: string, status: InstallationStatus, reason: string | null) {
      await db
        .update(installations)
        .set({ status, statusReason: reason, updatedAt: new Date() })
        .where(ofRow(workspaceId, id));
    },
  };
}

export type InstallationRepository = ReturnType<typeof installationRepository>;
