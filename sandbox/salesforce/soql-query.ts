import {
  parseQuery,
  type FieldType,
  type OrderByClause,
  type Query,
  type QueryBase,
  type Subquery,
} from '@jetstreamapp/soql-parser-js';
import { SalesforceApiError, invalidType, malformedQuery } from './errors.ts';
import { childRelationship, type FieldDef, type ObjectDef } from './object-schema.ts';
import type { FieldValue, OrgStore, SfRecord } from './org-store.ts';
import { compileWhere, normalise, type Predicate } from './soql-conditions.ts';
import {
  AGGREGATE_FUNCTIONS,
  aggregateRows,
  checkAggregate,
  type AggregateFunction,
  type AggregateSpec,
  type GroupSpec,
} from './soql-aggregates.ts';
import { SoqlUnsupported, readPath, resolvePath, sourceRecord, type FieldPath } from './soql-fields.ts';
import { sortByKeys, sortDirection } from './soql-sort.ts';

/**
 * Runs one SOQL statement against an org: SELECT fields, one level of relationship fields,
 * parent-to-child subqueries, aggregates with GROUP BY, WHERE, ORDER BY with NULLS FIRST/LAST,
 * LIMIT and OFFSET. Records come back in the REST shape with `attributes`. What the stand-in does
 * not implement (HAVING, TYPEOF, date functions, semi-joins) answers MALFORMED_QUERY naming the construct, never a
 * wrong result.
 */

export interface SoqlOptions {
  /** queryAll: deleted rows included. */
  includeDeleted: boolean;
  now: number;
  apiVersion: string;
}

export interface SoqlResult {
  type: string;
  /** The rows in REST shape; empty for COUNT() queries. */
  records: Record<string, unknown>[];
  totalSize: number;
}

type Selected =
  | { kind: 'field'; path: FieldPath; raw: string }
  | { kind: 'aggregate'; spec: AggregateSpec }
  | { kind: 'countAll' }
  | { kind: 'children'; name: string; lookup: FieldDef; query: Compiled };

/** A SELECT (or a subquery) resolved against the schema. */
interface Compiled {
  object: ObjectDef;
  selected: Selected[];
  predicate: Predicate | undefined;
  orderBy: OrderByClause[];
  pathFor: (path: string) => FieldPath;
  offset: number;
  limit: number | undefined;
  groups: GroupSpec[];
}

interface Context {
  org: OrgStore;
  soql: string;
  options: SoqlOptions;
}

export function runSoql(org: OrgStore, soql: string, options: SoqlOptions): SoqlResult {
  const query = parse(soql);
  try {
    return execute({ org, soql, options }, query);
  } catch (error) {
    if (error instanceof SoqlUnsupported) throw malformedQuery(soql, `The sandbox does not support ${error.message}`);
    throw error;
  }
}

function parse(soql: string): Query {
  try {
    return parseQuery(soql);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const found = /found --> '([^']*)' <--/.exec(message) ?? /but found: '([^']*)'/.exec(message);
    const token = found?.[1] ?? '';
    const index = token ? soql.indexOf(token) : -1;
    const column = index >= 0 ? index + 1 : soql.length + 1;
    throw malformedQuery(soql, token ? `unexpected token: '${token}'` : 'unexpected end of query', column);
  }
}

function execute(context: Context, query: Query): SoqlResult {
  const object = query.sObject ? context.org.object(query.sObject) : undefined;
  if (!object) throw invalidType(context.soql, query.sObject ?? '');
  const compiled = compile(context, object, query, true);
  const selected = compiled.selected;

  if (selected.some((entry) => entry.kind === 'countAll')) {
    if (selected.length !== 1 || compiled.groups.length > 0) {
      throw malformedQuery(context.soql, 'COUNT() must be the only element in the SELECT list');
    }
    return {
      type: object.name,
      records: [],
      totalSize: arrange(context, compiled, candidates(context, object)).length,
    };
  }
  const specs = selected.flatMap((entry) => (entry.kind === 'aggregate' ? [entry.spec] : []));
  if (specs.length > 0 || compiled.groups.length > 0) {
    for (const entry of selected) {
      if (entry.kind === 'children') throw malformedQuery(context.soql, 'Subqueries cannot be grouped');
      if (
        entry.kind === 'field' &&
        !compiled.groups.some((group) => group.raw.toLowerCase() === entry.raw.toLowerCase())
      ) {
        throw malformedQuery(context.soql, `Field must be grouped or aggregated: ${entry.raw}`);
      }
    }
    const rows = filter(context, compiled, candidates(context, object));
    const records = aggregateRows(context.org, rows, compiled.groups, specs, compiled.orderBy);
    const end = compiled.limit === undefined ? undefined : compiled.offset + compiled.limit;
    const page = records.slice(compiled.offset, end);
    return { type: 'AggregateResult', records: page, totalSize: page.length };
  }
  const rows = arrange(context, compiled, candidates(context, object));
  const children = childIndexes(context, compiled);
  const records = rows.map((row) => project(context, compiled, row, children));
  return { type: object.name, records, totalSize: records.length };
}

function compile(context: Context, object: ObjectDef, query: QueryBase, allowChildren: boolean): Compiled {
  if (query.having) throw new SoqlUnsupported('HAVING');
  if (query.groupBy && !allowChildren) throw new SoqlUnsupported('GROUP BY in subqueries');
  if (query.withDataCategory || query.for || query.update || query.usingScope) {
    throw new SoqlUnsupported('WITH DATA CATEGORY, FOR, UPDATE or USING SCOPE');
  }
  const { org, soql } = context;
  const paths = new Map<string, FieldPath>();
  const pathFor = (path: string) => {
    let resolved = paths.get(path);
    if (!resolved) paths.set(path, (resolved = resolvePath(org, object, path, soql)));
    return resolved;
  };
  const selected = (query.fields ?? []).map((field) => select(context, object, field, allowChildren));
  let unnamed = 0;
  for (const entry of selected) {
    if (entry.kind === 'aggregate' && entry.spec.key === '') entry.spec.key = `expr${unnamed++}`;
  }
  const groupBy = query.groupBy === undefined ? [] : Array.isArray(query.groupBy) ? query.groupBy : [query.groupBy];
  const groups = groupBy.map((clause) => {
    if (!('field' in clause) || typeof clause.field !== 'string')
      throw new SoqlUnsupported('GROUP BY ROLLUP, CUBE or a function');
    return { raw: clause.field, path: pathFor(clause.field) };
  });
  const predicate = query.where
    ? compileWhere(query.where, { now: context.options.now, soql, fieldOf: (path) => pathFor(path).field })
    : undefined;
  const orderBy = query.orderBy === undefined ? [] : Array.isArray(query.orderBy) ? query.orderBy : [query.orderBy];
  const offset = query.offset ?? 0;
  if (offset > 2000) {
    throw new SalesforceApiError(400, 'NUMBER_OUTSIDE_VALID_RANGE', 'Maximum SOQL offset allowed is 2000');
  }
  return { object, selected, predicate, orderBy, pathFor, offset, limit: query.limit, groups };
}

function select(context: Context, object: ObjectDef, field: FieldType, allowChildren: boolean): Selected {
  const { org, soql } = context;
  switch (field.type) {
    case 'Field':
      return { kind: 'field', path: resolvePath(org, object, field.field, soql), raw: field.field };
    case 'FieldRelationship': {
      const raw = [...field.relationships, field.field].join('.');
      return { kind: 'field', path: resolvePath(org, object, raw, soql), raw };
    }
    case 'FieldFunctionExpression': {
      const fn = field.functionName.toUpperCase() as AggregateFunction;
      if (!AGGREGATE_FUNCTIONS.includes(fn)) throw new SoqlUnsupported(`the function ${field.functionName}`);
      const [parameter] = field.parameters;
      if (parameter === undefined && fn === 'COUNT') return { kind: 'countAll' };
      if (typeof parameter !== 'string') throw malformedQuery(soql, `${fn} needs one field`);
      const spec: AggregateSpec = {
        fn,
        key: field.alias ?? '',
        path: resolvePath(org, object, parameter, soql),
        raw: field.rawValue ?? `${fn}(${parameter})`,
      };
      checkAggregate(spec);
      return { kind: 'aggregate', spec };
    }
    case 'FieldSubquery': {
      if (!allowChildren) throw malformedQuery(soql, 'Nesting of semi join sub-selects is not supported');
      return children(context, object, field.subquery);
    }
    default:
      throw new SoqlUnsupported('TYPEOF');
  }
}

function children(context: Context, parent: ObjectDef, subquery: Subquery): Selected {
  const relationship = childRelationship(context.org.schema, parent, subquery.relationshipName);
  if (!relationship) {
    throw malformedQuery(
      context.soql,
      `Didn't understand relationship '${subquery.relationshipName}' in FROM part of query call. ` +
        `If you are attempting to use a custom relationship, be sure to append the '__r' after the custom relationship name.`,
    );
  }
  const query = compile(context, relationship.child, subquery, false);
  if (query.selected.some((entry) => entry.kind !== 'field')) throw new SoqlUnsupported('aggregates in subqueries');
  const name = relationship.lookup.childRelationshipName as string;
  return { kind: 'children', name, lookup: relationship.lookup, query };
}

/** The live (or, for queryAll, all) records of an object. */
function candidates(context: Context, object: ObjectDef): SfRecord[] {
  const rows: SfRecord[] = [];
  for (const record of context.org.table(object.name).values()) {
    if (record.IsDeleted !== true || context.options.includeDeleted) rows.push(record);
  }
  return rows;
}

function filter(context: Context, compiled: Compiled, rows: SfRecord[]): SfRecord[] {
  const { predicate, pathFor } = compiled;
  return predicate ? rows.filter((row) => predicate((path) => readPath(context.org, row, pathFor(path)))) : rows;
}

/** WHERE, ORDER BY, OFFSET and LIMIT over some rows. */
function arrange(context: Context, compiled: Compiled, rows: SfRecord[]): SfRecord[] {
  const { org } = context;
  let kept = filter(context, compiled, rows);
  if (compiled.orderBy.length > 0) kept = sortRows(org, kept, compiled.orderBy, compiled.pathFor);
  const end = compiled.limit === undefined ? undefined : compiled.offset + compiled.limit;
  return compiled.offset > 0 || end !== undefined ? kept.slice(compiled.offset, end) : kept;
}

/** For each subquery, the matching children grouped by parent id (one pass over the child table). */
function childIndexes(context: Context, compiled: Compiled): Map<string, Map<string, SfRecord[]>> {
  const indexes = new Map<string, Map<string, SfRecord[]>>();
  for (const entry of compiled.selected) {
    if (entry.kind !== 'children') continue;
    const byParent = new Map<string, SfRecord[]>();
    for (const row of candidates(context, entry.query.object)) {
      const parentId = row[entry.lookup.name];
      if (typeof parentId !== 'string') continue;
      let list = byParent.get(parentId);
      if (!list) byParent.set(parentId, (list = []));
      list.push(row);
    }
    indexes.set(entry.name, byParent);
  }
  return indexes;
}

function project(
  context: Context,
  compiled: Compiled,
  row: SfRecord,
  children: Map<string, Map<string, SfRecord[]>>,
): Record<string, unknown> {
  const { org, options } = context;
  const url = (type: string, id: FieldValue) => `/services/data/v${options.apiVersion}/sobjects/${type}/${String(id)}`;
  const out: Record<string, unknown> = {
    attributes: { type: compiled.object.name, url: url(compiled.object.name, row.Id ?? null) },
  };
  for (const entry of compiled.selected) {
    if (entry.kind === 'children') {
      const mine = arrange(context, entry.query, children.get(entry.name)?.get(row.Id as string) ?? []);
      out[entry.name] =
        mine.length === 0
          ? null
          : {
              totalSize: mine.length,
              done: true,
              records: mine.map((child) => project(context, entry.query, child, new Map())),
            };
      continue;
    }
    if (entry.kind !== 'field') continue;
    const path = entry.path;
    if (!path.via || !path.parent) {
      out[path.field.name] = row[path.field.name] ?? null;
      continue;
    }
    const key = path.via.relationshipName as string;
    const parent = sourceRecord(org, row, path);
    if (!parent) {
      out[key] = null;
      continue;
    }
    let nested = out[key] as Record<string, unknown> | null | undefined;
    if (!nested) {
      nested = { attributes: { type: path.parent.name, url: url(path.parent.name, parent.Id ?? null) } };
      out[key] = nested;
    }
    nested[path.field.name] = parent[path.field.name] ?? null;
  }
  return out;
}

/** Sorts rows by ORDER BY fields; text sorts case-insensitively, dates as instants. */
function sortRows(
  org: OrgStore,
  rows: SfRecord[],
  orderBy: OrderByClause[],
  pathFor: (path: string) => FieldPath,
): SfRecord[] {
  const keys = orderBy.map((clause) => {
    if (!('field' in clause) || typeof clause.field !== 'string') throw new SoqlUnsupported('ORDER BY a function');
    return { path: pathFor(clause.field), ...sortDirection(clause) };
  });
  return sortByKeys(rows, keys, (row) => keys.map((key) => normalise(key.path.field, readPath(org, row, key.path))));
}
