import { z } from 'zod';
import { CrmError } from '../errors.ts';
import type { CrmConnection, CrmTask, RowOutcome } from '../types.ts';
import type { CallMeter } from './transport.ts';
import { hubspotRequest, parseAnswer } from './transport.ts';

/** HubSpot-defined association types (reference §1.7; task→company 192, note→company 190). */
const TASK_TO_COMPANY = 192;
const NOTE_TO_COMPANY = 190;
const BATCH_MAX = 100;

const PRIORITY: Record<CrmTask['priority'], string> = { low: 'LOW', medium: 'MEDIUM', high: 'HIGH' };

const createdSchema = z.object({ id: z.string() });
const batchCreatedSchema = z.object({
  results: z.array(createdSchema).default([]),
  errors: z
    .array(
      z.object({
        message: z.string().optional(),
        category: z.string().optional(),
        context: z.record(z.string(), z.array(z.string())).optional(),
      }),
    )
    .default([]),
});

function companyLink(accountId: string, typeId: number) {
  return { to: { id: accountId }, types: [{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId: typeId }] };
}

/**
 * Tasks on their companies, 100 a batch create. Each input carries its index as objectWriteTraceId
 * so a 207 names the inputs that failed; results come back in input order for the rest. Outcomes
 * follow the input order: the new task's id when created, the account id when not. Never throws.
 */
export async function createTasks(
  conn: CrmConnection,
  tasks: readonly CrmTask[],
  meter: CallMeter,
): Promise<RowOutcome[]> {
  const outcomes: RowOutcome[] = [];
  for (let start = 0; start < tasks.length; start += BATCH_MAX) {
    const chunk = tasks.slice(start, start + BATCH_MAX);
    const inputs = chunk.map((task, index) => ({
      objectWriteTraceId: String(start + index),
      properties: {
        hs_task_subject: task.subject,
        hs_task_body: task.body,
        hs_timestamp: String(task.dueAt),
        hs_task_priority: PRIORITY[task.priority],
        hs_task_status: 'NOT_STARTED',
        hs_task_type: 'TODO',
        ...(task.ownerId === null ? {} : { hubspot_owner_id: task.ownerId }),
      },
      associations: [companyLink(task.accountId, TASK_TO_COMPANY)],
    }));
    try {
      const answer = await hubspotRequest(conn, meter, {
        method: 'POST',
        path: '/crm/v3/objects/tasks/batch/create',
        body: { inputs },
        what: 'create tasks',
      });
      const parsed = parseAnswer(batchCreatedSchema, answer.body, 'create tasks');
      const failed = new Map<string, CrmError>();
      for (const error of parsed.errors) {
        const code = error.category === 'INTERNAL_ERROR' ? 'TEMPORARY' : 'VALIDATION';
        for (const trace of error.context?.objectWriteTraceId ?? []) {
          failed.set(trace, new CrmError(code, error.message ?? 'task not created'));
        }
      }
      const created = [...parsed.results];
      chunk.forEach((task, index) => {
        const error = failed.get(String(start + index));
        if (error !== undefined) {
          outcomes.push({ id: task.accountId, ok: false, error });
          return;
        }
        const result = created.shift();
        outcomes.push(
          result === undefined
            ? { id: task.accountId, ok: false, error: new CrmError('UNKNOWN', 'HubSpot answered without this task') }
            : { id: result.id, ok: true },
        );
      });
    } catch (error) {
      const crmError = error instanceof CrmError ? error : new CrmError('UNKNOWN', String(error), { cause: error });
      for (const task of chunk) outcomes.push({ id: task.accountId, ok: false, error: crmError });
    }
  }
  return outcomes;
}

/** One note on a company (a QBR brief); its body is HTML in HubSpot, so the title leads in bold. */
export async function createNote(
  conn: CrmConnection,
  accountId: string,
  note: { title: string; body: string },
  now: number,
  meter: CallMeter,
): Promise<{ id: string }> {
  const escape = (text: string) =>
    text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\n/g, '<br>');
  const answer = await hubspotRequest(conn, meter, {
    method: 'POST',
    path: '/crm/v3/objects/notes',
    body: {
      properties: {
        hs_note_body: `<p><strong>${escape(note.title)}</strong></p><p>${escape(note.body)}</p>`,
        hs_timestamp: String(now),
      },
      associations: [companyLink(accountId, NOTE_TO_COMPANY)],
    },
    what: 'create a note',
  });
  return parseAnswer(createdSchema, answer.body, 'create a note');
}
