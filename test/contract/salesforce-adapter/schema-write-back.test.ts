import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SalesforceIdMap } from '../../../sandbox/salesforce/load-book.ts';
import type { WriteBackRow } from '../../../server/crm/types.ts';
import { syntheticBook } from '../salesforce/synthetic-book.ts';
import { manifest, startHarness, type AdapterHarness } from './harness.ts';

let h: AdapterHarness;
let ids: SalesforceIdMap;
const keys = manifest.fields.map((field) => field.key);

beforeAll(async () => {
  h = await startHarness();
  ids = h.run.sandbox.loadBook(h.orgId, syntheticBook(300));
});
afterAll(() => h.close());

const accountIds = () => [...ids.accounts.values()];
const sinceMark = () => h.run.requests.length;
const requestsSince = (mark: number) => h.run.requests.slice(mark);

async function grantEdit(fieldNames: readonly string[]) {
  const jsforce = h.run.connect();
  const permissionSet = await jsforce.sobject('PermissionSet').create({ Name: 'Bellwether', Label: 'Bellwether' });
  for (const name of fieldNames) {
    await jsforce.sobject('FieldPermissions').create({
      ParentId: permissionSet.id,
      SobjectType: 'Account',
      Field: `Account.${name}`,
      PermissionsRead: true,
      PermissionsEdit: true,
    });
  }
}

describe('ensureSchema', () => {
  it('reports missing fields and creates nothing unless asked', async () => {
    const mark = sinceMark();
    const report = await h.adapter.ensureSchema(h.connection(), manifest.fields);
    expect(report).toEqual({ present: [], created: [], blocked: [], missing: [...keys, 'activity_key'] });
    expect(requestsSince(mark)).toEqual([
      'GET /services/data/v66.0/sobjects/Account/describe',
      'GET /services/data/v66.0/sobjects/Task/describe',
    ]);
  });

  it('creates missing fields through Tooling when asked, and reports them blocked until access is granted', async () => {
    const report = await h.adapter.ensureSchema(h.connection(), manifest.fields, { createMissing: true });
    expect(report.created).toEqual([...keys, 'activity_key']);
    expect(report.present).toEqual([]);
    expect(report.missing).toEqual([]);
    expect(report.blocked.map((entry) => entry.key)).toEqual([...keys, 'activity_key']);
    expect(report.blocked[0]?.reason).toContain('field-level security');
    // Idempotent: a second run creates nothing.
    const again = await h.adapter.ensureSchema(h.connection(), manifest.fields, { createMissing: true });
    expect(again.created).toEqual([]);
    expect(again.blocked).toHaveLength(keys.length + 1);
  });

  it('reports the field-level security gap per field once some are granted', async () => {
    await grantEdit(manifest.fields.filter((field) => field.key !== 'health_drivers').map((f) => f.salesforce.name));
    const report = await h.adapter.ensureSchema(h.connection(), manifest.fields);
    expect(report.present).toEqual(keys.filter((key) => key !== 'health_drivers'));
    expect(report.blocked).toEqual([
      { key: 'health_drivers', reason: expect.stringContaining('Health_Drivers__c') as string },
      { key: 'activity_key', reason: expect.stringContaining('Activity_Key__c') as string },
    ]);
  });
});

describe('writeBack', () => {
  it('writes 250 rows in two collection calls with converted values and one outcome per row', async () => {
    const targets = accountIds().slice(0, 250);
    const scoredAt = Date.parse('2026-03-02T08:30:00Z');
    const rows: WriteBackRow[] = targets.map((id, i) => ({
      id,
      values: {
        health_score: i,
        health_band: i === 5 ? 'purple' : 'green',
        renewal_probability: '72.5',
        last_scored_at: scoredAt,
      },
    }));
    rows[7] = { id: 'not-an-id', values: { health_score: 1 } };
    const mark = sinceMark();
    const outcomes = await h.adapter.writeBack(h.connection(), 'accounts', rows);
    expect(outcomes).toHaveLength(250);
    expect(outcomes.map((outcome) => outcome.id)).toEqual(rows.map((row) => row.id));
    expect(outcomes.filter((outcome) => !outcome.ok).map((outcome) => outcome.id)).toEqual([targets[5], 'not-an-id']);
    expect(outcomes[5]).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
    expect(requestsSince(mark).filter((request) => request.startsWith('PATCH'))).toHaveLength(2);

    const stored = await h.run
      .connect()
      .query<Record<string, unknown>>(
        `SELECT Health_Score__c, Health_Band__c, Renewal_Probability__c, Health_Last_Scored_At__c FROM Account WHERE Id = '${targets[3]}'`,
      );
    expect(stored.records[0]).toMatchObject({
      Health_Score__c: 3,
      Health_Band__c: 'green',
      Renewal_Probability__c: 72.5,
      Health_Last_Scored_At__c: '2026-03-02T08:30:00.000+0000',
    });
  });

  it('reports per-row failures from Salesforce without throwing', async () => {
    const [first, second] = accountIds();
    const outcomes = await h.adapter.writeBack(h.connection(), 'accounts', [
      { id: first as string, values: { health_score: 50 } },
      { id: second as string, values: { health_drivers: 'Usage fell 40% in 30 days' } },
    ]);
    expect(outcomes[0]).toEqual({ id: first, ok: true });
    expect(outcomes[1]).toMatchObject({ id: second, ok: false, error: { code: 'VALIDATION' } });

    h.faults.add({
      tenant: h.orgId,
      route: 'sobjects.collections',
      fault: { kind: 'partial_batch', rate: 1 },
      times: 1,
    });
    const locked = await h.adapter.writeBack(h.connection(), 'accounts', [
      { id: first as string, values: { health_score: 51 } },
    ]);
    expect(locked).toMatchObject([{ id: first, ok: false, error: { code: 'TEMPORARY' } }]);
  });

  it('fails every row with the call error when the whole call fails', async () => {
    const rule = h.faults.add({
      tenant: h.orgId,
      route: 'sobjects.collections',
      fault: { kind: 'server_error', status: 503, rate: 1 },
    });
    const rows = accountIds()
      .slice(0, 3)
      .map((id) => ({ id, values: { health_score: 9 } }));
    const outcomes = await h.adapter.writeBack(h.connection(), 'accounts', rows);
    h.faults.clear();
    expect(outcomes.map((outcome) => (outcome.ok ? 'ok' : outcome.error.code))).toEqual([
      'TEMPORARY',
      'TEMPORARY',
      'TEMPORARY',
    ]);
    // One call for the chunk, not retried by jsforce.
    expect(rule.hits).toBe(1);
  });
});
