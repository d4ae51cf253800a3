import { describe, expect, it } from 'vitest';
import { keysetQuery, windowFrom } from '../../../server/crm/salesforce/list-changed.ts';
import { soql, soqlDateTime, soqlName, soqlNames, soqlString } from '../../../server/crm/salesforce/soql.ts';

describe('SOQL literals', () => {
  it('escapes quotes, backslashes and control characters in strings', () => {
    expect(soqlString("O'Brien")).toBe("'O\\'Brien'");
    expect(soqlString('a\\b"c\nd\te\rf')).toBe("'a\\\\b\\\"c\\nd\\te\\rf'");
    expect(soqlString("x' OR Name != '")).toBe("'x\\' OR Name != \\''");
  });

  it('turns interpolated values into literals and lists, never into SOQL', () => {
    const ids = ['001A', "001B'"];
    expect(soql`SELECT Id FROM Account WHERE Id IN ${ids} AND Name = ${"a'b"} AND N = ${3} AND B = ${true}`).toBe(
      "SELECT Id FROM Account WHERE Id IN ('001A', '001B\\'') AND Name = 'a\\'b' AND N = 3 AND B = true",
    );
    expect(() => soql`WHERE N = ${Number.NaN}`).toThrow(/finite/);
    expect(() => soql`WHERE Id IN ${[]}`).toThrow(/at least one/);
  });

  it('admits only API names as names and formats instants in UTC with milliseconds', () => {
    expect(soqlNames(['Id', 'ARR__c']).text).toBe('Id, ARR__c');
    expect(() => soqlName('Id FROM User --')).toThrow(/API name/);
    expect(() => soqlNames([])).toThrow();
    expect(soqlDateTime(Date.parse('2026-01-05T10:00:00.123Z')).text).toBe('2026-01-05T10:00:00.123Z');
    expect(soqlDateTime(Date.parse('2026-01-05T10:00:00Z')).text).toBe('2026-01-05T10:00:00Z');
  });
});

describe('the keyset query', () => {
  it('opens a backfill window from the epoch at the current time', () => {
    expect(windowFrom(null, 1_000)).toEqual({ v: 1, modifiedAt: 0, id: '', until: 1_000, phase: 'backfill' });
    const query = keysetQuery('Account', ['Id', 'SystemModstamp'], windowFrom(null, 1_000), 2001);
    expect(query).toBe(
      'SELECT Id, SystemModstamp FROM Account WHERE SystemModstamp >= 1970-01-01T00:00:00Z ' +
        'AND SystemModstamp <= 1970-01-01T00:00:01Z ORDER BY SystemModstamp ASC, Id ASC LIMIT 2001',
    );
  });

  it('continues after (modifiedAt, id) inside the window the cursor carries', () => {
    const at = { v: 1 as const, modifiedAt: 5_000, id: '001000000000001AAA', until: 9_000, phase: 'backfill' as const };
    expect(keysetQuery('Contact', ['Id'], at, 10)).toBe(
      'SELECT Id FROM Contact WHERE (SystemModstamp > 1970-01-01T00:00:05Z OR ' +
        "(SystemModstamp = 1970-01-01T00:00:05Z AND Id > '001000000000001AAA')) " +
        'AND SystemModstamp <= 1970-01-01T00:00:09Z ORDER BY SystemModstamp ASC, Id ASC LIMIT 10',
    );
  });

  it('opens a new incremental window from a finished run and refuses damaged cursors', () => {
    const resume = { v: 1 as const, modifiedAt: 5_000, id: '001000000000001AAA', phase: 'incremental' as const };
    expect(windowFrom(resume, 7_000)).toEqual({ ...resume, until: 7_000 });
    expect(() => windowFrom({ ...resume, id: "x' OR Id != '" }, 7_000)).toThrow(
      expect.objectContaining({ code: 'INVALID_CURSOR' }),
    );
    expect(() => windowFrom({ ...resume, until: 4_000 }, 7_000)).toThrow(
      expect.objectContaining({ code: 'INVALID_CURSOR' }),
    );
  });
});
