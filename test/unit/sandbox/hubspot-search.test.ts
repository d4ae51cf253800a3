import { describe, expect, it } from 'vitest';
import { PortalStore } from '../../../sandbox/hubspot/portal-store.ts';
import { normaliseValue } from '../../../sandbox/hubspot/properties.ts';
import {
  filterLimitViolation,
  filterProblem,
  runSearch,
  searchRequestSchema,
} from '../../../sandbox/hubspot/search.ts';

function portalWithDeals() {
  const portal = new PortalStore({ id: 1, name: 'search', domain: 'search.example.com' }, 0);
  const rows: Record<string, string>[] = [
    { dealname: 'Alpha renewal', amount: '900', closedate: '2026-01-10T00:00:00.000Z', dealstage: 'closedwon' },
    { dealname: 'Beta expansion', amount: '10000', closedate: '2026-02-10T00:00:00.000Z', dealstage: 'closedlost' },
    { dealname: 'Gamma renewal', amount: '50', dealstage: 'contractsent' },
    { dealname: 'delta-renewal Q3', closedate: '2026-03-10T00:00:00.000Z', dealstage: 'closedwon' },
  ];
  const ids = rows.map((values, i) => portal.create('deals', values, i * 1000).id);
  return { portal, ids };
}

function search(portal: PortalStore, body: unknown): string[] {
  const request = searchRequestSchema.parse(body);
  return runSearch('deals', portal.table('deals').order, request, portal.propertyMap('deals')).map(
    (record) => record.properties.dealname ?? '',
  );
}

const one = (propertyName: string, operator: string, extra: Record<string, unknown> = {}) => ({
  filterGroups: [{ filters: [{ propertyName, operator, ...extra }] }],
});

describe('HubSpot search evaluation', () => {
  const { portal } = portalWithDeals();

  it('compares numbers as numbers, not as strings', () => {
    expect(search(portal, one('amount', 'GT', { value: '100' }))).toEqual(['Alpha renewal', 'Beta expansion']);
    expect(search(portal, one('amount', 'LT', { value: 900 }))).toEqual(['Gamma renewal']);
    expect(search(portal, one('amount', 'LTE', { value: '900' }))).toEqual(['Alpha renewal', 'Gamma renewal']);
    expect(search(portal, one('amount', 'GTE', { value: '10000' }))).toEqual(['Beta expansion']);
    expect(search(portal, one('amount', 'BETWEEN', { value: '50', highValue: '900' }))).toEqual([
      'Alpha renewal',
      'Gamma renewal',
    ]);
  });

  it('compares datetimes given as epoch milliseconds or ISO strings', () => {
    const feb = String(Date.parse('2026-02-01T00:00:00Z'));
    expect(search(portal, one('closedate', 'GTE', { value: feb }))).toEqual(['Beta expansion', 'delta-renewal Q3']);
    expect(search(portal, one('closedate', 'LT', { value: '2026-02-01T00:00:00.000Z' }))).toEqual(['Alpha renewal']);
  });

  it('treats a missing value as matching NEQ, NOT_IN and NOT_HAS_PROPERTY only', () => {
    expect(search(portal, one('amount', 'NOT_HAS_PROPERTY'))).toEqual(['delta-renewal Q3']);
    expect(search(portal, one('amount', 'HAS_PROPERTY'))).toHaveLength(3);
    expect(search(portal, one('amount', 'NEQ', { value: '900' }))).toEqual([
      'Beta expansion',
      'Gamma renewal',
      'delta-renewal Q3',
    ]);
    expect(search(portal, one('dealstage', 'IN', { values: ['closedwon', 'closedlost'] }))).toEqual([
      'Alpha renewal',
      'Beta expansion',
      'delta-renewal Q3',
    ]);
    expect(search(portal, one('dealstage', 'NOT_IN', { values: ['closedwon', 'closedlost'] }))).toEqual([
      'Gamma renewal',
    ]);
    expect(search(portal, one('dealstage', 'EQ', { value: 'CLOSEDWON' }))).toEqual([
      'Alpha renewal',
      'delta-renewal Q3',
    ]);
  });

  it('matches tokens, with * as a wildcard, and the free-text query', () => {
    expect(search(portal, one('dealname', 'CONTAINS_TOKEN', { value: 'renewal' }))).toEqual([
      'Alpha renewal',
      'Gamma renewal',
      'delta-renewal Q3',
    ]);
    expect(search(portal, one('dealname', 'CONTAINS_TOKEN', { value: 'exp*' }))).toEqual(['Beta expansion']);
    expect(search(portal, one('dealname', 'NOT_CONTAINS_TOKEN', { value: 'renewal' }))).toEqual(['Beta expansion']);
    expect(search(portal, { query: 'gamma' })).toEqual(['Gamma renewal']);
  });

  it('ORs filter groups, ANDs filters, and sorts by either sort form with missing values last', () => {
    const body = {
      filterGroups: [
        {
          filters: [
            { propertyName: 'dealstage', operator: 'EQ', value: 'closedwon' },
            { propertyName: 'amount', operator: 'HAS_PROPERTY' },
          ],
        },
        { filters: [{ propertyName: 'dealstage', operator: 'EQ', value: 'contractsent' }] },
      ],
    };
    expect(search(portal, body)).toEqual(['Alpha renewal', 'Gamma renewal']);
    expect(search(portal, { sorts: ['-amount'] })).toEqual([
      'Beta expansion',
      'Alpha renewal',
      'Gamma renewal',
      'delta-renewal Q3',
    ]);
    expect(search(portal, { sorts: [{ propertyName: 'amount', direction: 'ASCENDING' }] })).toEqual([
      'Gamma renewal',
      'Alpha renewal',
      'Beta expansion',
      'delta-renewal Q3',
    ]);
  });

  it('holds requests to the documented limits', () => {
    const filter = { propertyName: 'amount', operator: 'HAS_PROPERTY' };
    const groups = (count: number, size: number) =>
      searchRequestSchema.parse({
        filterGroups: Array.from({ length: count }, () => ({ filters: Array.from({ length: size }, () => filter) })),
      });
    expect(filterLimitViolation(groups(5, 3))).toBeUndefined();
    expect(filterLimitViolation(groups(3, 6))).toBeUndefined();
    expect(filterLimitViolation(groups(6, 1))).toMatch(/filter groups/);
    expect(filterLimitViolation(groups(1, 7))).toMatch(/per group/);
    expect(filterLimitViolation(groups(4, 5))).toMatch(/across all groups/);
    expect(searchRequestSchema.safeParse({ limit: 201 }).success).toBe(false);
    expect(searchRequestSchema.safeParse({ query: 'x'.repeat(3001) }).success).toBe(false);
    const defs = portal.propertyMap('deals');
    expect(filterProblem({ propertyName: 'nope', operator: 'EQ', value: '1' }, defs)).toMatch(/does not exist/);
    expect(filterProblem({ propertyName: 'amount', operator: 'BETWEEN', value: '1' }, defs)).toMatch(/highValue/);
    expect(filterProblem({ propertyName: 'amount', operator: 'IN' }, defs)).toMatch(/values/);
  });
});

describe('HubSpot property values', () => {
  const portal = new PortalStore({ id: 1, name: 'values', domain: 'values.example.com' }, 0);
  const check = (type: 'companies' | 'tickets' | 'deals', name: string, raw: string) => {
    const def = portal.propertyMap(type).get(name);
    if (!def) throw new Error(`no property ${name}`);
    return normaliseValue(def, raw, () => false);
  };

  it('stores datetimes as ISO instants and dates as days at UTC midnight', () => {
    expect(check('deals', 'closedate', '1767225600000')).toEqual({ ok: true, value: '2026-01-01T00:00:00.000Z' });
    expect(check('deals', 'closedate', '2026-01-01T12:30:00Z')).toEqual({
      ok: true,
      value: '2026-01-01T12:30:00.000Z',
    });
    expect(check('deals', 'closedate', 'soon')).toMatchObject({ ok: false, failure: { error: 'INVALID_DATE' } });
    portal.propertyMap('companies').set('renewal_day', {
      ...portal.propertyMap('companies').get('name')!,
      name: 'renewal_day',
      type: 'date',
      fieldType: 'date',
    });
    expect(check('companies', 'renewal_day', '1767225600000')).toEqual({ ok: true, value: '2026-01-01' });
    expect(check('companies', 'renewal_day', '1767225600001')).toMatchObject({ ok: false });
  });

  it('checks numbers, options (several for checkboxes) and owners, and lets an empty string clear', () => {
    expect(check('companies', 'numberofemployees', '12.5')).toEqual({ ok: true, value: '12.5' });
    expect(check('companies', 'numberofemployees', '12 people')).toMatchObject({
      ok: false,
      failure: { error: 'INVALID_INTEGER' },
    });
    expect(check('tickets', 'hs_ticket_category', 'BILLING_ISSUE;FEATURE_REQUEST')).toMatchObject({ ok: true });
    expect(check('tickets', 'hs_ticket_priority', 'LOW;HIGH')).toMatchObject({
      ok: false,
      failure: { error: 'INVALID_OPTION' },
    });
    expect(check('companies', 'hubspot_owner_id', '42')).toMatchObject({
      ok: false,
      failure: { error: 'INVALID_OWNER_ID' },
    });
    expect(check('companies', 'numberofemployees', '')).toEqual({ ok: true, value: '' });
  });

  it('refuses writes to unknown, stamped and (on update) creation properties, reporting every failure', () => {
    const result = portal.checkWrite(
      'companies',
      { nope: '1', hs_lastmodifieddate: '1', createdate: '1', name: 'ok' },
      'update',
    );
    expect(result.ok).toBe(false);
    expect(result.ok ? [] : result.failures.map((f) => [f.name, f.error])).toEqual([
      ['nope', 'PROPERTY_DOESNT_EXIST'],
      ['hs_lastmodifieddate', 'READ_ONLY_VALUE'],
      ['createdate', 'READ_ONLY_VALUE'],
    ]);
    expect(portal.checkWrite('companies', { createdate: '1767225600000' }, 'create')).toEqual({
      ok: true,
      values: { createdate: '2026-01-01T00:00:00.000Z' },
    });
  });
});
