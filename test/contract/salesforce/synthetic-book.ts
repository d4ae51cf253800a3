import type { CrmBook } from '../../../sandbox/generator/book.ts';

/**
 * A plain, deterministic CrmBook of any size for the Salesforce tests, so they do not depend on the
 * generator's statistics: two owners, and per account `perAccount` contacts, deals and tickets.
 */
export function syntheticBook(accounts: number, perAccount = 0): CrmBook {
  const at = '2026-01-05T10:00:00.000Z';
  const book: CrmBook = {
    meta: { version: 1, seed: 1, accounts, asOf: '2026-03-01', historyStart: '2025-03-01' },
    owners: [
      { id: 'own-1', firstName: 'Casey', lastName: 'Moss', email: 'casey@bellwether.test', role: 'csm' },
      { id: 'own-2', firstName: 'Alex', lastName: 'Reed', email: 'alex@bellwether.test', role: 'account_executive' },
    ],
    accounts: [],
    contacts: [],
    deals: [],
    tickets: [],
  };
  const segments = ['enterprise', 'mid_market', 'smb'] as const;
  for (let i = 0; i < accounts; i++) {
    const id = `acc-${String(i).padStart(5, '0')}`;
    book.accounts.push({
      id,
      name: `Account ${String(i).padStart(5, '0')}`,
      domain: `account-${i}.example`,
      industry: 'Software',
      segment: segments[i % 3] as (typeof segments)[number],
      country: 'US',
      employees: 10 + i,
      arr: 1000 * (i % 50),
      licences: 5 + (i % 20),
      customerSince: '2024-01-01',
      contractStart: '2025-06-01',
      contractEnd: '2026-05-31',
      csmId: 'own-1',
      accountExecutiveId: 'own-2',
      parentId: i > 0 && i % 100 === 0 ? 'acc-00000' : null,
      status: i % 10 === 9 ? 'churned' : 'active',
      createdAt: at,
      updatedAt: at,
    });
    for (let j = 0; j < perAccount; j++) {
      const contactId = `con-${i}-${j}`;
      book.contacts.push({
        id: contactId,
        accountId: id,
        firstName: `First${j}`,
        lastName: `Last${i}`,
        email: `p${j}@account-${i}.example`,
        title: 'Director',
        role: (['champion', 'executive_sponsor', 'admin', 'user'] as const)[j % 4] as 'champion',
        lastEngagedAt: j === 0 ? at : null,
        leftAt: j === 1 ? '2026-02-01T00:00:00.000Z' : null,
        createdAt: at,
        updatedAt: at,
      });
      book.deals.push({
        id: `deal-${i}-${j}`,
        accountId: id,
        name: `Deal ${i}-${j}`,
        type: (['new_business', 'renewal', 'expansion'] as const)[j % 3] as 'renewal',
        stage: (['won', 'lost', 'open'] as const)[j % 3] as 'open',
        amount: 500 * (j + 1),
        closeDate: j % 3 === 2 ? '2026-03-20' : '2025-06-01',
        ownerId: 'own-2',
        createdAt: at,
        updatedAt: at,
      });
      book.tickets.push({
        id: `tic-${i}-${j}`,
        accountId: id,
        contactId,
        subject: `Ticket ${i}-${j}`,
        priority: (['low', 'medium', 'high', 'urgent'] as const)[j % 4] as 'low',
        status: (['new', 'waiting_on_customer', 'waiting_on_us', 'closed'] as const)[j % 4] as 'new',
        createdAt: at,
        closedAt: j % 4 === 3 ? '2026-01-06T10:00:00.000Z' : null,
        updatedAt: at,
      });
    }
  }
  return book;
}
