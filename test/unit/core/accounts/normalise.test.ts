import { describe, expect, it } from 'vitest';
import { defaultMapping, type FieldMapping } from '../../../../server/core/accounts/mapping.ts';
import {
  normaliseDomain,
  normaliseRecords,
  toDecimal,
  toInstant,
  type RawRecord,
} from '../../../../server/core/accounts/normalise.ts';

const hubspot = defaultMapping('hubspot', {});
const salesforce = defaultMapping('salesforce', {});

const raw = (properties: Record<string, string | null>, extra: Partial<RawRecord> = {}): RawRecord => ({
  id: '1',
  modifiedAt: 1_000,
  createdAt: 500,
  archived: false,
  properties,
  associations: {},
  ...extra,
});

describe('reading dates and instants', () => {
  it.each([
    ['a calendar date', '2026-12-31', Date.UTC(2026, 11, 31)],
    ['an ISO instant', '2026-07-01T08:30:00.000Z', Date.parse('2026-07-01T08:30:00.000Z')],
    ['a Salesforce instant', '2026-01-05T10:00:00.000+0000', Date.parse('2026-01-05T10:00:00.000Z')],
    ['an offset instant', '2026-01-05T12:00:00+02:00', Date.parse('2026-01-05T10:00:00.000Z')],
    ['epoch milliseconds (HubSpot)', '1782864000000', 1782864000000],
    ['a day that does not exist', '2026-02-31', null],
    ['words', 'next week', null],
    ['a US date', '12/31/2026', null],
  ])('%s', (_what, input, expected) => {
    expect(toInstant(input)).toBe(expected);
  });
});

describe('reading amounts', () => {
  it.each([
    ['1200', '1200'],
    ['1200.50', '1200.5'],
    ['-3.50', '-3.5'],
    ['.5', '0.5'],
    ['0.05', '0.05'],
    ['007', '7'],
    ['1.2e3', '1200'],
    ['1.25E-1', '0.125'],
    ['-0', '0'],
    ['+42', '42'],
    ['1,200', null],
    ['€12', null],
    ['', null],
    ['.', null],
    ['NaN', null],
  ])('%s → %s', (input, expected) => {
    expect(toDecimal(input)).toBe(expected);
  });
});

describe('accounts', () => {
  it('reads every mapped value and leaves unmapped ones null', () => {
    const [row] = normaliseRecords(
      'hubspot',
      'accounts',
      [
        raw({
          name: ' Acme ',
          domain: 'https://www.Acme.example/pricing',
          arr: '120000.00',
          renewal_date: '1798675200000',
          segment: 'Mid-Market',
          hubspot_owner_id: '77',
          licences: '25',
          customer_status: 'Churned',
          salesforceaccountid: ' 001A000001abcdeAAA ',
        }),
      ],
      hubspot,
    );
    expect(row).toEqual({
      objectType: 'accounts',
      externalId: '1',
      modifiedAt: 1_000,
      createdAt: 500,
      archived: false,
      name: 'Acme',
      domain: 'acme.example',
      arr: '120000',
      renewalDate: '2026-12-31',
      segment: 'mid_market',
      ownerExternalId: '77',
      csmExternalId: '77',
      parentExternalId: null,
      licences: 25,
      customerStatus: 'churned',
      connectorExternalId: '001A000001abcdeAAA',
      problems: [],
    });
  });

  it('turns unreadable values into null and lists them, never throwing', () => {
    const [row] = normaliseRecords(
      'hubspot',
      'accounts',
      [raw({ arr: 'lots', renewal_date: 'soon', licences: '-3', domain: 'not a domain', customer_status: 'paused' })],
      hubspot,
    );
    expect(row).toMatchObject({ arr: null, renewalDate: null, licences: null, domain: null, customerStatus: 'other' });
    expect(row?.problems.map((problem) => [problem.field, problem.property, problem.value])).toEqual([
      ['domain', 'domain', 'not a domain'],
      ['arr', 'arr', 'lots'],
      ['renewalDate', 'renewal_date', 'soon'],
      ['licences', 'licences', '-3'],
    ]);
  });

  it('refuses an amount too large for the money column instead of failing the page', () => {
    const [row] = normaliseRecords('hubspot', 'accounts', [raw({ arr: '1e20' })], hubspot);
    expect(row?.arr).toBeNull();
    expect(row?.problems[0]?.reason).toBe('too large');
  });

  it('keeps archived records, archived', () => {
    const [row] = normaliseRecords('salesforce', 'accounts', [raw({ Name: 'Gone' }, { archived: true })], salesforce);
    expect(row).toMatchObject({ archived: true, name: 'Gone' });
  });
});

describe('contacts', () => {
  it.each([
    [
      'the first listed account is theirs',
      { contact_role: 'champion' },
      { accounts: ['9', '3'] },
      { accountExternalId: '9', role: 'champion' },
    ],
    ['no account', {}, {}, { accountExternalId: null, role: null, departed: false }],
    ['executive sponsor', { contact_role: 'executive_sponsor' }, {}, { role: 'executive_sponsor' }],
    ['another role', { contact_role: 'admin' }, {}, { role: 'other' }],
    ['departed by status', { contact_status: 'departed' }, {}, { departed: true, departedOn: null }],
    [
      'departed by date alone',
      { contact_status: 'active', left_company_date: '2026-05-01T00:00:00.000Z' },
      {},
      { departed: true, departedOn: '2026-05-01' },
    ],
    [
      'last engagement as an instant',
      { notes_last_contacted: '2026-06-20T08:00:00.000Z' },
      {},
      { lastEngagedAt: Date.parse('2026-06-20T08:00:00.000Z') },
    ],
  ] as const)('%s', (_what, properties, associations, expected) => {
    const [row] = normaliseRecords(
      'hubspot',
      'contacts',
      [raw({ ...properties }, { associations: associations as RawRecord['associations'] })],
      hubspot,
    );
    expect(row).toMatchObject(expected);
  });

  it('reads a Salesforce departed flag and joins names', () => {
    const [row] = normaliseRecords(
      'salesforce',
      'contacts',
      [raw({ FirstName: 'Ada', LastName: 'Byron', Email: 'Ada@X.example', Departed__c: 'true' })],
      salesforce,
    );
    expect(row).toMatchObject({ name: 'Ada Byron', email: 'ada@x.example', departed: true });
  });
});

describe('deals', () => {
  it.each([
    ['HubSpot won stage', 'hubspot', { dealstage: 'closedwon', dealtype: 'renewal' }, 'won', 'renewal'],
    ['HubSpot lost stage', 'hubspot', { dealstage: 'closedlost', dealtype: 'expansion' }, 'lost', 'expansion'],
    ['HubSpot open stage', 'hubspot', { dealstage: 'contractsent', dealtype: 'newbusiness' }, 'open', 'new_business'],
    ['stock existing business', 'hubspot', { dealstage: 'closedwon', dealtype: 'existingbusiness' }, 'won', 'renewal'],
    [
      'custom pipeline stage with the computed flags',
      'hubspot',
      { dealstage: '9981', hs_is_closed_won: 'false', hs_is_closed: 'true' },
      'lost',
      'other',
    ],
    [
      'computed won flag wins over the stage',
      'hubspot',
      { dealstage: '9982', hs_is_closed_won: 'true' },
      'won',
      'other',
    ],
    [
      'Salesforce closed won',
      'salesforce',
      { StageName: 'Closed Won', IsWon: 'true', IsClosed: 'true', Type: 'Existing Customer - Upgrade' },
      'won',
      'expansion',
    ],
    [
      'Salesforce custom lost stage',
      'salesforce',
      { StageName: 'Dead', IsWon: 'false', IsClosed: 'true', Type: 'Existing Customer - Replacement' },
      'lost',
      'renewal',
    ],
    [
      'Salesforce open',
      'salesforce',
      { StageName: 'Qualification', IsWon: 'false', IsClosed: 'false', Type: 'New Customer' },
      'open',
      'new_business',
    ],
    ['an unknown type', 'salesforce', { StageName: 'Qualification', Type: 'Partner' }, 'open', 'other'],
  ] as const)('%s', (_what, provider, properties, stage, kind) => {
    const mapping = provider === 'hubspot' ? hubspot : salesforce;
    const [row] = normaliseRecords(provider, 'deals', [raw({ ...properties })], mapping);
    expect(row).toMatchObject({ stage, kind });
  });

  it('counts a renewal pipeline as renewals whatever the type', () => {
    const mapping: FieldMapping = { ...hubspot, deals: { ...hubspot.deals, renewalPipelines: ['renewals'] } };
    const [row] = normaliseRecords(
      'hubspot',
      'deals',
      [raw({ pipeline: 'renewals', dealtype: 'newbusiness' })],
      mapping,
    );
    expect(row?.kind).toBe('renewal');
  });

  it('reads amount and close date as HubSpot sends them', () => {
    const [row] = normaliseRecords(
      'hubspot',
      'deals',
      [raw({ amount: '15000.5', closedate: '2026-12-31T00:00:00.000Z' }, { associations: { accounts: ['4'] } })],
      hubspot,
    );
    expect(row).toMatchObject({ amount: '15000.5', closeDate: '2026-12-31', accountExternalId: '4', problems: [] });
  });
});

describe('tickets', () => {
  it.each([
    [
      'HubSpot closed stage',
      'hubspot',
      { hs_pipeline_stage: '4', hs_ticket_priority: 'URGENT' },
      { closed: true, priority: 'urgent' },
    ],
    [
      'HubSpot open stage',
      'hubspot',
      { hs_pipeline_stage: '2', hs_ticket_priority: 'LOW' },
      { closed: false, priority: 'low' },
    ],
    [
      'Salesforce closed flag and escalation',
      'salesforce',
      {
        Status: 'Resolved',
        IsClosed: 'true',
        IsEscalated: 'true',
        Priority: 'High',
        ClosedDate: '2026-04-03T10:00:00.000+0000',
      },
      { closed: true, escalated: true, priority: 'high', closedAt: Date.parse('2026-04-03T10:00:00.000Z') },
    ],
    ['an unknown priority', 'salesforce', { Priority: 'P1', IsClosed: 'false' }, { priority: null, closed: false }],
  ] as const)('%s', (_what, provider, properties, expected) => {
    const [row] = normaliseRecords(
      provider,
      'tickets',
      [raw({ ...properties })],
      provider === 'hubspot' ? hubspot : salesforce,
    );
    expect(row).toMatchObject(expected);
  });

  it('names the ticket’s first contact and account', () => {
    const [row] = normaliseRecords(
      'hubspot',
      'tickets',
      [raw({}, { associations: { accounts: ['5'], contacts: ['8', '2'] } })],
      hubspot,
    );
    expect(row).toMatchObject({ accountExternalId: '5', contactExternalId: '8' });
  });
});

describe('owners', () => {
  it.each([
    [
      'a HubSpot owner',
      'hubspot',
      { email: 'CSM@Vendor.example', firstName: 'Casey', lastName: 'S' },
      false,
      { name: 'Casey S', email: 'csm@vendor.example', active: true },
    ],
    ['an archived HubSpot owner', 'hubspot', { email: 'x@y.example' }, true, { active: false }],
    [
      'an inactive Salesforce user',
      'salesforce',
      { Name: 'Robin R', IsActive: 'false' },
      false,
      { name: 'Robin R', active: false },
    ],
  ] as const)('%s', (_what, provider, properties, archived, expected) => {
    const [row] = normaliseRecords(
      provider,
      'owners',
      [raw({ ...properties }, { archived })],
      provider === 'hubspot' ? hubspot : salesforce,
    );
    expect(row).toMatchObject(expected);
  });
});

describe('normaliseDomain', () => {
  it.each([
    ['acme.com', 'acme.com'],
    ['https://www.Acme.com/about?x=1', 'acme.com'],
    ['http://shop.acme.co.uk:8080/', 'shop.acme.co.uk'],
    ['  WWW.ACME.COM.  ', 'acme.com'],
    ['acme', undefined],
    ['not a domain', undefined],
    ['', undefined],
  ])('%j → %j', (input, expected) => {
    expect(normaliseDomain(input)).toBe(expected);
  });
});
