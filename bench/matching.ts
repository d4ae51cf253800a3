/**
 * `npm run bench:matching`: matching a workspace's HubSpot companies with its Salesforce Accounts at
 * N customers (10,000 by default), in PGlite or, when DATABASE_URL is set, a fresh database on that
 * Postgres server (dropped afterwards). The customers come from the two-CRM sandbox book (connector
 * ids on 70 %, a shared domain on 20 %, similar names on 10 %) and are written straight into the
 * accounts table. Prints each step of the matching job (read, match, save, statistics), a second run
 * on the unchanged book, and reading the links back (all of them, as the CSV does, and one page deep
 * in the list, as the admin page does), then how many links each rule made and how many were wrong.
 *
 * Options: --accounts N, --seed S.
 */
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { crmBook, generateBook } from '../sandbox/generator/generate-book.ts';
import { linkBook } from '../sandbox/generator/linked-book.ts';
import { matchAccounts } from '../server/core/accounts/matching.ts';
import { normaliseDomain } from '../server/core/accounts/normalise.ts';
import { createSealer } from '../server/platform/crypto.ts';
import type { Database } from '../server/platform/db/database.ts';
import { createWorkspace, installationRepository } from '../server/platform/db/installations.ts';
import { matchStore } from '../server/platform/db/match-store.ts';
import { accounts as accountsTable } from '../server/platform/db/schema.ts';
import { testDatabases } from '../test/support/databases.ts';

const { values } = parseArgs({
  options: { accounts: { type: 'string', default: '10000' }, seed: { type: 'string', default: '7' } },
});
const customers = Number(values.accounts);
const seed = Number(values.seed);
if (![customers, seed].every((value) => Number.isInteger(value) && value >= 1)) {
  console.error('usage: npm run bench:matching -- [--accounts N] [--seed S]');
  process.exit(2);
}

type Row = { id: string; name: string; domain: string | null; connectorId: string | null };

async function writeAccounts(db: Database, workspaceId: string, installationId: string, rows: readonly Row[]) {
  for (let start = 0; start < rows.length; start += 2_000) {
    await db.insert(accountsTable).values(
      rows.slice(start, start + 2_000).map((row) => ({
        workspaceId,
        installationId,
        externalId: row.id,
        modifiedAt: new Date(),
        name: row.name,
        domain: row.domain,
        connectorExternalId: row.connectorId,
      })),
    );
  }
}

const ms = (from: number) => `${Math.round(performance.now() - from)} ms`;

// The last one is the DATABASE_URL server's when it is set, else PGlite.
const database = testDatabases().at(-1)!;
const handle = await database.open();
try {
  await handle.migrate();
  const book = crmBook(generateBook({ seed, accounts: customers, asOf: '2026-11-01' }).book);
  const linked = linkBook(book, { seed });
  const salesforceIdOf = new Map(
    linked.plan.customers
      .filter((customer) => customer.group === 'connector')
      .map((customer) => [customer.hubspotBookId, customer.salesforceBookId]),
  );
  const rowsOf = (side: typeof linked.hubspot, connector: boolean): Row[] =>
    side.accounts.map((account) => ({
      id: account.id,
      name: account.name,
      domain: account.domain === '' ? null : (normaliseDomain(account.domain) ?? null),
      connectorId: connector ? (salesforceIdOf.get(account.id) ?? null) : null,
    }));
  const repo = installationRepository(handle.db, createSealer(randomBytes(32)));
  const workspace = await createWorkspace(handle.db, 'Matching bench');
  const connect = (provider: 'hubspot' | 'salesforce') =>
    repo.install({
      workspaceId: workspace.id,
      provider,
      externalId: `bench-matching-${provider}`,
      displayName: provider,
      baseUrl: null,
      scopes: [],
      tokens: { accessToken: 'a', refreshToken: 'r', accessTokenExpiresAt: null },
    });
  const [hubspot, salesforce] = [await connect('hubspot'), await connect('salesforce')];
  await writeAccounts(handle.db, workspace.id, hubspot.id, rowsOf(linked.hubspot, true));
  await writeAccounts(handle.db, workspace.id, salesforce.id, rowsOf(linked.salesforce, false));
  console.log(
    `${database.name}: ${linked.hubspot.accounts.length} HubSpot companies, ${linked.salesforce.accounts.length} Salesforce Accounts (seed ${seed})`,
  );

  const store = matchStore(handle.db);
  const pair = (await store.pair(workspace.id))!;
  let started = performance.now();
  const inputs = await store.inputs(pair);
  console.log(`read both sides      ${ms(started)}`);
  started = performance.now();
  const report = matchAccounts(inputs);
  console.log(`match                ${ms(started)}`);
  started = performance.now();
  const first = await store.save(pair, report, new Date());
  console.log(`save (first run)     ${ms(started)}  (${first.linked} linked)`);
  started = performance.now();
  await store.refreshStatistics();
  console.log(`planner statistics   ${ms(started)}`);
  started = performance.now();
  const again = await store.save(pair, matchAccounts(await store.inputs(pair)), new Date());
  console.log(`whole second run     ${ms(started)}  (${again.linked} linked, ${again.unlinked} unlinked)`);
  started = performance.now();
  const all = await store.links(pair, { offset: 0, limit: report.links.length });
  console.log(`read every link      ${ms(started)}  (${all.length}, as the CSV export)`);
  started = performance.now();
  await store.links(pair, { offset: Math.floor(all.length / 2), limit: 50 });
  console.log(`read a page of 50    ${ms(started)}  (half-way down the list)`);

  const truth = new Map(
    linked.plan.customers
      .filter((customer) => customer.hubspotBookId !== null && customer.salesforceBookId !== null)
      .map((customer) => [customer.hubspotBookId!, customer]),
  );
  const wrong = report.links.filter((link) => truth.get(link.hubspotId)?.salesforceBookId !== link.salesforceId);
  const proposedRight = report.proposals.filter(
    (proposal) => truth.get(proposal.hubspotId)?.salesforceBookId === proposal.salesforceId,
  ).length;
  console.log(
    `links: connector ${report.counts.connector_id}, domain ${report.counts.domain}; wrong ${wrong.length}; ` +
      `proposals ${report.proposals.length} (${proposedRight} right); conflicts ${report.counts.conflicts}`,
  );
} finally {
  await handle.close();
  await database.cleanup();
}
