import { z } from 'zod';
import type { SalesforceSession } from './client.ts';
import { soqlName } from './soql.ts';

/** The parts of an sObject describe the adapter acts on (unknown keys ignored). */
const describeFieldSchema = z.object({
  name: z.string(),
  type: z.string(),
  custom: z.boolean().optional(),
  createable: z.boolean().optional(),
  updateable: z.boolean().optional(),
  calculated: z.boolean().optional(),
  length: z.number().optional(),
  picklistValues: z
    .array(z.object({ value: z.string(), label: z.string().nullable().optional(), active: z.boolean().optional() }))
    .optional(),
  restrictedPicklist: z.boolean().optional(),
});
export const describeSchema = z.object({ name: z.string(), fields: z.array(describeFieldSchema) });

export type DescribeField = z.infer<typeof describeFieldSchema>;

export class ObjectDescribe {
  private readonly byName: Map<string, DescribeField>;

  constructor(
    readonly name: string,
    fields: readonly DescribeField[],
  ) {
    // SOQL and REST match field names case-insensitively.
    this.byName = new Map(fields.map((field) => [field.name.toLowerCase(), field]));
  }

  field(name: string): DescribeField | undefined {
    return this.byName.get(name.toLowerCase());
  }

  /** Every field name, in the org's spelling. */
  names(): string[] {
    return [...this.byName.values()].map((field) => field.name);
  }
}

/**
 * Describes fetched once per installation and object, kept for `ttlMs` so fields an admin adds or
 * grants later are picked up; ensureSchema forgets the Account entry after it changes fields.
 */
export class DescribeCache {
  private readonly entries = new Map<string, { at: number; describe: Promise<ObjectDescribe> }>();

  constructor(
    private readonly now: () => number,
    private readonly ttlMs = 15 * 60_000,
  ) {}

  async get(session: SalesforceSession, installationId: string, sobject: string): Promise<ObjectDescribe> {
    const key = `${installationId}\u0000${sobject}`;
    const cached = this.entries.get(key);
    if (cached && this.now() - cached.at < this.ttlMs) return cached.describe;
    const describe = session
      .send(describeSchema, 'GET', `/sobjects/${soqlName(sobject).text}/describe`)
      .then((answer) => new ObjectDescribe(answer.name, answer.fields));
    const entry = { at: this.now(), describe };
    this.entries.set(key, entry);
    // A failed describe is not kept, so the next call asks again.
    describe.catch(() => {
      if (this.entries.get(key) === entry) this.entries.delete(key);
    });
    return describe;
  }

  forget(installationId: string, sobject: string): void {
    this.entries.delete(`${installationId}\u0000${sobject}`);
  }
}
