import { describe, expect, it } from 'vitest';
import { ObjectDescribe, type DescribeField } from '../../../server/crm/salesforce/describe.ts';
import { findWriteField, writeBlocker } from '../../../server/crm/salesforce/field-names.ts';
import { SALESFORCE_OBJECTS } from '../../../server/crm/salesforce/objects.ts';
import { selectableFields, toCrmRecord } from '../../../server/crm/salesforce/records.ts';
import { customFieldMetadata } from '../../../server/crm/salesforce/schema.ts';
import { toSalesforceValue } from '../../../server/crm/salesforce/write-values.ts';
import { loadManifest } from '../../../server/platform/manifest.ts';

const field = (name: string, type: string, extra: Partial<DescribeField> = {}): DescribeField => ({
  name,
  type,
  ...extra,
});

describe('fields read per object', () => {
  it('selects only the fields describe lists, under its spelling, with extra names from the mapping', () => {
    const describe = new ObjectDescribe('Account', [
      field('Id', 'id'),
      field('SystemModstamp', 'datetime'),
      field('CreatedDate', 'datetime'),
      field('Name', 'string'),
      field('ARR__c', 'currency'),
      field('Tier__c', 'string'),
    ]);
    const fields = selectableFields(SALESFORCE_OBJECTS.accounts, describe, ['tier__c', 'Missing__c', 'name']);
    expect(fields).toEqual(['Id', 'SystemModstamp', 'CreatedDate', 'Name', 'ARR__c', 'Tier__c']);
  });

  it('turns a row into a CrmRecord with text properties and lookups as associations', () => {
    const fields = ['Id', 'SystemModstamp', 'CreatedDate', 'AccountId', 'ContactId', 'IsClosed', 'Subject'];
    const record = toCrmRecord('tickets', SALESFORCE_OBJECTS.tickets, fields, {
      attributes: { type: 'Case' },
      Id: '500000000000001AAA',
      SystemModstamp: '2026-01-05T10:00:00.000+0000',
      CreatedDate: '2026-01-04T10:00:00.000+0000',
      AccountId: '001000000000001AAA',
      ContactId: null,
      IsClosed: false,
      Subject: 'Login fails',
    });
    expect(record).toEqual({
      objectType: 'tickets',
      id: '500000000000001AAA',
      modifiedAt: Date.parse('2026-01-05T10:00:00Z'),
      createdAt: Date.parse('2026-01-04T10:00:00Z'),
      archived: false,
      properties: {
        SystemModstamp: '2026-01-05T10:00:00.000+0000',
        CreatedDate: '2026-01-04T10:00:00.000+0000',
        AccountId: '001000000000001AAA',
        ContactId: null,
        IsClosed: 'false',
        Subject: 'Login fails',
      },
      associations: { accounts: ['001000000000001AAA'] },
    });
  });
});

describe('values written back', () => {
  it('converts numbers, picklists, dates, date-times and text by the field type', () => {
    expect(toSalesforceValue(field('S__c', 'double'), '72.5')).toBe(72.5);
    expect(toSalesforceValue(field('S__c', 'int'), 7.6)).toBe(8);
    expect(() => toSalesforceValue(field('S__c', 'double'), 'high')).toThrow(/not a number/);
    const band = field('B__c', 'picklist', {
      restrictedPicklist: true,
      picklistValues: [{ value: 'Green', label: 'Green' }],
    });
    expect(toSalesforceValue(band, 'green')).toBe('Green');
    expect(() => toSalesforceValue(band, 'purple')).toThrow(expect.objectContaining({ code: 'VALIDATION' }));
    expect(toSalesforceValue(field('D__c', 'date'), Date.parse('2026-03-09T23:00:00Z'))).toBe('2026-03-09');
    expect(toSalesforceValue(field('T__c', 'datetime'), '2026-03-02T08:30:00+01:00')).toBe('2026-03-02T07:30:00.000Z');
    expect(() => toSalesforceValue(field('T__c', 'datetime'), 'yesterday')).toThrow(/not a date/);
    expect(() => toSalesforceValue(field('X__c', 'string', { length: 3 }), 'long')).toThrow(/holds 3/);
    expect(toSalesforceValue(field('X__c', 'string'), null)).toBeNull();
  });

  it('finds a write-back field under the package namespace first, then under its bare name', () => {
    const manifest = loadManifest(new URL('../../../manifest.json', import.meta.url).pathname);
    const score = manifest.fields.find((f) => f.key === 'health_score');
    if (!score) throw new Error('manifest has no health_score');
    const packaged = new ObjectDescribe('Account', [
      field('bwhealth__Health_Score__c', 'double', { updateable: true }),
      field('Health_Score__c', 'double', { updateable: true }),
    ]);
    expect(findWriteField(packaged, score, 'bwhealth')?.name).toBe('bwhealth__Health_Score__c');
    const byHand = new ObjectDescribe('Account', [field('Health_Score__c', 'string', { updateable: true })]);
    const found = findWriteField(byHand, score, 'bwhealth');
    expect(found?.name).toBe('Health_Score__c');
    expect(writeBlocker(score, found as DescribeField)).toMatch(/type string/);
    expect(writeBlocker(score, { ...(found as DescribeField), type: 'double', updateable: false })).toMatch(
      /field-level security/,
    );
  });

  it('describes each manifest field for the Tooling fallback', () => {
    const manifest = loadManifest(new URL('../../../manifest.json', import.meta.url).pathname);
    const byKey = Object.fromEntries(manifest.fields.map((f) => [f.key, customFieldMetadata(f)]));
    expect(byKey.health_score).toMatchObject({ type: 'Number', precision: 3, scale: 0 });
    expect(byKey.revenue_at_risk).toMatchObject({ type: 'Currency', precision: 16, scale: 2 });
    expect(byKey.health_band).toMatchObject({ type: 'Picklist', valueSet: { restricted: true } });
    expect(byKey.health_drivers).toMatchObject({ type: 'LongTextArea', length: 1000 });
    expect(byKey.last_scored_at).toMatchObject({ type: 'DateTime' });
  });
});
