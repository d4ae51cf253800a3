import type { CoreObject, FieldMapping, MappingProvider } from './mapping.ts';

/**
 * Turns CRM records (values as strings, keyed by the CRM's own names) into the product's rows, using
 * the installation's mapping. Pure and total: a value that cannot be read becomes null and is listed
 * in the row's `problems`, so one bad cell never stops a sync.
 */

/** Structurally the same as the CRM layer's CrmRecord. */
export interface RawRecord {
  id: string;
  modifiedAt: number;
  createdAt: number | null;
  archived: boolean;
  properties: Record<string, string | null>;
  associations: Partial<Record<CoreObject, string[]>>;
}

/** A value the mapping pointed at but that could not be read. */
export interface NormaliseProblem {
  /** The product's name for the value (e.g. `arr`). */
  field: string;
  /** The CRM property it came from. */
  property: string;
  value: string;
  reason: string;
}

interface RowBase {
  externalId: string;
  modifiedAt: number;
  createdAt: number | null;
  archived: boolean;
  problems: NormaliseProblem[];
}

export type CustomerStatus = 'active' | 'churned' | 'other';
export type ContactRole = 'champion' | 'executive_sponsor' | 'other';
export type DealStage = 'open' | 'won' | 'lost';
export type DealKind = 'new_business' | 'renewal' | 'expansion' | 'other';
export type TicketPriority = 'low' | 'medium' | 'high' | 'urgent';

export interface AccountRow extends RowBase {
  objectType: 'accounts';
  name: string | null;
  domain: string | null;
  /** Decimal text (exact), as money should travel. */
  arr: string | null;
  /** YYYY-MM-DD. */
  renewalDate: string | null;
  /** The CRM's value as a key: `Mid-Market` and `mid_market` both become `mid_market`. */
  segment: string | null;
  ownerExternalId: string | null;
  csmExternalId: string | null;
  parentExternalId: string | null;
  licences: number | null;
  customerStatus: CustomerStatus | null;
  /** The other CRM's id of the same customer, as a connector keeps it. */
  connectorExternalId: string | null;
}

export interface ContactRow extends RowBase {
  objectType: 'contacts';
  /** The first associated account (HubSpot lists them in association order). */
  accountExternalId: string | null;
  email: string | null;
  firstName: string | null;
  lastName: string | null;
  name: string | null;
  title: string | null;
  role: ContactRole | null;
  departed: boolean;
  /** YYYY-MM-DD. */
  departedOn: string | null;
  /** ms since the epoch. */
  lastEngagedAt: number | null;
  ownerExternalId: string | null;
}

export interface DealRow extends RowBase {
  objectType: 'deals';
  accountExternalId: string | null;
  name: string | null;
  amount: string | null;
  /** YYYY-MM-DD. */
  closeDate: string | null;
  stage: DealStage;
  /** The CRM's own stage value, for display. */
  stageName: string | null;
  kind: DealKind;
  type: string | null;
  pipeline: string | null;
  ownerExternalId: string | null;
  /** The other CRM's id of the same deal, as a connector keeps it. */
  connectorExternalId: string | null;
}

export interface TicketRow extends RowBase {
  objectType: 'tickets';
  accountExternalId: string | null;
  contactExternalId: string | null;
  subject: string | null;
  priority: TicketPriority | null;
  escalated: boolean;
  /** The CRM's own status or pipeline stage value. */
  status: string | null;
  closed: boolean;
  /** ms since the epoch. */
  closedAt: number | null;
  ownerExternalId: string | null;
}

export interface OwnerRow extends RowBase {
  objectType: 'owners';
  email: string | null;
  firstName: string | null;
  lastName: string | null;
  name: string | null;
  active: boolean;
}

export type NormalisedRow = AccountRow | ContactRow | DealRow | TicketRow | OwnerRow;
export type NormalisedRowOf<O extends CoreObject> = Extract<NormalisedRow, { objectType: O }>;

// numeric(18, 2) holds 16 integer digits; anything larger would fail the whole page's transaction.
const MAX_INTEGER_DIGITS = 16;
const MAX_LICENCES = 2_147_483_647;

/** A web address or domain as one comparable host: `https://www.Acme.com/about` → `acme.com`; undefined if it is none. */
export function normaliseDomain(value: string): string | undefined {
  const host = value
    .trim()
    .toLowerCase()
    .replace(/^[a-z][a-z0-9+.-]*:\/\//, '')
    .replace(/[/?#].*$/, '')
    .replace(/:\d+$/, '')
    .replace(/^www\./, '')
    .replace(/\.$/, '');
  return /^[a-z0-9-]+(\.[a-z0-9-]+)+$/.test(host) ? host : undefined;
}

/** Reads one record's mapped values, collecting what could not be read. */
class Reader {
  readonly problems: NormaliseProblem[] = [];
  constructor(private readonly record: RawRecord) {}

  private raw(property: string | null): string | null {
    if (property === null) return null;
    const value = this.record.properties[property];
    if (value === null || value === undefined) return null;
    const trimmed = value.trim();
    return trimmed === '' ? null : trimmed;
  }

  private problem(field: string, property: string, value: string, reason: string): null {
    this.problems.push({ field, property, value, reason });
    return null;
  }

  text(property: string | null): string | null {
    return this.raw(property);
  }

  decimal(field: string, property: string | null): string | null {
    const value = this.raw(property);
    if (value === null || property === null) return null;
    const decimal = toDecimal(value);
    if (decimal === null) return this.problem(field, property, value, 'not a decimal number');
    if (decimal.replace(/^-/, '').split('.')[0]!.length > MAX_INTEGER_DIGITS) {
      return this.problem(field, property, value, 'too large');
    }
    return decimal;
  }

  count(field: string, property: string | null): number | null {
    const decimal = this.decimal(field, property);
    if (decimal === null || property === null) return null;
    const n = Number(decimal);
    if (n < 0 || n > MAX_LICENCES) return this.problem(field, property, decimal, 'out of range');
    if (!Number.isInteger(n)) this.problem(field, property, decimal, 'not a whole number; rounded');
    return Math.round(n);
  }

  day(field: string, property: string | null): string | null {
    const value = this.raw(property);
    if (value === null || property === null) return null;
    const ms = toInstant(value);
    if (ms === null) return this.problem(field, property, value, 'not a date');
    return new Date(ms).toISOString().slice(0, 10);
  }

  instant(field: string, property: string | null): number | null {
    const value = this.raw(property);
    if (value === null || property === null) return null;
    const ms = toInstant(value);
    return ms === null ? this.problem(field, property, value, 'not a date or time') : ms;
  }

  flag(field: string, property: string | null): boolean | null {
    const value = this.raw(property);
    if (value === null || property === null) return null;
    const lower = value.toLowerCase();
    if (lower === 'true' || lower === '1' || lower === 'yes') return true;
    if (lower === 'false' || lower === '0' || lower === 'no') return false;
    return this.problem(field, property, value, 'not true or false');
  }

  domain(field: string, property: string | null): string | null {
    const value = this.raw(property);
    if (value === null || property === null) return null;
    return normaliseDomain(value) ?? this.problem(field, property, value, 'not a domain');
  }

  priority(field: string, property: string | null): TicketPriority | null {
    const value = this.raw(property);
    if (value === null || property === null) return null;
    const lower = value.toLowerCase();
    if (lower === 'low' || lower === 'medium' || lower === 'high' || lower === 'urgent') return lower;
    return this.problem(field, property, value, 'not low, medium, high or urgent');
  }
}

/** Exact decimal text, or null. Accepts what CRMs send for numbers: `1200`, `-3.50`, `.5`, `1.2e3`. */
export function toDecimal(value: string): string | null {
  const match = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d{1,3}))?$/.exec(value.trim());
  if (!match) return null;
  const [, sign = '', whole = '', fraction = '', exponent = '0'] = match;
  if (whole === '' && fraction === '') return null;
  // value = digits × 10^scale
  const digits = (whole + fraction).replace(/^0+/, '');
  if (digits === '') return '0';
  const scale = Number(exponent) - fraction.length;
  if (Math.abs(scale) > 40) return null;
  let intPart: string;
  let fracPart: string;
  if (scale >= 0) {
    intPart = digits + '0'.repeat(scale);
    fracPart = '';
  } else if (digits.length > -scale) {
    intPart = digits.slice(0, scale);
    fracPart = digits.slice(scale);
  } else {
    intPart = '0';
    fracPart = '0'.repeat(-scale - digits.length) + digits;
  }
  fracPart = fracPart.replace(/0+$/, '');
  if (intPart === '0' && fracPart === '') return '0';
  const text = fracPart === '' ? intPart : `${intPart}.${fracPart}`;
  return sign === '-' ? `-${text}` : text;
}

/**
 * ms since the epoch from the three shapes CRMs send: `YYYY-MM-DD` (midnight UTC), ISO instants
 * (Salesforce writes offsets as `+0000`), and epoch milliseconds in text (HubSpot's own format).
 */
export function toInstant(value: string): number | null {
  const text = value.trim();
  if (/^-?\d{1,15}$/.test(text)) return Number(text);
  const day = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (day) {
    const [, y, m, d] = day.map(Number) as [number, number, number, number];
    const ms = Date.UTC(y, m - 1, d);
    const check = new Date(ms);
    // Date.UTC rolls 2026-02-31 over to March; a calendar date must survive the round trip.
    if (check.getUTCFullYear() !== y || check.getUTCMonth() !== m - 1 || check.getUTCDate() !== d) return null;
    return ms;
  }
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/.test(text)) return null;
  const ms = Date.parse(text.replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
  return Number.isNaN(ms) ? null : ms;
}

const keyOf = (value: string) =>
  value
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');

const inList = (value: string | null, list: readonly string[]) =>
  value !== null && list.some((item) => item.trim().toLowerCase() === value.toLowerCase());

const first = (ids: readonly string[] | undefined) => ids?.[0] ?? null;

const joinName = (...parts: (string | null)[]) => {
  const name = parts.filter((part) => part !== null).join(' ');
  return name === '' ? null : name;
};

function base(record: RawRecord) {
  return {
    externalId: record.id,
    modifiedAt: record.modifiedAt,
    createdAt: record.createdAt,
    archived: record.archived,
  };
}

function account(record: RawRecord, m: FieldMapping['accounts']): AccountRow {
  const r = new Reader(record);
  const status = r.text(m.customerStatus);
  const segment = r.text(m.segment);
  return {
    objectType: 'accounts',
    ...base(record),
    name: r.text(m.name),
    domain: r.domain('domain', m.domain),
    arr: r.decimal('arr', m.arr),
    renewalDate: r.day('renewalDate', m.renewalDate),
    segment: segment === null ? null : keyOf(segment) || null,
    ownerExternalId: r.text(m.owner),
    csmExternalId: r.text(m.csm),
    parentExternalId: r.text(m.parent),
    licences: r.count('licences', m.licences),
    customerStatus:
      status === null
        ? null
        : inList(status, m.activeStatuses)
          ? 'active'
          : inList(status, m.churnedStatuses)
            ? 'churned'
            : 'other',
    connectorExternalId: r.text(m.connectorId),
    problems: r.problems,
  };
}

function contact(record: RawRecord, m: FieldMapping['contacts']): ContactRow {
  const r = new Reader(record);
  const role = r.text(m.role);
  const firstName = r.text(m.firstName);
  const lastName = r.text(m.lastName);
  const departedOn = r.day('departedOn', m.departedDate);
  return {
    objectType: 'contacts',
    ...base(record),
    accountExternalId: first(record.associations.accounts),
    email: r.text(m.email)?.toLowerCase() ?? null,
    firstName,
    lastName,
    name: joinName(firstName, lastName),
    title: r.text(m.title),
    role:
      role === null
        ? null
        : inList(role, m.championRoles)
          ? 'champion'
          : inList(role, m.sponsorRoles)
            ? 'executive_sponsor'
            : 'other',
    departed: inList(r.text(m.departed), m.departedValues) || departedOn !== null,
    departedOn,
    lastEngagedAt: r.instant('lastEngagedAt', m.lastEngagement),
    ownerExternalId: r.text(m.owner),
    problems: r.problems,
  };
}

function dealStage(r: Reader, m: FieldMapping['deals'], stageName: string | null): DealStage {
  const won = r.flag('won', m.won);
  if (won === true) return 'won';
  const closed = r.flag('closed', m.closed);
  // The CRM's own computed flags know custom pipelines' stages; the lists are the fallback.
  if (closed !== null) return closed ? 'lost' : 'open';
  if (won === null && inList(stageName, m.wonStages)) return 'won';
  if (inList(stageName, m.lostStages)) return 'lost';
  return 'open';
}

function dealKind(m: FieldMapping['deals'], type: string | null, pipeline: string | null): DealKind {
  if (inList(pipeline, m.renewalPipelines)) return 'renewal';
  if (inList(pipeline, m.expansionPipelines)) return 'expansion';
  if (inList(type, m.renewalTypes)) return 'renewal';
  if (inList(type, m.expansionTypes)) return 'expansion';
  if (inList(type, m.newBusinessTypes)) return 'new_business';
  return 'other';
}

function deal(record: RawRecord, m: FieldMapping['deals']): DealRow {
  const r = new Reader(record);
  const stageName = r.text(m.stage);
  const type = r.text(m.type);
  const pipeline = r.text(m.pipeline);
  return {
    objectType: 'deals',
    ...base(record),
    accountExternalId: first(record.associations.accounts),
    name: r.text(m.name),
    amount: r.decimal('amount', m.amount),
    closeDate: r.day('closeDate', m.closeDate),
    stage: dealStage(r, m, stageName),
    stageName,
    kind: dealKind(m, type, pipeline),
    type,
    pipeline,
    ownerExternalId: r.text(m.owner),
    connectorExternalId: r.text(m.connectorId),
    problems: r.problems,
  };
}

function ticket(record: RawRecord, m: FieldMapping['tickets']): TicketRow {
  const r = new Reader(record);
  const status = r.text(m.status);
  const closedAt = r.instant('closedAt', m.closedDate);
  const closedFlag = r.flag('closed', m.closed);
  return {
    objectType: 'tickets',
    ...base(record),
    accountExternalId: first(record.associations.accounts),
    contactExternalId: first(record.associations.contacts),
    subject: r.text(m.subject),
    priority: r.priority('priority', m.priority),
    escalated: r.flag('escalated', m.escalated) ?? false,
    status,
    closed: closedFlag ?? (m.status !== null ? inList(status, m.closedStatuses) : closedAt !== null),
    closedAt,
    ownerExternalId: r.text(m.owner),
    problems: r.problems,
  };
}

function owner(record: RawRecord, m: FieldMapping['owners']): OwnerRow {
  const r = new Reader(record);
  const firstName = r.text(m.firstName);
  const lastName = r.text(m.lastName);
  return {
    objectType: 'owners',
    ...base(record),
    email: r.text(m.email)?.toLowerCase() ?? null,
    firstName,
    lastName,
    name: r.text(m.name) ?? joinName(firstName, lastName),
    active: !record.archived && r.flag('active', m.active) !== false,
    problems: r.problems,
  };
}

const NORMALISERS: { [O in CoreObject]: (record: RawRecord, mapping: FieldMapping) => NormalisedRowOf<O> } = {
  accounts: (record, mapping) => account(record, mapping.accounts),
  contacts: (record, mapping) => contact(record, mapping.contacts),
  deals: (record, mapping) => deal(record, mapping.deals),
  tickets: (record, mapping) => ticket(record, mapping.tickets),
  owners: (record, mapping) => owner(record, mapping.owners),
};

/**
 * One row per record, in order. The provider is part of the signature so CRM-specific readings can
 * be added without changing callers; today both CRMs' values are read the same way.
 */
export function normaliseRecords<O extends CoreObject>(
  _provider: MappingProvider,
  objectType: O,
  records: readonly RawRecord[],
  mapping: FieldMapping,
): NormalisedRowOf<O>[] {
  const normalise = NORMALISERS[objectType] as (record: RawRecord, mapping: FieldMapping) => NormalisedRowOf<O>;
  return records.map((record) => normalise(record, mapping));
}
