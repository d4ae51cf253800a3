import { CrmError } from '../errors.ts';
import type { DescribeField } from './describe.ts';

/**
 * An app value → the JSON Salesforce expects for the field's describe type: numbers as numbers,
 * picklists as one of the field's values (matched on value or label), dates as YYYY-MM-DD and
 * date-times as ISO instants. A value that cannot fit fails its row here instead of costing a call.
 */

export type AppValue = string | number | null;

function instant(value: string | number, field: string): number {
  const ms = typeof value === 'number' ? value : Date.parse(value);
  if (!Number.isFinite(ms)) throw new CrmError('VALIDATION', `${field}: not a date or instant: ${String(value)}`);
  return ms;
}

export function toSalesforceValue(field: DescribeField, value: AppValue): string | number | boolean | null {
  if (value === null) return null;
  switch (field.type) {
    case 'double':
    case 'currency':
    case 'percent':
    case 'int': {
      const number = typeof value === 'number' ? value : Number(value);
      if (typeof value === 'string' && value.trim() === '') return null;
      if (!Number.isFinite(number)) throw new CrmError('VALIDATION', `${field.name}: not a number: ${String(value)}`);
      return field.type === 'int' ? Math.round(number) : number;
    }
    case 'picklist': {
      const wanted = String(value).toLowerCase();
      const match = (field.picklistValues ?? []).find(
        (option) => option.value.toLowerCase() === wanted || option.label?.toLowerCase() === wanted,
      );
      if (match) return match.value;
      if (field.restrictedPicklist) {
        throw new CrmError('VALIDATION', `${field.name}: ${String(value)} is not one of its picklist values`);
      }
      return String(value);
    }
    case 'date':
      return new Date(instant(value, field.name)).toISOString().slice(0, 10);
    case 'datetime':
      return new Date(instant(value, field.name)).toISOString();
    case 'boolean':
      return value === 'true' || value === 1;
    default: {
      const text = String(value);
      if (field.length !== undefined && field.length > 0 && text.length > field.length) {
        throw new CrmError('VALIDATION', `${field.name}: ${text.length} characters, the field holds ${field.length}`);
      }
      return text;
    }
  }
}
