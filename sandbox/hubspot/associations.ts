import type { ObjectType } from './object-types.ts';

/**
 * HubSpot-defined association types between the kept objects (ids from the SDK's AssociationTypes
 * enum). Each pair has an unlabeled default type; the company side also has a "Primary" label.
 */
export interface AssociationTypeDef {
  id: number;
  from: ObjectType;
  to: ObjectType;
  /** Null for the unlabeled default type. */
  label: string | null;
  inverse: number;
}

const PAIRS: [ObjectType, ObjectType, number, number][] = [
  ['contacts', 'companies', 279, 280],
  ['deals', 'companies', 341, 342],
  ['tickets', 'companies', 339, 340],
  ['deals', 'contacts', 3, 4],
  ['tickets', 'contacts', 16, 15],
  ['notes', 'companies', 190, 189],
  ['tasks', 'companies', 192, 191],
  ['notes', 'contacts', 202, 201],
  ['tasks', 'contacts', 204, 203],
  ['notes', 'deals', 214, 213],
  ['tasks', 'deals', 216, 215],
  ['notes', 'tickets', 228, 227],
  ['tasks', 'tickets', 230, 229],
];

const PRIMARY: [ObjectType, ObjectType, number, number][] = [
  ['contacts', 'companies', 1, 2],
  ['deals', 'companies', 5, 6],
  ['tickets', 'companies', 26, 25],
];

export const ASSOCIATION_TYPES = new Map<number, AssociationTypeDef>();
/** Every type is registered with its inverse, so either end can name the link. */
function addBothWays([a, b, forward, backward]: [ObjectType, ObjectType, number, number], label: string | null): void {
  ASSOCIATION_TYPES.set(forward, { id: forward, from: a, to: b, label, inverse: backward });
  ASSOCIATION_TYPES.set(backward, { id: backward, from: b, to: a, label, inverse: forward });
}
for (const pair of PAIRS) addBothWays(pair, null);
for (const pair of PRIMARY) addBothWays(pair, 'Primary');

/** The unlabeled default type from one object type to another, if the pair is known. */
export function defaultAssociationType(from: ObjectType, to: ObjectType): AssociationTypeDef | undefined {
  for (const def of ASSOCIATION_TYPES.values()) {
    if (def.from === from && def.to === to && def.label === null) return def;
  }
  return undefined;
}

/** The v3 name of a type, e.g. `company_to_contact`. */
export function associationTypeName(def: AssociationTypeDef, singular: Record<ObjectType, string>): string {
  return `${singular[def.from]}_to_${singular[def.to]}`;
}
