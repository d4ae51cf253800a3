import { z } from 'zod';

/** Query keys HubSpot takes repeated (`properties=a&properties=b`) or comma-separated. */
export const keyList = z
  .union([z.string(), z.array(z.string())])
  .optional()
  .transform((value) =>
    value === undefined
      ? undefined
      : (Array.isArray(value) ? value : [value])
          .flatMap((item) => item.split(','))
          .map((item) => item.trim())
          .filter((item) => item.length > 0),
  );

export const booleanFlag = z
  .enum(['true', 'false'])
  .optional()
  .transform((value) => value === 'true');

/** Values arrive as strings from the SDK; HubSpot also coerces numbers and booleans, and null clears. */
export const propertyValues = z
  .record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()]))
  .transform((values) => Object.fromEntries(Object.entries(values).map(([k, v]) => [k, v === null ? '' : String(v)])));

export const associationSpec = z.object({
  associationCategory: z.enum(['HUBSPOT_DEFINED', 'USER_DEFINED', 'INTEGRATOR_DEFINED', 'WORK']),
  associationTypeId: z.int(),
});

export const createAssociation = z.object({
  to: z.object({ id: z.union([z.string(), z.number()]).transform(String) }),
  types: z.array(associationSpec).min(1),
});

export const BATCH_LIMIT = 100;

export const listQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(10),
  after: z.string().regex(/^\d+$/, 'after must be a cursor returned by a previous page').optional(),
  properties: keyList,
  propertiesWithHistory: keyList,
  associations: keyList,
  archived: booleanFlag,
});

export const getQuery = z.object({
  properties: keyList,
  propertiesWithHistory: keyList,
  associations: keyList,
  archived: booleanFlag,
  idProperty: z.string().optional(),
});

export const createBody = z.object({
  properties: propertyValues,
  associations: z.array(createAssociation).default([]),
  objectWriteTraceId: z.string().optional(),
});

export const updateBody = z.object({ properties: propertyValues, objectWriteTraceId: z.string().optional() });

const idValue = z.union([z.string().min(1), z.number()]).transform(String);

export const batchReadBody = z.object({
  inputs: z.array(z.object({ id: idValue })).max(BATCH_LIMIT),
  properties: z.array(z.string()).default([]),
  propertiesWithHistory: z.array(z.string()).default([]),
  idProperty: z.string().optional(),
});

export const batchCreateBody = z.object({ inputs: z.array(createBody).max(BATCH_LIMIT) });

export const batchUpdateBody = z.object({
  inputs: z
    .array(
      z.object({
        id: idValue,
        properties: propertyValues,
        idProperty: z.string().optional(),
        objectWriteTraceId: z.string().optional(),
      }),
    )
    .max(BATCH_LIMIT),
});

export const mergeBody = z.object({ primaryObjectId: idValue, objectIdToMerge: idValue });

export const batchArchiveBody = z.object({ inputs: z.array(z.object({ id: idValue })).max(BATCH_LIMIT) });
