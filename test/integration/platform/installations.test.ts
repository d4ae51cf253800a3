import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createSealer, SealError } from '../../../server/platform/crypto.ts';
import type { DatabaseHandle } from '../../../server/platform/db/database.ts';
import {
  createWorkspace,
  installationRepository,
  type InstallationRepository,
  type NewInstallation,
} from '../../../server/platform/db/installations.ts';
import { installations } from '../../../server/platform/db/schema.ts';
import { testDatabases } from '../../support/databases.ts';

describe.each(testDatabases())('installations on $name', (database) => {
  let handle: DatabaseHandle;
  let repo: InstallationRepository;
  let workspaceA: string;
  let workspaceB: string;

  beforeAll(async () => {
    handle = await database.open();
    await handle.migrate();
    repo = installationRepository(handle.db, createSealer(Buffer.alloc(32, 9)));
  });
  // A workspace holds one portal: each test connects its own.
  beforeEach(async () => {
    workspaceA = (await createWorkspace(handle.db, 'Acme')).id;
    workspaceB = (await createWorkspace(handle.db, 'Globex')).id;
  });
  afterAll(async () => {
    await handle.close();
    await database.cleanup();
  });

  const portal = (workspaceId: string, externalId: string): NewInstallation => ({
    workspaceId,
    provider: 'hubspot',
    externalId,
    displayName: `Portal ${externalId}`,
    baseUrl: null,
    scopes: ['oauth', 'crm.objects.companies.read'],
    tokens: { accessToken: `access-${externalId}`, refreshToken: `refresh-${externalId}`, accessTokenExpiresAt: null },
  });

  it('stores tokens sealed and opens them for their own row only', async () => {
    const installed = await repo.install(portal(workspaceA, '501'));
    const [raw] = await handle.db.select().from(installations).where(eq(installations.id, installed.id));
    expect(raw?.accessTokenSealed).toMatch(/^v1\./);
    expect(JSON.stringify(raw)).not.toContain('access-501');
    expect(JSON.stringify(raw)).not.toContain('refresh-501');
    expect(await repo.tokens(workspaceA, installed.id)).toEqual({
      accessToken: 'access-501',
      refreshToken: 'refresh-501',
      accessTokenExpiresAt: null,
    });

    // A sealed token moved onto another installation's row does not open there.
    const other = await repo.install({ ...portal(workspaceA, '502'), provider: 'salesforce' });
    await handle.db
      .update(installations)
      .set({ accessTokenSealed: raw!.accessTokenSealed })
      .where(and(eq(installations.workspaceId, workspaceA), eq(installations.id, other.id)));
    await expect(repo.tokens(workspaceA, other.id)).rejects.toThrow(SealError);

    // Nor does an access token swapped into the refresh column.
    await handle.db
      .update(installations)
      .set({ refreshTokenSealed: raw!.accessTokenSealed })
      .where(eq(installations.id, installed.id));
    await expect(repo.tokens(workspaceA, installed.id)).rejects.toThrow(SealError);
  });

  it('never reads another workspace’s installation', async () => {
    const installed = await repo.install(portal(workspaceA, '503'));
    expect(await repo.get(workspaceB, installed.id)).toBeUndefined();
    expect(await repo.tokens(workspaceB, installed.id)).toBeUndefined();
    expect((await repo.list(workspaceB)).map((i) => i.externalId)).not.toContain('503');
    await repo.setStatus(workspaceB, installed.id, 'needs_reauth', 'wrong tenant');
    expect((await repo.get(workspaceA, installed.id))?.status).toBe('active');
  });

  it('re-installing a portal updates its row; another workspace cannot take it', async () => {
    const first = await repo.install(portal(workspaceA, '504'));
    await repo.setStatus(workspaceA, first.id, 'needs_reauth', 'refresh token revoked');
    const again = await repo.install({
      ...portal(workspaceA, '504'),
      tokens: { accessToken: 'new', refreshToken: 'new-r', accessTokenExpiresAt: null },
    });
    expect(again.id).toBe(first.id);
    expect(again).toMatchObject({ status: 'active', statusReason: null });
    expect((await repo.tokens(workspaceA, first.id))?.accessToken).toBe('new');
    await expect(repo.install(portal(workspaceB, '504'))).rejects.toMatchObject({
      status: 409,
      code: 'ALREADY_CONNECTED',
    });
  });

  it('saves refreshed tokens and finds an installation by the CRM’s id', async () => {
    const installed = await repo.install(portal(workspaceA, '505'));
    const expires = new Date('2026-12-01T00:00:00Z');
    await repo.saveTokens(installed, { accessToken: 'a2', refreshToken: 'r2', accessTokenExpiresAt: expires });
    expect(await repo.tokens(workspaceA, installed.id)).toEqual({
      accessToken: 'a2',
      refreshToken: 'r2',
      accessTokenExpiresAt: expires,
    });
    expect((await repo.findByExternalId('hubspot', '505'))?.id).toBe(installed.id);
    expect(await repo.findByExternalId('salesforce', '505')).toBeUndefined();
  });

  it('holds one portal and one org per workspace; another portal connects once the first is uninstalled', async () => {
    const first = await repo.install(portal(workspaceA, '506'));
    await repo.install({ ...portal(workspaceA, '00D506'), provider: 'salesforce' });
    await expect(repo.install(portal(workspaceA, '507'))).rejects.toMatchObject({
      status: 409,
      code: 'ONE_PER_CRM',
      message: expect.stringContaining('Portal 506'),
    });
    expect((await repo.list(workspaceA)).map((installation) => installation.externalId).sort()).toEqual([
      '00D506',
      '506',
    ]);
    await repo.setStatus(workspaceA, first.id, 'uninstalled', 'disconnected');
    expect((await repo.install(portal(workspaceA, '507'))).externalId).toBe('507');
  });

  it('lets one of two portals connected to a workspace at the same instant in, and tells the other why', async () => {
    const results = await Promise.allSettled([
      repo.install(portal(workspaceA, '508')),
      repo.install(portal(workspaceA, '509')),
    ]);
    expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(1);
    const [refused] = results.filter((result) => result.status === 'rejected');
    expect(refused?.reason).toMatchObject({
      status: 409,
      code: expect.stringMatching(/^(ONE_PER_CRM|INSTALL_CONFLICT)$/),
    });
    expect(await repo.list(workspaceA)).toHaveLength(1);
  });

  it('refuses a provider or status the schema does not know', async () => {
    await expect(
      handle.db.insert(installations).values({
        workspaceId: workspaceA,
        provider: 'pipedrive' as 'hubspot',
        externalId: 'x',
        displayName: 'x',
        scopes: [],
      }),
    ).rejects.toThrow();
  });
});
