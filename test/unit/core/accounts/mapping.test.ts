import { describe, expect, it } from 'vitest';
import { PortalStore } from '../../../../sandbox/hubspot/portal-store.ts';
import {
  defaultMapping,
  fieldMappingSchema,
  mappedProperties,
  type FieldMapping,
} from '../../../../server/core/accounts/mapping.ts';

/** A HubSpot portal as it comes, with no custom properties. */
function stockHubspotProperties() {
  const portal = new PortalStore({ id: 7, name: 'stock', domain: 'stock.example.com' }, 0);
  const names = (type: 'companies' | 'contacts' | 'deals' | 'tickets') => [...portal.propertyMap(type).keys()];
  return {
    accounts: names('companies'),
    contacts: names('contacts'),
    deals: names('deals'),
    tickets: names('tickets'),
  };
}

/** Fields of a Salesforce org without any package or custom field. */
const STOCK_SALESFORCE = {
  accounts: ['Id', 'Name', 'Website', 'Type', 'Industry', 'AnnualRevenue', 'OwnerId', 'ParentId', 'SystemModstamp'],
  contacts: ['Id', 'AccountId', 'FirstName', 'LastName', 'Email', 'Title', 'OwnerId', 'LastActivityDate'],
  deals: ['Id', 'AccountId', 'Name', 'Amount', 'CloseDate', 'StageName', 'IsClosed', 'IsWon', 'Type', 'OwnerId'],
  tickets: ['Id', 'AccountId', 'ContactId', 'Subject', 'Priority', 'Status', 'IsClosed', 'ClosedDate', 'IsEscalated'],
  owners: ['Id', 'Email', 'FirstName', 'LastName', 'Name', 'IsActive'],
};

describe('default field mapping', () => {
  it.each([
    // [what, section, key, expected]
    ['ARR has no stock property', 'accounts', 'arr', null],
    ['renewal date has no stock property', 'accounts', 'renewalDate', null],
    ['segment has no stock property', 'accounts', 'segment', null],
    ['licences have no stock property', 'accounts', 'licences', null],
    ['the company owner is the CSM', 'accounts', 'csm', 'hubspot_owner_id'],
    ['customer status falls back to the lifecycle stage', 'accounts', 'customerStatus', 'lifecyclestage'],
    ['lifecycle "customer" is an active customer', 'accounts', 'activeStatuses', ['customer', 'evangelist']],
    ['no contact role property', 'contacts', 'role', null],
    ['no departed property', 'contacts', 'departed', null],
    ['last engagement is notes_last_contacted', 'contacts', 'lastEngagement', 'notes_last_contacted'],
    ['deal type is dealtype', 'deals', 'type', 'dealtype'],
    ['existing business counts as renewal', 'deals', 'renewalTypes', ['renewal', 'existingbusiness']],
    ['closed won is the won stage', 'deals', 'wonStages', ['closedwon']],
    ['ticket stage 4 is closed', 'tickets', 'closedStatuses', ['4']],
    ['ticket closed date', 'tickets', 'closedDate', 'closed_date'],
  ] as const)('on a stock HubSpot portal: %s', (_what, section, key, expected) => {
    const mapping = defaultMapping('hubspot', stockHubspotProperties());
    expect((mapping[section] as Record<string, unknown>)[key]).toEqual(expected);
  });

  it.each([
    ['ARR has no stock field (AnnualRevenue is not ARR)', 'accounts', 'arr', null],
    ['renewal date has no stock field', 'accounts', 'renewalDate', null],
    ['the CSM falls back to the account owner', 'accounts', 'csm', 'OwnerId'],
    ['customer status comes from Account Type', 'accounts', 'customerStatus', 'Type'],
    [
      'direct and channel customers are active',
      'accounts',
      'activeStatuses',
      ['Customer - Direct', 'Customer - Channel'],
    ],
    ['last engagement is the last activity date', 'contacts', 'lastEngagement', 'LastActivityDate'],
    ['won flag', 'deals', 'won', 'IsWon'],
    ['upgrade is expansion', 'deals', 'expansionTypes', ['Existing Customer - Upgrade']],
    ['replacement and renewal are renewals', 'deals', 'renewalTypes', ['Renewal', 'Existing Customer - Replacement']],
    ['Salesforce has no pipelines', 'deals', 'pipeline', null],
    ['case closed flag', 'tickets', 'closed', 'IsClosed'],
    ['user active flag', 'owners', 'active', 'IsActive'],
  ] as const)('on a stock Salesforce org: %s', (_what, section, key, expected) => {
    const mapping = defaultMapping('salesforce', STOCK_SALESFORCE);
    expect((mapping[section] as Record<string, unknown>)[key]).toEqual(expected);
  });

  it('matches names case-insensitively and keeps the CRM’s spelling', () => {
    const mapping = defaultMapping('salesforce', { accounts: ['name', 'arr__C', 'RENEWAL_DATE__C'] });
    expect(mapping.accounts).toMatchObject({
      name: 'name',
      arr: 'arr__C',
      renewalDate: 'RENEWAL_DATE__C',
      domain: null,
    });
  });

  it('takes the first candidate present, and its value meanings with it', () => {
    const both = defaultMapping('hubspot', { accounts: ['customer_status', 'lifecyclestage'] });
    expect(both.accounts).toMatchObject({
      customerStatus: 'customer_status',
      activeStatuses: ['active'],
      churnedStatuses: ['churned'],
    });
    const stock = defaultMapping('hubspot', { accounts: ['lifecyclestage'] });
    expect(stock.accounts.churnedStatuses).toEqual([]);
  });

  it('assumes stock names for an object the caller could not list', () => {
    const mapping = defaultMapping('hubspot', {});
    expect(mapping.owners).toMatchObject({ email: 'email', firstName: 'firstName', lastName: 'lastName' });
    expect(mapping.accounts.arr).toBe('arr');
  });
});

describe('mapped properties', () => {
  it('lists each object’s mapped names once, without the unmapped ones', () => {
    const mapping = defaultMapping('salesforce', STOCK_SALESFORCE);
    const names = mappedProperties(mapping);
    expect(names.accounts).toEqual(['Name', 'Website', 'OwnerId', 'ParentId', 'Type']);
    expect(names.deals).toContain('IsWon');
    expect(names.contacts).toContain('LastActivityDate');
    expect(Object.values(names).flat()).not.toContain(null);
  });
});

describe('field mapping schema', () => {
  const valid: FieldMapping = defaultMapping('hubspot', {});

  it('accepts what defaultMapping builds', () => {
    expect(fieldMappingSchema.parse(valid)).toEqual(valid);
  });

  it.each([
    ['an unknown key', { ...valid, accounts: { ...valid.accounts, colour: 'x' } }, 'colour'],
    ['a number for a property name', { ...valid, deals: { ...valid.deals, amount: 5 } }, 'deals.amount'],
    ['an empty property name', { ...valid, tickets: { ...valid.tickets, subject: '  ' } }, 'tickets.subject'],
    ['another version', { ...valid, version: 2 }, 'version'],
  ])('rejects %s and says where', (_what, input, where) => {
    const result = fieldMappingSchema.safeParse(input);
    expect(result.success).toBe(false);
    expect(JSON.stringify(result.error?.issues)).toContain(where.split('.').at(-1));
  });
});
