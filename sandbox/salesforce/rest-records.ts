import { z } from 'zod';
import type { ApiContext } from './api-guard.ts';
import { RecordError, SalesforceApiError, notFound } from './errors.ts';
import type { FieldDef, ObjectDef } from './object-schema.ts';
import type { SfRecord } from './org-store.ts';

/**
 * What the REST record resources (sObjects, Collections, Tooling) share, so that they find objects,
 * read write bodies, answer failures and shape records the same way.
 */

const recordBody = z.record(z.string(), z.unknown());

/** The object a URL names, or 404 NOT_FOUND. */
export function sobjectOf(context: ApiContext, type: string): ObjectDef {
  const object = context.org.object(type);
  if (!object) throw notFound();
  return object;
}

/** A single-record write's body: a JSON object, or 400 JSON_PARSER_ERROR. */
export function recordBodyOf(body: unknown): Record<string, unknown> {
  const parsed = recordBody.safeParse(body);
  if (!parsed.success) throw new SalesforceApiError(400, 'JSON_PARSER_ERROR', 'The request body must be a JSON object');
  return parsed.data;
}

/**
 * Runs a single-record write. Its RecordError answers as a REST error, except the code that on
 * this endpoint means the record is missing (`missingCode`), which answers 404 NOT_FOUND.
 */
export function runRecordWrite<T>(write: () => T, missingCode?: string): T {
  try {
    return write();
  } catch (error) {
    if (!(error instanceof RecordError)) throw error;
    if (missingCode !== undefined && error.statusCode === missingCode) throw notFound();
    throw error.toApiError();
  }
}

/** A field a record read names that the object lacks or the user cannot read. */
export function noSuchColumn(name: string, object: ObjectDef): SalesforceApiError {
  return new SalesforceApiError(400, 'INVALID_FIELD', `No such column '${name}' on sobject of type ${object.name}`);
}

/** A record as the REST reads answer it: attributes, then each chosen field (null when empty). */
export function recordView(
  apiVersion: string,
  object: ObjectDef,
  record: SfRecord,
  fields: FieldDef[],
): Record<string, unknown> {
  const view: Record<string, unknown> = {
    attributes: {
      type: object.name,
      url: `/services/data/v${apiVersion}/sobjects/${object.name}/${String(record.Id)}`,
    },
  };
  for (const field of fields) view[field.name] = record[field.name] ?? null;
  return view;
}
