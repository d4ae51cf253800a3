import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultMapping, fieldMappingSchema, type FieldMapping } from '../../../server/core/accounts/mapping.ts';
import { createSealer } from '../../../server/platform/crypto.ts';
import { listAudit } from '../../../server/platform/db/audit.ts';
import type { DatabaseHandle } from '../../../server/platform/db/database.ts';
import { createWorkspace, installationRepository } from '../../../server/platform/db/installations.ts';
import { mappingRepository, type MappingRepository } from '../../../server/platform/db/mappings.ts';
import { installationMappings } from '../../../server/platform/db/schema.ts';
import type { InstallationKey } from '../../../server/platform/db/sync-store.ts';
import { testDatabases } from '../../support/databases.ts';

describe.each(testDatabases())('installation field mappings on $name', (database) => {
  let handle: DatabaseHandle;
  let mappings: MappingRepository;
  let key: InstallationKey;
  let otherKey: InstallationKey;
  const base = defaultMapping('salesforce', {});

  beforeAll(async () => {
    handle = await database.open();
    await handle.migrate();
    mappings = mappingRepository(handle.db, fieldMappingSchema);
    const repo = installationRepository(handle.db, createSealer(Buffer.alloc(32, 5)));
    const make = async (name: string, externalId: string) => {
      const workspace = await createWorkspace(handle.db, name);
      const installation = await repo.install({
        workspaceId: workspace.id,
        provider: 'salesforce',
        externalId,
        displayName: name,
        baseUrl: 'https://org.example',
        scopes: [],
        tokens: { accessToken: 'a', refreshToken: 'r', accessTokenExpiresAt: null },
      });
      return { workspaceId: workspace.id, installationId: installation.id };
    };
    key = await make('Initech', '00D000000000001');
    otherKey = await make('Hooli', '00D000000000002');
  });
  afterAll(async () => {
    await handle.close();
    await database.cleanup();
  });

  it('has no mapping until one is saved', async () => {
    expect(await mappings.get(key)).toBeUndefined();
  });

  it('saves, replaces and reads back a mapping, per installation, and audits who changed it', async () => {
    await mappings.save(key, base, 'admin:ops@initech.example');
    const edited: FieldMapping = {
      ...base,
      accounts: { ...base.accounts, arr: 'Contract_Value__c' },
      deals: { ...base.deals, renewalTypes: ['Renewal', 'Contract Extension'] },
    };
    await mappings.save(key, edited, 'admin:cs@initech.example');
    expect(await mappings.get(key)).toEqual(edited);
    expect(await mappings.get(otherKey)).toBeUndefined();
    const events = await listAudit(handle.db, key.workspaceId, { installationId: key.installationId });
    expect(events.map((event) => [event.action, event.actor])).toEqual([
      ['mapping.updated', 'admin:cs@initech.example'],
      ['mapping.updated', 'admin:ops@initech.example'],
    ]);
  });

  it('refuses an invalid mapping, saying what is wrong, and keeps the stored one', async () => {
    const before = await mappings.get(key);
    const bad = { ...base, deals: { ...base.deals, amount: 42 } } as unknown as FieldMapping;
    await expect(mappings.save(key, bad, 'admin:x')).rejects.toThrow(/deals\.amount/);
    expect(await mappings.get(key)).toEqual(before);
  });

  it('fails loudly on a stored mapping it cannot read, naming the installation', async () => {
    await handle.db
      .insert(installationMappings)
      .values({ ...otherKey, mapping: { version: 2, accounts: {} }, updatedBy: 'system' });
    await expect(mappings.get(otherKey)).rejects.toThrow(otherKey.installationId);
    // Without core's schema only the version is checked, which is enough to refuse this one too.
    await expect(mappingRepository(handle.db).get(otherKey)).rejects.toThrow(/version/);
  });
});
