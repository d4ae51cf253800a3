import { z } from 'zod';
import { CrmError } from './errors.ts';

/**
 * A keyset sync cursor: the last (modifiedAt, id) a run has stored, plus where a list or search is
 * in its paging. It is opaque outside the adapter, survives restarts (it is stored after every page)
 * and is validated when decoded, so a damaged or foreign cursor becomes INVALID_CURSOR (a full
 * resync) instead of a silent gap.
 */
export const syncCursorSchema = z.strictObject({
  v: z.literal(1),
  /** Records modified at or before this instant (ms) with an id ≤ `id` are done. */
  modifiedAt: z.int().nonnegative(),
  id: z.string(),
  /** Upper end of the window this run reads (ms); changes after it wait for the next run. */
  until: z.int().nonnegative().optional(),
  /** Provider paging token inside the current window (HubSpot `after`, Salesforce locator). */
  after: z.string().optional(),
  /** Full backfill in progress through the list endpoint rather than an incremental search. */
  phase: z.enum(['backfill', 'incremental']),
});
export type SyncCursor = z.infer<typeof syncCursorSchema>;

export function encodeCursor(cursor: SyncCursor): string {
  return Buffer.from(JSON.stringify(syncCursorSchema.parse(cursor)), 'utf8').toString('base64url');
}

export function decodeCursor(encoded: string): SyncCursor {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(encoded, 'base64url').toString('utf8'));
  } catch {
    throw new CrmError('INVALID_CURSOR', 'sync cursor is not valid base64url JSON');
  }
  const parsed = syncCursorSchema.safeParse(value);
  if (!parsed.success) {
    const where = parsed.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`);
    throw new CrmError('INVALID_CURSOR', `sync cursor is not valid: ${where.join('; ')}`);
  }
  return parsed.data;
}

/** Keyset order: by modification time, then by id as a number when both are numeric, else as text. */
export function compareKeys(a: { modifiedAt: number; id: string }, b: { modifiedAt: number; id: string }): number {
  if (a.modifiedAt !== b.modifiedAt) return a.modifiedAt - b.modifiedAt;
  const numeric = /^\d+$/.test(a.id) && /^\d+$/.test(b.id);
  if (numeric && a.id.length !== b.id.length) return a.id.length - b.id.length;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** Whether a record is past the cursor, i.e. still to be read. */
export function isAfterCursor(record: { modifiedAt: number; id: string }, cursor: SyncCursor): boolean {
  return compareKeys(record, cursor) > 0;
}
