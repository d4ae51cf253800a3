import { describe, expect, it } from 'vitest';
import { loadBookIntoPortal } from '../../../sandbox/hubspot/load-book.ts';
import { PortalStore } from '../../../sandbox/hubspot/portal-store.ts';
import { syntheticCrmBook } from '../../support/synthetic-crm-book.ts';

describe('loading a book into a HubSpot portal', () => {
  it('loads 10,000 accounts with 5 contacts, deals and tickets each in a few seconds', () => {
    const book = syntheticCrmBook(10_000, 5);
    const portal = new PortalStore(
      { id: 1, name: 'bench', domain: 'bench.example.com' },
      Date.parse('2026-07-01T00:00:00Z'),
    );
    const started = performance.now();
    const ids = loadBookIntoPortal(portal, book, Date.parse('2026-07-01T00:00:00Z'));
    const elapsed = performance.now() - started;
    console.info(`hubspot loadBook: 10,000 accounts, 150,000 related records in ${elapsed.toFixed(0)} ms`);
    // About 2 s on an idle machine; the bound leaves room for a busy CI runner.
    expect(elapsed).toBeLessThan(8_000);
    expect([ids.companies.size, ids.contacts.size, ids.deals.size, ids.tickets.size]).toEqual([
      10_000, 50_000, 50_000, 50_000,
    ]);
    const company = portal.get('companies', ids.companies.get('acc-09999')!)!;
    expect(portal.associations(company, 'contacts')).toHaveLength(5);
    expect(portal.associations(company, 'deals')).toHaveLength(5);
    expect(portal.associations(company, 'tickets')).toHaveLength(5);
  });

  it('can load a second book into the same portal without redefining its properties', () => {
    const portal = new PortalStore({ id: 1, name: 'twice', domain: 'twice.example.com' }, 0);
    loadBookIntoPortal(portal, syntheticCrmBook(2, 1), 0);
    const second = loadBookIntoPortal(portal, syntheticCrmBook(2, 1), 0);
    expect(second.companies.size).toBe(2);
    expect(portal.table('companies').order).toHaveLength(4);
    expect(
      portal
        .propertyMap('deals')
        .get('dealtype')
        ?.options.map((o) => o.value),
    ).toEqual(['newbusiness', 'existingbusiness', 'renewal', 'expansion']);
  });
});
