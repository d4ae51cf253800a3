import type { Response } from 'express';

/**
 * Salesforce's REST error bodies (reference §1.6): a JSON array of `{message, errorCode, fields?}`.
 * Collections use `statusCode` per record instead (see SaveError).
 */
export class SalesforceApiError extends Error {
  constructor(
    readonly status: number,
    readonly errorCode: string,
    message: string,
    readonly fields?: string[],
  ) {
    super(message);
    this.name = errorCode;
  }

  body(): { message: string; errorCode: string; fields?: string[] }[] {
    return [{ message: this.message, errorCode: this.errorCode, ...(this.fields ? { fields: this.fields } : {}) }];
  }
}

/** One record's failure in a save result (`statusCode`, not `errorCode`, on this wire). */
export interface SaveError {
  statusCode: string;
  message: string;
  fields: string[];
}

export class RecordError extends Error {
  constructor(
    readonly statusCode: string,
    message: string,
    readonly fields: string[] = [],
  ) {
    super(message);
  }

  toSaveError(): SaveError {
    return { statusCode: this.statusCode, message: this.message, fields: this.fields };
  }

  /** The same failure on a single-record endpoint. */
  toApiError(): SalesforceApiError {
    return new SalesforceApiError(400, this.statusCode, this.message, this.fields);
  }
}

export function sendApiError(res: Response, error: SalesforceApiError): void {
  res.status(error.status).json(error.body());
}

export const notFound = () => new SalesforceApiError(404, 'NOT_FOUND', 'The requested resource does not exist');

export const invalidSession = () => new SalesforceApiError(401, 'INVALID_SESSION_ID', 'Session expired or invalid');

export function malformedQuery(soql: string, detail: string, column = 1): SalesforceApiError {
  return new SalesforceApiError(
    400,
    'MALFORMED_QUERY',
    `\n${soql}\n${caret(column)}\nERROR at Row:1:Column:${column}\n${detail}`,
  );
}

export function invalidQueryField(soql: string, field: string, entity: string): SalesforceApiError {
  const column = columnOf(soql, field);
  return new SalesforceApiError(
    400,
    'INVALID_FIELD',
    `\n${soql}\n${caret(column)}\nERROR at Row:1:Column:${column}\nNo such column '${field}' on entity '${entity}'. ` +
      `If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. ` +
      `Please reference your WSDL or the describe call for the appropriate names.`,
  );
}

export function invalidType(soql: string, type: string): SalesforceApiError {
  const column = columnOf(soql, type);
  return new SalesforceApiError(
    400,
    'INVALID_TYPE',
    `\n${soql}\n${caret(column)}\nERROR at Row:1:Column:${column}\nsObject type '${type}' is not supported. ` +
      `If you are attempting to use a custom object, be sure to append the '__c' after the entity name. ` +
      `Please reference your WSDL or the describe call for the appropriate names.`,
  );
}

function columnOf(soql: string, token: string): number {
  const index = soql.toLowerCase().indexOf(token.toLowerCase());
  return index < 0 ? 1 : index + 1;
}

function caret(column: number): string {
  return `${' '.repeat(Math.max(0, column - 1))}^`;
}
