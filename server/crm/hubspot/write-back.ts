import { z } from 'zod';
import type { ManifestField } from '../../platform/manifest.ts';
import { CrmError } from '../errors.ts';
import type { CrmConnection, RowOutcome, WriteBackRow } from '../types.ts';
import type { HubspotObject } from './objects.ts';
import type { CallMeter } from './transport.ts';
import { hubspotRequest } from './transport.ts';
import { hubspotValue } from './write-values.ts';

export const WRITE_BATCH_MAX = 100;

const batchAnswerSchema = z.object({
  results: z.array(z.object({ id: z.string() })).default([]),
  errors: z
    .array(
      z.object({
        category: z.string().optional(),
        message: z.string().optional(),
        context: z.record(z.string(), z.array(z.string())).optional(),
      }),
    )
    .default([]),
});

/** A per-row failure category → the code the job layer acts on. */
function rowErrorCode(category: string | undefined): CrmError['code'] {
  if (category === 'OBJECT_NOT_FOUND') return 'NOT_FOUND';
  if (category === 'VALIDATION_ERROR' || category === 'PROPERTY_DOESNT_EXIST') return 'VALIDATION';
  if (category === 'INTERNAL_ERROR') return 'TEMPORARY';
  return 'UNKNOWN';
}

/** Errors after which further batches of the same call would fail the same way. */
const STOPS: readonly CrmError['code'][] = ['RATE_LIMITED', 'QUOTA_EXHAUSTED', 'UNAUTHORIZED', 'MISSING_SCOPE'];

/**
 * Batch update, 100 rows a call, one outcome per row in input order. Values are checked against the
 * manifest before sending (a bad value fails its row only); 207 answers give per-row outcomes; a
 * whole batch refused gives its error to each of its rows; after a rate limit or an auth failure the
 * remaining rows get the same error without being sent. Never throws.
 */
export async function writeBackRows(
  conn: CrmConnection,
  object: HubspotObject,
  rows: readonly WriteBackRow[],
  fields: readonly ManifestField[],
  meter: CallMeter,
): Promise<RowOutcome[]> {
  const byKey = new Map(fields.map((field) => [field.key, field]));
  const outcomes = new Map<string, RowOutcome>();
  const ready: { id: string; properties: Record<string, string> }[] = [];
  for (const row of rows) {
    const properties: Record<string, string> = {};
    let problem: string | undefined;
    for (const [key, value] of Object.entries(row.values)) {
      const field = byKey.get(key);
      if (field === undefined) {
        problem = `no manifest field "${key}"`;
        break;
      }
      const converted = hubspotValue(field, value);
      if (!converted.ok) {
        problem = converted.reason;
        break;
      }
      properties[field.hubspot.name] = converted.text;
    }
    if (problem !== undefined)
      outcomes.set(row.id, { id: row.id, ok: false, error: new CrmError('VALIDATION', problem) });
    else ready.push({ id: row.id, properties });
  }

  let stop: CrmError | undefined;
  for (let start = 0; start < ready.length; start += WRITE_BATCH_MAX) {
    const chunk = ready.slice(start, start + WRITE_BATCH_MAX);
    if (stop !== undefined) {
      for (const input of chunk) outcomes.set(input.id, { id: input.id, ok: false, error: stop });
      continue;
    }
    try {
      const answer = await hubspotRequest(conn, meter, {
        method: 'POST',
        path: `/crm/v3/objects/${object}/batch/update`,
        body: { inputs: chunk },
        what: `batch update ${object}`,
      });
      const parsed = batchAnswerSchema.safeParse(answer.body);
      const written = new Set(parsed.success ? parsed.data.results.map((result) => result.id) : []);
      const failed = new Map<string, CrmError>();
      for (const error of parsed.success ? parsed.data.errors : []) {
        for (const id of error.context?.ids ?? []) {
          failed.set(id, new CrmError(rowErrorCode(error.category), error.message ?? 'row not written'));
        }
      }
      for (const input of chunk) {
        const error = failed.get(input.id);
        if (written.has(input.id) && error === undefined) outcomes.set(input.id, { id: input.id, ok: true });
        else
          outcomes.set(input.id, {
            id: input.id,
            ok: false,
            error: error ?? new CrmError('UNKNOWN', 'HubSpot answered without this row'),
          });
      }
    } catch (error) {
      const crmError = error instanceof CrmError ? error : new CrmError('UNKNOWN', String(error), { cause: error });
      for (const input of chunk) outcomes.set(input.id, { id: input.id, ok: false, error: crmError });
      if (STOPS.includes(crmError.code)) stop = crmError;
    }
  }
  return rows.map(
    (row) => outcomes.get(row.id) ?? { id: row.id, ok: false, error: new CrmError('UNKNOWN', 'row not attempted') },
  );
}
