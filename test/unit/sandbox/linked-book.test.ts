import { describe, expect, it } from 'vitest';
import { normaliseDomain } from '../../../server/core/accounts/normalise.ts';
import { bookSchema, type Account, type CrmBook } from '../../../sandbox/generator/book.ts';
import { crmBook, generateBook } from '../../../sandbox/generator/generate-book.ts';
import {
  LINK_GROUPS,
  linkBook,
  nameKey,
  type LinkedBook,
  type LinkedCustomer,
  type LinkShares,
} from '../../../sandbox/generator/linked-book.ts';
import { syntheticCrmBook } from '../../support/synthetic-crm-book.ts';

const book = crmBook(generateBook({ seed: 3, accounts: 2_000, asOf: '2026-06-30' }).book);
const SEEDS = [1, 7, 42];
const linkedBySeed = new Map(SEEDS.map((seed) => [seed, linkBook(book, { seed })]));
const linked = linkedBySeed.get(7) as LinkedBook;

const crmBookSchema = bookSchema.pick({
  meta: true,
  owners: true,
  accounts: true,
  contacts: true,
  deals: true,
  tickets: true,
});

/** What the Salesforce loader writes as Website, then what the product compares. */
const salesforceDomain = (account: Account) =>
  normaliseDomain(/^https?:\/\//i.test(account.domain) ? account.domain : `https://${account.domain}`);

function sidesOf(linkedBook: LinkedBook) {
  const hubspot = new Map(linkedBook.hubspot.accounts.map((account) => [account.id, account]));
  const salesforce = new Map(linkedBook.salesforce.accounts.map((account) => [account.id, account]));
  return (customer: LinkedCustomer) => ({
    hubspot: customer.hubspotBookId === null ? undefined : hubspot.get(customer.hubspotBookId),
    salesforce: customer.salesforceBookId === null ? undefined : salesforce.get(customer.salesforceBookId),
  });
}

const inGroup = (linkedBook: LinkedBook, group: LinkedCustomer['group']) =>
  linkedBook.plan.customers.filter((customer) => customer.group === group);

describe('linkBook: groups', () => {
  it.each(SEEDS)('puts each of 2,000 customers in one group, within 2 points of 70/20/10 (seed %i)', (seed) => {
    const { plan } = linkedBySeed.get(seed) as LinkedBook;
    const inBoth = plan.customers.filter((customer) => customer.resembles === null);
    expect(inBoth.map((customer) => customer.bookId).sort()).toEqual(book.accounts.map((account) => account.id).sort());
    for (const [group, share] of [
      ['connector', 0.7],
      ['domain', 0.2],
      ['name', 0.1],
    ] as const) {
      const measured = inBoth.filter((customer) => customer.group === group).length / inBoth.length;
      expect(Math.abs(measured - share), group).toBeLessThanOrEqual(0.02);
    }
  });

  it.each([
    [{ connector: 0.5, domain: 0.25, name: 0.25 }],
    [{ connector: 1, domain: 0, name: 0 }],
    [{ connector: 0.34, domain: 0.33, name: 0.33 }],
  ])('honours other shares: %o', (shares: LinkShares) => {
    const { plan } = linkBook(syntheticCrmBook(300, 1), { seed: 5, shares });
    for (const group of LINK_GROUPS) {
      const count = plan.customers.filter((customer) => customer.group === group).length;
      expect(Math.abs(count / 300 - shares[group]), group).toBeLessThanOrEqual(0.01);
    }
  });

  it('refuses shares that do not add up to 1 and shares outside 0..1', () => {
    expect(() => linkBook(book, { seed: 1, shares: { connector: 0.7, domain: 0.2, name: 0.2 } })).toThrow(
      /add up to 1/,
    );
    expect(() => linkBook(book, { seed: 1, mirroredDealShare: 1.5 })).toThrow(/between 0 and 1/);
  });

  it('is deterministic for a seed and differs for another', () => {
    expect(JSON.stringify(linkBook(book, { seed: 7 }))).toBe(JSON.stringify(linked));
    expect(JSON.stringify(linkedBySeed.get(42))).not.toBe(JSON.stringify(linked));
  });
});

describe('linkBook: each side is a valid book of its own', () => {
  it.each(['hubspot', 'salesforce'] as const)(
    '%s side matches the book schema, with unique ids and links that resolve',
    (side) => {
      const crm: CrmBook = linked[side];
      expect(crmBookSchema.safeParse(crm).success).toBe(true);
      expect(crm.meta.accounts).toBe(crm.accounts.length);
      const accounts = new Set(crm.accounts.map((account) => account.id));
      const contacts = new Set(crm.contacts.map((contact) => contact.id));
      for (const key of ['accounts', 'contacts', 'deals', 'tickets'] as const) {
        const ids = crm[key].map((row) => row.id);
        expect(new Set(ids).size, key).toBe(ids.length);
      }
      const seen = new Set<string>();
      for (const account of crm.accounts) {
        // Parents are listed before their subsidiaries, as the HubSpot loader needs.
        if (account.parentId !== null) expect(seen.has(account.parentId), account.id).toBe(true);
        seen.add(account.id);
      }
      for (const row of [...crm.contacts, ...crm.deals, ...crm.tickets]) expect(accounts.has(row.accountId)).toBe(true);
      for (const ticket of crm.tickets)
        if (ticket.contactId !== null) expect(contacts.has(ticket.contactId)).toBe(true);
    },
  );

  it('gives HubSpot its own row ids and order, so no book id ties its records to Salesforce', () => {
    const salesforceIds = new Set(
      [linked.salesforce.accounts, linked.salesforce.contacts, linked.salesforce.deals].flatMap((rows) =>
        rows.map((row) => row.id),
      ),
    );
    const hubspotRows = [
      linked.hubspot.accounts,
      linked.hubspot.contacts,
      linked.hubspot.deals,
      linked.hubspot.tickets,
    ];
    for (const rows of hubspotRows) for (const row of rows) expect(salesforceIds.has(row.id)).toBe(false);
    const side = sidesOf(linked);
    const positions = linked.plan.customers
      .filter((customer) => customer.group === 'connector')
      .slice(0, 20)
      .map((customer) => linked.hubspot.accounts.indexOf(side(customer).hubspot as Account));
    expect(positions).not.toEqual([...positions].sort((a, b) => a - b));
  });

  it('keeps contacts in both CRMs (the same people) and tickets in HubSpot only', () => {
    const emails = (crm: CrmBook) => crm.contacts.map((contact) => contact.email).sort();
    expect(emails(linked.hubspot)).toEqual(emails(linked.salesforce));
    expect(linked.hubspot.contacts).toHaveLength(book.contacts.length);
    expect(linked.hubspot.tickets).toHaveLength(book.tickets.length);
    expect(linked.salesforce.tickets).toEqual([]);
  });
});

describe('linkBook: what each group leaves to match on', () => {
  const side = sidesOf(linked);

  it('writes domain-group domains differently in each CRM, but they normalise the same', () => {
    const customers = inGroup(linked, 'domain');
    expect(customers.length).toBeGreaterThan(300);
    for (const customer of customers) {
      const { hubspot, salesforce } = side(customer);
      expect(normaliseDomain(hubspot!.domain), customer.bookId).toBe(salesforceDomain(salesforce!));
      expect(hubspot!.domain).not.toBe(salesforce!.domain);
    }
  });

  it('gives name-group companies another domain or none, matching no Salesforce account, and a similar name', () => {
    const salesforceDomains = new Set(linked.salesforce.accounts.map(salesforceDomain));
    const words = (name: string) => new Set(nameKey(name).split(' '));
    const customers = inGroup(linked, 'name');
    expect(customers.length).toBe(200);
    for (const customer of customers) {
      const { hubspot, salesforce } = side(customer);
      const domain = normaliseDomain(hubspot!.domain);
      if (domain !== undefined) expect(salesforceDomains.has(domain), hubspot!.domain).toBe(false);
      expect(hubspot!.name).not.toBe(salesforce!.name);
      const shared = [...words(hubspot!.name)].filter((word) => words(salesforce!.name).has(word));
      expect(shared.length, `${salesforce!.name} / ${hubspot!.name}`).toBeGreaterThan(0);
    }
    const drifts = new Set(customers.map((customer) => customer.nameDrift));
    expect([...drifts].sort()).toEqual(
      ['ampersand', 'case', 'corporation', 'diacritics', 'legal_form', 'no_legal_form', 'trailing_word'].sort(),
    );
    expect(customers.filter((customer) => side(customer).hubspot!.domain === '').length).toBeGreaterThan(0);
  });

  it('lets connector-linked records drift apart in name and domain', () => {
    const customers = inGroup(linked, 'connector');
    const renamed = customers.filter((customer) => side(customer).hubspot!.name !== side(customer).salesforce!.name);
    const unmatchedDomain = customers.filter(
      (customer) => normaliseDomain(side(customer).hubspot!.domain) !== salesforceDomain(side(customer).salesforce!),
    );
    expect(renamed.length / customers.length).toBeGreaterThan(0.2);
    expect(unmatchedDomain.length / customers.length).toBeGreaterThan(0.1);
  });

  it('keeps every Salesforce account on its generated domain, so the ingest API still finds it', () => {
    const generated = new Map(book.accounts.map((account) => [account.id, account.domain]));
    for (const account of linked.salesforce.accounts) {
      if (generated.has(account.id)) expect(salesforceDomain(account)).toBe(generated.get(account.id));
    }
  });
});

describe('linkBook: deals', () => {
  const groupOf = new Map(linked.plan.customers.map((customer) => [customer.bookId, customer.group]));

  it('mirrors about 60% of connector-linked deals into HubSpot and keeps all of them in Salesforce', () => {
    const deals = linked.plan.deals.filter((deal) => groupOf.get(deal.customerBookId) === 'connector');
    expect(deals.every((deal) => deal.where !== 'hubspot')).toBe(true);
    const mirrored = deals.filter((deal) => deal.where === 'both').length / deals.length;
    expect(mirrored).toBeGreaterThan(0.57);
    expect(mirrored).toBeLessThan(0.63);
  });

  it('puts no deal of a customer without a connector id in both CRMs, and splits them between the two', () => {
    const deals = linked.plan.deals.filter((deal) => groupOf.get(deal.customerBookId) !== 'connector');
    expect(deals.some((deal) => deal.where === 'both')).toBe(false);
    const inHubspot = deals.filter((deal) => deal.where === 'hubspot').length / deals.length;
    expect(inHubspot).toBeGreaterThan(0.45);
    expect(inHubspot).toBeLessThan(0.55);
  });

  it('lists every deal once, in the CRMs the plan says, under that CRM’s name for the customer', () => {
    expect(linked.plan.deals.map((deal) => deal.bookId).sort()).toEqual(book.deals.map((deal) => deal.id).sort());
    const hubspotDeals = new Map(linked.hubspot.deals.map((deal) => [deal.id, deal]));
    const salesforceDeals = new Map(linked.salesforce.deals.map((deal) => [deal.id, deal]));
    const hubspotAccounts = new Map(linked.hubspot.accounts.map((account) => [account.id, account]));
    const salesforceAccounts = new Map(linked.salesforce.accounts.map((account) => [account.id, account]));
    expect(hubspotDeals.size + salesforceDeals.size).toBe(
      linked.plan.deals.reduce((sum, deal) => sum + (deal.where === 'both' ? 2 : 1), 0),
    );
    for (const deal of linked.plan.deals) {
      expect(deal.hubspotBookId !== null, deal.bookId).toBe(deal.where !== 'salesforce');
      expect(deal.salesforceBookId !== null, deal.bookId).toBe(deal.where !== 'hubspot');
      const inHubspot = deal.hubspotBookId === null ? undefined : hubspotDeals.get(deal.hubspotBookId);
      const inSalesforce = deal.salesforceBookId === null ? undefined : salesforceDeals.get(deal.salesforceBookId);
      if (inHubspot) expect(inHubspot.name.startsWith(hubspotAccounts.get(inHubspot.accountId)!.name)).toBe(true);
      if (inSalesforce) {
        expect(inSalesforce.name.startsWith(salesforceAccounts.get(inSalesforce.accountId)!.name)).toBe(true);
      }
      if (inHubspot && inSalesforce) {
        expect({ ...inHubspot, id: '', accountId: '', name: '' }).toEqual({
          ...inSalesforce,
          id: '',
          accountId: '',
          name: '',
        });
      }
    }
  });
});

describe('linkBook: hard negatives', () => {
  const side = sidesOf(linked);

  it('plants 1% look-alikes, each in one CRM only, with a near-identical name and another domain', () => {
    const lookAlikes = linked.plan.customers.filter((customer) => customer.resembles !== null);
    expect(lookAlikes).toHaveLength(20);
    expect(inGroup(linked, 'hubspot_only')).toHaveLength(10);
    expect(inGroup(linked, 'salesforce_only')).toHaveLength(10);
    const byId = new Map(linked.plan.customers.map((customer) => [customer.bookId, customer]));
    const salesforceDomains = new Set(linked.salesforce.accounts.map(salesforceDomain));
    const hubspotDomains = new Set(linked.hubspot.accounts.map((account) => normaliseDomain(account.domain)));
    for (const lookAlike of lookAlikes) {
      const own = side(lookAlike);
      const imitated = side(byId.get(lookAlike.resembles!)!);
      const [mine, theirs] =
        lookAlike.group === 'hubspot_only'
          ? [own.hubspot!, imitated.salesforce!]
          : [own.salesforce!, imitated.hubspot!];
      expect(lookAlike.group === 'hubspot_only' ? own.salesforce : own.hubspot).toBeUndefined();
      expect(nameKey(mine.name)).not.toBe(nameKey(theirs.name));
      expect(nameKey(mine.name).startsWith(nameKey(theirs.name).slice(0, -1)), `${mine.name} / ${theirs.name}`).toBe(
        true,
      );
      const domain = lookAlike.group === 'hubspot_only' ? normaliseDomain(mine.domain) : salesforceDomain(mine);
      const otherSide = lookAlike.group === 'hubspot_only' ? salesforceDomains : hubspotDomains;
      expect(otherSide.has(domain)).toBe(false);
      expect(linked.plan.hardNegatives).toContainEqual({
        a: lookAlike.resembles,
        b: lookAlike.bookId,
        kind: 'look_alike',
      });
    }
  });

  it('lists distinct customers whose names are the same but for legal form, case and punctuation', () => {
    const pairs = linked.plan.hardNegatives.filter((pair) => pair.kind === 'same_name_key');
    // 2,000 accounts wrap the generator's 1,680 prefix-and-stem names, so legal forms alone tell some apart.
    expect(pairs.length).toBeGreaterThan(200);
    const keysOf = (bookId: string) => {
      const { hubspot, salesforce } = side(linked.plan.customers.find((customer) => customer.bookId === bookId)!);
      return [hubspot, salesforce].flatMap((account) => (account ? [nameKey(account.name)] : []));
    };
    for (const pair of pairs.slice(0, 50)) {
      expect(pair.a).not.toBe(pair.b);
      expect(keysOf(pair.a).some((key) => keysOf(pair.b).includes(key))).toBe(true);
    }
  });

  it('plants look-alikes in small books too, where the generator makes no same-name pairs', () => {
    const small = linkBook(crmBook(generateBook({ seed: 3, accounts: 50, asOf: '2026-06-30' }).book), { seed: 1 });
    expect(small.plan.hardNegatives.filter((pair) => pair.kind === 'look_alike')).toHaveLength(2);
  });
});

describe('nameKey', () => {
  it.each([
    ['Acme Inc', 'ACME, Inc.'],
    ['Acme Corporation', 'Acme Corp'],
    ['Müller GmbH', 'Muller'],
    ['Acme & Sons', 'Acme and Sons'],
    ['Acme Analytics', 'Acme Analytics Holdings'],
    ['Acme Analytics B.V.', 'acme analytics bv'],
  ])('reads %s and %s as the same name', (a, b) => {
    expect(nameKey(a)).toBe(nameKey(b));
  });

  it.each([
    ['Acme Analytics', 'Acme Analytic'],
    ['Acme Analytics', 'Acme Analytics Digital'],
  ])('tells %s and %s apart', (a, b) => {
    expect(nameKey(a)).not.toBe(nameKey(b));
  });
});
