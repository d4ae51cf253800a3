import type { CrmBook } from '../../sandbox/generator/book.ts';

/**
 * A plain CrmBook for stand-in tests, independent of the generator: `accounts` accounts, each with
 * `perAccount` contacts, deals and tickets, two CSMs and an AE. Every tenth account has churned and
 * every seventh contact has left.
 */
export function syntheticCrmBook(accounts: number, perAccount = 5): CrmBook {
  const owners = [
    { id: 'own-1', firstName: 'Casey', lastName: 'Success', email: 'casey@vendor.example', role: 'csm' as const },
    { id: 'own-2', firstName: 'Robin', lastName: 'Renewals', email: 'robin@vendor.example', role: 'csm' as const },
    {
      id: 'own-3',
      firstName: 'Alex',
      lastName: 'Closer',
      email: 'alex@vendor.example',
      role: 'account_executive' as const,
    },
  ];
  const book: CrmBook = {
    meta: { version: 1, seed: 1, accounts, asOf: '2026-06-30', historyStart: '2025-06-30' },
    owners,
    accounts: [],
    contacts: [],
    deals: [],
    tickets: [],
  };
  const roles = ['champion', 'executive_sponsor', 'admin', 'user', 'user'] as const;
  const stages = ['won', 'lost', 'open'] as const;
  const types = ['new_business', 'renewal', 'expansion'] as const;
  const priorities = ['low', 'medium', 'high', 'urgent'] as const;
  const statuses = ['new', 'waiting_on_customer', 'waiting_on_us', 'closed'] as const;
  for (let a = 0; a < accounts; a++) {
    const id = `acc-${String(a).padStart(5, '0')}`;
    book.accounts.push({
      id,
      name: `Account ${a}`,
      domain: `account-${a}.example.com`,
      industry: a % 2 === 0 ? 'Software' : 'Retail',
      segment: a % 3 === 0 ? 'enterprise' : a % 3 === 1 ? 'mid_market' : 'smb',
      country: 'DE',
      employees: 10 + a,
      arr: a % 10 === 9 ? 0 : 12_000 + a,
      licences: 20,
      customerSince: '2024-01-15',
      contractStart: '2026-01-01',
      contractEnd: '2026-12-31',
      csmId: a % 2 === 0 ? 'own-1' : 'own-2',
      accountExecutiveId: 'own-3',
      parentId: null,
      status: a % 10 === 9 ? 'churned' : 'active',
      createdAt: '2024-01-15T10:00:00.000Z',
      updatedAt: '2026-06-01T10:00:00.000Z',
    });
    for (let i = 0; i < perAccount; i++) {
      const n = a * perAccount + i;
      book.contacts.push({
        id: `con-${n}`,
        accountId: id,
        firstName: `First${n}`,
        lastName: `Last${n}`,
        email: `person${n}@account-${a}.example.com`,
        title: 'Manager',
        role: roles[i % roles.length] as (typeof roles)[number],
        lastEngagedAt: i === 0 ? '2026-06-20T08:00:00.000Z' : null,
        leftAt: n % 7 === 6 ? '2026-05-01T00:00:00.000Z' : null,
        createdAt: '2024-02-01T10:00:00.000Z',
        updatedAt: '2026-06-01T10:00:00.000Z',
      });
      book.deals.push({
        id: `deal-${n}`,
        accountId: id,
        name: `Deal ${n}`,
        type: types[i % types.length] as (typeof types)[number],
        stage: stages[i % stages.length] as (typeof stages)[number],
        amount: 1000 * (i + 1),
        closeDate: '2026-12-31',
        ownerId: 'own-3',
        createdAt: '2024-02-01T10:00:00.000Z',
        updatedAt: '2026-06-01T10:00:00.000Z',
      });
      const status = statuses[i % statuses.length] as (typeof statuses)[number];
      book.tickets.push({
        id: `tic-${n}`,
        accountId: id,
        contactId: `con-${n}`,
        subject: `Ticket ${n}`,
        priority: priorities[i % priorities.length] as (typeof priorities)[number],
        status,
        createdAt: '2026-04-01T10:00:00.000Z',
        closedAt: status === 'closed' ? '2026-04-03T10:00:00.000Z' : null,
        updatedAt: '2026-04-03T10:00:00.000Z',
      });
    }
  }
  return book;
}
