import { describe, expect, it } from 'vitest';
import { modifiedAtOf, parseInstant, toCrmRecord } from '../../../server/crm/hubspot/records.ts';
import { propertiesFor } from '../../../server/crm/hubspot/objects.ts';

describe('HubSpot objects → CrmRecords', () => {
  it('reads instants as ISO text or epoch milliseconds', () => {
    expect(parseInstant('2026-07-01T00:00:00.000Z')).toBe(Date.parse('2026-07-01T00:00:00.000Z'));
    expect(parseInstant('1782864000000')).toBe(1782864000000);
    expect(parseInstant('')).toBeNull();
    expect(parseInstant('soon')).toBeNull();
  });

  it('takes the modification time from the stamped property, contacts from their older name', () => {
    const answer = {
      id: '7',
      properties: { lastmodifieddate: '2026-07-01T00:00:00Z', hs_lastmodifieddate: '2020-01-01T00:00:00Z' },
      updatedAt: '2019-01-01T00:00:00Z',
    };
    expect(modifiedAtOf('contacts', answer)).toBe(Date.parse('2026-07-01T00:00:00Z'));
    expect(modifiedAtOf('companies', answer)).toBe(Date.parse('2020-01-01T00:00:00Z'));
    expect(modifiedAtOf('deals', { id: '8', properties: {}, updatedAt: '2019-01-01T00:00:00Z' })).toBe(
      Date.parse('2019-01-01T00:00:00Z'),
    );
  });

  it('maps properties, creation time and associations (each id once, keyed by app object)', () => {
    const record = toCrmRecord('deals', {
      id: '501',
      properties: { dealname: 'Renewal', amount: '1000', createdate: '2026-01-01T00:00:00Z', hs_lastmodifieddate: '5' },
      archived: false,
      associations: {
        companies: {
          results: [
            { id: '11', type: 'deal_to_company' },
            { id: '11', type: 'deal_to_company_primary' },
            { id: '12', type: 'deal_to_company' },
          ],
        },
        line_items: { results: [{ id: '99' }] },
      },
    });
    expect(record).toEqual({
      objectType: 'deals',
      id: '501',
      modifiedAt: 5,
      createdAt: Date.parse('2026-01-01T00:00:00Z'),
      archived: false,
      properties: { dealname: 'Renewal', amount: '1000', createdate: '2026-01-01T00:00:00Z', hs_lastmodifieddate: '5' },
      associations: { accounts: ['11', '12'] },
    });
  });

  it('asks for the default properties plus the caller’s, each once', () => {
    const names = propertiesFor('companies', ['arr', 'my_health_input']);
    expect(names).toContain('hs_lastmodifieddate');
    expect(names.filter((name) => name === 'arr')).toHaveLength(1);
    expect(names.at(-1)).toBe('my_health_input');
  });
});
