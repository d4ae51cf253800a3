import type { WhereClause } from '@jetstreamapp/soql-parser-js';
import { SalesforceApiError } from './errors.ts';
import type { FieldDef } from './object-schema.ts';
import type { FieldValue } from './org-store.ts';
import { dateLiteralRange, type DateRange } from './soql-date-literals.ts';
import { SoqlUnsupported } from './soql-fields.ts';
import { parseInstant } from './sf-dates.ts';

/**
 * Turns the parser's WHERE clause into a predicate. The parser hands back a flat chain of
 * conditions with parenthesis counts, so the chain is re-read as tokens with the usual precedence
 * (NOT binds tighter than AND, AND tighter than OR).
 */

export type Predicate = (read: (fieldPath: string) => FieldValue) => boolean;

interface ConditionNode {
  field: string;
  operator: string;
  value: string | string[];
  literalType?: string | string[];
}

type Token = { kind: 'cond'; cond: ConditionNode } | { kind: 'AND' | 'OR' | 'NOT' | '(' | ')' };

export interface ConditionContext {
  now: number;
  soql: string;
  /** The field a WHERE path names, for typing its literal. Throws INVALID_FIELD when unknown. */
  fieldOf: (fieldPath: string) => FieldDef;
}

export function compileWhere(where: WhereClause, context: ConditionContext): Predicate {
  const tokens = tokenize(where);
  let position = 0;
  const peek = () => tokens[position];
  const malformed = () =>
    new SalesforceApiError(400, 'MALFORMED_QUERY', `unexpected token in WHERE clause of: ${context.soql}`);

  const parseOr = (): Predicate => {
    const parts = [parseAnd()];
    while (peek()?.kind === 'OR') {
      position++;
      parts.push(parseAnd());
    }
    return parts.length === 1 ? (parts[0] as Predicate) : (read) => parts.some((part) => part(read));
  };
  const parseAnd = (): Predicate => {
    const parts = [parseNot()];
    while (peek()?.kind === 'AND') {
      position++;
      parts.push(parseNot());
    }
    return parts.length === 1 ? (parts[0] as Predicate) : (read) => parts.every((part) => part(read));
  };
  const parseNot = (): Predicate => {
    if (peek()?.kind === 'NOT') {
      position++;
      const inner = parseNot();
      return (read) => !inner(read);
    }
    return parsePrimary();
  };
  const parsePrimary = (): Predicate => {
    const token = tokens[position++];
    if (!token) throw malformed();
    if (token.kind === '(') {
      const inner = parseOr();
      if (tokens[position++]?.kind !== ')') throw malformed();
      return inner;
    }
    if (token.kind !== 'cond') throw malformed();
    return compileCondition(token.cond, context);
  };

  const predicate = parseOr();
  if (position !== tokens.length) throw malformed();
  return predicate;
}

function tokenize(where: WhereClause): Token[] {
  const tokens: Token[] = [];
  let node: WhereClause | undefined = where;
  while (node) {
    const left = node.left as Record<string, unknown> | null;
    if (left) {
      const open = typeof left.openParen === 'number' ? left.openParen : 0;
      for (let i = 0; i < open; i++) tokens.push({ kind: '(' });
      if ('valueQuery' in left) throw new SoqlUnsupported('semi-join subqueries in WHERE');
      if ('fn' in left) throw new SoqlUnsupported('functions in WHERE');
      if ('field' in left) tokens.push({ kind: 'cond', cond: left as unknown as ConditionNode });
      const close = typeof left.closeParen === 'number' ? left.closeParen : 0;
      for (let i = 0; i < close; i++) tokens.push({ kind: ')' });
    }
    const operator = 'operator' in node ? node.operator : undefined;
    if (operator) tokens.push({ kind: operator });
    node = 'right' in node ? node.right : undefined;
  }
  return tokens;
}

/** A literal made comparable with a field's values: a number, a lower-cased string, a boolean, a date range. */
type Comparable = number | string | boolean | null | DateRange;

function compileCondition(cond: ConditionNode, context: ConditionContext): Predicate {
  const field = context.fieldOf(cond.field);
  const operator = cond.operator.toUpperCase();
  const literalTypes = Array.isArray(cond.literalType) ? cond.literalType : [cond.literalType];
  const values = Array.isArray(cond.value) ? cond.value : [cond.value];
  const literals = values.map((value, i) =>
    toComparable(field, value, literalTypes[i] ?? literalTypes[0] ?? 'STRING', context),
  );

  if (operator === 'IN' || operator === 'NOT IN') {
    const negate = operator === 'NOT IN';
    return (read) => {
      const value = normalise(field, read(cond.field));
      if (value === null) return negate;
      const hit = literals.some((literal) => equals(value, literal));
      return negate ? !hit : hit;
    };
  }
  const literal = literals[0] ?? null;
  if (operator === 'LIKE') {
    if (typeof literal !== 'string') throw filterTypeError(field, 'string');
    const pattern = likePattern(literal);
    return (read) => {
      const value = normalise(field, read(cond.field));
      return typeof value === 'string' && pattern.test(value);
    };
  }
  if (operator === 'INCLUDES' || operator === 'EXCLUDES') throw new SoqlUnsupported('INCLUDES/EXCLUDES');
  if (literal === null && operator !== '=' && operator !== '!=' && operator !== '<>') {
    throw new SalesforceApiError(400, 'MALFORMED_QUERY', `invalid operator on null: ${operator}`);
  }
  return (read) => {
    const value = normalise(field, read(cond.field));
    switch (operator) {
      case '=':
        return value === null ? literal === null : literal !== null && equals(value, literal);
      case '!=':
      case '<>':
        return value === null ? literal !== null : literal === null || !equals(value, literal);
      default:
        return value !== null && literal !== null && ordered(value, literal, operator);
    }
  };
}

const stringTypes = new Set(['id', 'string', 'textarea', 'email', 'url', 'phone', 'picklist', 'reference']);
const numberTypes = new Set(['int', 'double', 'currency', 'percent']);

/** A field value in the same space as its literals. Ids keep their case; other text compares case-insensitively. */
export function normalise(field: FieldDef, value: FieldValue): number | string | boolean | null {
  if (value === null) return null;
  if (field.type === 'date' || field.type === 'datetime') return parseInstant(String(value));
  if (field.type === 'id' || field.type === 'reference') return String(value).slice(0, 15);
  if (typeof value === 'string') return value.toLowerCase();
  return value;
}

function toComparable(field: FieldDef, raw: string, literalType: string, context: ConditionContext): Comparable {
  if (literalType === 'NULL') return null;
  if (stringTypes.has(field.type)) {
    if (literalType !== 'STRING') throw filterTypeError(field, 'string');
    const text = unquote(raw);
    return field.type === 'id' || field.type === 'reference' ? text.slice(0, 15) : text.toLowerCase();
  }
  if (numberTypes.has(field.type)) {
    if (literalType !== 'INTEGER' && literalType !== 'DECIMAL') throw filterTypeError(field, 'double');
    return Number(raw);
  }
  if (field.type === 'boolean') {
    if (literalType !== 'BOOLEAN') throw filterTypeError(field, 'boolean');
    return raw.toUpperCase() === 'TRUE';
  }
  const wanted = field.type === 'date' ? 'date' : 'dateTime';
  if (literalType === 'DATE_LITERAL' || literalType === 'DATE_N_LITERAL') {
    const range = dateLiteralRange(raw, context.now);
    if (!range) throw new SoqlUnsupported(`the date literal ${raw}`);
    return range;
  }
  if (field.type === 'date' && literalType === 'DATE') return Date.parse(raw);
  if (field.type === 'datetime' && literalType === 'DATETIME') return parseInstant(raw);
  throw filterTypeError(field, wanted);
}

function filterTypeError(field: FieldDef, type: string): SalesforceApiError {
  return new SalesforceApiError(
    400,
    'INVALID_QUERY_FILTER_OPERATOR',
    `value of filter criterion for field '${field.name}' must be of type ${type} and should not be enclosed in quotes`,
  );
}

const ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r' };

function unquote(raw: string): string {
  const inner = raw.startsWith("'") && raw.endsWith("'") ? raw.slice(1, -1) : raw;
  // `\%` and `\_` stay escaped for LIKE; the other escapes become their characters.
  return inner.replace(/\\(.)/g, (_match, char: string) =>
    char === '%' || char === '_' ? `\\${char}` : (ESCAPES[char] ?? char),
  );
}

function isRange(value: Comparable): value is DateRange {
  return typeof value === 'object' && value !== null;
}

function equals(value: number | string | boolean, literal: Comparable): boolean {
  if (isRange(literal)) return typeof value === 'number' && value >= literal.start && value < literal.end;
  return value === literal;
}

function ordered(value: number | string | boolean, literal: Comparable, operator: string): boolean {
  if (isRange(literal)) {
    if (typeof value !== 'number') return false;
    if (operator === '<') return value < literal.start;
    if (operator === '<=') return value < literal.end;
    if (operator === '>') return value >= literal.end;
    return value >= literal.start;
  }
  if (typeof literal === 'boolean' || literal === null || typeof value === 'boolean') return false;
  if (operator === '<') return value < literal;
  if (operator === '<=') return value <= literal;
  if (operator === '>') return value > literal;
  return value >= literal;
}

/** `%` is any run of characters and `_` one character; `\%` and `\_` are literal. */
function likePattern(literal: string): RegExp {
  let source = '';
  for (let i = 0; i < literal.length; i++) {
    const char = literal.charAt(i);
    if (char === '\\' && i + 1 < literal.length) source += escapeRegExp(literal.charAt(++i));
    else if (char === '%') source += '[\\s\\S]*';
    else if (char === '_') source += '[\\s\\S]';
    else source += escapeRegExp(char);
  }
  return new RegExp(`^${source}$`, 'i');
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
