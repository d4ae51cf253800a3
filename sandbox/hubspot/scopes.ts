import type { Request } from 'express';
import { resolveObjectType, type ObjectType } from './object-types.ts';

/**
 * The OAuth scopes a call needs, any one of which will do (from the per-object OpenAPI files):
 * `crm.objects.<type>.read|write` for objects, the legacy `tickets` scope for tickets,
 * `crm.schemas.<type>.read|write` for properties, `crm.objects.owners.read` for owners. Tasks and
 * notes are activities, which HubSpot's activity guides put under the contacts scopes: reading
 * takes `crm.objects.contacts.read` or `.write`, writing takes `crm.objects.contacts.write`.
 */

const CHECKED: readonly ObjectType[] = ['companies', 'contacts', 'deals', 'tickets'];
const ACTIVITIES: readonly ObjectType[] = ['tasks', 'notes'];

function objectScopes(type: ObjectType | undefined, access: 'read' | 'write'): string[] | undefined {
  if (type && ACTIVITIES.includes(type)) {
    return access === 'read'
      ? ['crm.objects.contacts.read', 'crm.objects.contacts.write']
      : ['crm.objects.contacts.write'];
  }
  if (!type || !CHECKED.includes(type)) return undefined;
  return type === 'tickets' ? ['tickets'] : [`crm.objects.${type}.${access}`];
}

function schemaScopes(type: ObjectType | undefined, access: 'read' | 'write'): string[] | undefined {
  if (!type || !CHECKED.includes(type)) return undefined;
  const scopes = [`crm.schemas.${type}.${access}`];
  return type === 'tickets' ? [...scopes, 'tickets'] : scopes;
}

const READS = new Set([
  'crm.objects.list',
  'crm.objects.get',
  'crm.objects.search',
  'crm.objects.batch.read',
  'crm.properties.list',
  'crm.properties.get',
  'crm.properties.groups.list',
  'crm.properties.groups.get',
  'crm.associations.list',
  'crm.associations.batch.read',
]);

/** Undefined when the call needs no particular scope. */
export function requiredScopes(route: string, req: Request): string[] | undefined {
  if (route.startsWith('crm.owners.')) return ['crm.objects.owners.read'];
  const access = READS.has(route) ? 'read' : 'write';
  const param = req.params.objectType ?? req.params.fromObjectType;
  const type = resolveObjectType(typeof param === 'string' ? param : undefined);
  if (route.startsWith('crm.objects.') || route.startsWith('crm.associations.')) return objectScopes(type, access);
  if (route.startsWith('crm.properties.')) return schemaScopes(type, access);
  return undefined;
}
