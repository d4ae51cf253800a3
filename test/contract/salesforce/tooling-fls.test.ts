import type { Connection } from 'jsforce';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_VERSION, startSandbox, type RunningSandbox } from './start-sandbox.ts';
import { syntheticBook } from './synthetic-book.ts';

let run: RunningSandbox;
let conn: Connection;
let accountId: string;

beforeAll(async () => {
  run = await startSandbox();
  const ids = run.sandbox.loadBook(run.sandbox.defaultOrg.id, syntheticBook(2));
  accountId = ids.accounts.get('acc-00001') as string;
  conn = run.connect();
});
afterAll(() => run.close());

const healthScore = {
  FullName: 'Account.Health_Score__c',
  Metadata: { label: 'Health Score', type: 'Number', precision: 5, scale: 2, description: 'Computed by Bellwether' },
};

describe('Tooling CustomField and field-level security', () => {
  it('creates the field, which describe lists but nobody can read or write until a permission set grants it', async () => {
    const created = await conn.tooling.sobject('CustomField').create(healthScore);
    expect(created).toMatchObject({ success: true, errors: [] });
    expect(created.id).toMatch(/^00N\w{15}$/);

    const field = (await conn.describe('Account')).fields.find((candidate) => candidate.name === 'Health_Score__c');
    expect(field).toMatchObject({
      type: 'double',
      custom: true,
      precision: 5,
      scale: 2,
      updateable: false,
      createable: false,
    });

    await expect(conn.query('SELECT Id, Health_Score__c FROM Account')).rejects.toMatchObject({
      errorCode: 'INVALID_FIELD',
      message: expect.stringContaining("No such column 'Health_Score__c' on entity 'Account'"),
    });
    await expect(conn.sobject('Account').update({ Id: accountId, Health_Score__c: 87 })).rejects.toMatchObject({
      errorCode: 'INVALID_FIELD',
    });
    const collection = await conn
      .sobject('Account')
      .update([{ Id: accountId, Health_Score__c: 87 }], { allOrNone: false });
    expect(collection).toEqual([
      {
        success: false,
        errors: [
          {
            statusCode: 'INVALID_FIELD',
            message: "No such column 'Health_Score__c' on sobject of type Account",
            fields: ['Health_Score__c'],
          },
        ],
      },
    ]);

    await expect(conn.tooling.sobject('CustomField').create(healthScore)).rejects.toMatchObject({
      errorCode: 'DUPLICATE_DEVELOPER_NAME',
    });
  });

  it('grants read, then edit, through PermissionSet and FieldPermissions', async () => {
    const permissionSet = await conn
      .sobject('PermissionSet')
      .create({ Name: 'Bellwether_Integration', Label: 'Bellwether Integration' });
    expect(permissionSet.id).toMatch(/^0PS\w{15}$/);
    await expect(
      conn.sobject('FieldPermissions').create({
        ParentId: permissionSet.id,
        SobjectType: 'Account',
        Field: 'Account.Nope__c',
        PermissionsRead: true,
      }),
    ).rejects.toMatchObject({ errorCode: 'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST' });

    const readOnly = await conn.sobject('FieldPermissions').create({
      ParentId: permissionSet.id,
      SobjectType: 'Account',
      Field: 'Account.Health_Score__c',
      PermissionsRead: true,
      PermissionsEdit: false,
    });
    expect(readOnly.id).toMatch(/^01k\w{15}$/);
    const rows = await conn.query<any>(`SELECT Id, Health_Score__c FROM Account WHERE Id = '${accountId}'`);
    expect(rows.records[0]).toMatchObject({ Id: accountId, Health_Score__c: null });
    await expect(conn.sobject('Account').update({ Id: accountId, Health_Score__c: 87 })).rejects.toMatchObject({
      errorCode: 'INVALID_FIELD_FOR_INSERT_UPDATE',
    });

    await conn.sobject('FieldPermissions').update({ Id: readOnly.id as string, PermissionsEdit: true });
    const field = (await conn.describe('Account')).fields.find((candidate) => candidate.name === 'Health_Score__c');
    expect(field?.updateable).toBe(true);
    await conn.sobject('Account').update({ Id: accountId, Health_Score__c: 87.456 });
    const after = await conn.query<{ Health_Score__c: number }>(
      `SELECT Health_Score__c FROM Account WHERE Health_Score__c > 80`,
    );
    expect(after.records.map((record) => record.Health_Score__c)).toEqual([87.46]);
  });

  it('validates the metadata: precision for numbers, values for picklists, the __c name', async () => {
    const post = async (body: unknown) => {
      const answer = await fetch(`${run.url}/services/data/v${API_VERSION}/tooling/sobjects/CustomField`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${conn.accessToken}`, 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
      });
      return { status: answer.status, body: (await answer.json()) as any };
    };
    const noPrecision = await post({ FullName: 'Account.Risk__c', Metadata: { label: 'Risk', type: 'Number' } });
    expect(noPrecision).toMatchObject({ status: 400, body: [{ errorCode: 'FIELD_INTEGRITY_EXCEPTION' }] });
    const badName = await post({ FullName: 'Account.Risk', Metadata: { label: 'Risk', type: 'Text', length: 20 } });
    expect(badName).toMatchObject({ status: 400, body: [{ errorCode: 'INVALID_FIELD' }] });
    const picklist = await post({
      FullName: 'Account.Health_Band__c',
      Metadata: {
        label: 'Health Band',
        type: 'Picklist',
        valueSet: { restricted: true, valueSetDefinition: { value: [{ fullName: 'Green' }, { fullName: 'Red' }] } },
      },
    });
    expect(picklist.status).toBe(201);
    const band = (await conn.describe('Account')).fields.find((candidate) => candidate.name === 'Health_Band__c');
    expect(band?.picklistValues?.map((value: { value: string }) => value.value)).toEqual(['Green', 'Red']);
  });
});
