import { CrmError } from '../errors.ts';

/**
 * SOQL built from a tagged template: every interpolated value becomes a literal with Salesforce's
 * escaping, so no caller value can change the shape of a query. Names (fields, objects) go through
 * `soqlName`, which only admits API names, and date-times through `soqlDateTime`.
 */

const NAME = /^[A-Za-z][A-Za-z0-9_]*$/;

/** A piece of SOQL that is already safe: a checked name, a date-time or a list of names. */
export class SoqlFragment {
  constructor(readonly text: string) {}
}

export type SoqlValue = SoqlFragment | string | number | boolean | null | readonly string[];

const ESCAPES: Record<string, string> = {
  '\\': '\\\\',
  "'": "\\'",
  '"': '\\"',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
  '\b': '\\b',
  '\f': '\\f',
};

/** A quoted SOQL string literal. */
export function soqlString(value: string): string {
  return `'${value.replace(/[\\'"\n\r\t\b\f]/g, (char) => ESCAPES[char] ?? char)}'`;
}

/** An API name (field or object), refused unless it is one. */
export function soqlName(name: string): SoqlFragment {
  if (!NAME.test(name)) throw new CrmError('VALIDATION', `not a Salesforce API name: ${JSON.stringify(name)}`);
  return new SoqlFragment(name);
}

/** A comma-separated list of API names for SELECT. */
export function soqlNames(names: readonly string[]): SoqlFragment {
  if (names.length === 0) throw new CrmError('VALIDATION', 'a SOQL field list needs at least one field');
  return new SoqlFragment(names.map((name) => soqlName(name).text).join(', '));
}

/**
 * A date-time literal (unquoted, UTC). Whole seconds use the documented `YYYY-MM-DDThh:mm:ssZ` form;
 * milliseconds are kept only when present, so the keyset stays exact.
 */
export function soqlDateTime(ms: number): SoqlFragment {
  if (!Number.isFinite(ms)) throw new CrmError('VALIDATION', `not an instant: ${ms}`);
  const iso = new Date(ms).toISOString();
  return new SoqlFragment(ms % 1000 === 0 ? iso.replace('.000Z', 'Z') : iso);
}

function literal(value: SoqlValue): string {
  if (value instanceof SoqlFragment) return value.text;
  if (value === null) return 'null';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new CrmError('VALIDATION', `not a finite number: ${value}`);
    return String(value);
  }
  if (typeof value === 'string') return soqlString(value);
  if (value.length === 0) throw new CrmError('VALIDATION', 'an IN list needs at least one value');
  return `(${value.map(soqlString).join(', ')})`;
}

export function soql(strings: TemplateStringsArray, ...values: SoqlValue[]): string {
  let text = strings[0] ?? '';
  values.forEach((value, i) => {
    text += literal(value) + (strings[i + 1] ?? '');
  });
  return text.replace(/\s+/g, ' ').trim();
}
