import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSealer } from '../../../server/platform/crypto.ts';
import { listAudit, recordAudit } from '../../../server/platform/db/audit.ts';
import type { DatabaseHandle } from '../../../server/platform/db/database.ts';
import { createWorkspace, installationRepository } from '../../../server/platform/db/installations.ts';
import { testDatabases } from '../../support/databases.ts';

describe.each(testDatabases())('audit events on $name', (database) => {
  let handle: DatabaseHandle;
  let workspaceId: string;
  let otherWorkspaceId: string;
  let installationId: string;

  beforeAll(async () => {
    handle = await database.open();
    await handle.migrate();
    workspaceId = (await createWorkspace(handle.db, 'Umbrella')).id;
    otherWorkspaceId = (await createWorkspace(handle.db, 'Wayne')).id;
    const repo = installationRepository(handle.db, createSealer(Buffer.alloc(32, 1)));
    installationId = (
      await repo.install({
        workspaceId,
        provider: 'hubspot',
        externalId: '8801',
        displayName: 'Umbrella',
        baseUrl: null,
        scopes: [],
        tokens: { accessToken: 'a', refreshToken: null, accessTokenExpiresAt: null },
      })
    ).id;
  });
  afterAll(async () => {
    await handle.close();
    await database.cleanup();
  });

  it('records events and lists a workspace’s newest first, one installation’s on request', async () => {
    const first = await recordAudit(handle.db, {
      workspaceId,
      installationId,
      actor: 'crm:hubspot',
      action: 'installation.installed',
      details: { scopes: ['crm.objects.companies.read'] },
    });
    expect(first).toMatchObject({ workspaceId, installationId, action: 'installation.installed' });
    await recordAudit(handle.db, { workspaceId, actor: 'admin:ops', action: 'workspace.renamed' });
    await recordAudit(handle.db, {
      workspaceId,
      installationId,
      actor: 'system',
      action: 'installation.uninstalled',
      details: { purge: 'now' },
    });
    await recordAudit(handle.db, { workspaceId: otherWorkspaceId, actor: 'system', action: 'installation.installed' });

    const all = await listAudit(handle.db, workspaceId);
    expect(all.map((event) => event.action)).toEqual([
      'installation.uninstalled',
      'workspace.renamed',
      'installation.installed',
    ]);
    expect(all[0]?.details).toEqual({ purge: 'now' });
    expect(all[1]).toMatchObject({ installationId: null, details: {} });
    const mine = await listAudit(handle.db, workspaceId, { installationId });
    expect(mine.map((event) => event.action)).toEqual(['installation.uninstalled', 'installation.installed']);
    expect(await listAudit(handle.db, workspaceId, { limit: 1 })).toHaveLength(1);
    expect((await listAudit(handle.db, otherWorkspaceId)).map((event) => event.workspaceId)).toEqual([
      otherWorkspaceId,
    ]);
  });
});
