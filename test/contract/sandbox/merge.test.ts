import { Client } from '@hubspot/api-client';
import jsforce from 'jsforce';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { crmBook, generateBook } from '../../../sandbox/generator/generate-book.ts';
import { startSandboxes, type RunningSandboxes } from '../../../sandbox/start-sandboxes.ts';

/** Merges in both stand-ins: what a sync sees of a record merged away. */

const book = crmBook(generateBook({ seed: 5, accounts: 20, asOf: '2026-06-30' }).book);
let running: RunningSandboxes;

beforeAll(async () => {
  running = await startSandboxes({ book });
});
afterAll(() => running.close());

async function hubspotJson(path: string, token: string, init: RequestInit = {}) {
  const response = await fetch(`${running.hubspot.url}${path}`, {
    ...init,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe('HubSpot POST /crm/v3/objects/{type}/merge', () => {
  it('keeps the primary, moves the associations and archives the merged-away record', async () => {
    const { accessToken } = running.hubspot.sandbox.issueTokens(running.hubspot.portalId);
    const client = new Client({ basePath: running.hubspot.url, accessToken, numberOfApiCallRetries: 0 });
    const companies = await client.crm.companies.getAll(100, undefined, ['name'], undefined, ['contacts']);
    const [primary, merged] = companies.filter((c) => (c.associations?.contacts?.results.length ?? 0) > 0);
    if (!primary || !merged) throw new Error('the book needs two companies with contacts');
    const movedContacts = merged.associations?.contacts?.results.map((r) => r.id) ?? [];

    const answer = await hubspotJson('/crm/v3/objects/companies/merge', accessToken, {
      method: 'POST',
      body: JSON.stringify({ primaryObjectId: primary.id, objectIdToMerge: merged.id }),
    });
    expect(answer.status).toBe(200);
    expect(answer.body.id).toBe(primary.id);

    const live = await client.crm.companies.getAll(100);
    expect(live.map((c) => c.id)).toContain(primary.id);
    expect(live.map((c) => c.id)).not.toContain(merged.id);
    const archived = await hubspotJson('/crm/v3/objects/companies?archived=true&limit=100', accessToken);
    const archivedIds = (archived.body.results as { id: string }[]).map((r) => r.id);
    expect(archivedIds).toContain(merged.id);
    const search = await hubspotJson('/crm/v3/objects/companies/search', accessToken, {
      method: 'POST',
      body: JSON.stringify({
        filterGroups: [{ filters: [{ propertyName: 'hs_object_id', operator: 'EQ', value: merged.id }] }],
        limit: 10,
      }),
    });
    expect(search.body.total).toBe(0);

    const after = await client.crm.companies.basicApi.getById(primary.id, ['hs_merged_object_ids'], undefined, [
      'contacts',
    ]);
    expect(after.properties.hs_merged_object_ids).toBe(merged.id);
    const contactIds = after.associations?.contacts?.results.map((r) => r.id) ?? [];
    for (const id of movedContacts) expect(contactIds).toContain(id);
  });

  it('refuses a merge into itself and an unknown id', async () => {
    const { accessToken } = running.hubspot.sandbox.issueTokens(running.hubspot.portalId);
    const self = await hubspotJson('/crm/v3/objects/companies/merge', accessToken, {
      method: 'POST',
      body: JSON.stringify({ primaryObjectId: '1', objectIdToMerge: '1' }),
    });
    expect(self.status).toBe(400);
    const unknown = await hubspotJson('/crm/v3/objects/contacts/merge', accessToken, {
      method: 'POST',
      body: JSON.stringify({ primaryObjectId: '999999999', objectIdToMerge: '999999998' }),
    });
    expect(unknown.status).toBe(404);
  });
});

describe('Salesforce sandbox.merge', () => {
  it('deletes the merged records with MasterRecordId, visible to getDeleted and queryAll, children moved', async () => {
    const { sandbox, url, orgId } = running.salesforce;
    const session = sandbox.issueSession({ instanceUrl: url });
    const conn = new jsforce.Connection({ instanceUrl: url, accessToken: session.access_token, version: '66.0' });
    const { records } = await conn.query<{ Id: string }>('SELECT Id FROM Account ORDER BY Id LIMIT 3');
    const [master, a, b] = records.map((r) => r.Id);
    if (!master || !a || !b) throw new Error('the book needs three accounts');
    const childrenBefore = await conn.query<{ Id: string }>(`SELECT Id FROM Contact WHERE AccountId = '${a}'`);

    sandbox.merge(orgId, 'Account', master, [a, b]);

    const live = await conn.query<{ Id: string }>('SELECT Id FROM Account');
    expect(live.records.map((r) => r.Id)).not.toContain(a);
    const all = await conn.query<{ Id: string; IsDeleted: boolean; MasterRecordId: string | null }>(
      `SELECT Id, IsDeleted, MasterRecordId FROM Account WHERE Id IN ('${a}', '${b}')`,
      { scanAll: true },
    );
    expect(all.records.map((r) => [r.IsDeleted, r.MasterRecordId])).toEqual([
      [true, master],
      [true, master],
    ]);
    // getDeleted answers whole minutes up to now, so it reads the delete log these entries are in.
    const log = sandbox.orgs.get(orgId)?.deletions('Account') ?? [];
    expect(log.map((entry) => entry.id).sort()).toEqual([a, b].sort());
    for (const child of childrenBefore.records) {
      const moved = await conn.query<{ AccountId: string }>(`SELECT AccountId FROM Contact WHERE Id = '${child.Id}'`);
      expect(moved.records[0]?.AccountId).toBe(master);
    }
    expect(() => sandbox.merge(orgId, 'Opportunity', master, [a])).toThrow(/cannot be merged/);
  });
});
