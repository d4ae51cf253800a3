import { beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../sandbox/shared/clock.ts';
import { SalesforceApiError } from '../../../sandbox/salesforce/errors.ts';
import { OrgStore } from '../../../sandbox/salesforce/org-store.ts';
import { runSoql } from '../../../sandbox/salesforce/soql-query.ts';

// Wednesday 2026-03-18 12:00 UTC: the week began Sunday 15th, the quarter on 1 January.
const NOW = Date.parse('2026-03-18T12:00:00Z');
const clock = new ManualClock(NOW);
const org = new OrgStore('00D000000000001AAA', 'Test', '01', clock);
const ids: Record<string, string> = {};

function at(iso: string): number {
  return Date.parse(iso);
}

beforeAll(() => {
  const admin = org.insert('User', { Username: 'a@x.io', Email: 'a@x.io', FirstName: 'Ada', LastName: 'Admin' }, '');
  ids.csm = org.insert('User', { Username: 'c@x.io', Email: 'csm@x.io', FirstName: 'Cy', LastName: 'Csm' }, admin);
  const account = (name: string, values: Record<string, string | number | boolean | null>, created: string) =>
    org.insert('Account', { Name: name, ...values }, admin, at(created), at(created));
  ids.acme = account(
    'Acme',
    { ARR__c: 120000, Segment__c: 'Enterprise', Renewal_Date__c: '2026-03-18', CSM__c: ids.csm },
    '2026-03-17T09:00:00Z',
  );
  ids.beta = account(
    'beta corp',
    { ARR__c: 40000, Segment__c: 'SMB', Renewal_Date__c: '2026-04-02' },
    '2026-03-18T08:00:00Z',
  );
  ids.gamma = account(
    'Gamma',
    { ARR__c: null, Segment__c: 'Mid-Market', Renewal_Date__c: null },
    '2026-01-10T00:00:00Z',
  );
  ids.delta = account(
    "Delta's 100%",
    { ARR__c: 75000.5, Segment__c: 'SMB', Renewal_Date__c: '2025-12-31' },
    '2025-11-30T23:59:59Z',
  );
  ids.old = account('Zulu', { ARR__c: 10, Segment__c: 'SMB' }, '2024-06-01T00:00:00Z');
  org.delete('Account', ids.old, admin);
  ids.jane = org.insert(
    'Contact',
    { LastName: 'Doe', FirstName: 'Jane', AccountId: ids.acme, Contact_Role__c: 'Champion' },
    admin,
  );
  ids.orphan = org.insert('Contact', { LastName: 'Orphan', AccountId: null }, admin);
});

const names = (soql: string, includeDeleted = false) =>
  runSoql(org, soql, { includeDeleted, now: clock.now(), apiVersion: '66.0' }).records.map((record) => record.Name);

describe('SOQL filters', () => {
  it.each([
    ["SELECT Name FROM Account WHERE Name = 'ACME'", ['Acme']],
    ["SELECT Name FROM Account WHERE Name != 'acme'", ['beta corp', 'Gamma', "Delta's 100%"]],
    ["SELECT Name FROM Account WHERE Name LIKE 'b%'", ['beta corp']],
    ["SELECT Name FROM Account WHERE Name LIKE '_amma'", ['Gamma']],
    ["SELECT Name FROM Account WHERE Name LIKE '%\\%'", ["Delta's 100%"]],
    ["SELECT Name FROM Account WHERE Name = 'Delta\\'s 100%'", ["Delta's 100%"]],
    ['SELECT Name FROM Account WHERE ARR__c > 40000', ['Acme', "Delta's 100%"]],
    ['SELECT Name FROM Account WHERE ARR__c >= 40000', ['Acme', 'beta corp', "Delta's 100%"]],
    ['SELECT Name FROM Account WHERE ARR__c < 75000.5', ['beta corp']],
    ['SELECT Name FROM Account WHERE ARR__c <= 75000.5', ['beta corp', "Delta's 100%"]],
    ['SELECT Name FROM Account WHERE ARR__c = null', ['Gamma']],
    ['SELECT Name FROM Account WHERE ARR__c != null AND ARR__c < 50000', ['beta corp']],
    ["SELECT Name FROM Account WHERE Segment__c IN ('SMB', 'Mid-Market')", ['beta corp', 'Gamma', "Delta's 100%"]],
    ["SELECT Name FROM Account WHERE Segment__c NOT IN ('SMB')", ['Acme', 'Gamma']],
    ["SELECT Name FROM Account WHERE Segment__c = 'SMB' OR ARR__c > 100000", ['Acme', 'beta corp', "Delta's 100%"]],
    ["SELECT Name FROM Account WHERE NOT Segment__c = 'SMB'", ['Acme', 'Gamma']],
    ["SELECT Name FROM Account WHERE NOT (Segment__c = 'SMB' OR ARR__c = null)", ['Acme']],
    [
      "SELECT Name FROM Account WHERE Segment__c = 'SMB' AND (ARR__c > 50000 OR Name LIKE 'b%')",
      ['beta corp', "Delta's 100%"],
    ],
    [
      "SELECT Name FROM Account WHERE (Segment__c = 'SMB' AND ARR__c > 50000) OR Name = 'Gamma'",
      ['Gamma', "Delta's 100%"],
    ],
    ["SELECT Name FROM Account WHERE CSM__r.Email = 'csm@x.io'", ['Acme']],
    ['SELECT Name FROM Account WHERE CSM__c != null', ['Acme']],
    [`SELECT Name FROM Account WHERE Id = '${'ID_ACME'}'`, ['Acme']],
  ])('%s', (soql, expected) => {
    expect(names(soql.replace('ID_ACME', ids.acme as string))).toEqual(expected);
  });

  it('matches a 15-character id against the 18-character one', () => {
    expect(names(`SELECT Name FROM Account WHERE Id IN ('${(ids.beta as string).slice(0, 15)}')`)).toEqual([
      'beta corp',
    ]);
  });
});

describe('SOQL date and datetime literals', () => {
  it.each([
    ['SELECT Name FROM Account WHERE CreatedDate = TODAY', ['beta corp']],
    ['SELECT Name FROM Account WHERE CreatedDate = YESTERDAY', ['Acme']],
    ['SELECT Name FROM Account WHERE CreatedDate >= YESTERDAY', ['Acme', 'beta corp']],
    ['SELECT Name FROM Account WHERE CreatedDate < YESTERDAY', ['Gamma', "Delta's 100%"]],
    ['SELECT Name FROM Account WHERE CreatedDate = LAST_N_DAYS:1', ['Acme', 'beta corp']],
    ['SELECT Name FROM Account WHERE CreatedDate = THIS_WEEK', ['Acme', 'beta corp']],
    ['SELECT Name FROM Account WHERE CreatedDate = THIS_QUARTER', ['Acme', 'beta corp', 'Gamma']],
    ['SELECT Name FROM Account WHERE CreatedDate = LAST_QUARTER', ["Delta's 100%"]],
    ['SELECT Name FROM Account WHERE CreatedDate = LAST_N_MONTHS:4', ['Gamma', "Delta's 100%"]],
    ['SELECT Name FROM Account WHERE CreatedDate > 2026-03-17T09:00:00Z', ['beta corp']],
    ['SELECT Name FROM Account WHERE CreatedDate >= 2026-03-17T10:00:00+01:00', ['Acme', 'beta corp']],
    ['SELECT Name FROM Account WHERE CreatedDate < 2025-12-01T00:00:00Z', ["Delta's 100%"]],
    ['SELECT Name FROM Account WHERE Renewal_Date__c = TODAY', ['Acme']],
    ['SELECT Name FROM Account WHERE Renewal_Date__c = NEXT_N_DAYS:15', ['beta corp']],
    ['SELECT Name FROM Account WHERE Renewal_Date__c = NEXT_N_DAYS:14', []],
    ['SELECT Name FROM Account WHERE Renewal_Date__c > TODAY', ['beta corp']],
    ['SELECT Name FROM Account WHERE Renewal_Date__c <= 2026-03-18', ['Acme', "Delta's 100%"]],
    ['SELECT Name FROM Account WHERE Renewal_Date__c = LAST_YEAR', ["Delta's 100%"]],
    ['SELECT Name FROM Account WHERE Renewal_Date__c = THIS_MONTH', ['Acme']],
    ['SELECT Name FROM Account WHERE Renewal_Date__c = NEXT_MONTH', ['beta corp']],
  ])('%s', (soql, expected) => {
    expect(names(soql)).toEqual(expected);
  });

  it('refuses a quoted date on a date field', () => {
    expect(() => names("SELECT Name FROM Account WHERE Renewal_Date__c = '2026-03-18'")).toThrow(
      expect.objectContaining({ errorCode: 'INVALID_QUERY_FILTER_OPERATOR' }),
    );
  });
});

describe('SOQL ordering, limits and deleted rows', () => {
  it.each([
    ['SELECT Name FROM Account ORDER BY Name', ['Acme', 'beta corp', "Delta's 100%", 'Gamma']],
    ['SELECT Name FROM Account ORDER BY Name DESC', ['Gamma', "Delta's 100%", 'beta corp', 'Acme']],
    ['SELECT Name FROM Account ORDER BY ARR__c', ['Gamma', 'beta corp', "Delta's 100%", 'Acme']],
    ['SELECT Name FROM Account ORDER BY ARR__c NULLS LAST', ['beta corp', "Delta's 100%", 'Acme', 'Gamma']],
    ['SELECT Name FROM Account ORDER BY ARR__c DESC', ['Acme', "Delta's 100%", 'beta corp', 'Gamma']],
    ['SELECT Name FROM Account ORDER BY ARR__c DESC NULLS FIRST', ['Gamma', 'Acme', "Delta's 100%", 'beta corp']],
    ['SELECT Name FROM Account ORDER BY Segment__c, Name DESC', ['Acme', 'Gamma', "Delta's 100%", 'beta corp']],
    ['SELECT Name FROM Account ORDER BY CreatedDate LIMIT 2', ["Delta's 100%", 'Gamma']],
    ['SELECT Name FROM Account ORDER BY CreatedDate LIMIT 2 OFFSET 1', ['Gamma', 'Acme']],
    ['SELECT Name FROM Account ORDER BY CreatedDate OFFSET 3', ['beta corp']],
  ])('%s', (soql, expected) => {
    expect(names(soql)).toEqual(expected);
  });

  it('includes deleted rows only for queryAll', () => {
    expect(names('SELECT Name FROM Account WHERE IsDeleted = true')).toEqual([]);
    expect(names('SELECT Name FROM Account WHERE IsDeleted = true', true)).toEqual(['Zulu']);
    expect(names('SELECT Name FROM Account', true)).toHaveLength(5);
  });

  it('counts with COUNT() and COUNT(field)', () => {
    const count = runSoql(org, 'SELECT COUNT() FROM Account WHERE ARR__c > 0', {
      includeDeleted: false,
      now: NOW,
      apiVersion: '66.0',
    });
    expect(count).toMatchObject({ totalSize: 3, records: [] });
    const aggregate = runSoql(org, 'SELECT COUNT(ARR__c) n FROM Account', {
      includeDeleted: false,
      now: NOW,
      apiVersion: '66.0',
    });
    expect(aggregate.records).toEqual([{ attributes: { type: 'AggregateResult' }, n: 3 }]);
  });
});

describe('SOQL aggregates', () => {
  const run = (soql: string) => runSoql(org, soql, { includeDeleted: false, now: NOW, apiVersion: '66.0' }).records;
  const result = (values: Record<string, unknown>) => ({ attributes: { type: 'AggregateResult' }, ...values });

  it('groups and aggregates, ordered by an aggregate', () => {
    expect(
      run(
        'SELECT Segment__c, COUNT(Id), SUM(ARR__c) total, MAX(CreatedDate), AVG(ARR__c) FROM Account GROUP BY Segment__c ORDER BY SUM(ARR__c) DESC NULLS LAST',
      ),
    ).toEqual([
      result({
        Segment__c: 'Enterprise',
        expr0: 1,
        total: 120000,
        expr1: '2026-03-17T09:00:00.000+0000',
        expr2: 120000,
      }),
      result({ Segment__c: 'SMB', expr0: 2, total: 115000.5, expr1: '2026-03-18T08:00:00.000+0000', expr2: 57500.25 }),
      result({ Segment__c: 'Mid-Market', expr0: 1, total: null, expr1: '2026-01-10T00:00:00.000+0000', expr2: null }),
    ]);
  });

  it('aggregates without GROUP BY, counts distinct values and groups by a parent field', () => {
    expect(run('SELECT COUNT(Id), COUNT_DISTINCT(Segment__c), MIN(Name) FROM Account WHERE ARR__c > 0')).toEqual([
      result({ expr0: 3, expr1: 2, expr2: 'Acme' }),
    ]);
    expect(
      run(
        'SELECT Account.Name, COUNT(Id) n FROM Contact WHERE AccountId != null GROUP BY Account.Name ORDER BY Account.Name LIMIT 1',
      ),
    ).toEqual([result({ Name: 'Acme', n: expect.any(Number) })]);
  });
});

describe('SOQL relationship fields and errors', () => {
  const run = (soql: string) => runSoql(org, soql, { includeDeleted: false, now: NOW, apiVersion: '66.0' });

  it('nests one level of parent fields under the relationship name, null when empty', () => {
    const records = run('SELECT Id, LastName, Account.Name, account.segment__c FROM Contact ORDER BY LastName').records;
    expect(records).toEqual([
      {
        attributes: { type: 'Contact', url: `/services/data/v66.0/sobjects/Contact/${ids.jane}` },
        Id: ids.jane,
        LastName: 'Doe',
        Account: {
          attributes: { type: 'Account', url: `/services/data/v66.0/sobjects/Account/${ids.acme}` },
          Name: 'Acme',
          Segment__c: 'Enterprise',
        },
      },
      {
        attributes: { type: 'Contact', url: `/services/data/v66.0/sobjects/Contact/${ids.orphan}` },
        Id: ids.orphan,
        LastName: 'Orphan',
        Account: null,
      },
    ]);
  });

  it('nests child subqueries as {totalSize, done, records}, null without children', () => {
    org.insert('Contact', { LastName: 'Adams', FirstName: 'Al', AccountId: ids.acme as string }, '');
    const records = run(
      "SELECT Name, (SELECT LastName, Account.Name FROM Contacts WHERE LastName != 'Zed' ORDER BY LastName) FROM Account WHERE Name IN ('Acme', 'Gamma') ORDER BY Name",
    ).records;
    expect(records).toMatchObject([
      {
        Name: 'Acme',
        Contacts: {
          totalSize: 2,
          done: true,
          records: [
            { attributes: { type: 'Contact' }, LastName: 'Adams', Account: { Name: 'Acme' } },
            { attributes: { type: 'Contact' }, LastName: 'Doe', Account: { Name: 'Acme' } },
          ],
        },
      },
      { Name: 'Gamma', Contacts: null },
    ]);
    const limited = run(
      "SELECT (SELECT LastName FROM Contacts ORDER BY LastName DESC LIMIT 1) FROM Account WHERE Name = 'Acme'",
    );
    expect(limited.records[0]?.Contacts).toMatchObject({ totalSize: 1, records: [{ LastName: 'Doe' }] });
  });

  it('follows custom lookups through their __r name and filters on parent fields', () => {
    const records = run("SELECT Name, CSM__r.Email FROM Account WHERE CSM__r.LastName = 'Csm'").records;
    expect(records).toMatchObject([{ Name: 'Acme', CSM__r: { Email: 'csm@x.io' } }]);
  });

  it.each([
    ['SELEC Id FROM Account', 'MALFORMED_QUERY', /unexpected token: 'SELEC'/],
    ['SELECT Id FROM Account WHERE', 'MALFORMED_QUERY', /ERROR at Row:1:Column:/],
    ['SELECT Id FROM Account GROUP BY Name', 'MALFORMED_QUERY', /Field must be grouped or aggregated: Id/],
    ['SELECT Name, COUNT(Id) FROM Account GROUP BY Name HAVING COUNT(Id) > 1', 'MALFORMED_QUERY', /HAVING/],
    ['SELECT SUM(Name) FROM Account', 'MALFORMED_QUERY', /does not support aggregate operator SUM/],
    ['SELECT COUNT(), Name FROM Account', 'MALFORMED_QUERY', /COUNT\(\) must be the only element/],
    ['SELECT Id, (SELECT Id FROM Widgets) FROM Account', 'MALFORMED_QUERY', /Didn't understand relationship 'Widgets'/],
    ['SELECT Id, (SELECT COUNT() FROM Contacts) FROM Account', 'MALFORMED_QUERY', /aggregates in subqueries/],
    ['SELECT Id, Account.Owner.Email FROM Contact', 'MALFORMED_QUERY', /deeper than one level/],
    ['SELECT Id, Nope__c FROM Account', 'INVALID_FIELD', /No such column 'Nope__c' on entity 'Account'/],
    ['SELECT Id FROM Account WHERE Nope = 1', 'INVALID_FIELD', /No such column 'Nope'/],
    ['SELECT Id, Parent.Nope FROM Account', 'INVALID_FIELD', /No such column 'Parent.Nope' on entity 'Account'/],
    ['SELECT Id FROM Widget__c', 'INVALID_TYPE', /sObject type 'Widget__c' is not supported/],
    ["SELECT Id FROM Account WHERE ARR__c = '5'", 'INVALID_QUERY_FILTER_OPERATOR', /must be of type double/],
  ])('%s answers %s', (soql, errorCode, message) => {
    let caught: unknown;
    try {
      run(soql);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(SalesforceApiError);
    expect(caught).toMatchObject({ status: 400, errorCode });
    expect((caught as Error).message).toMatch(message);
  });
});
