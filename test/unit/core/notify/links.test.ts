import { describe, expect, it } from 'vitest';
import { crmRecordUrl, type RecordLinkInput } from '../../../../server/core/notify/links.ts';

describe('crmRecordUrl', () => {
  const cases: [string, Omit<RecordLinkInput, 'accountExternalId'>, string | null][] = [
    [
      'a HubSpot portal on the public API',
      { provider: 'hubspot', portalOrOrgId: '123', baseUrl: null },
      'https://app.hubspot.com/contacts/123/record/0-2/987',
    ],
    [
      'a HubSpot portal with the public API named',
      { provider: 'hubspot', portalOrOrgId: '123', baseUrl: 'https://api.hubapi.com' },
      'https://app.hubspot.com/contacts/123/record/0-2/987',
    ],
    ['a HubSpot stand-in', { provider: 'hubspot', portalOrOrgId: '123', baseUrl: 'http://127.0.0.1:4010' }, null],
    [
      'a Salesforce org',
      { provider: 'salesforce', portalOrOrgId: '00D', baseUrl: 'https://acme.my.salesforce.com/' },
      'https://acme.my.salesforce.com/lightning/r/Account/987/view',
    ],
    ['a Salesforce org without an instance URL', { provider: 'salesforce', portalOrOrgId: '00D', baseUrl: null }, null],
  ];
  it.each(cases)('%s', (_name, input, expected) => {
    expect(crmRecordUrl({ ...input, accountExternalId: '987' })).toBe(expected);
  });
});
