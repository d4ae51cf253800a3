import type { OrderByClause } from '@jetstreamapp/soql-parser-js';
import { SalesforceApiError } from './errors.ts';
import type { FieldValue, OrgStore, SfRecord } from './org-store.ts';
import { normalise } from './soql-conditions.ts';
import { SoqlUnsupported, readPath, type FieldPath } from './soql-fields.ts';
import { sortByKeys, sortDirection } from './soql-sort.ts';

/**
 * Aggregate SOQL: COUNT, COUNT_DISTINCT, SUM, AVG, MIN and MAX, with or without GROUP BY, ordered
 * by a grouped field or an aggregate. Each group becomes an `AggregateResult` record keyed by the
 * grouped fields' names and the aggregates' aliases (`expr0`, `expr1`, … when unnamed).
 */

export const AGGREGATE_FUNCTIONS = ['COUNT', 'COUNT_DISTINCT', 'SUM', 'AVG', 'MIN', 'MAX'] as const;
export type AggregateFunction = (typeof AGGREGATE_FUNCTIONS)[number];

export interface AggregateSpec {
  fn: AggregateFunction;
  key: string;
  path: FieldPath;
  /** `SUM(Amount)` as written, for ORDER BY. */
  raw: string;
}

export interface GroupSpec {
  /** The path as written (`Account.Name`). */
  raw: string;
  path: FieldPath;
}

const numeric = new Set(['int', 'double', 'currency', 'percent']);

export function checkAggregate(spec: AggregateSpec): void {
  if ((spec.fn === 'SUM' || spec.fn === 'AVG') && !numeric.has(spec.path.field.type)) {
    throw new SalesforceApiError(
      400,
      'MALFORMED_QUERY',
      `field ${spec.path.field.name} does not support aggregate operator ${spec.fn}`,
    );
  }
}

function aggregate(org: OrgStore, rows: SfRecord[], spec: AggregateSpec): FieldValue {
  const values = rows.map((row) => readPath(org, row, spec.path)).filter((value) => value !== null);
  switch (spec.fn) {
    case 'COUNT':
      return values.length;
    case 'COUNT_DISTINCT':
      return new Set(values.map((value) => normalise(spec.path.field, value))).size;
    case 'SUM':
      return values.length === 0 ? null : values.reduce<number>((sum, value) => sum + Number(value), 0);
    case 'AVG':
      return values.length === 0 ? null : values.reduce<number>((sum, value) => sum + Number(value), 0) / values.length;
    case 'MIN':
    case 'MAX': {
      let best: FieldValue = null;
      let bestKey: ReturnType<typeof normalise> = null;
      for (const value of values) {
        const key = normalise(spec.path.field, value);
        if (key === null) continue;
        if (bestKey === null || (spec.fn === 'MIN' ? key < bestKey : key > bestKey)) {
          best = value;
          bestKey = key;
        }
      }
      return best;
    }
  }
}

export function aggregateRows(
  org: OrgStore,
  rows: SfRecord[],
  groups: GroupSpec[],
  specs: AggregateSpec[],
  orderBy: OrderByClause[],
): Record<string, unknown>[] {
  const buckets = new Map<string, SfRecord[]>();
  if (groups.length === 0) buckets.set('', rows);
  for (const row of groups.length === 0 ? [] : rows) {
    const key = JSON.stringify(groups.map((group) => normalise(group.path.field, readPath(org, row, group.path))));
    let bucket = buckets.get(key);
    if (!bucket) buckets.set(key, (bucket = []));
    bucket.push(row);
  }
  const results = [...buckets.values()].map((bucket) => {
    const record: Record<string, unknown> = { attributes: { type: 'AggregateResult' } };
    const first = bucket[0];
    for (const group of groups) record[group.path.field.name] = first ? readPath(org, first, group.path) : null;
    for (const spec of specs) record[spec.key] = aggregate(org, bucket, spec);
    return { record, first };
  });
  if (orderBy.length === 0) return results.map((result) => result.record);

  const keys = orderBy.map((clause) => {
    const direction = sortDirection(clause);
    if ('field' in clause && typeof clause.field === 'string') {
      const group = groups.find((candidate) => candidate.raw.toLowerCase() === clause.field.toLowerCase());
      if (!group)
        throw new SalesforceApiError(
          400,
          'MALFORMED_QUERY',
          `Ordered field must be grouped or aggregated: ${clause.field}`,
        );
      return {
        ...direction,
        value: (result: (typeof results)[number]) =>
          normalise(group.path.field, result.first ? readPath(org, result.first, group.path) : null),
      };
    }
    const raw = 'fn' in clause ? clause.fn.rawValue?.replace(/\s+/g, '').toLowerCase() : undefined;
    const spec = specs.find((candidate) => candidate.raw.replace(/\s+/g, '').toLowerCase() === raw);
    if (!spec) throw new SoqlUnsupported('ORDER BY an aggregate that is not selected');
    const byField = spec.fn === 'MIN' || spec.fn === 'MAX';
    return {
      ...direction,
      value: (result: (typeof results)[number]) => {
        const value = result.record[spec.key] as FieldValue;
        return byField ? normalise(spec.path.field, value) : value;
      },
    };
  });
  return sortByKeys(results, keys, (result) => keys.map((key) => key.value(result))).map((result) => result.record);
}
