import express, { type Response, type Router } from 'express';
import { z } from 'zod';
import { crmCall, locals, type SandboxContext } from './context.ts';
import { sendError } from './errors.ts';
import type { ObjectType } from './object-types.ts';
import type { PortalStore } from './portal-store.ts';
import {
  FIELD_TYPES,
  FIELD_TYPES_BY_TYPE,
  PROPERTY_TYPES,
  type PropertyDef,
  type PropertyOption,
  type PropertyGroupDef,
} from './properties.ts';
import { booleanFlag } from './request-schemas.ts';
import { objectTypeParam, parseInput } from './route-input.ts';

/**
 * Properties and property groups: list, get, create (409 on duplicates) and update. Route names:
 * `crm.properties.<operation>` and `crm.properties.groups.<operation>`.
 */

const name = z
  .string()
  .regex(/^[a-z][a-z0-9_]*$/, 'must start with a letter and hold only lowercase letters, digits and _');

const optionInput = z.object({
  label: z.string().min(1),
  value: z.string().min(1),
  hidden: z.boolean().default(false),
  displayOrder: z.int().default(-1),
  description: z.string().optional(),
});

const propertyCreate = z.object({
  name,
  label: z.string().min(1),
  type: z.enum(PROPERTY_TYPES),
  fieldType: z.enum(FIELD_TYPES),
  groupName: z.string().min(1),
  description: z.string().default(''),
  options: z.array(optionInput).default([]),
  displayOrder: z.int().default(-1),
  hasUniqueValue: z.boolean().default(false),
  hidden: z.boolean().default(false),
  formField: z.boolean().default(false),
});

const propertyUpdate = propertyCreate
  .pick({
    label: true,
    groupName: true,
    description: true,
    options: true,
    displayOrder: true,
    hidden: true,
    formField: true,
  })
  .partial();

const groupCreate = z.object({ name, label: z.string().min(1), displayOrder: z.int().default(-1) });

export function presentProperty(def: PropertyDef) {
  return {
    name: def.name,
    label: def.label,
    type: def.type,
    fieldType: def.fieldType,
    groupName: def.groupName,
    description: def.description,
    options: def.options,
    displayOrder: def.displayOrder,
    hasUniqueValue: def.hasUniqueValue,
    hidden: def.hidden,
    formField: def.formField,
    calculated: false,
    externalOptions: false,
    hubspotDefined: def.hubspotDefined,
    archived: false,
    createdAt: new Date(def.createdAt).toISOString(),
    updatedAt: new Date(def.updatedAt).toISOString(),
    modificationMetadata: {
      archivable: !def.hubspotDefined,
      readOnlyDefinition: def.hubspotDefined,
      readOnlyOptions: false,
      readOnlyValue: def.readOnlyValue,
    },
  };
}

function presentGroup(group: PropertyGroupDef) {
  return { name: group.name, label: group.label, displayOrder: group.displayOrder, archived: false };
}

/** Type, field type and options must agree; a message when they do not. */
export function definitionProblem(def: {
  name: string;
  type: PropertyDef['type'];
  fieldType: PropertyDef['fieldType'];
  options: readonly { value: string }[];
}): string | undefined {
  if (!FIELD_TYPES_BY_TYPE[def.type].includes(def.fieldType)) {
    return `Property ${def.name} of type ${def.type} can not have field type ${def.fieldType}. Allowed field types: ${FIELD_TYPES_BY_TYPE[def.type].join(', ')}`;
  }
  if (def.type === 'enumeration' && def.options.length === 0) {
    return `Enumeration property ${def.name} must have at least one option`;
  }
  if (def.type !== 'enumeration' && def.options.length > 0) {
    return `Only enumeration properties can have options; ${def.name} is of type ${def.type}`;
  }
  const values = def.options.map((option) => option.value);
  const repeated = values.find((value, index) => values.indexOf(value) !== index);
  if (repeated !== undefined) return `Option values must be unique; "${repeated}" appears more than once`;
  return undefined;
}

/** Options as stored: an option sent without a description keeps no `description` key. */
function storedOptions(options: readonly z.infer<typeof optionInput>[]): PropertyOption[] {
  return options.map(({ description, ...option }) => (description === undefined ? option : { ...option, description }));
}

function groupProblem(portal: PortalStore, type: ObjectType, groupName: string): string | undefined {
  return portal.groupMap(type).has(groupName) ? undefined : `Property group ${groupName} does not exist.`;
}

function sendPropertyNotFound(res: Response, name: unknown): void {
  sendError(res, 404, 'OBJECT_NOT_FOUND', `Property ${String(name)} does not exist`);
}

export function propertiesRouter(ctx: SandboxContext): Router {
  const router = express.Router();

  router.get(
    '/crm/v3/properties/:objectType/groups',
    ...crmCall(ctx, 'crm.properties.groups.list', 'standard', (req, res) => {
      const type = objectTypeParam(req, res);
      if (!type) return;
      res.json({ results: [...locals(res).portal.groupMap(type).values()].map(presentGroup) });
    }),
  );

  router.post(
    '/crm/v3/properties/:objectType/groups',
    express.json(),
    ...crmCall(ctx, 'crm.properties.groups.create', 'standard', (req, res) => {
      const type = objectTypeParam(req, res);
      const parsed = type && parseInput(groupCreate, req.body, res);
      if (!type || !parsed) return;
      const groups = locals(res).portal.groupMap(type);
      if (groups.has(parsed.name)) {
        sendError(res, 409, 'OBJECT_ALREADY_EXISTS', `A property group named '${parsed.name}' already exists.`);
        return;
      }
      groups.set(parsed.name, parsed);
      res.status(201).json(presentGroup(parsed));
    }),
  );

  router.get(
    '/crm/v3/properties/:objectType/groups/:groupName',
    ...crmCall(ctx, 'crm.properties.groups.get', 'standard', (req, res) => {
      const type = objectTypeParam(req, res);
      if (!type) return;
      const group = locals(res)
        .portal.groupMap(type)
        .get(req.params.groupName as string);
      if (!group)
        sendError(res, 404, 'OBJECT_NOT_FOUND', `Property group ${String(req.params.groupName)} does not exist`);
      else res.json(presentGroup(group));
    }),
  );

  router.get(
    '/crm/v3/properties/:objectType',
    ...crmCall(ctx, 'crm.properties.list', 'standard', (req, res) => {
      const type = objectTypeParam(req, res);
      const query = type && parseInput(z.object({ archived: booleanFlag }), req.query, res);
      if (!type || !query) return;
      // Archived properties are not kept, so the archived listing is empty.
      const defs = query.archived ? [] : [...locals(res).portal.propertyMap(type).values()];
      res.json({ results: defs.map(presentProperty) });
    }),
  );

  router.post(
    '/crm/v3/properties/:objectType',
    express.json(),
    ...crmCall(ctx, 'crm.properties.create', 'standard', (req, res) => {
      const type = objectTypeParam(req, res);
      const input = type && parseInput(propertyCreate, req.body, res);
      if (!type || !input) return;
      const { portal } = locals(res);
      const defs = portal.propertyMap(type);
      if (defs.has(input.name)) {
        sendError(res, 409, 'OBJECT_ALREADY_EXISTS', `A property named '${input.name}' already exists.`, {
          context: { name: [input.name] },
        });
        return;
      }
      const problem = groupProblem(portal, type, input.groupName) ?? definitionProblem(input);
      if (problem) {
        sendError(res, 400, 'VALIDATION_ERROR', problem);
        return;
      }
      const now = ctx.clock.now();
      const def: PropertyDef = {
        ...input,
        options: storedOptions(input.options),
        hubspotDefined: false,
        readOnlyValue: false,
        createdAt: now,
        updatedAt: now,
      };
      defs.set(def.name, def);
      res.status(201).json(presentProperty(def));
    }),
  );

  router.get(
    '/crm/v3/properties/:objectType/:propertyName',
    ...crmCall(ctx, 'crm.properties.get', 'standard', (req, res) => {
      const type = objectTypeParam(req, res);
      if (!type) return;
      const def = locals(res)
        .portal.propertyMap(type)
        .get(req.params.propertyName as string);
      if (!def) sendPropertyNotFound(res, req.params.propertyName);
      else res.json(presentProperty(def));
    }),
  );

  router.patch(
    '/crm/v3/properties/:objectType/:propertyName',
    express.json(),
    ...crmCall(ctx, 'crm.properties.update', 'standard', (req, res) => {
      const type = objectTypeParam(req, res);
      const parsed = type && parseInput(propertyUpdate, req.body, res);
      if (!type || !parsed) return;
      const { portal } = locals(res);
      const def = portal.propertyMap(type).get(req.params.propertyName as string);
      if (!def) {
        sendPropertyNotFound(res, req.params.propertyName);
        return;
      }
      if (def.hubspotDefined) {
        sendError(
          res,
          400,
          'VALIDATION_ERROR',
          `Property ${def.name} is defined by HubSpot and its definition is read only.`,
        );
        return;
      }
      const { options, ...rest } = parsed;
      const next: PropertyDef = { ...def };
      for (const [key, value] of Object.entries(rest)) if (value !== undefined) Object.assign(next, { [key]: value });
      if (options) next.options = storedOptions(options);
      const problem = groupProblem(portal, type, next.groupName) ?? definitionProblem(next);
      if (problem) {
        sendError(res, 400, 'VALIDATION_ERROR', problem);
        return;
      }
      next.updatedAt = ctx.clock.now();
      portal.propertyMap(type).set(def.name, next);
      res.json(presentProperty(next));
    }),
  );

  return router;
}
