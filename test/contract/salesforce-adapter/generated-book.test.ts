import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { crmBook, generateBook } from '../../../sandbox/generator/generate-book.ts';
import { SALESFORCE_OBJECTS } from '../../../server/crm/salesforce/objects.ts';
import { APP_OBJECTS } from '../../../server/platform/manifest.ts';
import { readAll, startHarness, type AdapterHarness } from './harness.ts';

let h: AdapterHarness;
const book = crmBook(generateBook({ seed: 7, accounts: 400, asOf: '2026-02-28' }).book);

beforeAll(async () => {
  h = await startHarness();
  h.run.sandbox.loadBook(h.orgId, book);
});
afterAll(() => h.close());

/** How the adapter writes a scalar the stand-in answers: text, or null. */
function asText(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

describe('a backfill of a generated book', () => {
  it.each(APP_OBJECTS)('reads every %s once, with the values the stand-in answers to a plain query', async (type) => {
    const { records, calls } = await readAll(h.adapter, h.connection(), type, null, 2000);
    const spec = SALESFORCE_OBJECTS[type];
    const fields = Object.keys(records[0]?.properties ?? {});
    const { records: truth } = await h.run
      .connect()
      .query<Record<string, unknown>>(`SELECT Id, ${fields.join(', ')} FROM ${spec.sobject}`)
      .autoFetch(true)
      .maxFetch(1_000_000);
    expect(records.length).toBe(truth.length);
    expect(new Set(records.map((record) => record.id)).size).toBe(records.length);
    const byId = new Map(truth.map((row) => [row.Id as string, row]));
    for (const record of records) {
      const row = byId.get(record.id);
      expect(row).toBeDefined();
      for (const field of fields) expect([field, record.properties[field]]).toEqual([field, asText(row?.[field])]);
      for (const [lookup, target] of Object.entries(spec.associations)) {
        const id = row?.[lookup];
        expect(record.associations[target] ?? []).toEqual(typeof id === 'string' ? [id] : []);
      }
    }
    // ceil(N / 2000) queries and one describe.
    expect(calls).toBe(Math.max(1, Math.ceil(records.length / 2000)) + 1);
    const expected = { accounts: book.accounts, contacts: book.contacts, deals: book.deals, tickets: book.tickets };
    if (type !== 'owners') expect(records.length).toBe(expected[type].length);
  });
});
