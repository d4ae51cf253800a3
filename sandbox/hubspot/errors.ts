import { randomUUID } from 'node:crypto';
import type { Response } from 'express';

/**
 * HubSpot's error bodies (reference §1.6, §3.2, §4.3). Every error carries a fresh correlation id
 * as the real API does, so clients can log it.
 */

export interface ErrorDetail {
  message: string;
  in?: string;
  code?: string;
  context?: Record<string, string[]>;
}

export interface HubspotErrorBody {
  status: 'error';
  message: string;
  correlationId: string;
  category: string;
  subCategory?: string;
  context?: Record<string, string[]>;
  errors?: ErrorDetail[];
}

export function errorBody(
  category: string,
  message: string,
  extra: { context?: Record<string, string[]>; errors?: ErrorDetail[]; subCategory?: string } = {},
): HubspotErrorBody {
  return { status: 'error', message, correlationId: randomUUID(), category, ...extra };
}

export function sendError(
  res: Response,
  status: number,
  category: string,
  message: string,
  extra: { context?: Record<string, string[]>; errors?: ErrorDetail[]; subCategory?: string } = {},
): void {
  res.status(status).json(errorBody(category, message, extra));
}

/** HubSpot's 404 for a record, owner or association end that does not exist. */
export function sendNotFound(res: Response): void {
  sendError(res, 404, 'OBJECT_NOT_FOUND', 'Resource not found');
}

/** A 400 VALIDATION_ERROR for a request body or query that does not match the operation's schema. */
export function sendInvalidInput(res: Response, issues: readonly { path: PropertyKey[]; message: string }[]): void {
  const details = issues.map((issue) => ({
    message: issue.message,
    in: issue.path.map(String).join('.'),
    code: 'INVALID_INPUT',
  }));
  const summary = details.map((d) => (d.in ? `${d.in}: ${d.message}` : d.message)).join('; ');
  sendError(res, 400, 'VALIDATION_ERROR', `Invalid input JSON on line 1: ${summary}`, { errors: details });
}

/** One property write that HubSpot refuses, in the shape of its "Property values were not valid" list. */
export interface PropertyValueError {
  name: string;
  error:
    | 'PROPERTY_DOESNT_EXIST'
    | 'INVALID_OPTION'
    | 'INVALID_INTEGER'
    | 'INVALID_DATE'
    | 'INVALID_BOOLEAN'
    | 'READ_ONLY_VALUE'
    | 'INVALID_OWNER_ID';
  message: string;
}

/**
 * HubSpot answers a bad property write with the list of failures serialised into the message, and
 * (in newer answers) the same failures in `errors[]`.
 */
export function propertyValuesBody(portalId: number, failures: readonly PropertyValueError[]): HubspotErrorBody {
  const listed = failures.map((failure) => ({
    isValid: false,
    message: failure.message,
    error: failure.error,
    name: failure.name,
    localizedErrorMessage: failure.message,
    portalId,
  }));
  return errorBody('VALIDATION_ERROR', `Property values were not valid: ${JSON.stringify(listed)}`, {
    errors: failures.map((failure) => ({
      message: failure.message,
      in: failure.name,
      code: failure.error,
      context: { propertyName: [failure.name] },
    })),
  });
}

export function sendPropertyValueErrors(
  res: Response,
  portalId: number,
  failures: readonly PropertyValueError[],
): void {
  res.status(400).json(propertyValuesBody(portalId, failures));
}
