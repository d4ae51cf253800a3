import type { Clock } from '../shared/clock.ts';
import { IdFactory, KEY_PREFIXES, isWellFormedId, toId18 } from './ids.ts';
import { standardSchema, type FieldDef, type ObjectDef } from './object-schema.ts';
import { QueryCursors } from './query-cursors.ts';
import { formatDateTime } from './sf-dates.ts';

/** Field values as the REST API carries them: strings (dates too), numbers, booleans, null. */
export type FieldValue = string | number | boolean | null;
export type SfRecord = Record<string, FieldValue>;

export interface OrgUser {
  id: string;
  username: string;
  email: string;
  firstName: string;
  lastName: string;
}

export interface DeletedEntry {
  id: string;
  deletedAt: number;
}

/**
 * One org's state: its schema (custom fields included), records by object, the delete log, open
 * query cursors and field permission grants. Everything lives in memory.
 */
export class OrgStore {
  readonly schema: Map<string, ObjectDef> = standardSchema();
  private readonly records = new Map<string, Map<string, SfRecord>>();
  private readonly deletedLog = new Map<string, DeletedEntry[]>();
  readonly cursors: QueryCursors;
  /** Custom fields created through Tooling, by their 00N id. */
  readonly customFields = new Map<string, { fullName: string; metadata: unknown }>();
  readonly ids: IdFactory;
  private caseNumber = 0;

  constructor(
    readonly id: string,
    readonly name: string,
    pod: string,
    private readonly clock: Clock,
    /** The org's My Domain URL when fixed; otherwise the origin the stand-in was reached on. */
    readonly instanceUrl?: string,
  ) {
    this.ids = new IdFactory(pod);
    this.cursors = new QueryCursors(clock);
    for (const object of this.schema.values()) this.records.set(object.name, new Map());
  }

  object(type: string): ObjectDef | undefined {
    return this.schema.get(type.toLowerCase());
  }

  table(type: string): Map<string, SfRecord> {
    const table = this.records.get(type);
    if (!table) throw new Error(`no table ${type}`);
    return table;
  }

  /** The object an id belongs to, from its key prefix. */
  typeOfId(id: string): string | undefined {
    const prefix = id.slice(0, 3);
    for (const object of this.schema.values()) if (object.keyPrefix === prefix) return object.name;
    return undefined;
  }

  /** A record by a 15- or 18-character id, deleted ones included. */
  find(id: string): { type: string; record: SfRecord } | undefined {
    if (!isWellFormedId(id)) return undefined;
    const type = this.typeOfId(id);
    if (!type) return undefined;
    const record = this.table(type).get(id.length === 15 ? toId18(id) : id);
    return record ? { type, record } : undefined;
  }

  users(): OrgUser[] {
    return [...this.table('User').values()]
      .filter((user) => user.IsActive !== false)
      .map((user) => ({
        id: user.Id as string,
        username: user.Username as string,
        email: user.Email as string,
        firstName: (user.FirstName as string | null) ?? '',
        lastName: user.LastName as string,
      }));
  }

  /** Whether the field is visible to users of this org (reference §3.4); `edit` asks for write access. */
  canAccess(object: ObjectDef, field: FieldDef, edit = false): boolean {
    if (!field.needsGrant) return true;
    const qualified = `${object.name}.${field.name}`.toLowerCase();
    for (const grant of this.table('FieldPermissions').values()) {
      if (grant.IsDeleted === true || String(grant.Field).toLowerCase() !== qualified) continue;
      if (edit ? grant.PermissionsEdit === true : grant.PermissionsRead === true) return true;
    }
    return false;
  }

  /** Stores a new record; the caller validated `values`. Returns the id. */
  insert(type: string, values: SfRecord, actorId: string, at = this.clock.now(), createdAt = at): string {
    const object = this.object(type);
    if (!object) throw new Error(`unknown object ${type}`);
    const id = this.ids.next(object.keyPrefix);
    const created = formatDateTime(createdAt);
    const record: SfRecord = {};
    for (const field of object.fields.values()) record[field.name] = null;
    Object.assign(record, values, {
      Id: id,
      IsDeleted: false,
      CreatedDate: created,
      CreatedById: actorId,
      LastModifiedDate: formatDateTime(at),
      LastModifiedById: actorId,
      SystemModstamp: formatDateTime(at),
    });
    if ('OwnerId' in record && record.OwnerId === null) record.OwnerId = actorId;
    if (object.name === 'Case') record.CaseNumber = String(++this.caseNumber).padStart(8, '0');
    deriveFields(object.name, record);
    this.table(object.name).set(id, record);
    return id;
  }

  update(type: string, id: string, values: SfRecord, actorId: string): void {
    const record = this.table(type).get(id);
    if (!record) throw new Error(`no ${type} ${id}`);
    const now = formatDateTime(this.clock.now());
    Object.assign(record, values, { LastModifiedDate: now, LastModifiedById: actorId, SystemModstamp: now });
    deriveFields(type, record);
  }

  /**
   * Moves a record to the recycle bin. Deleting an Account also deletes its contacts,
   * opportunities, cases, tasks and notes, as Salesforce does; each appears in getDeleted.
   */
  delete(type: string, id: string, actorId: string): void {
    const record = this.table(type).get(id);
    if (!record) throw new Error(`no ${type} ${id}`);
    const now = this.clock.now();
    Object.assign(record, {
      IsDeleted: true,
      LastModifiedDate: formatDateTime(now),
      LastModifiedById: actorId,
      SystemModstamp: formatDateTime(now),
    });
    let log = this.deletedLog.get(type);
    if (!log) this.deletedLog.set(type, (log = []));
    log.push({ id, deletedAt: now });
    for (const [childType, lookup] of CASCADES[type] ?? []) {
      for (const child of this.table(childType).values()) {
        if (child[lookup] === id && child.IsDeleted !== true) this.delete(childType, child.Id as string, actorId);
      }
    }
  }

  /**
   * Merges records into a master as Salesforce's merge call does (Account, Contact, Case): the
   * children of each merged record move to the master, the merged records go to the recycle bin
   * with `MasterRecordId` set (getDeleted and queryAll see them), and the master is touched.
   */
  merge(type: string, masterId: string, mergedIds: readonly string[], actorId: string): void {
    const object = this.object(type);
    if (!object || !MERGEABLE.includes(object.name)) throw new Error(`${type} records cannot be merged`);
    const table = this.table(object.name);
    const master = table.get(masterId);
    if (!master || master.IsDeleted === true) throw new Error(`no live ${object.name} ${masterId} to merge into`);
    if (mergedIds.length < 1 || mergedIds.length > 2) throw new Error('a merge takes one or two records');
    for (const id of mergedIds) {
      const merged = table.get(id);
      if (!merged || merged.IsDeleted === true || id === masterId)
        throw new Error(`no live ${object.name} ${id} to merge`);
      for (const child of this.schema.values()) {
        for (const lookup of child.fields.values()) {
          if (lookup.type !== 'reference' || !lookup.referenceTo?.includes(object.name) || lookup.system) continue;
          if (lookup.name === 'MasterRecordId') continue;
          for (const row of this.table(child.name).values()) {
            if (row[lookup.name] === id && row.IsDeleted !== true) {
              this.update(child.name, row.Id as string, { [lookup.name]: masterId }, actorId);
            }
          }
        }
      }
      this.delete(object.name, id, actorId);
      merged.MasterRecordId = masterId;
    }
    this.update(object.name, masterId, {}, actorId);
  }

  deletions(type: string): readonly DeletedEntry[] {
    return this.deletedLog.get(type) ?? [];
  }

  /** Drops delete-log entries older than `before`, as Salesforce purges its recycle bin. */
  purgeDeletions(type: string, before: number): void {
    const log = this.deletedLog.get(type);
    if (log)
      this.deletedLog.set(
        type,
        log.filter((entry) => entry.deletedAt >= before),
      );
  }

  newLocator(): string {
    return this.ids.next(KEY_PREFIXES.QueryLocator);
  }
}

/** Objects Salesforce can merge. */
const MERGEABLE = ['Account', 'Contact', 'Case'];

/** Children deleted with their parent: object → [child object, lookup field]. */
const CASCADES: Record<string, [string, string][]> = {
  Account: [
    ['Contact', 'AccountId'],
    ['Opportunity', 'AccountId'],
    ['Case', 'AccountId'],
    ['Task', 'WhatId'],
    ['Note', 'ParentId'],
  ],
};

/** Formula-like fields Salesforce keeps in step with the ones they depend on. */
function deriveFields(type: string, record: SfRecord): void {
  if ('FirstName' in record && 'LastName' in record && 'Name' in record && (type === 'Contact' || type === 'User')) {
    record.Name = [record.FirstName, record.LastName].filter((part) => part).join(' ');
  }
  if (type === 'Opportunity') {
    record.IsWon = record.StageName === 'Closed Won';
    record.IsClosed = record.StageName === 'Closed Won' || record.StageName === 'Closed Lost';
  }
  if (type === 'Case') {
    const closed = record.Status === 'Closed';
    if (closed && record.ClosedDate === null) record.ClosedDate = record.LastModifiedDate ?? null;
    if (!closed) record.ClosedDate = null;
    record.IsClosed = closed;
  }
  if (type === 'User' && record.IsActive === null) record.IsActive = true;
}
