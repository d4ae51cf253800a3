import { associationTypeName } from './associations.ts';
import { DEFAULT_PROPERTIES, SINGULAR, lastModifiedProperty, type ObjectType } from './object-types.ts';
import type { CrmRecord, PortalStore } from './portal-store.ts';

export interface PublicObject {
  id: string;
  properties: Record<string, string | null>;
  createdAt: string;
  updatedAt: string;
  archived: boolean;
  archivedAt?: string;
  propertiesWithHistory?: Record<string, { value: string; timestamp: string; sourceType: string }[]>;
  associations?: Record<string, { results: { id: string; type: string }[] }>;
}

/**
 * A record as HubSpot answers it: the requested properties (null when unset, unknown names left
 * out) plus the ones HubSpot always adds, and the requested association types when any exist.
 */
export function presentRecord(
  portal: PortalStore,
  record: CrmRecord,
  requested: readonly string[] | undefined,
  associationTypes: readonly ObjectType[] = [],
  withHistory: readonly string[] = [],
): PublicObject {
  const defs = portal.propertyMap(record.type);
  const names = new Set(requested && requested.length > 0 ? requested : DEFAULT_PROPERTIES[record.type]);
  names.add('createdate');
  names.add('hs_object_id');
  names.add(lastModifiedProperty(record.type));
  const properties: Record<string, string | null> = {};
  for (const name of names) {
    if (!defs.has(name)) continue;
    properties[name] = record.properties[name] ?? null;
  }
  const answer: PublicObject = {
    id: record.id,
    properties,
    createdAt: new Date(record.createdAt).toISOString(),
    updatedAt: new Date(record.updatedAt).toISOString(),
    archived: record.archived,
  };
  if (record.archivedAt !== undefined) answer.archivedAt = new Date(record.archivedAt).toISOString();
  if (withHistory.length > 0) {
    answer.propertiesWithHistory = {};
    for (const name of withHistory) {
      if (!defs.has(name)) continue;
      // Newest first, as HubSpot lists them; a loaded value counts as set when the record last changed.
      const current = record.properties[name];
      const changes =
        record.history?.get(name) ?? (current === undefined ? [] : [{ value: current, timestamp: record.updatedAt }]);
      answer.propertiesWithHistory[name] = [...changes].reverse().map((change) => ({
        value: change.value,
        timestamp: new Date(change.timestamp).toISOString(),
        sourceType: 'API',
      }));
    }
  }
  for (const toType of associationTypes) {
    const linked = portal.associations(record, toType);
    if (linked.length === 0) continue;
    answer.associations ??= {};
    answer.associations[toType] = {
      results: linked.flatMap(({ id, types }) =>
        types.map((def) => ({
          id,
          type:
            def.label === null ? associationTypeName(def, SINGULAR) : `${associationTypeName(def, SINGULAR)}_primary`,
        })),
      ),
    };
  }
  return answer;
}
