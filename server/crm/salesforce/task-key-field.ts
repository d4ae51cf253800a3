import { z } from 'zod';
import { CrmError } from '../errors.ts';
import type { CrmConnection, SchemaReport } from '../types.ts';
import type { SalesforceSession } from './client.ts';
import type { DescribeCache, DescribeField } from './describe.ts';

/**
 * The custom field that carries a task's ledger key on Task: Text(80), External ID, unique and case
 * insensitive, so that creating a task is an upsert on the key (a repeated create finds the task it
 * made) and a lookup by key is an indexed SOQL filter. Task custom fields are Activity fields in
 * Salesforce (they show on Task and Event), so the Tooling fallback creates `Activity.<name>`; a
 * managed package ships it as `<namespace>__<name>` with its permission set.
 */
export const TASK_KEY_FIELD = {
  /** Its key in ensureSchema reports. */
  key: 'activity_key',
  name: 'Activity_Key__c',
  label: 'Bellwether key',
  description: 'Set by Bellwether on the tasks it creates, so that each task is created exactly once.',
  length: 80,
} as const;

const createAnswerSchema = z.object({ id: z.string().optional(), success: z.boolean() });

export function taskKeyFieldIn(
  describe: { field(name: string): DescribeField | undefined },
  namespace: string | undefined,
): DescribeField | undefined {
  const packaged = namespace ? describe.field(`${namespace}__${TASK_KEY_FIELD.name}`) : undefined;
  return packaged ?? describe.field(TASK_KEY_FIELD.name);
}

/** Why the key field cannot carry keys, or undefined when it can. */
function blocker(found: DescribeField): string | undefined {
  if (found.type !== 'string') return `${found.name} on Task is of type ${found.type}, not text`;
  if (found.createable !== true || found.updateable !== true) {
    return `${found.name} on Task exists but the integration user cannot edit it (field-level security)`;
  }
  return undefined;
}

/** The key field's API name in this org, or a VALIDATION CrmError saying what is missing. */
export async function taskKeyFieldName(
  session: SalesforceSession,
  describes: DescribeCache,
  conn: CrmConnection,
  namespace: string | undefined,
): Promise<string> {
  const found = taskKeyFieldIn(await describes.get(session, conn.installationId, 'Task'), namespace);
  if (!found) {
    throw new CrmError('VALIDATION', `Task has no ${TASK_KEY_FIELD.name} field; run ensureSchema to create it`);
  }
  const reason = blocker(found);
  if (reason) throw new CrmError('MISSING_SCOPE', reason);
  return found.name;
}

/**
 * The key field's part of an ensureSchema report: present, created (through Tooling, when asked),
 * blocked (no field-level access yet) or missing.
 */
export async function ensureTaskKeyField(
  session: SalesforceSession,
  describes: DescribeCache,
  conn: CrmConnection,
  options: { createMissing?: boolean | undefined; namespace?: string | undefined },
): Promise<SchemaReport> {
  describes.forget(conn.installationId, 'Task');
  let found = taskKeyFieldIn(await describes.get(session, conn.installationId, 'Task'), options.namespace);
  let created = false;
  if (!found && options.createMissing) {
    try {
      const answer = await session.send(createAnswerSchema, 'POST', '/tooling/sobjects/CustomField', {
        FullName: `Activity.${TASK_KEY_FIELD.name}`,
        Metadata: {
          label: TASK_KEY_FIELD.label,
          description: TASK_KEY_FIELD.description,
          type: 'Text',
          length: TASK_KEY_FIELD.length,
          externalId: true,
          unique: true,
          caseSensitive: false,
        },
      });
      created = answer.success;
    } catch (error) {
      if (!(error instanceof CrmError && error.message.startsWith('DUPLICATE_DEVELOPER_NAME'))) throw error;
    }
    describes.forget(conn.installationId, 'Task');
    found = taskKeyFieldIn(await describes.get(session, conn.installationId, 'Task'), options.namespace);
  }
  const report: SchemaReport = { present: [], created: [], blocked: [], missing: [] };
  if (!found) {
    report.missing?.push(TASK_KEY_FIELD.key);
    return report;
  }
  if (created) report.created.push(TASK_KEY_FIELD.key);
  const reason = blocker(found);
  if (reason) report.blocked.push({ key: TASK_KEY_FIELD.key, reason });
  else if (!created) report.present.push(TASK_KEY_FIELD.key);
  return report;
}
