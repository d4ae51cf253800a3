import { z } from 'zod';
import type { ObjectType } from './object-types.ts';
import { QUERY_PROPERTIES } from './object-types.ts';
import type { CrmRecord } from './portal-store.ts';
import type { PropertyDef } from './properties.ts';

/** Reference §1.5: 5 groups, 6 filters a group, 18 filters in all, 200 a page, 10,000 results a query. */
export const SEARCH_LIMITS = {
  groups: 5,
  filtersPerGroup: 6,
  filters: 18,
  pageSize: 200,
  results: 10_000,
  query: 3000,
};

export const OPERATORS = [
  'EQ',
  'NEQ',
  'LT',
  'LTE',
  'GT',
  'GTE',
  'BETWEEN',
  'IN',
  'NOT_IN',
  'HAS_PROPERTY',
  'NOT_HAS_PROPERTY',
  'CONTAINS_TOKEN',
  'NOT_CONTAINS_TOKEN',
] as const;

const scalar = z.union([z.string(), z.number(), z.boolean()]).transform(String);

const filterSchema = z.object({
  propertyName: z.string().min(1),
  operator: z.enum(OPERATORS),
  value: scalar.optional(),
  highValue: scalar.optional(),
  values: z.array(scalar).optional(),
});
export type SearchFilter = z.infer<typeof filterSchema>;

const sortSchema = z.union([
  z
    .string()
    .min(1)
    .transform((text) =>
      text.startsWith('-')
        ? { propertyName: text.slice(1), direction: 'DESCENDING' as const }
        : { propertyName: text, direction: 'ASCENDING' as const },
    ),
  z.object({ propertyName: z.string().min(1), direction: z.enum(['ASCENDING', 'DESCENDING']).default('ASCENDING') }),
]);

export const searchRequestSchema = z.object({
  filterGroups: z.array(z.object({ filters: z.array(filterSchema) })).default([]),
  sorts: z.array(sortSchema).default([]),
  properties: z.array(z.string()).optional(),
  limit: z.int().min(0).max(SEARCH_LIMITS.pageSize).default(10),
  after: z
    .union([z.string().regex(/^\d*$/), z.int().min(0)])
    .optional()
    .transform((value) => (value === undefined || value === '' ? 0 : Number(value))),
  query: z.string().max(SEARCH_LIMITS.query).optional(),
});
export type SearchRequest = z.infer<typeof searchRequestSchema>;

/** The filter-count limits; a message when the request breaks one. */
export function filterLimitViolation(request: SearchRequest): string | undefined {
  const groups = request.filterGroups;
  if (groups.length > SEARCH_LIMITS.groups) {
    return `Too many filter groups (${groups.length}). The maximum number of filter groups is ${SEARCH_LIMITS.groups}.`;
  }
  const crowded = groups.find((group) => group.filters.length > SEARCH_LIMITS.filtersPerGroup);
  if (crowded) {
    return `Too many filters in a filter group (${crowded.filters.length}). The maximum number of filters per group is ${SEARCH_LIMITS.filtersPerGroup}.`;
  }
  const total = groups.reduce((sum, group) => sum + group.filters.length, 0);
  if (total > SEARCH_LIMITS.filters) {
    return `Too many filters (${total}). The maximum number of filters across all groups is ${SEARCH_LIMITS.filters}.`;
  }
  return undefined;
}

/** A filter that cannot be evaluated: unknown property, or a missing value for its operator. */
export function filterProblem(filter: SearchFilter, defs: Map<string, PropertyDef>): string | undefined {
  if (!defs.has(filter.propertyName)) return `Property "${filter.propertyName}" does not exist`;
  const needsValue = ['EQ', 'NEQ', 'LT', 'LTE', 'GT', 'GTE', 'BETWEEN', 'CONTAINS_TOKEN', 'NOT_CONTAINS_TOKEN'];
  if (needsValue.includes(filter.operator) && filter.value === undefined) {
    return `Operator ${filter.operator} requires a value for property ${filter.propertyName}`;
  }
  if (filter.operator === 'BETWEEN' && filter.highValue === undefined) {
    return `Operator BETWEEN requires a highValue for property ${filter.propertyName}`;
  }
  if ((filter.operator === 'IN' || filter.operator === 'NOT_IN') && !filter.values) {
    return `Operator ${filter.operator} requires values for property ${filter.propertyName}`;
  }
  return undefined;
}

function comparable(def: PropertyDef | undefined, value: string): number | string {
  if (def && (def.type === 'number' || def.name === 'hs_object_id')) return Number(value);
  if (def && (def.type === 'datetime' || def.type === 'date')) {
    return /^-?\d+$/.test(value) ? Number(value) : Date.parse(value);
  }
  return value.toLowerCase();
}

function compare(a: number | string, b: number | string): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0;
}

function tokenMatcher(pattern: string): RegExp {
  const escaped = pattern
    .toLowerCase()
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${escaped}$`);
}

function matches(record: CrmRecord, filter: SearchFilter, defs: Map<string, PropertyDef>): boolean {
  const def = defs.get(filter.propertyName);
  const raw = record.properties[filter.propertyName];
  const has = raw !== undefined && raw !== '';
  const value = has ? comparable(def, raw) : undefined;
  const target = filter.value === undefined ? undefined : comparable(def, filter.value);
  switch (filter.operator) {
    case 'HAS_PROPERTY':
      return has;
    case 'NOT_HAS_PROPERTY':
      return !has;
    case 'EQ':
      return value !== undefined && target !== undefined && compare(value, target) === 0;
    case 'NEQ':
      return value === undefined || target === undefined || compare(value, target) !== 0;
    case 'LT':
      return value !== undefined && target !== undefined && compare(value, target) < 0;
    case 'LTE':
      return value !== undefined && target !== undefined && compare(value, target) <= 0;
    case 'GT':
      return value !== undefined && target !== undefined && compare(value, target) > 0;
    case 'GTE':
      return value !== undefined && target !== undefined && compare(value, target) >= 0;
    case 'BETWEEN': {
      if (value === undefined || target === undefined || filter.highValue === undefined) return false;
      return compare(value, target) >= 0 && compare(value, comparable(def, filter.highValue)) <= 0;
    }
    case 'IN':
    case 'NOT_IN': {
      const listed = (filter.values ?? []).some(
        (item) => value !== undefined && compare(value, comparable(def, item)) === 0,
      );
      return filter.operator === 'IN' ? listed : !listed;
    }
    case 'CONTAINS_TOKEN':
    case 'NOT_CONTAINS_TOKEN': {
      const matcher = tokenMatcher(filter.value ?? '');
      // Words split at spaces and punctuation; an email stays one token, and the whole value also counts.
      const text = (raw ?? '').toLowerCase();
      const found =
        has && (text.split(/[^\p{L}\p{N}*@._]+/u).some((token) => matcher.test(token)) || matcher.test(text));
      return filter.operator === 'CONTAINS_TOKEN' ? found : !found;
    }
  }
}

/** Live records matching the request (groups OR'd, filters AND'd), sorted; id order breaks ties. */
export function runSearch(
  type: ObjectType,
  records: Iterable<CrmRecord>,
  request: SearchRequest,
  defs: Map<string, PropertyDef>,
): CrmRecord[] {
  const query = request.query?.trim().toLowerCase();
  const hits: CrmRecord[] = [];
  for (const record of records) {
    if (record.archived) continue;
    if (
      request.filterGroups.length > 0 &&
      !request.filterGroups.some((group) => group.filters.every((filter) => matches(record, filter, defs)))
    ) {
      continue;
    }
    if (query && !QUERY_PROPERTIES[type].some((name) => record.properties[name]?.toLowerCase().includes(query)))
      continue;
    hits.push(record);
  }
  const sorts = request.sorts;
  if (sorts.length > 0) {
    hits.sort((a, b) => {
      for (const sort of sorts) {
        const def = defs.get(sort.propertyName);
        const left = a.properties[sort.propertyName];
        const right = b.properties[sort.propertyName];
        // Records without the value sort last either way, as HubSpot does.
        if (left === undefined || right === undefined) {
          if (left !== right) return left === undefined ? 1 : -1;
          continue;
        }
        const order = compare(comparable(def, left), comparable(def, right));
        if (order !== 0) return sort.direction === 'DESCENDING' ? -order : order;
      }
      return Number(a.id) - Number(b.id);
    });
  }
  return hits;
}
