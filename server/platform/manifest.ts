import { readFileSync } from 'node:fs';
import { CronExpressionParser } from 'cron-parser';
import { z } from 'zod';
import { QUEUE_NAMES } from './queue-names.ts';

/** manifest.json: what the app is. HubSpot project files and Salesforce metadata derive from it. */

const identifier = z.string().regex(/^[a-z][a-z0-9_.-]*$/, 'must be lower-case letters, digits, _ . or -');
const scopeList = z.array(z.string().min(1)).refine((list) => new Set(list).size === list.length, {
  message: 'must not repeat a scope',
});

export const APP_OBJECTS = ['accounts', 'contacts', 'deals', 'tickets', 'owners'] as const;
export type AppObject = (typeof APP_OBJECTS)[number];

const objectMapping = <T extends z.ZodType<string>>(crmObject: T) =>
  z.strictObject({ object: z.enum(APP_OBJECTS), crmObject });

const hubspotSchema = z.strictObject({
  propertyGroup: z.strictObject({ name: identifier, label: z.string().min(1) }),
  scopes: z.strictObject({ required: scopeList, optional: scopeList }),
  objects: z.array(objectMapping(z.enum(['companies', 'contacts', 'deals', 'tickets', 'owners']))),
});

const salesforceSchema = z.strictObject({
  namespace: z.string().regex(/^[a-zA-Z][a-zA-Z0-9]{0,14}$/, 'must be 1–15 letters or digits'),
  apiVersion: z.string().regex(/^\d{2,3}\.0$/, 'must look like 66.0'),
  scopes: z.strictObject({ required: scopeList, optional: scopeList }),
  objects: z.array(objectMapping(z.enum(['Account', 'Contact', 'Opportunity', 'Case', 'User']))),
});

const hubspotPropertyName = z.strictObject({
  name: z.string().regex(/^[a-z][a-z0-9_]*$/, 'must be a lower-case HubSpot property name'),
});
const salesforceFieldName = z
  .string()
  .regex(/^[A-Za-z][A-Za-z0-9_]*__c$/, 'must be a custom field API name ending in __c');

const fieldBase = {
  key: z.string().regex(/^[a-z][a-z0-9_]*$/, 'must be snake_case'),
  label: z.string().min(1).max(40),
  description: z.string().min(1),
  hubspot: hubspotPropertyName,
};

const numericField = z.strictObject({
  ...fieldBase,
  type: z.enum(['number', 'currency']),
  salesforce: z.strictObject({
    name: salesforceFieldName,
    precision: z.int().min(1).max(18),
    scale: z.int().min(0).max(17),
  }),
});
const enumerationField = z.strictObject({
  ...fieldBase,
  type: z.literal('enumeration'),
  options: z
    .array(z.strictObject({ value: z.string().regex(/^[a-z][a-z0-9_]*$/), label: z.string().min(1) }))
    .min(2, 'an enumeration needs at least two options'),
  salesforce: z.strictObject({ name: salesforceFieldName }),
});
const textField = z.strictObject({
  ...fieldBase,
  type: z.literal('text'),
  maxLength: z.int().min(1).max(131072),
  salesforce: z.strictObject({ name: salesforceFieldName }),
});
const datetimeField = z.strictObject({
  ...fieldBase,
  type: z.literal('datetime'),
  salesforce: z.strictObject({ name: salesforceFieldName }),
});

export const fieldSchema = z.discriminatedUnion('type', [numericField, enumerationField, textField, datetimeField]);

const cardSchema = z.strictObject({
  id: identifier,
  title: z.string().min(1),
  description: z.string().min(1),
  hubspot: z.strictObject({
    location: z.enum(['crm.record.sidebar', 'crm.record.tab']),
    objectTypes: z.array(z.enum(['companies'])).min(1),
  }),
  salesforce: z.strictObject({
    object: z.literal('Account'),
    canvasApp: z.string().regex(/^[A-Za-z][A-Za-z0-9_]*$/),
  }),
});

const scheduleSchema = z.strictObject({
  id: identifier,
  queue: z.enum(QUEUE_NAMES),
  job: identifier,
  scope: z.enum(['global', 'installation']),
  pattern: z.string().refine((pattern) => {
    try {
      CronExpressionParser.parse(pattern, { tz: 'UTC' });
      return pattern.trim().split(/\s+/).length === 5;
    } catch {
      return false;
    }
  }, 'must be a five-field cron pattern in UTC, e.g. "*/15 * * * *"'),
  description: z.string().min(1),
});

const unique =
  <T>(key: (item: T) => string, what: string) =>
  (items: T[], ctx: z.RefinementCtx) => {
    const seen = new Map<string, number>();
    items.forEach((item, index) => {
      const value = key(item);
      const first = seen.get(value);
      if (first !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: [index],
          message: `${what} "${value}" is already used at index ${first}`,
        });
      } else seen.set(value, index);
    });
  };

export const manifestSchema = z.strictObject({
  $comment: z.string().optional(),
  manifestVersion: z.literal(1),
  app: z.strictObject({
    id: identifier,
    name: z.string().min(1),
    version: z.string().regex(/^\d+\.\d+\.\d+$/, 'must be a semantic version such as 1.2.3'),
    description: z.string().min(1),
    supportEmail: z.email(),
    websiteUrl: z.url({ protocol: /^https$/ }),
  }),
  crms: z.strictObject({ hubspot: hubspotSchema, salesforce: salesforceSchema }),
  fields: z
    .array(fieldSchema)
    .min(1)
    .superRefine(unique((field) => field.key, 'field key'))
    .superRefine(unique((field) => field.hubspot.name, 'HubSpot property name'))
    .superRefine(unique((field) => field.salesforce.name, 'Salesforce field name')),
  cards: z.array(cardSchema).superRefine(unique((card) => card.id, 'card id')),
  schedules: z.array(scheduleSchema).superRefine(unique((schedule) => schedule.id, 'schedule id')),
});

export type Manifest = z.infer<typeof manifestSchema>;
export type ManifestField = z.infer<typeof fieldSchema>;
export type ManifestSchedule = z.infer<typeof scheduleSchema>;

export class ManifestError extends Error {
  constructor(
    readonly source: string,
    readonly problems: readonly string[],
  ) {
    super(`${source} is invalid: ${problems.join('; ')}`);
    this.name = 'ManifestError';
  }
}

/** `fields[0].salesforce.name`: the JSON path a person can find in the file. */
export function jsonPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (typeof segment === 'string' && /^[A-Za-z_$][\w$]*$/.test(segment)) out += out ? `.${segment}` : segment;
    else out += `[${JSON.stringify(String(segment))}]`;
  }
  return out || '(root)';
}

export function parseManifest(value: unknown, source = 'manifest.json'): Manifest {
  const result = manifestSchema.safeParse(value);
  if (!result.success) {
    throw new ManifestError(
      source,
      result.error.issues.map((issue) => `${jsonPath(issue.path)}: ${issue.message}`),
    );
  }
  return result.data;
}

export function loadManifest(file: string): Manifest {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ManifestError(file, [`cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)})`]);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new ManifestError(file, [`is not valid JSON: ${(error as Error).message}`]);
  }
  return parseManifest(value, file);
}
