import type { Random } from '../shared/random.ts';
import type { Account, Contact, CrmBook, Deal, Ticket } from './book.ts';
import { COMPANY_PREFIXES } from './names.ts';
import { streamFor } from './streams.ts';

/**
 * One book split into what a HubSpot portal and a Salesforce org hold when both run at the same
 * customer base, as HubSpot's Salesforce connector leaves them. Every customer is in both CRMs and
 * falls in one group, by how its two records can be recognised as the same customer:
 * - `connector`: the HubSpot company carries the Salesforce Account id (filled in at load time);
 *   names and domains may have drifted apart, the id decides;
 * - `domain`: no connector id; both hold the same domain, written differently;
 * - `name`: no connector id; the domains differ (or HubSpot has none) and the names are variants.
 * A few planted look-alikes (distinct customers with near-identical names and domains, in one CRM
 * only) catch a matcher that links on names or loose domains by itself.
 *
 * Deals: Salesforce holds every deal of a connector-linked customer and HubSpot a mirrored share of
 * them; other customers' deals are in one CRM or the other, never both. Tickets are HubSpot's only
 * (service runs there); contacts are in both. The HubSpot side has its own row ids (`hs-acc-…`) in
 * its own order, so nothing but the planned signals ties its records to Salesforce's.
 */

export const LINK_GROUPS = ['connector', 'domain', 'name'] as const;
export type LinkGroup = (typeof LINK_GROUPS)[number];
export type LinkShares = Record<LinkGroup, number>;

export const DEFAULT_LINK_SHARES: LinkShares = { connector: 0.7, domain: 0.2, name: 0.1 };

export interface LinkOptions {
  seed: number;
  shares?: LinkShares;
  /** Of a connector-linked customer's deals, the share the connector mirrored into HubSpot. */
  mirroredDealShare?: number;
  /** Of other customers' deals, the share held in HubSpot (the rest are in Salesforce). */
  hubspotDealShare?: number;
  /** Planted look-alike customers, as a share of the book's accounts (at least two: one per CRM). */
  lookAlikeShare?: number;
}

/** How a customer's HubSpot name differs from its Salesforce name. */
export type NameDrift =
  | 'same'
  | 'legal_form'
  | 'no_legal_form'
  | 'case'
  | 'corporation'
  | 'ampersand'
  | 'diacritics'
  | 'trailing_word'
  | 'renamed';

/** How a customer's HubSpot domain differs from its Salesforce website. */
export type DomainDrift = 'same' | 'written_differently' | 'different' | 'none';

export interface LinkedCustomer {
  /** The customer's id in the source book; planted look-alikes get a new one. */
  bookId: string;
  /** Look-alikes are in one CRM only. */
  group: LinkGroup | 'hubspot_only' | 'salesforce_only';
  /** Its account row id in each side's book; null where the customer is not in that CRM. */
  hubspotBookId: string | null;
  salesforceBookId: string | null;
  /** How the HubSpot record drifted from the Salesforce one (`same` for look-alikes, which have one record). */
  nameDrift: NameDrift;
  domainDrift: DomainDrift;
  /** For a planted look-alike: the customer whose name and domain it imitates. */
  resembles: string | null;
}

export interface LinkedDeal {
  /** The deal's id in the source book. */
  bookId: string;
  customerBookId: string;
  where: 'both' | 'hubspot' | 'salesforce';
  hubspotBookId: string | null;
  salesforceBookId: string | null;
}

/**
 * Two different customers a matcher must not link: a planted look-alike and its original, or two
 * customers whose names are the same once legal forms, case and punctuation are set aside.
 */
export interface HardNegative {
  a: string;
  b: string;
  kind: 'look_alike' | 'same_name_key';
}

/** What was planted: for tests and evaluations only, never for the product. */
export interface LinkPlan {
  seed: number;
  shares: LinkShares;
  customers: LinkedCustomer[];
  deals: LinkedDeal[];
  hardNegatives: HardNegative[];
}

export interface LinkedBook {
  hubspot: CrmBook;
  salesforce: CrmBook;
  plan: LinkPlan;
}

type Weighted<T> = readonly (readonly [T, number])[];

const NAME_DRIFT: Record<LinkGroup, Weighted<NameDrift>> = {
  connector: [
    ['same', 0.65],
    ['legal_form', 0.1],
    ['no_legal_form', 0.1],
    ['case', 0.05],
    ['renamed', 0.1],
  ],
  domain: [
    ['same', 0.5],
    ['legal_form', 0.2],
    ['no_legal_form', 0.15],
    ['case', 0.15],
  ],
  name: [
    ['legal_form', 0.2],
    ['no_legal_form', 0.15],
    ['case', 0.1],
    ['corporation', 0.1],
    ['ampersand', 0.1],
    ['diacritics', 0.15],
    ['trailing_word', 0.2],
  ],
};

const DOMAIN_DRIFT: Record<LinkGroup, Weighted<DomainDrift>> = {
  connector: [
    ['same', 0.6],
    ['written_differently', 0.25],
    ['different', 0.1],
    ['none', 0.05],
  ],
  domain: [['written_differently', 1]],
  name: [
    ['different', 0.75],
    ['none', 0.25],
  ],
};

/** How each CRM writes a legal form other than the book's own spelling. */
const LEGAL_FORMS: Readonly<Record<string, readonly string[]>> = {
  Inc: [', Inc.', ' Inc.', ' Incorporated'],
  Ltd: [' Ltd.', ' Limited'],
  GmbH: [' Gmbh', ' G.m.b.H.'],
  Group: [' Grp', ' Grp.'],
  Co: [' Co.', ' & Co.', ' Company'],
  LLC: [', LLC', ' L.L.C.'],
  SA: [' S.A.', ', S.A.'],
  AG: [' A.G.', ', AG'],
  PLC: [' plc', ' Public Limited Company'],
  BV: [' B.V.', ' b.v.'],
};

/** Founders' names spelled with marks CRMs and imports often lose or transliterate. */
const ACCENTED = ['Müller', 'Köhler', 'Jäger', 'Brückner', 'Søndergaard', 'Peña', 'Gonçalves', 'Lefèvre'];
const TRANSLITERATION: Readonly<Record<string, string>> = { ä: 'ae', ö: 'oe', ü: 'ue', ø: 'oe' };
const TRAILING_WORDS = ['Group', 'Holdings', 'International'];
const REGIONS = ['de', 'uk', 'fr', 'eu', 'us', 'nl'];
const DISTINGUISHING_WORDS = ['Digital', 'Global', 'Direct', 'One'];

/** Words a name key leaves out: legal forms and the trailing words companies add or drop. */
const KEY_NOISE = new Set([
  ...Object.keys(LEGAL_FORMS).map((form) => form.toLowerCase()),
  'grp',
  'incorporated',
  'limited',
  'company',
  'corporation',
  'corp',
  'holdings',
  'international',
  'public',
  'and',
]);

/** A name as a loose comparison sees it: no case, marks, punctuation, legal forms or trailing words. */
export function nameKey(name: string): string {
  return stripMarks(name)
    .toLowerCase()
    .replace(/\./g, '')
    .replace(/&/g, ' and ')
    .replace(/[^a-z0-9]+/g, ' ')
    .split(' ')
    .filter((word) => word !== '' && !KEY_NOISE.has(word))
    .join(' ');
}

function stripMarks(text: string): string {
  return text.normalize('NFD').replace(/\p{M}/gu, '').replace(/ø/g, 'o').replace(/Ø/g, 'O');
}

/** German-style spelling without marks (`Müller` → `Mueller`); other marks are dropped. */
function transliterate(text: string): string {
  return stripMarks(text.replace(/[äöüø]/g, (char) => TRANSLITERATION[char] ?? char));
}

interface NameParts {
  /** The name without its legal form: `Acme Analytics`. */
  base: string;
  /** The book's legal form (`Inc`), or null. */
  legal: string | null;
  first: string;
  /** The base after its first word (`Analytics`), possibly empty. */
  rest: string;
}

function partsOf(name: string): NameParts {
  const words = name.split(' ');
  const last = words.at(-1) ?? '';
  const legal = words.length > 1 && last in LEGAL_FORMS ? last : null;
  const baseWords = legal ? words.slice(0, -1) : words;
  return {
    base: baseWords.join(' '),
    legal,
    first: baseWords[0] ?? '',
    rest: baseWords.slice(1).join(' '),
  };
}

const join = (...parts: (string | null)[]) => parts.filter((part) => part !== null && part !== '').join(' ');

/** The names the two CRMs hold for one customer, `[salesforce, hubspot]`. */
function driftName(random: Random, name: string, drift: NameDrift): [string, string] {
  const { base, legal, first, rest } = partsOf(name);
  const swap = (pair: [string, string]): [string, string] => (random.chance(0.5) ? pair : [pair[1], pair[0]]);
  switch (drift) {
    case 'same':
      return [name, name];
    case 'legal_form':
      return [name, legal ? base + random.pick(LEGAL_FORMS[legal] as readonly string[]) : `${name} Inc.`];
    case 'no_legal_form':
      return legal ? [name, base] : [`${name} Ltd`, name];
    case 'case':
      return [name, random.chance(0.5) ? name.toUpperCase() : join(first.toUpperCase(), rest, legal)];
    case 'corporation':
      return swap([`${base} Corporation`, `${base} Corp`]);
    case 'ampersand': {
      const partner = random.pick(COMPANY_PREFIXES.filter((prefix) => prefix !== first));
      return swap([join(first, '&', partner, rest, legal), join(first, 'and', partner, rest)]);
    }
    case 'diacritics': {
      const accented = random.pick(ACCENTED);
      const plain = random.chance(0.5) ? stripMarks(accented) : transliterate(accented);
      return [join(accented, rest, legal), join(plain, rest, random.chance(0.5) ? legal : null)];
    }
    case 'trailing_word':
      return swap([name, join(base, random.pick(TRAILING_WORDS.filter((word) => word !== legal)))]);
    case 'renamed':
      return [name, join(random.pick(COMPANY_PREFIXES.filter((prefix) => prefix !== first)), rest, legal)];
  }
}

/** The same domain as two hands write it: `[salesforce, hubspot]`, never the same text. */
function rewriteDomain(random: Random, domain: string): [string, string] {
  const salesforce = random.pick([domain, `www.${domain}`, `https://www.${domain}/`, `http://${domain}`]);
  const hubspot = random.pick(
    [domain.toUpperCase(), `www.${domain}`, `WWW.${domain.toUpperCase()}`, `https://${domain}/`].filter(
      (form) => form !== salesforce,
    ),
  );
  return [salesforce, hubspot];
}

/** Another domain of the same customer: a regional or a marketing one. */
function otherDomain(random: Random, domain: string): string {
  const dot = domain.indexOf('.');
  const label = dot < 0 ? domain : domain.slice(0, dot);
  const tld = dot < 0 ? 'example' : domain.slice(dot + 1);
  const core = label.includes('-') ? label.slice(0, label.lastIndexOf('-')) : label;
  const other = random.pick([`${core}-${random.pick(REGIONS)}.${tld}`, `get${core}.${tld}`, `${core}hq.${tld}`]);
  return other === domain ? `get${label}.${tld}` : other;
}

/** `[salesforce domain, hubspot domain]`; an empty HubSpot domain means the company has none. */
function driftDomain(random: Random, domain: string, drift: DomainDrift): [string, string] {
  switch (drift) {
    case 'same':
      return [domain, domain];
    case 'written_differently':
      return rewriteDomain(random, domain);
    case 'different':
      return [domain, otherDomain(random, domain)];
    case 'none':
      return [domain, ''];
  }
}

/** Whole counts per group that add up to `total` (largest remainder). */
function groupCounts(shares: LinkShares, total: number): Record<LinkGroup, number> {
  const exact = LINK_GROUPS.map((group) => shares[group] * total);
  const counts = exact.map(Math.floor);
  const order = LINK_GROUPS.map((_, i) => i).sort((a, b) => exact[b]! - counts[b]! - (exact[a]! - counts[a]!));
  for (let i = 0; counts.reduce((sum, n) => sum + n, 0) < total; i++) counts[order[i % order.length]!]!++;
  return { connector: counts[0]!, domain: counts[1]!, name: counts[2]! };
}

function shuffle<T>(random: Random, items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = random.int(0, i);
    [items[i], items[j]] = [items[j] as T, items[i] as T];
  }
  return items;
}

function checkShares(shares: LinkShares): void {
  const values = LINK_GROUPS.map((group) => shares[group]);
  if (values.some((share) => !(share >= 0)) || Math.abs(values.reduce((sum, share) => sum + share, 0) - 1) > 1e-9) {
    throw new Error(`link shares must be non-negative and add up to 1, got ${JSON.stringify(shares)}`);
  }
}

function checkShare(name: string, share: number): void {
  if (!(share >= 0 && share <= 1)) throw new Error(`${name} must be between 0 and 1, got ${share}`);
}

/** A distinct customer with a near-identical name: a plural made singular, or one word more. */
function lookAlikeName(random: Random, name: string): string {
  const { base, legal } = partsOf(name);
  const words = base.split(' ');
  const last = words.at(-1) ?? '';
  if (last.length > 3 && last.endsWith('s') && random.chance(0.7)) {
    return join([...words.slice(0, -1), last.slice(0, -1)].join(' '), legal);
  }
  return join(base, random.pick(DISTINGUISHING_WORDS), legal);
}

function slug(text: string): string {
  return stripMarks(text)
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '');
}

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const map = new Map<string, T[]>();
  for (const item of items) {
    const list = map.get(key(item));
    if (list) list.push(item);
    else map.set(key(item), [item]);
  }
  return map;
}

/** Deal names start with the account's name; each CRM's deals carry its own name for the customer. */
function renameDeal(deal: Deal, from: string, to: string): string {
  return from !== to && deal.name.startsWith(from) ? to + deal.name.slice(from.length) : deal.name;
}

/** Puts every account after its parent, keeping the given order otherwise (the HubSpot loader needs parents first). */
function parentsFirst(accounts: readonly Account[]): Account[] {
  const byId = new Map(accounts.map((account) => [account.id, account]));
  const placed = new Set<string>();
  const ordered: Account[] = [];
  const place = (account: Account) => {
    if (placed.has(account.id)) return;
    placed.add(account.id);
    const parent = account.parentId === null ? undefined : byId.get(account.parentId);
    if (parent) place(parent);
    ordered.push(account);
  };
  for (const account of accounts) place(account);
  return ordered;
}

interface CustomerSides {
  link: LinkedCustomer;
  salesforce: Account | null;
  /** With the source book's ids; renumbered when the HubSpot book is assembled. */
  hubspot: Account | null;
}

/** Splits a book into its HubSpot and Salesforce sides (see the top of this file). Pure and seeded. */
export function linkBook(book: CrmBook, options: LinkOptions): LinkedBook {
  const seed = options.seed;
  const shares = options.shares ?? DEFAULT_LINK_SHARES;
  const mirroredDealShare = options.mirroredDealShare ?? 0.6;
  const hubspotDealShare = options.hubspotDealShare ?? 0.5;
  const lookAlikeShare = options.lookAlikeShare ?? 0.01;
  checkShares(shares);
  checkShare('mirroredDealShare', mirroredDealShare);
  checkShare('hubspotDealShare', hubspotDealShare);
  checkShare('lookAlikeShare', lookAlikeShare);
  const bookStream = (concern: string) => streamFor(seed, 'linked-book', concern);

  const counts = groupCounts(shares, book.accounts.length);
  const groupOf = new Map<string, LinkGroup>();
  const dealt = shuffle(bookStream('groups'), [...book.accounts]);
  let next = 0;
  for (const group of LINK_GROUPS) {
    for (let i = 0; i < counts[group]; i++) groupOf.set((dealt[next++] as Account).id, group);
  }

  const sides: CustomerSides[] = book.accounts.map((account) => {
    const group = groupOf.get(account.id) as LinkGroup;
    const random = streamFor(seed, account.id, 'link');
    const nameDrift = random.weighted(NAME_DRIFT[group]);
    const domainDrift = random.weighted(DOMAIN_DRIFT[group]);
    const [salesforceName, hubspotName] = driftName(random, account.name, nameDrift);
    const [salesforceDomain, hubspotDomain] = driftDomain(random, account.domain, domainDrift);
    return {
      link: {
        bookId: account.id,
        group,
        hubspotBookId: null,
        salesforceBookId: account.id,
        nameDrift,
        domainDrift,
        resembles: null,
      },
      salesforce: { ...account, name: salesforceName, domain: salesforceDomain },
      hubspot: { ...account, name: hubspotName, domain: hubspotDomain },
    };
  });

  sides.push(...plantLookAlikes(book, sides, bookStream('look-alikes'), lookAlikeShare));

  // Salesforce: the book's order, with Salesforce-only look-alikes inserted at random places.
  const placement = bookStream('salesforce-order');
  const salesforceAccounts: Account[] = [];
  for (const side of sides) {
    if (!side.salesforce) continue;
    if (side.link.group === 'salesforce_only') {
      salesforceAccounts.splice(placement.int(0, salesforceAccounts.length), 0, side.salesforce);
    } else salesforceAccounts.push(side.salesforce);
  }

  // HubSpot: its own order and its own ids.
  const hubspotSource = parentsFirst(
    shuffle(
      bookStream('hubspot-order'),
      sides.flatMap((side) => (side.hubspot ? [side.hubspot] : [])),
    ),
  );
  const hubspotAccountId = new Map(
    hubspotSource.map((account, index) => [account.id, `hs-acc-${String(index + 1).padStart(5, '0')}`]),
  );
  for (const side of sides) {
    if (side.hubspot) side.link.hubspotBookId = hubspotAccountId.get(side.hubspot.id) as string;
  }

  // The connector mirrors some of a linked customer's opportunities; other deals live in one CRM.
  const dealsOf = groupBy(book.deals, (deal) => deal.accountId);
  const where = new Map<string, LinkedDeal['where']>();
  for (const side of sides) {
    const random = streamFor(seed, side.link.bookId, 'link-deals');
    for (const deal of dealsOf.get(side.link.bookId) ?? []) {
      if (side.link.group === 'connector') where.set(deal.id, random.chance(mirroredDealShare) ? 'both' : 'salesforce');
      else where.set(deal.id, random.chance(hubspotDealShare) ? 'hubspot' : 'salesforce');
    }
  }

  const originalNames = new Map(book.accounts.map((account) => [account.id, account.name]));
  const { hubspot, hubspotDealId } = hubspotBook(book, hubspotSource, hubspotAccountId, where, originalNames);
  const salesforceNames = new Map(salesforceAccounts.map((account) => [account.id, account.name]));
  const salesforce: CrmBook = {
    meta: { ...book.meta, accounts: salesforceAccounts.length },
    owners: book.owners,
    accounts: salesforceAccounts,
    contacts: book.contacts,
    deals: book.deals
      .filter((deal) => where.get(deal.id) !== 'hubspot')
      .map((deal) => ({
        ...deal,
        name: renameDeal(
          deal,
          originalNames.get(deal.accountId) as string,
          salesforceNames.get(deal.accountId) as string,
        ),
      })),
    tickets: [],
  };

  const deals: LinkedDeal[] = book.deals.map((deal) => {
    const at = where.get(deal.id) as LinkedDeal['where'];
    return {
      bookId: deal.id,
      customerBookId: deal.accountId,
      where: at,
      hubspotBookId: hubspotDealId.get(deal.id) ?? null,
      salesforceBookId: at === 'hubspot' ? null : deal.id,
    };
  });

  return {
    hubspot,
    salesforce,
    plan: {
      seed,
      shares,
      customers: sides.map((side) => side.link),
      deals,
      hardNegatives: hardNegatives(sides),
    },
  };
}

/**
 * The HubSpot side: its accounts in the order given, each followed by its contacts, the deals it
 * holds and its tickets, all renumbered in HubSpot's own id space.
 */
function hubspotBook(
  book: CrmBook,
  accounts: readonly Account[],
  accountIds: ReadonlyMap<string, string>,
  where: ReadonlyMap<string, LinkedDeal['where']>,
  originalNames: ReadonlyMap<string, string>,
): { hubspot: CrmBook; hubspotDealId: Map<string, string> } {
  const contactsOf = groupBy(book.contacts, (contact) => contact.accountId);
  const dealsOf = groupBy(book.deals, (deal) => deal.accountId);
  const ticketsOf = groupBy(book.tickets, (ticket) => ticket.accountId);
  const contactIds = new Map<string, string>();
  const dealIds = new Map<string, string>();
  const hubspot: CrmBook = {
    meta: { ...book.meta, accounts: accounts.length },
    owners: book.owners,
    accounts: [],
    contacts: [],
    deals: [],
    tickets: [],
  };
  for (const source of accounts) {
    const accountId = accountIds.get(source.id) as string;
    hubspot.accounts.push({
      ...source,
      id: accountId,
      parentId: source.parentId === null ? null : (accountIds.get(source.parentId) ?? null),
    });
    for (const contact of contactsOf.get(source.id) ?? []) {
      const id = `hs-con-${hubspot.contacts.length + 1}`;
      contactIds.set(contact.id, id);
      hubspot.contacts.push({ ...contact, id, accountId } satisfies Contact);
    }
    for (const deal of dealsOf.get(source.id) ?? []) {
      if (where.get(deal.id) === 'salesforce') continue;
      const id = `hs-deal-${hubspot.deals.length + 1}`;
      dealIds.set(deal.id, id);
      const name = renameDeal(deal, originalNames.get(source.id) as string, source.name);
      hubspot.deals.push({ ...deal, id, accountId, name });
    }
    for (const ticket of ticketsOf.get(source.id) ?? []) {
      hubspot.tickets.push({
        ...ticket,
        id: `hs-tkt-${hubspot.tickets.length + 1}`,
        accountId,
        contactId: ticket.contactId === null ? null : (contactIds.get(ticket.contactId) ?? null),
      } satisfies Ticket);
    }
  }
  return { hubspot, hubspotDealId: dealIds };
}

/**
 * Look-alikes of randomly chosen customers, alternately in HubSpot only and in Salesforce only. Each
 * imitates the name the other CRM holds for its customer, with a domain one letter or one word off,
 * and takes the rest of its record from another customer, so nothing but the near-identical name
 * and domain ties the two.
 */
function plantLookAlikes(book: CrmBook, customers: readonly CustomerSides[], random: Random, share: number) {
  const total = book.accounts.length;
  if (total < 2 || share === 0) return [];
  const count = Math.min(total, Math.max(2, Math.round(share * total)));
  const usedIds = new Set(book.accounts.map((account) => account.id));
  const usedDomains = new Set(book.accounts.map((account) => account.domain));
  const usedNames = new Set(
    customers.flatMap((side) => [side.salesforce, side.hubspot].flatMap((row) => (row ? [nameKey(row.name)] : []))),
  );
  const originals = shuffle(random, [...book.accounts]).slice(0, count);
  const sideOf = new Map(customers.map((side) => [side.link.bookId, side]));
  let number = total;
  const firstSide = random.chance(0.5) ? 0 : 1;
  return originals.map((original, index): CustomerSides => {
    const inHubspot = (index + firstSide) % 2 === 0;
    const sides = sideOf.get(original.id);
    const imitated = (inHubspot ? sides?.salesforce?.name : sides?.hubspot?.name) ?? original.name;
    let id: string;
    do id = `acc-${String(++number).padStart(5, '0')}`;
    while (usedIds.has(id));
    usedIds.add(id);
    let name = lookAlikeName(random, imitated);
    for (let attempt = 0; usedNames.has(nameKey(name)) && attempt < 10; attempt++) {
      name = lookAlikeName(random, imitated);
    }
    usedNames.add(nameKey(name));
    const dot = original.domain.indexOf('.');
    const tld = dot < 0 ? 'example' : original.domain.slice(dot + 1);
    const { base, legal } = partsOf(name);
    let domain = `${slug(base)}${legal ? `-${slug(legal)}` : ''}.${tld}`;
    for (let n = 2; usedDomains.has(domain); n++) domain = `${slug(base)}${n}.${tld}`;
    usedDomains.add(domain);
    const template = book.accounts[random.int(0, total - 1)] as Account;
    const account: Account = { ...template, id, name, domain, parentId: null };
    return {
      link: {
        bookId: id,
        group: inHubspot ? 'hubspot_only' : 'salesforce_only',
        hubspotBookId: null,
        salesforceBookId: inHubspot ? null : id,
        nameDrift: 'same',
        domainDrift: 'same',
        resembles: original.id,
      },
      salesforce: inHubspot ? null : account,
      hubspot: inHubspot ? account : null,
    };
  });
}

function hardNegatives(sides: readonly CustomerSides[]): HardNegative[] {
  const found: HardNegative[] = [];
  for (const side of sides) {
    if (side.link.resembles !== null) found.push({ a: side.link.resembles, b: side.link.bookId, kind: 'look_alike' });
  }
  const byKey = new Map<string, Set<string>>();
  for (const side of sides) {
    for (const account of [side.salesforce, side.hubspot]) {
      if (!account) continue;
      const key = nameKey(account.name);
      const ids = byKey.get(key) ?? new Set<string>();
      ids.add(side.link.bookId);
      byKey.set(key, ids);
    }
  }
  const seen = new Set(found.map((pair) => `${pair.a}|${pair.b}`));
  for (const ids of byKey.values()) {
    const list = [...ids].sort();
    for (let i = 0; i < list.length; i++) {
      for (let j = i + 1; j < list.length; j++) {
        const [a, b] = [list[i] as string, list[j] as string];
        if (seen.has(`${a}|${b}`) || seen.has(`${b}|${a}`)) continue;
        seen.add(`${a}|${b}`);
        found.push({ a, b, kind: 'same_name_key' });
      }
    }
  }
  return found;
}
