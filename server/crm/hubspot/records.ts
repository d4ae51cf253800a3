import { z } from 'zod';
import type { AppObject } from '../../platform/manifest.ts';
import type { CrmRecord } from '../types.ts';
import { APP_OBJECT_OF, lastModifiedProperty, type HubspotObject } from './objects.ts';

/** A HubSpot object as list, search and batch read answer it (unknown fields ignored). */
export const hubspotObjectSchema = z.object({
  id: z.string(),
  properties: z.record(z.string(), z.string().nullable()),
  createdAt: z.string().optional(),
  updatedAt: z.string().optional(),
  archived: z.boolean().optional(),
  archivedAt: z.string().optional(),
  associations: z
    .record(z.string(), z.object({ results: z.array(z.object({ id: z.string(), type: z.string().optional() })) }))
    .optional(),
});
export type HubspotObjectAnswer = z.infer<typeof hubspotObjectSchema>;

export const pagingSchema = z.object({ next: z.object({ after: z.string() }).optional() }).optional();

export const listPageSchema = z.object({ results: z.array(hubspotObjectSchema), paging: pagingSchema });
export const searchPageSchema = z.object({
  total: z.number().optional(),
  results: z.array(hubspotObjectSchema),
  paging: pagingSchema,
});

/** HubSpot datetimes travel as ISO text or as epoch milliseconds in text. */
export function parseInstant(value: string | null | undefined): number | null {
  if (value === null || value === undefined || value === '') return null;
  if (/^-?\d+$/.test(value)) return Number(value);
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? null : ms;
}

/**
 * The record's modification instant: the stamped property (what search filters and sorts on), else
 * the object's updatedAt. A record with neither cannot be placed in keyset order.
 */
export function modifiedAtOf(object: HubspotObject, answer: HubspotObjectAnswer): number | null {
  return parseInstant(answer.properties[lastModifiedProperty(object)]) ?? parseInstant(answer.updatedAt);
}

/** Association keys arrive plural ("companies") on list answers; the app speaks of accounts. */
function associationTarget(key: string): AppObject | undefined {
  const byName: Record<string, HubspotObject> = {
    companies: 'companies',
    company: 'companies',
    contacts: 'contacts',
    contact: 'contacts',
    deals: 'deals',
    deal: 'deals',
    tickets: 'tickets',
    ticket: 'tickets',
  };
  const object = byName[key];
  return object === undefined ? undefined : APP_OBJECT_OF[object];
}

export function toCrmRecord(
  object: HubspotObject,
  answer: HubspotObjectAnswer,
  associations: Partial<Record<AppObject, string[]>> = {},
): CrmRecord {
  const modifiedAt = modifiedAtOf(object, answer) ?? 0;
  const linked: Partial<Record<AppObject, string[]>> = { ...associations };
  for (const [key, value] of Object.entries(answer.associations ?? {})) {
    const target = associationTarget(key);
    if (target === undefined) continue;
    // A primary link is listed once per association type; keep each id once.
    linked[target] = [...new Set([...(linked[target] ?? []), ...value.results.map((result) => result.id)])];
  }
  return {
    objectType: APP_OBJECT_OF[object],
    id: answer.id,
    modifiedAt,
    createdAt: parseInstant(answer.properties.createdate) ?? parseInstant(answer.createdAt),
    archived: answer.archived ?? false,
    properties: { ...answer.properties },
    associations: linked,
  };
}
