import { z } from 'zod';
import type { SyncCursor } from '../cursor.ts';
import type { CrmConnection, CrmRecord, Page } from '../types.ts';
import { parseInstant } from './records.ts';
import { CallMeter, hubspotRequest, parseAnswer } from './transport.ts';

/** Owners are few and have no search: every run lists them all, up to 500 a page (the API's most). */
export const OWNERS_PAGE_MAX = 500;

const ownerSchema = z.object({
  id: z.string(),
  email: z.string().nullable().optional(),
  firstName: z.string().nullable().optional(),
  lastName: z.string().nullable().optional(),
  userId: z.number().nullable().optional(),
  createdAt: z.string().optional(),
  updatedAt: z.string().optional(),
  archived: z.boolean().optional(),
});
const ownersPageSchema = z.object({
  results: z.array(ownerSchema),
  paging: z.object({ next: z.object({ after: z.string() }).optional() }).optional(),
});

function toOwnerRecord(owner: z.infer<typeof ownerSchema>): CrmRecord {
  return {
    objectType: 'owners',
    id: owner.id,
    modifiedAt: parseInstant(owner.updatedAt) ?? 0,
    createdAt: parseInstant(owner.createdAt),
    archived: owner.archived ?? false,
    properties: {
      email: owner.email ?? null,
      firstName: owner.firstName ?? null,
      lastName: owner.lastName ?? null,
      userId: owner.userId === null || owner.userId === undefined ? null : String(owner.userId),
    },
    associations: {},
  };
}

export async function ownersPage(conn: CrmConnection, cursor: SyncCursor | null, pageSize: number): Promise<Page> {
  const meter = new CallMeter();
  const qs: Record<string, string> = { limit: String(Math.min(Math.max(pageSize, 1), OWNERS_PAGE_MAX)) };
  if (cursor?.after !== undefined) qs.after = cursor.after;
  const answer = await hubspotRequest(conn, meter, { method: 'GET', path: '/crm/v3/owners', qs, what: 'list owners' });
  const page = parseAnswer(ownersPageSchema, answer.body, 'list owners');
  const after = page.paging?.next?.after;
  return {
    records: page.results.map(toOwnerRecord),
    next: after === undefined ? null : { v: 1, phase: 'backfill', modifiedAt: 0, id: '', after },
    calls: meter.calls,
  };
}
