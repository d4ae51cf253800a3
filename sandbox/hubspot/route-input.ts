import type { Request, Response } from 'express';
import type { z } from 'zod';
import { sendError, sendInvalidInput } from './errors.ts';
import { resolveObjectType, type ObjectType } from './object-types.ts';

/**
 * The first steps of most CRM handlers: read the path's object type and check a body or query.
 * Each answers the 400 itself and returns undefined, so a handler chains them with `&&` and stops.
 */

export function parseInput<S extends z.ZodType>(schema: S, value: unknown, res: Response): z.infer<S> | undefined {
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    sendInvalidInput(res, parsed.error.issues);
    return undefined;
  }
  return parsed.data;
}

/** The `:objectType` path parameter (name or type id) as a kept object type. */
export function objectTypeParam(req: Request, res: Response): ObjectType | undefined {
  const type = resolveObjectType(req.params.objectType as string | undefined);
  if (!type)
    sendError(res, 400, 'VALIDATION_ERROR', `Unable to infer object type from: ${String(req.params.objectType)}`);
  return type;
}
