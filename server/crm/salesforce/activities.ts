import { z } from 'zod';
import { CrmError } from '../errors.ts';
import type { CrmTask, RowOutcome } from '../types.ts';
import type { SalesforceSession } from './client.ts';
import { sendCollection, type CollectionRecord } from './collections.ts';

/**
 * Alerts become Tasks on the Account (WhatId) and QBR briefs become Notes (ParentId). A task's
 * outcome carries the new Task id, or the account's id when it failed.
 */

const PRIORITY: Record<CrmTask['priority'], string> = { low: 'Low', medium: 'Normal', high: 'High' };
/** Note.Title holds 80 characters. */
const NOTE_TITLE_LENGTH = 80;

export function taskRecord(task: CrmTask): CollectionRecord {
  const body: Record<string, unknown> = {
    attributes: { type: 'Task' },
    WhatId: task.accountId,
    Subject: task.subject,
    Description: task.body,
    ActivityDate: new Date(task.dueAt).toISOString().slice(0, 10),
    Priority: PRIORITY[task.priority],
    Status: 'Not Started',
  };
  if (task.ownerId !== null) body.OwnerId = task.ownerId;
  return { key: task.accountId, body };
}

export async function createTasks(session: SalesforceSession, tasks: readonly CrmTask[]): Promise<RowOutcome[]> {
  const invalid = tasks.find((task) => !Number.isFinite(task.dueAt));
  if (invalid) throw new CrmError('VALIDATION', `task for ${invalid.accountId} has no valid due date`);
  return sendCollection(session, 'POST', tasks.map(taskRecord));
}

const createdSchema = z.object({ id: z.string(), success: z.literal(true) });

export async function createNote(
  session: SalesforceSession,
  accountId: string,
  note: { title: string; body: string },
): Promise<{ id: string }> {
  // A longer title would fail the whole note; the full text stays in the body.
  const title = note.title.length > NOTE_TITLE_LENGTH ? `${note.title.slice(0, NOTE_TITLE_LENGTH - 1)}…` : note.title;
  const created = await session.send(createdSchema, 'POST', '/sobjects/Note', {
    ParentId: accountId,
    Title: title,
    Body: note.body,
  });
  return { id: created.id };
}
