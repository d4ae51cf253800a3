import { Client } from '@hubspot/api-client';
import jsforce from 'jsforce';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { crmBook, generateBook } from '../../../sandbox/generator/generate-book.ts';
import { startSandboxes, type RunningSandboxes } from '../../../sandbox/start-sandboxes.ts';
import { childEnv, interrupt, startCommand } from '../../support/process.ts';

/** One book, two CRMs: the same customers, contacts, deals and tickets in HubSpot and Salesforce. */

const book = crmBook(generateBook({ seed: 11, accounts: 60, asOf: '2026-06-30' }).book);
let running: RunningSandboxes;

beforeAll(async () => {
  running = await startSandboxes({ book });
});
afterAll(() => running.close());

describe('the same book in both stand-ins', () => {
  it('holds the same accounts, by domain and ARR, read through each official SDK', async () => {
    const { accessToken } = running.hubspot.sandbox.issueTokens(running.hubspot.portalId);
    const hubspot = new Client({ basePath: running.hubspot.url, accessToken, numberOfApiCallRetries: 0 });
    const companies = await hubspot.crm.companies.getAll(100, undefined, ['domain', 'arr']);

    const session = running.salesforce.sandbox.issueSession({ instanceUrl: running.salesforce.url });
    const salesforce = new jsforce.Connection({
      instanceUrl: running.salesforce.url,
      accessToken: session.access_token,
      version: '66.0',
    });
    const accounts = await salesforce.query<{ Website: string; ARR__c: number }>('SELECT Website, ARR__c FROM Account');

    const fromBook = new Map(book.accounts.map((account) => [account.domain, account.arr]));
    const fromHubspot = new Map(companies.map((c) => [c.properties.domain ?? '', Number(c.properties.arr)]));
    const fromSalesforce = new Map(accounts.records.map((a) => [a.Website.replace(/^https?:\/\//, ''), a.ARR__c]));
    expect(fromHubspot).toEqual(fromBook);
    expect(fromSalesforce).toEqual(fromBook);
  });

  it('maps every contact, deal and ticket in both, with the same ids on each side of the map', () => {
    const hubspot = running.hubspot.ids!;
    const salesforce = running.salesforce.ids!;
    expect(hubspot.contacts.size).toBe(book.contacts.length);
    expect(salesforce.contacts.size).toBe(book.contacts.length);
    expect([...hubspot.deals.keys()].sort()).toEqual([...salesforce.deals.keys()].sort());
    expect([...hubspot.tickets.keys()].sort()).toEqual(book.tickets.map((ticket) => ticket.id).sort());
    expect([...salesforce.tickets.keys()].sort()).toEqual(book.tickets.map((ticket) => ticket.id).sort());
  });
});

describe('npm run sandbox', () => {
  it('prints both URLs with demo credentials that work, and stops on Ctrl-C', async () => {
    const started = startCommand(
      'npm',
      ['run', '-s', 'sandbox', '--', '--accounts', '25', '--hubspot-port', '0', '--salesforce-port', '0'],
      childEnv({}),
    );
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setInterval(() => {
          if (started.output().stdout.includes('Ctrl-C to stop')) {
            clearInterval(timer);
            resolve();
          }
        }, 50);
        void started.exited.then((code) => {
          clearInterval(timer);
          reject(new Error(`exited with ${code}: ${started.output().stderr}`));
        });
      });
      const out = started.output().stdout;
      const hubspotUrl = /HubSpot\s+(http:\/\/\S+)/.exec(out)?.[1];
      const hubspotToken = /HubSpot[\s\S]*?access token\s+(\S+)/.exec(out)?.[1];
      expect(out).toContain('25 accounts, seed 1');
      const companies = await new Client({
        basePath: hubspotUrl!,
        accessToken: hubspotToken!,
      }).crm.companies.basicApi.getPage(100);
      expect(companies.results).toHaveLength(25);

      interrupt(started);
      expect(await started.exited).toBe(0);
    } finally {
      started.child.kill('SIGKILL');
    }
  });

  it('rejects a bad argument with what was wrong and the usage', async () => {
    const started = startCommand('npm', ['run', '-s', 'sandbox', '--', '--accounts', 'many'], childEnv({}));
    expect(await started.exited).toBe(2);
    expect(started.output().stderr).toMatch(/--accounts .*\nusage: npm run sandbox/);
  });
});
