import type { OrderByClause } from '@jetstreamapp/soql-parser-js';
import type { FieldValue } from './org-store.ts';

/** ORDER BY shared by plain and aggregate SOQL: the direction of each key and where its nulls go. */

export interface SortDirection {
  descending: boolean;
  nullsFirst: boolean;
}

/** ASC puts nulls first and DESC puts them last unless NULLS says otherwise. */
export function sortDirection(clause: OrderByClause): SortDirection {
  const descending = clause.order === 'DESC';
  const nullsFirst = clause.nulls ? clause.nulls === 'FIRST' : !descending;
  return { descending, nullsFirst };
}

/** Sorts by each item's key values, computed once per item, in the order of `directions`. */
export function sortByKeys<T>(items: T[], directions: SortDirection[], valuesOf: (item: T) => FieldValue[]): T[] {
  const decorated = items.map((item) => ({ item, values: valuesOf(item) }));
  decorated.sort((a, b) => {
    for (let i = 0; i < directions.length; i++) {
      const direction = directions[i] as SortDirection;
      const left = a.values[i] ?? null;
      const right = b.values[i] ?? null;
      if (left === right) continue;
      if (left === null) return direction.nullsFirst ? -1 : 1;
      if (right === null) return direction.nullsFirst ? 1 : -1;
      const order = left < right ? -1 : 1;
      return direction.descending ? -order : order;
    }
    return 0;
  });
  return decorated.map((entry) => entry.item);
}
