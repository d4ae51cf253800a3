import { ASSOCIATION_TYPES, type AssociationTypeDef } from './associations.ts';
import type { PropertyValueError } from './errors.ts';
import { OBJECT_TYPES, lastModifiedProperty, type ObjectType } from './object-types.ts';
import {
  isSystemStamped,
  normaliseValue,
  standardProperties,
  type PropertyDef,
  type PropertyGroupDef,
} from './properties.ts';

export interface CrmRecord {
  id: string;
  type: ObjectType;
  properties: Record<string, string>;
  createdAt: number;
  updatedAt: number;
  archived: boolean;
  archivedAt?: number;
  /** Values written through the API, oldest first; loaded records start without one. */
  history?: Map<string, PropertyChange[]>;
  /** With a search index lag: the versions search has yet to catch up with, oldest first. */
  versions?: IndexedVersion[];
}

interface IndexedVersion {
  at: number;
  properties: Record<string, string>;
  archived: boolean;
}

export interface PropertyChange {
  value: string;
  timestamp: number;
}

export interface OwnerRecord {
  id: string;
  email: string;
  firstName: string;
  lastName: string;
  userId: number;
  createdAt: number;
  updatedAt: number;
  archived: boolean;
}

export interface PortalInfo {
  id: number;
  name: string;
  domain: string;
}

/** Object records of one type in id order (ids only grow, so appending keeps the order). */
class ObjectTable {
  readonly byId = new Map<string, CrmRecord>();
  readonly order: CrmRecord[] = [];

  insert(record: CrmRecord): void {
    this.byId.set(record.id, record);
    this.order.push(record);
  }

  /** Index of the first record whose id is at least `id` (binary search on numeric ids). */
  indexFrom(id: number): number {
    let low = 0;
    let high = this.order.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (Number((this.order[mid] as CrmRecord).id) < id) low = mid + 1;
      else high = mid;
    }
    return low;
  }
}

/**
 * Everything one portal holds: objects, property definitions, associations and owners. Routes and
 * the book loader both write here; the loader skips HTTP but not the invariants.
 */
export class PortalStore {
  private nextId = 100_001;
  private nextOwnerId = 70_000_001;
  readonly tables = new Map<ObjectType, ObjectTable>();
  readonly properties = new Map<ObjectType, Map<string, PropertyDef>>();
  readonly groups = new Map<ObjectType, Map<string, PropertyGroupDef>>();
  readonly owners = new Map<string, OwnerRecord>();
  /** `type:id` → toType → toId → association type ids. */
  private readonly links = new Map<string, Map<ObjectType, Map<string, number[]>>>();

  constructor(
    readonly info: PortalInfo,
    now: number,
    /** How long a write takes to reach search (HubSpot: "a few moments"); 0 makes it immediate. */
    readonly searchIndexLagMs = 0,
  ) {
    for (const type of OBJECT_TYPES) {
      this.tables.set(type, new ObjectTable());
      const standard = standardProperties(type, now);
      this.properties.set(type, new Map(standard.properties.map((def) => [def.name, def])));
      this.groups.set(type, new Map(standard.groups.map((group) => [group.name, group])));
    }
  }

  table(type: ObjectType): ObjectTable {
    return this.tables.get(type) as ObjectTable;
  }

  propertyMap(type: ObjectType): Map<string, PropertyDef> {
    return this.properties.get(type) as Map<string, PropertyDef>;
  }

  groupMap(type: ObjectType): Map<string, PropertyGroupDef> {
    return this.groups.get(type) as Map<string, PropertyGroupDef>;
  }

  get(type: ObjectType, id: string): CrmRecord | undefined {
    return this.table(type).byId.get(id);
  }

  /** A live (not archived) record. */
  live(type: ObjectType, id: string): CrmRecord | undefined {
    const record = this.get(type, id);
    return record && !record.archived ? record : undefined;
  }

  /**
   * Checks a property write and returns the stored values, or every failure. On create, `createdate`
   * may be set; the stamped properties never may.
   */
  checkWrite(
    type: ObjectType,
    input: Record<string, string>,
    mode: 'create' | 'update',
  ): { ok: true; values: Record<string, string> } | { ok: false; failures: PropertyValueError[] } {
    const defs = this.propertyMap(type);
    const values: Record<string, string> = {};
    const failures: PropertyValueError[] = [];
    for (const [name, raw] of Object.entries(input)) {
      const def = defs.get(name);
      if (!def) {
        failures.push({ name, error: 'PROPERTY_DOESNT_EXIST', message: `Property "${name}" does not exist` });
        continue;
      }
      if (def.readOnlyValue || isSystemStamped(type, name) || (name === 'createdate' && mode === 'update')) {
        failures.push({
          name,
          error: 'READ_ONLY_VALUE',
          message: `"${name}" is a read only property; its value cannot be set.`,
        });
        continue;
      }
      const checked = normaliseValue(def, raw, (id) => this.owners.has(id));
      if (checked.ok) values[name] = checked.value;
      else failures.push(checked.failure);
    }
    return failures.length > 0 ? { ok: false, failures } : { ok: true, values };
  }

  /** Stores a new record with checked values; `createdate` defaults to now. */
  create(type: ObjectType, values: Record<string, string>, now: number, createdAt?: number): CrmRecord {
    const id = String(this.nextId++);
    const created = createdAt ?? (values.createdate ? Date.parse(values.createdate) : now);
    const record: CrmRecord = {
      id,
      type,
      properties: {
        ...values,
        createdate: new Date(created).toISOString(),
        hs_object_id: id,
        [lastModifiedProperty(type)]: new Date(now).toISOString(),
      },
      createdAt: created,
      updatedAt: now,
      archived: false,
    };
    this.table(type).insert(record);
    recordHistory(record, values, now);
    this.snapshot(record, now);
    return record;
  }

  /**
   * Stores a record with its own history (the book loader): values are trusted and taken over (not
   * copied), times are given.
   */
  insertLoaded(type: ObjectType, values: Record<string, string>, createdAt: number, updatedAt: number): CrmRecord {
    const id = String(this.nextId++);
    values.createdate = new Date(createdAt).toISOString();
    values.hs_object_id = id;
    values[lastModifiedProperty(type)] = new Date(updatedAt).toISOString();
    const record: CrmRecord = { id, type, properties: values, createdAt, updatedAt, archived: false };
    this.table(type).insert(record);
    return record;
  }

  update(record: CrmRecord, values: Record<string, string>, now: number): void {
    this.keepIndexedState(record);
    for (const [name, value] of Object.entries(values)) {
      if (value === '') delete record.properties[name];
      else record.properties[name] = value;
    }
    recordHistory(record, values, now);
    record.properties[lastModifiedProperty(record.type)] = new Date(now).toISOString();
    record.updatedAt = now;
    this.snapshot(record, now);
  }

  archive(record: CrmRecord, now: number): void {
    if (record.archived) return;
    this.keepIndexedState(record);
    record.archived = true;
    record.archivedAt = now;
    record.updatedAt = now;
    this.snapshot(record, now);
  }

  /**
   * The record as search sees it: as it stood `searchIndexLagMs` ago, or undefined when it did not
   * exist yet. Records without pending versions (loaded, or caught up) are read directly.
   */
  searchView(record: CrmRecord, now: number): CrmRecord | undefined {
    const versions = record.versions;
    if (!versions) return record;
    const horizon = now - this.searchIndexLagMs;
    let visible = -1;
    while (visible + 1 < versions.length && (versions[visible + 1] as IndexedVersion).at <= horizon) visible++;
    if (visible < 0) return undefined;
    if (visible === versions.length - 1) {
      // Caught up: search reads the record itself from now on.
      delete record.versions;
      return record;
    }
    if (visible > 0) versions.splice(0, visible);
    const version = versions[0] as IndexedVersion;
    return { ...record, properties: version.properties, archived: version.archived };
  }

  /** Before a write to an indexed record: its current state stays what search sees until the write is indexed. */
  private keepIndexedState(record: CrmRecord): void {
    if (this.searchIndexLagMs <= 0 || record.versions) return;
    record.versions = [
      { at: Number.NEGATIVE_INFINITY, properties: { ...record.properties }, archived: record.archived },
    ];
  }

  private snapshot(record: CrmRecord, now: number): void {
    if (this.searchIndexLagMs <= 0) return;
    record.versions ??= [];
    record.versions.push({ at: now, properties: { ...record.properties }, archived: record.archived });
  }

  /**
   * Merges `merged` into `primary` as HubSpot's merge endpoint does: the primary keeps its id, takes
   * over the merged record's associations and lists its id in `hs_merged_object_ids`; the merged
   * record leaves lists and search and is found only among archived records.
   */
  merge(primary: CrmRecord, merged: CrmRecord, now: number): void {
    const byType = this.links.get(`${merged.type}:${merged.id}`);
    for (const [toType, targets] of byType ?? []) {
      for (const [toId, typeIds] of targets) {
        const to = this.get(toType, toId);
        if (!to || to.id === primary.id) continue;
        for (const typeId of typeIds) {
          const def = ASSOCIATION_TYPES.get(typeId);
          if (def) this.associate(primary, to, def);
        }
        this.dissociate(merged, to);
      }
    }
    const earlier = primary.properties.hs_merged_object_ids;
    const mergedIds = [...(earlier ? earlier.split(';') : []), merged.id];
    const previous = merged.properties.hs_merged_object_ids;
    if (previous) mergedIds.push(...previous.split(';'));
    this.update(primary, { hs_merged_object_ids: mergedIds.join(';') }, now);
    this.archive(merged, now);
  }

  addOwner(owner: Omit<OwnerRecord, 'id' | 'userId'>): OwnerRecord {
    const id = String(this.nextOwnerId++);
    const record: OwnerRecord = { ...owner, id, userId: Number(id) + 1_000_000 };
    this.owners.set(id, record);
    return record;
  }

  /** Links two records with a type and its inverse. */
  associate(from: CrmRecord, to: CrmRecord, def: AssociationTypeDef): void {
    this.link(from, to, def.id);
    this.link(to, from, def.inverse);
  }

  /** Removes every association between two records. */
  dissociate(from: CrmRecord, to: CrmRecord): void {
    this.links.get(`${from.type}:${from.id}`)?.get(to.type)?.delete(to.id);
    this.links.get(`${to.type}:${to.id}`)?.get(from.type)?.delete(from.id);
  }

  /** Associated ids of one type with their type definitions, live targets only, in id order. */
  associations(from: CrmRecord, toType: ObjectType): { id: string; types: AssociationTypeDef[] }[] {
    const targets = this.links.get(`${from.type}:${from.id}`)?.get(toType);
    if (!targets) return [];
    const found: { id: string; types: AssociationTypeDef[] }[] = [];
    for (const [id, typeIds] of targets) {
      if (!this.live(toType, id)) continue;
      const types = typeIds.map((typeId) => ASSOCIATION_TYPES.get(typeId)).filter((d) => d !== undefined);
      found.push({ id, types });
    }
    return found.sort((a, b) => Number(a.id) - Number(b.id));
  }

  private link(from: CrmRecord, to: CrmRecord, typeId: number): void {
    const key = `${from.type}:${from.id}`;
    let byType = this.links.get(key);
    if (!byType) {
      byType = new Map();
      this.links.set(key, byType);
    }
    let targets = byType.get(to.type);
    if (!targets) {
      targets = new Map();
      byType.set(to.type, targets);
    }
    let types = targets.get(to.id);
    if (!types) {
      types = [];
      targets.set(to.id, types);
    }
    if (!types.includes(typeId)) types.push(typeId);
  }
}

function recordHistory(record: CrmRecord, values: Record<string, string>, timestamp: number): void {
  record.history ??= new Map();
  for (const [name, value] of Object.entries(values)) {
    let changes = record.history.get(name);
    if (!changes) {
      changes = [];
      record.history.set(name, changes);
    }
    changes.push({ value, timestamp });
  }
}
