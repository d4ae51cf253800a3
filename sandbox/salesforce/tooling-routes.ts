import express, { type Router } from 'express';
import { z } from 'zod';
import { apiGuard, contextOf, handle } from './api-guard.ts';
import { SalesforceApiError, notFound } from './errors.ts';
import type { FieldDef, FieldType } from './object-schema.ts';
import type { OrgStore } from './org-store.ts';
import { objectFor, prepareCreate } from './record-operations.ts';
import { recordBodyOf, runRecordWrite } from './rest-records.ts';
import type { SandboxState } from './sandbox-state.ts';

/**
 * Tooling API: `POST /tooling/sobjects/CustomField` adds a custom field to an object (reference
 * §3.2). The new field has no field-level security (§3.4): describe lists it, but queries that name
 * it fail with INVALID_FIELD and writes to it fail until a FieldPermissions row on a permission set
 * grants Read (and Edit). PermissionSet and FieldPermissions can be created here or through the
 * standard `/sobjects/` resources; the stand-in treats every permission set as assigned to every user.
 */

const metadataSchema = z
  .object({
    label: z.string().min(1).max(40),
    type: z.enum([
      'Number',
      'Currency',
      'Percent',
      'Text',
      'TextArea',
      'LongTextArea',
      'Checkbox',
      'Date',
      'DateTime',
      'Picklist',
      'Email',
      'Url',
      'Phone',
    ]),
    precision: z.int().min(1).max(18).optional(),
    scale: z.int().min(0).max(17).optional(),
    length: z.int().min(1).max(131072).optional(),
    description: z.string().optional(),
    inlineHelpText: z.string().optional(),
    required: z.boolean().optional(),
    externalId: z.boolean().optional(),
    defaultValue: z.string().nullable().optional(),
    valueSet: z
      .object({
        restricted: z.boolean().optional(),
        valueSetDefinition: z
          .object({
            value: z.array(
              z
                .object({ fullName: z.string().min(1), default: z.boolean().optional(), label: z.string().optional() })
                .loose(),
            ),
          })
          .loose(),
      })
      .loose()
      .optional(),
  })
  .loose();

const customFieldBody = z.object({
  FullName: z.string().regex(/^\w+\.\w+__c$/, 'FullName must be Object.Field__c'),
  Metadata: metadataSchema,
});

type Metadata = z.infer<typeof metadataSchema>;

const typeMap: Record<Metadata['type'], FieldType> = {
  Number: 'double',
  Currency: 'currency',
  Percent: 'percent',
  Text: 'string',
  TextArea: 'textarea',
  LongTextArea: 'textarea',
  Checkbox: 'boolean',
  Date: 'date',
  DateTime: 'datetime',
  Picklist: 'picklist',
  Email: 'email',
  Url: 'url',
  Phone: 'phone',
};

const integrity = (message: string, fields: string[] = []) =>
  new SalesforceApiError(400, 'FIELD_INTEGRITY_EXCEPTION', message, fields);

function fieldFromMetadata(name: string, metadata: Metadata): FieldDef {
  const type = typeMap[metadata.type];
  const field: FieldDef = { name, label: metadata.label, type, custom: true, needsGrant: true };
  if (type === 'double' || type === 'currency' || type === 'percent') {
    if (metadata.precision === undefined) throw integrity('Length: You must enter a value', ['Metadata.precision']);
    const scale = metadata.scale ?? 0;
    if (scale > metadata.precision) {
      throw integrity('Decimal Places: The decimal places must be less than or equal to the length', [
        'Metadata.scale',
      ]);
    }
    field.precision = metadata.precision;
    field.scale = scale;
  }
  if (type === 'string') {
    if (metadata.length === undefined || metadata.length > 255) {
      throw integrity('Length: The length must be between 1 and 255', ['Metadata.length']);
    }
    field.length = metadata.length;
  }
  if (type === 'textarea') field.length = metadata.length ?? (metadata.type === 'TextArea' ? 255 : 32768);
  if (type === 'email' || type === 'url' || type === 'phone') field.length = 255;
  if (type === 'picklist') {
    const values = metadata.valueSet?.valueSetDefinition.value.map((value) => value.fullName) ?? [];
    if (values.length === 0)
      throw integrity('Values: You must enter at least one picklist value', ['Metadata.valueSet']);
    field.picklistValues = values;
    field.restrictedPicklist = metadata.valueSet?.restricted ?? false;
    field.length = 255;
  }
  if (metadata.required) field.required = true;
  if (metadata.externalId) field.externalId = true;
  return field;
}

function createCustomField(org: OrgStore, body: unknown): string {
  const parsed = customFieldBody.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new SalesforceApiError(
      400,
      'INVALID_FIELD',
      `${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'}`,
    );
  }
  const [objectName, fieldName] = parsed.data.FullName.split('.') as [string, string];
  // Task and Event share their custom fields through Activity; the stand-in keeps Task only.
  const object = org.object(objectName.toLowerCase() === 'activity' ? 'Task' : objectName);
  if (!object) throw integrity(`Object: invalid value ${objectName}`, ['FullName']);
  if (object.fields.has(fieldName.toLowerCase())) {
    // The exact errorCode for an existing field is not documented in the reference.
    throw new SalesforceApiError(
      400,
      'DUPLICATE_DEVELOPER_NAME',
      `duplicate value found: ${parsed.data.FullName} already exists`,
      ['FullName'],
    );
  }
  const field = fieldFromMetadata(fieldName, parsed.data.Metadata);
  object.fields.set(fieldName.toLowerCase(), field);
  for (const record of org.table(object.name).values()) record[field.name] = field.type === 'boolean' ? false : null;
  const id = org.ids.next('00N');
  org.customFields.set(id, { fullName: `${object.name}.${field.name}`, metadata: parsed.data.Metadata });
  return id;
}

export function toolingRouter(state: SandboxState): Router {
  const router = express.Router({ mergeParams: true });

  router.post(
    '/tooling/sobjects/CustomField',
    express.json(),
    apiGuard(state, 'tooling.sobjects'),
    handle((req, res) => {
      const context = contextOf(req);
      res.status(201).json({ id: createCustomField(context.org, req.body), success: true, errors: [] });
    }),
  );

  router.get(
    '/tooling/sobjects/CustomField/:id',
    apiGuard(state, 'tooling.sobjects'),
    handle((req, res) => {
      const context = contextOf(req);
      const field = context.org.customFields.get(req.params.id as string);
      if (!field) throw notFound();
      const [objectName, fieldName] = field.fullName.split('.') as [string, string];
      res.json({
        attributes: {
          type: 'CustomField',
          url: `/services/data/v${context.apiVersion}/tooling/sobjects/CustomField/${String(req.params.id)}`,
        },
        Id: req.params.id,
        FullName: field.fullName,
        TableEnumOrId: objectName,
        DeveloperName: fieldName.replace(/__c$/, ''),
        Metadata: field.metadata,
      });
    }),
  );

  router.post(
    '/tooling/sobjects/:type',
    express.json(),
    apiGuard(state, 'tooling.sobjects'),
    handle((req, res) => {
      const context = contextOf(req);
      const type = req.params.type as string;
      if (!['permissionset', 'fieldpermissions'].includes(type.toLowerCase())) throw notFound();
      const body = recordBodyOf(req.body);
      const id = runRecordWrite(() =>
        prepareCreate(context.org, objectFor(context.org, type), body, context.userId).apply(),
      );
      res.status(201).json({ id, success: true, errors: [] });
    }),
  );

  return router;
}
