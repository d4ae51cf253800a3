import { z } from 'zod';
import { activityRef, refLine, refsIn, refsOfKeys } from '../activity-key.ts';
import { CrmError } from '../errors.ts';
import type { CrmConnection, CrmNote, CrmTask, FoundActivity, RowOutcome, TaskClosure } from '../types.ts';
import type { CallMeter } from './transport.ts';
import { hubspotRequest, parseAnswer } from './transport.ts';

/**
 * Tasks and notes on companies. Each carries its ledger key as a "Bellwether ref" line at the end of
 * its HTML body (hs_task_body, hs_note_body); a lookup by key is a CRM search with CONTAINS_TOKEN on
 * that body, whose answer is then checked for the exact ref line. Search sees a new record only after
 * HubSpot has indexed it (reference §1.5), so lookups may miss what was created moments ago.
 */

/** HubSpot-defined association types (reference §1.7; task→company 192, note→company 190). */
const TASK_TO_COMPANY = 192;
const NOTE_TO_COMPANY = 190;
const BATCH_MAX = 100;
/** Filter groups are OR'd and a search takes five (reference §1.5): five keys a search. */
const KEYS_PER_SEARCH = 5;
const SEARCH_PAGE = 100;
const COMPLETED = 'COMPLETED';
/** Errors after which further calls of the same operation would fail the same way: not sent. */
const STOPS: readonly CrmError['code'][] = ['RATE_LIMITED', 'QUOTA_EXHAUSTED', 'UNAUTHORIZED', 'MISSING_SCOPE'];

const PRIORITY: Record<CrmTask['priority'], string> = { low: 'LOW', medium: 'MEDIUM', high: 'HIGH' };

const createdSchema = z.object({ id: z.string() });
const batchErrorSchema = z.object({
  message: z.string().optional(),
  category: z.string().optional(),
  context: z.record(z.string(), z.array(z.string())).optional(),
});
const batchAnswerSchema = z.object({
  results: z.array(z.object({ id: z.string(), properties: z.record(z.string(), z.string().nullable()).default({}) })),
  errors: z.array(batchErrorSchema).default([]),
});
const searchAnswerSchema = z.object({
  results: z.array(z.object({ id: z.string(), properties: z.record(z.string(), z.string().nullable()).default({}) })),
  paging: z.object({ next: z.object({ after: z.string() }).optional() }).optional(),
});

type BatchError = z.infer<typeof batchErrorSchema>;

function companyLink(accountId: string, typeId: number) {
  return { to: { id: accountId }, types: [{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId: typeId }] };
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Plain text as HTML, line breaks kept. */
function htmlText(text: string): string {
  return escapeHtml(text).replace(/\n/g, '<br>');
}

function paragraph(text: string): string {
  return `<p>${htmlText(text)}</p>`;
}

function rowErrorCode(category: string | undefined): CrmError['code'] {
  if (category === 'OBJECT_NOT_FOUND') return 'NOT_FOUND';
  if (category === 'INTERNAL_ERROR') return 'TEMPORARY';
  if (category === 'VALIDATION_ERROR' || category === 'PROPERTY_DOESNT_EXIST') return 'VALIDATION';
  return 'UNKNOWN';
}

/** The per-input errors of a 207, by the context value that names the input (ids or trace ids). */
function errorsBy(errors: readonly BatchError[], contextKey: string): Map<string, CrmError> {
  const failed = new Map<string, CrmError>();
  for (const error of errors) {
    for (const name of error.context?.[contextKey] ?? []) {
      failed.set(name, new CrmError(rowErrorCode(error.category), error.message ?? 'HubSpot refused this row'));
    }
  }
  return failed;
}

function asCrm(error: unknown): CrmError {
  return error instanceof CrmError ? error : new CrmError('UNKNOWN', String(error), { cause: error });
}

function taskInput(task: CrmTask, ref: string, traceId: string) {
  return {
    objectWriteTraceId: traceId,
    properties: {
      hs_task_subject: task.subject,
      hs_task_body: `${paragraph(task.body)}<p>${refLine(ref)}</p>`,
      hs_timestamp: String(task.dueAt),
      hs_task_priority: PRIORITY[task.priority],
      hs_task_status: 'NOT_STARTED',
      hs_task_type: 'TODO',
      ...(task.ownerId === null ? {} : { hubspot_owner_id: task.ownerId }),
    },
    associations: [companyLink(task.accountId, TASK_TO_COMPANY)],
  };
}

interface PreparedTask {
  index: number;
  task: CrmTask;
  ref: string;
}

/**
 * Tasks on their companies, 100 a batch create. Each input carries its index as objectWriteTraceId
 * so a 207 names the inputs that failed; results come back in input order for the rest. HubSpot
 * refuses a whole batch (400, nothing created) when one input is bad, such as an association to a
 * company that does not exist; then each input is sent alone, so only the bad one fails. Outcomes
 * follow the input order: the new task's id when created, the account id when not. After a rate
 * limit or an auth failure the remaining tasks get the same error without being sent. Never throws.
 */
export async function createTasks(
  conn: CrmConnection,
  tasks: readonly CrmTask[],
  meter: CallMeter,
): Promise<RowOutcome[]> {
  const outcomes: RowOutcome[] = new Array<RowOutcome>(tasks.length);
  const ready: PreparedTask[] = [];
  tasks.forEach((task, index) => {
    try {
      if (!Number.isFinite(task.dueAt)) throw new CrmError('VALIDATION', `task ${task.key} has no valid due date`);
      ready.push({ index, task, ref: activityRef(task.key) });
    } catch (error) {
      outcomes[index] = { id: task.accountId, ok: false, error: asCrm(error) };
    }
  });
  let stop: CrmError | undefined;
  const fail = (entries: readonly PreparedTask[], error: CrmError) => {
    for (const { index, task } of entries) outcomes[index] = { id: task.accountId, ok: false, error };
    if (STOPS.includes(error.code)) stop = error;
  };
  for (let start = 0; start < ready.length; start += BATCH_MAX) {
    const chunk = ready.slice(start, start + BATCH_MAX);
    if (stop !== undefined) {
      fail(chunk, stop);
      continue;
    }
    try {
      await createBatch(conn, chunk, outcomes, meter);
    } catch (error) {
      const crmError = asCrm(error);
      if (crmError.code !== 'VALIDATION' || crmError.status !== 400 || chunk.length === 1) {
        fail(chunk, crmError);
        continue;
      }
      for (const one of chunk) {
        if (stop !== undefined) fail([one], stop);
        else await createBatch(conn, [one], outcomes, meter).catch((alone: unknown) => fail([one], asCrm(alone)));
      }
    }
  }
  return outcomes;
}

/** One batch create; fills the chunk's outcomes, or throws when HubSpot refused the whole batch. */
async function createBatch(
  conn: CrmConnection,
  chunk: readonly PreparedTask[],
  outcomes: RowOutcome[],
  meter: CallMeter,
): Promise<void> {
  const answer = await hubspotRequest(conn, meter, {
    method: 'POST',
    path: '/crm/v3/objects/tasks/batch/create',
    body: { inputs: chunk.map(({ index, task, ref }) => taskInput(task, ref, String(index))) },
    what: 'create tasks',
  });
  const parsed = parseAnswer(batchAnswerSchema, answer.body, 'create tasks');
  const failed = errorsBy(parsed.errors, 'objectWriteTraceId');
  const created = [...parsed.results];
  for (const { index, task } of chunk) {
    const error = failed.get(String(index));
    const result = error === undefined ? created.shift() : undefined;
    outcomes[index] =
      result !== undefined
        ? { id: result.id, ok: true }
        : {
            id: task.accountId,
            ok: false,
            error: error ?? new CrmError('UNKNOWN', 'HubSpot answered without this task'),
          };
  }
}

/**
 * Records of one type whose body holds one of the refs, by ref. Five refs a search, every page read;
 * a ref on several records keeps the oldest (lowest id), which is the one the ledger would have seen.
 */
async function searchByRefs(
  conn: CrmConnection,
  meter: CallMeter,
  object: 'tasks' | 'notes',
  bodyProperty: string,
  refs: readonly string[],
  properties: readonly string[],
): Promise<Map<string, { id: string; properties: Record<string, string | null> }>> {
  const found = new Map<string, { id: string; properties: Record<string, string | null> }>();
  for (let start = 0; start < refs.length; start += KEYS_PER_SEARCH) {
    const wanted = new Set(refs.slice(start, start + KEYS_PER_SEARCH));
    let after: string | undefined;
    do {
      const answer = await hubspotRequest(conn, meter, {
        method: 'POST',
        path: `/crm/v3/objects/${object}/search`,
        body: {
          filterGroups: [...wanted].map((ref) => ({
            filters: [{ propertyName: bodyProperty, operator: 'CONTAINS_TOKEN', value: ref }],
          })),
          properties: [bodyProperty, ...properties],
          sorts: [{ propertyName: 'hs_object_id', direction: 'ASCENDING' }],
          limit: SEARCH_PAGE,
          ...(after === undefined ? {} : { after }),
        },
        what: `search ${object} by key`,
      });
      const page = parseAnswer(searchAnswerSchema, answer.body, `search ${object} by key`);
      for (const result of page.results) {
        for (const ref of refsIn(result.properties[bodyProperty])) {
          if (wanted.has(ref) && !found.has(ref)) found.set(ref, result);
        }
      }
      after = page.paging?.next?.after;
    } while (after !== undefined);
  }
  return found;
}

/** The tasks that carry these keys, by key; see the module comment for why a fresh task may be missed. */
export async function findTasksByKey(
  conn: CrmConnection,
  keys: readonly string[],
  meter: CallMeter,
): Promise<Map<string, FoundActivity>> {
  const keyByRef = refsOfKeys(keys);
  const found = await searchByRefs(conn, meter, 'tasks', 'hs_task_body', [...keyByRef.keys()], ['hs_task_status']);
  const byKey = new Map<string, FoundActivity>();
  for (const [ref, task] of found) {
    byKey.set(keyByRef.get(ref) as string, { id: task.id, completed: task.properties.hs_task_status === COMPLETED });
  }
  return byKey;
}

/**
 * Completes tasks and appends each one's comment to its body: a batch read for the current bodies,
 * then a batch update, 100 a call. A task already completed with the comment in its body is left
 * alone, so a retried close neither writes nor repeats the comment. One outcome per row in input
 * order; a deleted task is NOT_FOUND; never throws.
 */
export async function closeTasks(
  conn: CrmConnection,
  closures: readonly TaskClosure[],
  meter: CallMeter,
): Promise<RowOutcome[]> {
  const outcomes: RowOutcome[] = new Array<RowOutcome>(closures.length);
  const first = new Map<string, number>();
  closures.forEach((closure, index) => {
    if (!/^\d+$/.test(closure.id)) {
      outcomes[index] = {
        id: closure.id,
        ok: false,
        error: new CrmError('NOT_FOUND', `${JSON.stringify(closure.id)} is not a HubSpot task id`),
      };
    } else if (first.has(closure.id)) {
      outcomes[index] = {
        id: closure.id,
        ok: false,
        error: new CrmError('VALIDATION', `task ${closure.id} is closed twice in one call`),
      };
    } else first.set(closure.id, index);
  });
  const ready = [...first.values()];
  let stop: CrmError | undefined;
  for (let start = 0; start < ready.length; start += BATCH_MAX) {
    const chunk = ready.slice(start, start + BATCH_MAX).map((index) => closures[index] as TaskClosure);
    const set = (outcome: RowOutcome) => {
      outcomes[first.get(outcome.id) as number] = outcome;
    };
    if (stop !== undefined) {
      for (const closure of chunk) set({ id: closure.id, ok: false, error: stop });
      continue;
    }
    try {
      const read = await hubspotRequest(conn, meter, {
        method: 'POST',
        path: '/crm/v3/objects/tasks/batch/read',
        qs: { archived: 'false' },
        body: { inputs: chunk.map((closure) => ({ id: closure.id })), properties: ['hs_task_body', 'hs_task_status'] },
        what: 'read tasks to close',
      });
      const current = parseAnswer(batchAnswerSchema, read.body, 'read tasks to close');
      const readFailures = errorsBy(current.errors, 'ids');
      const byId = new Map(current.results.map((task) => [task.id, task.properties]));
      const updates: { id: string; properties: Record<string, string> }[] = [];
      for (const closure of chunk) {
        const properties = byId.get(closure.id);
        if (properties === undefined) {
          const error = readFailures.get(closure.id) ?? new CrmError('NOT_FOUND', `task ${closure.id} does not exist`);
          set({ id: closure.id, ok: false, error });
          continue;
        }
        const body = properties.hs_task_body ?? '';
        const commented = closure.comment === '' || body.includes(htmlText(closure.comment));
        if (commented && properties.hs_task_status === COMPLETED) {
          set({ id: closure.id, ok: true });
          continue;
        }
        updates.push({
          id: closure.id,
          properties: {
            hs_task_status: COMPLETED,
            ...(commented ? {} : { hs_task_body: `${body}${paragraph(closure.comment)}` }),
          },
        });
      }
      if (updates.length === 0) continue;
      const written = await hubspotRequest(conn, meter, {
        method: 'POST',
        path: '/crm/v3/objects/tasks/batch/update',
        body: { inputs: updates },
        what: 'close tasks',
      });
      const answer = parseAnswer(batchAnswerSchema, written.body, 'close tasks');
      const failed = errorsBy(answer.errors, 'ids');
      const done = new Set(answer.results.map((task) => task.id));
      for (const update of updates) {
        const error = failed.get(update.id);
        if (error === undefined && done.has(update.id)) set({ id: update.id, ok: true });
        else
          set({
            id: update.id,
            ok: false,
            error: error ?? new CrmError('UNKNOWN', 'HubSpot answered without this task'),
          });
      }
    } catch (error) {
      const crmError = asCrm(error);
      if (STOPS.includes(crmError.code)) stop = crmError;
      for (const closure of chunk) {
        if (outcomes[first.get(closure.id) as number] === undefined)
          set({ id: closure.id, ok: false, error: crmError });
      }
    }
  }
  return outcomes;
}

/** One note on a company (a QBR brief): title in bold, the body, then the key's ref line. */
export async function createNote(
  conn: CrmConnection,
  accountId: string,
  note: CrmNote,
  now: number,
  meter: CallMeter,
): Promise<{ id: string }> {
  const ref = activityRef(note.key);
  const answer = await hubspotRequest(conn, meter, {
    method: 'POST',
    path: '/crm/v3/objects/notes',
    body: {
      properties: {
        hs_note_body: `<p><strong>${escapeHtml(note.title)}</strong></p>${paragraph(note.body)}<p>${refLine(ref)}</p>`,
        hs_timestamp: String(now),
      },
      associations: [companyLink(accountId, NOTE_TO_COMPANY)],
    },
    what: 'create a note',
  });
  return parseAnswer(createdSchema, answer.body, 'create a note');
}

/**
 * The note that carries the key, or null. The key names the note on its own (it is made per account
 * and version), so the account is not asked of HubSpot, whose search filters on fields only.
 */
export async function findNoteByKey(
  conn: CrmConnection,
  key: string,
  meter: CallMeter,
): Promise<{ id: string } | null> {
  const ref = activityRef(key);
  const found = await searchByRefs(conn, meter, 'notes', 'hs_note_body', [ref], []);
  const note = found.get(ref);
  return note === undefined ? null : { id: note.id };
}
