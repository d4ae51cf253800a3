import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../sandbox/shared/clock.ts';
import { createSalesforceSandbox } from '../../../sandbox/salesforce/salesforce-sandbox.ts';
import { runSoql } from '../../../sandbox/salesforce/soql-query.ts';
import { syntheticBook } from '../../contract/salesforce/synthetic-book.ts';

describe('loadBook', () => {
  it('maps a book onto Salesforce objects', () => {
    const sandbox = createSalesforceSandbox({ clock: new ManualClock(Date.parse('2026-03-01T00:00:00Z')) });
    const org = sandbox.defaultOrg;
    const ids = sandbox.loadBook(org.id, syntheticBook(101, 4));
    const query = (soql: string) =>
      runSoql(org, soql, { includeDeleted: false, now: Date.parse('2026-03-01T00:00:00Z'), apiVersion: '66.0' })
        .records;

    expect(ids.accounts.size).toBe(101);
    expect(ids.owners.get('own-1')).toMatch(/^005\w{15}$/);
    const [account] = query(
      `SELECT Name, Website, Segment__c, ARR__c, Renewal_Date__c, Book_Id__c, Customer_Status__c, CreatedDate, Owner.Email, CSM__r.Email, Parent.Book_Id__c FROM Account WHERE Book_Id__c = 'acc-00100'`,
    );
    expect(account).toMatchObject({
      Name: 'Account 00100',
      Website: 'https://account-100.example',
      Segment__c: 'Mid-Market',
      ARR__c: 0,
      Renewal_Date__c: '2026-05-31',
      Customer_Status__c: 'Active',
      CreatedDate: '2026-01-05T10:00:00.000+0000',
      Owner: { Email: 'alex@bellwether.test' },
      CSM__r: { Email: 'casey@bellwether.test' },
      Parent: { Book_Id__c: 'acc-00000' },
    });
    expect(
      query(
        "SELECT Book_Id__c, Departed__c, Departed_Date__c, Contact_Role__c FROM Contact WHERE Account.Book_Id__c = 'acc-00003' ORDER BY Book_Id__c",
      ),
    ).toMatchObject([
      { Book_Id__c: 'con-3-0', Departed__c: false, Departed_Date__c: null, Contact_Role__c: 'Champion' },
      {
        Book_Id__c: 'con-3-1',
        Departed__c: true,
        Departed_Date__c: '2026-02-01',
        Contact_Role__c: 'Executive Sponsor',
      },
      { Book_Id__c: 'con-3-2', Contact_Role__c: 'Admin' },
      { Book_Id__c: 'con-3-3', Contact_Role__c: 'User' },
    ]);
    expect(
      query(
        "SELECT StageName, IsClosed, IsWon, Type FROM Opportunity WHERE Account.Book_Id__c = 'acc-00003' ORDER BY Book_Id__c",
      ),
    ).toMatchObject([
      { StageName: 'Closed Won', IsClosed: true, IsWon: true, Type: 'New Customer' },
      { StageName: 'Closed Lost', IsClosed: true, IsWon: false, Type: 'Renewal' },
      { StageName: 'Negotiation/Review', IsClosed: false, IsWon: false, Type: 'Existing Customer - Upgrade' },
      { StageName: 'Closed Won', Type: 'New Customer' },
    ]);
    expect(
      query(
        "SELECT Priority, IsEscalated, Status, IsClosed, ClosedDate, Contact.Book_Id__c FROM Case WHERE Account.Book_Id__c = 'acc-00003' ORDER BY Book_Id__c",
      ),
    ).toMatchObject([
      {
        Priority: 'Low',
        IsEscalated: false,
        Status: 'New',
        IsClosed: false,
        ClosedDate: null,
        Contact: { Book_Id__c: 'con-3-0' },
      },
      { Priority: 'Medium', Status: 'Waiting on Customer' },
      { Priority: 'High', IsEscalated: false, Status: 'Working' },
      {
        Priority: 'High',
        IsEscalated: true,
        Status: 'Closed',
        IsClosed: true,
        ClosedDate: '2026-01-06T10:00:00.000+0000',
      },
    ]);
  });

  it('loads 10,000 accounts with 5 contacts, deals and cases each in a few seconds', () => {
    const book = syntheticBook(10_000, 5);
    const sandbox = createSalesforceSandbox();
    const started = performance.now();
    const ids = sandbox.loadBook(sandbox.defaultOrg.id, book);
    const seconds = (performance.now() - started) / 1000;
    console.log(
      `Salesforce loadBook: 10,000 accounts, 50,000 contacts, deals and cases each in ${seconds.toFixed(2)} s`,
    );
    expect(ids.tickets.size).toBe(50_000);
    expect(seconds).toBeLessThan(10);
  });
});
