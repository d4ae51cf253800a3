import { z } from 'zod';
import type { ManifestField } from '../../platform/manifest.ts';
import { CrmError } from '../errors.ts';
import type { CrmConnection, SchemaReport } from '../types.ts';
import type { SalesforceSession } from './client.ts';
import type { DescribeCache } from './describe.ts';
import { findWriteField, writeBlocker } from './field-names.ts';

/**
 * The write-back fields on Account. Normally a managed package ships them with a permission set; the
 * report says what is there, what is missing and what the integration user cannot write. Creating
 * missing fields through the Tooling API is the admin-started fallback (DESIGN.md §4): such fields
 * start without field-level security, so they show up as created and blocked until access is granted.
 */

export interface EnsureSchemaOptions {
  /** Create missing fields through the Tooling API (an admin asked for it). */
  createMissing?: boolean;
  /** The package namespace whose prefixed names count as the field. */
  namespace?: string | undefined;
}

const createAnswerSchema = z.object({ id: z.string().optional(), success: z.boolean() });

/** The Tooling CustomField metadata for a manifest field (reference §3.2). */
export function customFieldMetadata(field: ManifestField): Record<string, unknown> {
  const common = { label: field.label, description: field.description };
  switch (field.type) {
    case 'number':
    case 'currency':
      return {
        ...common,
        type: field.type === 'currency' ? 'Currency' : 'Number',
        precision: field.salesforce.precision,
        scale: field.salesforce.scale,
      };
    case 'enumeration':
      return {
        ...common,
        type: 'Picklist',
        valueSet: {
          restricted: true,
          valueSetDefinition: {
            value: field.options.map((option) => ({ fullName: option.value, label: option.label })),
          },
        },
      };
    case 'text':
      return field.maxLength <= 255
        ? { ...common, type: 'Text', length: field.maxLength }
        : { ...common, type: 'LongTextArea', length: field.maxLength, visibleLines: 3 };
    case 'datetime':
      return { ...common, type: 'DateTime' };
  }
}

/** Creates each field on Account; one that already exists counts as done. Returns the keys created. */
export async function createMissingFields(
  session: SalesforceSession,
  fields: readonly ManifestField[],
): Promise<string[]> {
  const created: string[] = [];
  for (const field of fields) {
    try {
      const answer = await session.send(createAnswerSchema, 'POST', '/tooling/sobjects/CustomField', {
        FullName: `Account.${field.salesforce.name}`,
        Metadata: customFieldMetadata(field),
      });
      if (answer.success) created.push(field.key);
    } catch (error) {
      if (error instanceof CrmError && error.message.startsWith('DUPLICATE_DEVELOPER_NAME')) continue;
      throw error;
    }
  }
  return created;
}

export async function ensureSchema(
  session: SalesforceSession,
  describes: DescribeCache,
  conn: CrmConnection,
  fields: readonly ManifestField[],
  options: EnsureSchemaOptions = {},
): Promise<SchemaReport> {
  // Field access changes outside the app (an admin assigns a permission set): always look afresh.
  describes.forget(conn.installationId, 'Account');
  let describe = await describes.get(session, conn.installationId, 'Account');
  let created: string[] = [];
  const absent = fields.filter((field) => !findWriteField(describe, field, options.namespace));
  if (options.createMissing && absent.length > 0) {
    created = await createMissingFields(session, absent);
    describes.forget(conn.installationId, 'Account');
    describe = await describes.get(session, conn.installationId, 'Account');
  }
  const report: SchemaReport = { present: [], created, blocked: [], missing: [] };
  for (const field of fields) {
    const found = findWriteField(describe, field, options.namespace);
    if (!found) {
      report.missing?.push(field.key);
      continue;
    }
    const blocker = writeBlocker(field, found);
    if (blocker) report.blocked.push({ key: field.key, reason: blocker });
    else if (!created.includes(field.key)) report.present.push(field.key);
  }
  return report;
}
