import { z } from 'zod';
import { activityRef, refLine, refsIn, refsOfKeys } from '../activity-key.ts';
import { CrmError } from '../errors.ts';
import type { CrmNote, CrmTask, FoundActivity, RowOutcome, TaskClosure } from '../types.ts';
import type { SalesforceSession } from './client.ts';
import { COLLECTION_LIMIT, sendCollection } from './collections.ts';
import { rowError } from './error-mapping.ts';
import { queryEveryRow } from './query-all.ts';
import { soql, soqlName } from './soql.ts';

/**
 * Alerts become Tasks on the Account (WhatId) and QBR briefs become Notes (ParentId).
 *
 * A task's ledger key is stored in the Task key field (task-key-field.ts): creating is an upsert on
 * it, so a repeated create answers the task made before, and a lookup is a SOQL filter on it. Notes
 * take no custom fields, so a note's key is a "Bellwether ref" line at the end of its Body, found by
 * reading the account's notes. A task's outcome carries the Task id, or the account's id when it failed.
 */

const PRIORITY: Record<CrmTask['priority'], string> = { low: 'Low', medium: 'Normal', high: 'High' };
const COMPLETED = 'Completed';
/** Note.Title holds 80 characters and Note.Body 32,000. */
const NOTE_TITLE_LENGTH = 80;
const NOTE_BODY_LENGTH = 32_000;
const TASK_ID = /^00T[A-Za-z0-9]{12}(?:[A-Za-z0-9]{3})?$/;
/** Keys are up to 80 characters: 100 of them keep a query's URL well under 16,384 bytes. */
const KEYS_PER_QUERY = 100;

const saveResultSchema = z.object({
  id: z.string().optional(),
  success: z.boolean(),
  errors: z
    .array(z.object({ statusCode: z.string().optional(), errorCode: z.string().optional(), message: z.string() }))
    .default([]),
});

function asCrm(error: unknown): CrmError {
  return error instanceof CrmError ? error : new CrmError('UNKNOWN', String(error), { cause: error });
}

function cut(text: string, length: number): string {
  return text.length > length ? `${text.slice(0, length - 1)}…` : text;
}

export function taskRecord(task: CrmTask, keyField: string, ref: string): Record<string, unknown> {
  const body: Record<string, unknown> = {
    attributes: { type: 'Task' },
    [keyField]: ref,
    WhatId: task.accountId,
    Subject: task.subject,
    Description: task.body,
    ActivityDate: new Date(task.dueAt).toISOString().slice(0, 10),
    Priority: PRIORITY[task.priority],
    Status: 'Not Started',
  };
  if (task.ownerId !== null) body.OwnerId = task.ownerId;
  return body;
}

/**
 * Upserts the tasks on their key, 200 a call (`PATCH /composite/sobjects/Task/<key field>`,
 * reference §1.4), one outcome per task in input order. A call that fails as a whole fails its
 * rows and every later chunk's. Never throws.
 */
export async function createTasks(
  session: SalesforceSession,
  keyField: string,
  tasks: readonly CrmTask[],
): Promise<RowOutcome[]> {
  const outcomes: RowOutcome[] = new Array<RowOutcome>(tasks.length);
  const ready: { index: number; record: Record<string, unknown> }[] = [];
  tasks.forEach((task, index) => {
    try {
      if (!Number.isFinite(task.dueAt)) throw new CrmError('VALIDATION', `task ${task.key} has no valid due date`);
      ready.push({ index, record: taskRecord(task, keyField, activityRef(task.key)) });
    } catch (error) {
      outcomes[index] = { id: task.accountId, ok: false, error: asCrm(error) };
    }
  });
  const answersSchema = z.array(saveResultSchema);
  let fatal: CrmError | undefined;
  for (let start = 0; start < ready.length; start += COLLECTION_LIMIT) {
    const chunk = ready.slice(start, start + COLLECTION_LIMIT);
    if (!fatal) {
      try {
        const results = await session.send(
          answersSchema,
          'PATCH',
          `/composite/sobjects/Task/${soqlName(keyField).text}`,
          {
            allOrNone: false,
            records: chunk.map((entry) => entry.record),
          },
        );
        if (results.length !== chunk.length) {
          throw new CrmError('UNKNOWN', `upsert answered ${results.length} results for ${chunk.length} tasks`);
        }
        chunk.forEach(({ index }, i) => {
          const task = tasks[index] as CrmTask;
          const result = results[i] as z.infer<typeof saveResultSchema>;
          const first = result.errors[0];
          outcomes[index] =
            result.success && result.id !== undefined
              ? { id: result.id, ok: true }
              : {
                  id: task.accountId,
                  ok: false,
                  error: rowError(first?.statusCode ?? first?.errorCode, first?.message ?? 'task not saved'),
                };
        });
        continue;
      } catch (error) {
        fatal = asCrm(error);
      }
    }
    for (const { index } of chunk)
      outcomes[index] = { id: (tasks[index] as CrmTask).accountId, ok: false, error: fatal };
  }
  return outcomes;
}

/** The tasks whose key field holds one of the keys, by key; 100 keys a query, the oldest task per key. */
export async function findTasksByKey(
  session: SalesforceSession,
  keyField: string,
  keys: readonly string[],
): Promise<Map<string, FoundActivity>> {
  const keyByRef = refsOfKeys(keys);
  const refs = [...keyByRef.keys()];
  const field = soqlName(keyField);
  const row = z.object({ Id: z.string(), Status: z.string().nullable() }).catchall(z.unknown());
  const found = new Map<string, FoundActivity>();
  for (let start = 0; start < refs.length; start += KEYS_PER_QUERY) {
    const chunk = refs.slice(start, start + KEYS_PER_QUERY);
    const rows = await queryEveryRow(
      session,
      soql`SELECT Id, Status, ${field} FROM Task WHERE ${field} IN ${chunk} ORDER BY CreatedDate, Id`,
      row,
    );
    for (const task of rows) {
      const value = Object.entries(task).find(([name]) => name.toLowerCase() === keyField.toLowerCase())?.[1];
      // External ids match without regard to case; the ref is stored in lower case.
      const key = typeof value === 'string' ? keyByRef.get(value.toLowerCase()) : undefined;
      if (key !== undefined && !found.has(key)) found.set(key, { id: task.Id, completed: task.Status === COMPLETED });
    }
  }
  return found;
}

/**
 * Completes tasks and appends each one's comment to its Description: a SOQL read of the current
 * descriptions, then a collection update. A task already completed with the comment is left alone,
 * so a retried close neither writes nor repeats it. One outcome per row in input order; a task that
 * was deleted (or never was) is NOT_FOUND; never throws.
 */
export async function closeTasks(session: SalesforceSession, closures: readonly TaskClosure[]): Promise<RowOutcome[]> {
  const outcomes: RowOutcome[] = new Array<RowOutcome>(closures.length);
  // 15- and 18-character ids name the same task; the first 15 characters are the id itself.
  const first = new Map<string, number>();
  closures.forEach((closure, index) => {
    const short = closure.id.slice(0, 15);
    if (!TASK_ID.test(closure.id)) {
      outcomes[index] = {
        id: closure.id,
        ok: false,
        error: new CrmError('NOT_FOUND', `${JSON.stringify(closure.id)} is not a Salesforce Task id`),
      };
    } else if (first.has(short)) {
      outcomes[index] = {
        id: closure.id,
        ok: false,
        error: new CrmError('VALIDATION', `task ${closure.id} is closed twice in one call`),
      };
    } else first.set(short, index);
  });
  const ready = [...first.values()];
  const row = z.object({ Id: z.string(), Status: z.string().nullable(), Description: z.string().nullable() });
  for (let start = 0; start < ready.length; start += COLLECTION_LIMIT) {
    const chunk = ready.slice(start, start + COLLECTION_LIMIT);
    try {
      const ids = chunk.map((index) => (closures[index] as TaskClosure).id);
      const rows = await queryEveryRow(session, soql`SELECT Id, Status, Description FROM Task WHERE Id IN ${ids}`, row);
      const current = new Map(rows.map((task) => [task.Id.slice(0, 15), task]));
      const updates: { index: number; body: Record<string, unknown> }[] = [];
      for (const index of chunk) {
        const closure = closures[index] as TaskClosure;
        const task = current.get(closure.id.slice(0, 15));
        if (task === undefined) {
          outcomes[index] = {
            id: closure.id,
            ok: false,
            error: new CrmError('NOT_FOUND', `task ${closure.id} does not exist or was deleted`),
          };
          continue;
        }
        const description = task.Description ?? '';
        const commented = closure.comment === '' || description.includes(closure.comment);
        if (commented && task.Status === COMPLETED) {
          outcomes[index] = { id: closure.id, ok: true };
          continue;
        }
        const body: Record<string, unknown> = { attributes: { type: 'Task' }, id: task.Id, Status: COMPLETED };
        if (!commented)
          body.Description = description === '' ? closure.comment : `${description}\n\n${closure.comment}`;
        updates.push({ index, body });
      }
      const written = await sendCollection(
        session,
        'PATCH',
        updates.map((update) => ({ key: (closures[update.index] as TaskClosure).id, body: update.body })),
      );
      updates.forEach((update, i) => {
        const outcome = written[i] as RowOutcome;
        outcomes[update.index] = outcome.ok ? { id: (closures[update.index] as TaskClosure).id, ok: true } : outcome;
      });
    } catch (error) {
      for (const index of chunk) {
        outcomes[index] ??= { id: (closures[index] as TaskClosure).id, ok: false, error: asCrm(error) };
      }
    }
  }
  return outcomes;
}

const createdSchema = z.object({ id: z.string(), success: z.literal(true) });

/** A Note on the account: the title (cut to 80 characters), then the body and the key's ref line. */
export async function createNote(
  session: SalesforceSession,
  accountId: string,
  note: CrmNote,
): Promise<{ id: string }> {
  const line = refLine(activityRef(note.key));
  // A longer title or body would fail the whole note; the ref line is what must survive.
  const body = `${cut(note.body, NOTE_BODY_LENGTH - line.length - 2)}\n\n${line}`;
  const created = await session.send(createdSchema, 'POST', '/sobjects/Note', {
    ParentId: accountId,
    Title: cut(note.title, NOTE_TITLE_LENGTH),
    Body: body,
  });
  return { id: created.id };
}

/**
 * The account's note that carries the key, or null. Body cannot be filtered in SOQL (a long text
 * area), so the account's notes are read and their bodies checked; an account has few notes.
 */
export async function findNoteByKey(
  session: SalesforceSession,
  accountId: string,
  key: string,
): Promise<{ id: string } | null> {
  const ref = activityRef(key);
  const notes = await queryEveryRow(
    session,
    soql`SELECT Id, Body FROM Note WHERE ParentId = ${accountId} ORDER BY CreatedDate, Id`,
    z.object({ Id: z.string(), Body: z.string().nullable() }),
  );
  const note = notes.find((candidate) => refsIn(candidate.Body).includes(ref));
  return note === undefined ? null : { id: note.Id };
}
