/**
 * `npm run bench:sync`: a full sync of a generated book (10,000 accounts by default) through the sync
 * engine and the shared rate-limit gate, against the HubSpot stand-in at HubSpot's real limits (110
 * requests per rolling 10 s, 5 searches per second) and against the Salesforce stand-in; then 1% of
 * the records change and an incremental run picks them up. Prints a table and writes
 * bench/results/sync.json.
 *
 * Targets: HubSpot full sync within 1.15 × the rate-limit floor (the fewest calls the work needs at
 * 11 requests per second); incremental with 1% changed within 5 s; Salesforce API calls within
 * 1.1 × the fewest query pages (N / 2000 per object).
 *
 * Options: --accounts N, --seed S, --only hubspot|salesforce, --inline-wait-ms MS (the gate's longest
 * inline sleep; 1000 as in the product), --unlimited (no limits and no gate: what the engine's own
 * speed allows; written to bench/results/sync-unlimited.json).
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { SingleBar, Presets } from 'cli-progress';
import express, { type Express } from 'express';
import { Redis } from 'ioredis';
import { buildJobServices } from '../jobs/sync/services.ts';
import { createQueues } from '../jobs/queues.ts';
import { runSync, type SyncMode, type SyncSummary } from '../jobs/sync/run-sync.ts';
import type { CrmBook } from '../sandbox/generator/book.ts';
import { crmBook, generateBook } from '../sandbox/generator/generate-book.ts';
import { createHubspotSandbox, type HubspotSandbox } from '../sandbox/hubspot/index.ts';
import type { ObjectType } from '../sandbox/hubspot/object-types.ts';
import { createSalesforceSandbox, type SalesforceSandbox } from '../sandbox/salesforce/salesforce-sandbox.ts';
import { CrmError } from '../server/crm/errors.ts';
import { LIST_PAGE_MAX } from '../server/crm/hubspot/list-changed.ts';
import { OWNERS_PAGE_MAX } from '../server/crm/hubspot/owners.ts';
import { createSealer } from '../server/platform/crypto.ts';
import { openDatabase } from '../server/platform/db/database.ts';
import { createWorkspace, installationRepository } from '../server/platform/db/installations.ts';
import { DEFAULT_REDIS_URL } from '../server/platform/env.ts';
import { createLogger } from '../server/platform/logger.ts';
import { loadManifest } from '../server/platform/manifest.ts';

const { values } = parseArgs({
  options: {
    accounts: { type: 'string', default: '10000' },
    seed: { type: 'string', default: '7' },
    'as-of': { type: 'string', default: '2026-11-01' },
    only: { type: 'string' },
    // Diagnosis: no limits at the stand-in and no gate, to see what the engine's own latency allows.
    unlimited: { type: 'boolean', default: false },
    // The longest wait the gate sleeps inside a call (the product's default: 1 s; longer waits delay the run).
    'inline-wait-ms': { type: 'string', default: '1000' },
  },
});
const accounts = Number(values.accounts);
const seed = Number(values.seed);
const only = values.only as 'hubspot' | 'salesforce' | undefined;
const unlimited = values.unlimited;
const maxInlineWaitMs = Number(values['inline-wait-ms']);
const TARGET_FLOOR_RATIO = 1.15;
const TARGET_INCREMENTAL_SECONDS = 5;
const TARGET_SALESFORCE_RATIO = 1.1;
/** HubSpot's main bucket: 110 requests per rolling 10 s. */
const MAIN_RATE_PER_SECOND = 11;
const SALESFORCE_QUERY_PAGE = 2_000;
const CHANGE_SHARE = 0.01;

const HUBSPOT_TYPES: Record<string, ObjectType> = {
  accounts: 'companies',
  contacts: 'contacts',
  deals: 'deals',
  tickets: 'tickets',
};
const SALESFORCE_TYPES: Record<string, string> = {
  accounts: 'Account',
  contacts: 'Contact',
  deals: 'Opportunity',
  tickets: 'Case',
};

/** Every answer the stand-in gave, by bucket and status, counted in front of it. */
interface Tally {
  standard: number;
  search: number;
  limited: number;
  other: number;
}
const emptyTally = (): Tally => ({ standard: 0, search: 0, limited: 0, other: 0 });
const minus = (a: Tally, b: Tally): Tally => ({
  standard: a.standard - b.standard,
  search: a.search - b.search,
  limited: a.limited - b.limited,
  other: a.other - b.other,
});

async function serve(app: Express, tally: Tally): Promise<{ url: string; server: Server }> {
  const front = express();
  front.use((req, res, next) => {
    if (!req.path.startsWith('/oauth') && !req.path.startsWith('/_sandbox')) {
      res.on('finish', () => {
        if (res.statusCode === 429) tally.limited++;
        else if (res.statusCode >= 400) tally.other++;
        else if (req.method === 'POST' && req.path.endsWith('/search')) tally.search++;
        else tally.standard++;
      });
    }
    next();
  });
  front.use(app);
  const server = front.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

function log(line: string) {
  process.stderr.write(`${line}\n`);
}

process.stderr.write(`Generating ${accounts} accounts (seed ${seed})…\n`);
const { book } = generateBook({ seed, accounts, asOf: values['as-of'] });
const crm: CrmBook = crmBook(book);
const counts = {
  owners: crm.owners.length,
  accounts: crm.accounts.length,
  contacts: crm.contacts.length,
  deals: crm.deals.length,
  tickets: crm.tickets.length,
};
const totalRecords = Object.values(counts).reduce((sum, n) => sum + n, 0);
log(`  ${JSON.stringify(counts)}`);

const manifest = loadManifest('manifest.json');
const logger = createLogger({ level: 'warn' });
const dataDir = await mkdtemp(join(tmpdir(), 'bw-bench-sync-'));
const database = await openDatabase({ dataDir, logger });
await database.migrate();
const redis = new Redis(process.env.REDIS_URL ?? DEFAULT_REDIS_URL, { maxRetriesPerRequest: 1 });
const queues = createQueues(redis, `{bwbench-${process.pid}}`);
const sealer = createSealer(Buffer.alloc(32, 7));
const installations = installationRepository(database.db, sealer);
const workspace = await createWorkspace(database.db, 'Bench');
const services = buildJobServices(
  {
    env: {
      HUBSPOT_CLIENT_ID: undefined,
      HUBSPOT_CLIENT_SECRET: undefined,
      HUBSPOT_API_BASE: 'https://api.hubapi.com',
      HUBSPOT_AUTHORIZE_URL: 'https://app.hubspot.com/oauth/authorize',
      SALESFORCE_CLIENT_ID: undefined,
      SALESFORCE_CLIENT_SECRET: undefined,
      SALESFORCE_LOGIN_URL: 'https://login.salesforce.com',
      SALESFORCE_SANDBOX_LOGIN_URL: 'https://test.salesforce.com',
      SALESFORCE_API_SHARE: 0.5,
      DATA_RETENTION_DAYS: 0,
      NODE_ENV: 'development',
    },
    database,
    producer: redis,
    manifest,
    sealer,
    logger,
  },
  queues,
  // Incremental windows end 1 s behind now instead of 30 s, so the changed records are in reach at once.
  {
    adapters: { hubspot: { indexLagMs: 1_000 }, salesforce: { windowLagMs: 0 } },
    gate: unlimited ? false : { maxInlineWaitMs },
  },
);

async function timedSync(
  label: string,
  installationId: string,
  mode: SyncMode,
): Promise<{
  summary: SyncSummary;
  seconds: number;
  delays: number;
  delayedMs: number;
  records: number;
  calls: number;
}> {
  const bar = new SingleBar(
    { format: `  ${label.padEnd(22)} [{bar}] {value}/{total} records  {object}  {calls} calls  {duration}s` },
    Presets.shades_classic,
  );
  const expected = mode === 'full' ? totalRecords : Math.ceil(totalRecords * CHANGE_SHARE);
  bar.start(expected, 0, { object: '', calls: 0 });
  const stored = new Map<string, number>();
  const started = performance.now();
  // Without a terminal the bar draws nothing: a line every 15 s instead.
  let lastLine = started;
  // As the sync job does: a rate limit puts the run back until the wait is over, and the run then
  // resumes from its checkpoints (a full run that has reset its cursors goes on as incremental).
  let runMode = mode;
  let delays = 0;
  let delayedMs = 0;
  // Records and calls of the attempts before the current one (each attempt counts from zero).
  const done = { records: 0, calls: 0 };
  let current = { records: 0, calls: 0 };
  const finished: SyncSummary[] = [];
  const attempt = () =>
    runSync(
      services.sync.sync,
      { workspaceId: workspace.id, installationId, mode: runMode },
      {
        onCursorsReset() {
          runMode = 'incremental';
        },
        onProgress(progress) {
          stored.set(progress.object, progress.records);
          current = { records: [...stored.values()].reduce((total, n) => total + n, 0), calls: progress.calls };
          const sum = done.records + current.records;
          const calls = done.calls + current.calls;
          bar.setTotal(Math.max(expected, sum));
          bar.update(sum, { object: progress.object, calls });
          if (!process.stderr.isTTY && performance.now() - lastLine > 15_000) {
            lastLine = performance.now();
            log(`  ${label}: ${sum} records, ${calls} calls, ${((lastLine - started) / 1000).toFixed(0)} s`);
          }
        },
      },
    );
  for (;;) {
    try {
      finished.push(await attempt());
      break;
    } catch (error) {
      if (!(error instanceof CrmError) || (error.code !== 'RATE_LIMITED' && error.code !== 'QUOTA_EXHAUSTED'))
        throw error;
      const wait = error.retryAfterMs ?? 10_000;
      delays++;
      delayedMs += wait;
      done.records += current.records;
      done.calls += current.calls;
      current = { records: 0, calls: 0 };
      stored.clear();
      await sleep(wait);
    }
  }
  const seconds = (performance.now() - started) / 1000;
  bar.stop();
  const summary = finished[0]!;
  return {
    summary,
    seconds,
    delays,
    delayedMs,
    records: done.records + current.records,
    calls: done.calls + current.calls,
  };
}

const results: Record<string, unknown> = { accounts, seed, asOf: values['as-of'], counts };
const rows: [string, string, string][] = [];
let failed = false;
const verdict = (ok: boolean) => {
  if (!ok) failed = true;
  return ok ? 'PASS' : 'FAIL';
};

// HubSpot at its real limits.
if (only !== 'salesforce') {
  const tally = emptyTally();
  const hubspot: HubspotSandbox = createHubspotSandbox({
    portals: [{ id: 7_000_001, name: 'Bench portal' }],
    accessTokenTtlSeconds: 24 * 3600,
    ...(unlimited ? { limits: { perTenSeconds: 1_000_000, searchPerSecond: 1_000_000 } } : {}),
  });
  const served = await serve(hubspot.app, tally);
  try {
    hubspot.loadBook(7_000_001, crm);
    const tokens = hubspot.issueTokens(7_000_001);
    const installation = await installations.install({
      workspaceId: workspace.id,
      provider: 'hubspot',
      externalId: '7000001',
      displayName: 'Bench portal',
      baseUrl: served.url,
      scopes: [],
      tokens: {
        accessToken: tokens.accessToken,
        refreshToken: tokens.refreshToken,
        accessTokenExpiresAt: new Date(Date.now() + tokens.expiresIn * 1000),
      },
    });

    log('HubSpot, real limits:');
    const full = await timedSync('full sync', installation.id, 'full');
    const fullTally = { ...tally };
    // The fewest calls: every object listed 100 a page with its associations in the same answer.
    const pages = (n: number, size: number) => Math.ceil(n / size);
    const floorCalls =
      pages(counts.owners, OWNERS_PAGE_MAX) +
      pages(counts.accounts, LIST_PAGE_MAX) +
      pages(counts.contacts, LIST_PAGE_MAX) +
      pages(counts.deals, LIST_PAGE_MAX) +
      pages(counts.tickets, LIST_PAGE_MAX);
    const floorSeconds = floorCalls / MAIN_RATE_PER_SECOND;
    const ratio = full.seconds / floorSeconds;
    const stored = full.records;

    // Let the main window drain as it would between scheduled runs, then change 1% of every object.
    await sleep(11_000);
    const portal = hubspot.portals.get('7000001');
    if (!portal) throw new Error('bench portal missing');
    let changed = 0;
    for (const type of Object.values(HUBSPOT_TYPES)) {
      const records = portal.table(type).order.filter((record) => !record.archived);
      const step = Math.max(1, Math.round(1 / CHANGE_SHARE));
      for (let i = 0; i < records.length; i += step) {
        portal.update(records[i]!, {}, Date.now());
        changed++;
      }
    }
    // Past the adapter's 1 s window lag.
    await sleep(1_500);
    const before = { ...tally };
    const incremental = await timedSync('incremental, 1% changed', installation.id, 'incremental');
    const incrementalTally = minus(tally, before);
    const incrementalRecords = incremental.records;

    results.hubspot = {
      full: {
        seconds: full.seconds,
        recordsRead: stored,
        delays: full.delays,
        delayedMs: full.delayedMs,
        calls: fullTally,
        floorCalls,
        floorFormula: `ceil(owners/${OWNERS_PAGE_MAX}) + ceil(companies/${LIST_PAGE_MAX}) + ceil(contacts/${LIST_PAGE_MAX}) + ceil(deals/${LIST_PAGE_MAX}) + ceil(tickets/${LIST_PAGE_MAX}) list pages (associations come with each page); floor = calls / 11 per s`,
        floorSeconds,
        ratio,
        target: TARGET_FLOOR_RATIO,
        lastAttemptObjects: full.summary.objects,
      },
      incremental: {
        seconds: incremental.seconds,
        changed,
        recordsRead: incrementalRecords,
        calls: incrementalTally,
        target: TARGET_INCREMENTAL_SECONDS,
        lastAttemptObjects: incremental.summary.objects,
      },
    };
    rows.push(
      [
        'HubSpot full: wall time',
        `${full.seconds.toFixed(1)} s`,
        `${stored} records read (owners again on each resume); delayed ${full.delays} times for ${(full.delayedMs / 1000).toFixed(1)} s by the gate`,
      ],
      [
        'HubSpot full: calls',
        `${fullTally.standard + fullTally.search}`,
        `${fullTally.standard} main, ${fullTally.search} search, ${fullTally.other} other errors`,
      ],
      [
        'HubSpot full: 429s',
        `${fullTally.limited}`,
        `${((100 * fullTally.limited) / Math.max(1, fullTally.standard + fullTally.search + fullTally.limited)).toFixed(2)}% of calls`,
      ],
      [
        'HubSpot rate-limit floor',
        `${floorSeconds.toFixed(1)} s`,
        `${floorCalls} calls = ceil(owners/${OWNERS_PAGE_MAX}) + Σ ceil(n/${LIST_PAGE_MAX}) list pages over companies, contacts, deals, tickets; / 11 per s`,
      ],
      [
        'HubSpot wall / floor',
        ratio.toFixed(3),
        `target ≤ ${TARGET_FLOOR_RATIO}: ${verdict(ratio <= TARGET_FLOOR_RATIO && fullTally.limited === 0)}`,
      ],
      [
        'HubSpot incremental, 1% changed',
        `${incremental.seconds.toFixed(2)} s`,
        `${changed} changed, ${incrementalRecords} read, ${incrementalTally.standard} main + ${incrementalTally.search} search calls, ${incrementalTally.limited} 429s; target ≤ ${TARGET_INCREMENTAL_SECONDS} s: ${verdict(incremental.seconds <= TARGET_INCREMENTAL_SECONDS && incrementalRecords >= changed)}`,
      ],
    );
  } finally {
    hubspot.close();
    served.server.closeAllConnections();
    served.server.close();
  }
}

// Salesforce: the allowance is what is scarce, so calls are what counts.
if (only !== 'hubspot') {
  const tally = emptyTally();
  const salesforce: SalesforceSandbox = createSalesforceSandbox({ limits: { dailyApiRequests: 1_000_000 } });
  const served = await serve(salesforce.app, tally);
  try {
    const orgId = salesforce.defaultOrg.id;
    salesforce.loadBook(orgId, crm);
    const session = salesforce.issueSession({ instanceUrl: served.url, withRefreshToken: true });
    const installation = await installations.install({
      workspaceId: workspace.id,
      provider: 'salesforce',
      externalId: orgId,
      displayName: 'Bench org',
      baseUrl: served.url,
      scopes: [],
      tokens: {
        accessToken: session.access_token,
        refreshToken: session.refresh_token ?? null,
        accessTokenExpiresAt: null,
      },
    });
    log('Salesforce:');
    const full = await timedSync('full sync', installation.id, 'full');
    const fullTally = { ...tally };
    const users = salesforce.defaultOrg.users().length;
    const queryPages = (n: number) => Math.max(1, Math.ceil(n / SALESFORCE_QUERY_PAGE));
    const minimum =
      queryPages(users) +
      queryPages(counts.accounts) +
      queryPages(counts.contacts) +
      queryPages(counts.deals) +
      queryPages(counts.tickets);
    const spent = fullTally.standard + fullTally.other + fullTally.limited;
    const ratio = spent / minimum;

    await sleep(1_100);
    const org = salesforce.defaultOrg;
    const actor = org.users()[0]!.id;
    let changed = 0;
    for (const type of Object.values(SALESFORCE_TYPES)) {
      const ids = [...org.table(type).keys()];
      const step = Math.round(1 / CHANGE_SHARE);
      for (let i = 0; i < ids.length; i += step) {
        org.update(type, ids[i]!, {}, actor);
        changed++;
      }
    }
    await sleep(1_100);
    const before = { ...tally };
    const incremental = await timedSync('incremental, 1% changed', installation.id, 'incremental');
    const incrementalTally = minus(tally, before);
    const incrementalRecords = incremental.records;
    results.salesforce = {
      full: {
        seconds: full.seconds,
        calls: fullTally,
        spent,
        minimumQueryPages: minimum,
        minimumFormula: 'Σ max(1, ceil(n/2000)) query pages over users, accounts, contacts, opportunities, cases',
        ratio,
        target: TARGET_SALESFORCE_RATIO,
        lastAttemptObjects: full.summary.objects,
      },
      incremental: {
        seconds: incremental.seconds,
        changed,
        recordsRead: incrementalRecords,
        calls: incrementalTally,
        lastAttemptObjects: incremental.summary.objects,
      },
    };
    rows.push(
      ['Salesforce full: wall time', `${full.seconds.toFixed(1)} s`, `${full.calls} calls by the engine's count`],
      [
        'Salesforce full: API calls / minimum',
        ratio.toFixed(3),
        `${spent} spent vs ${minimum} query pages (Σ ceil(n/2000)); target ≤ ${TARGET_SALESFORCE_RATIO}: ${verdict(ratio <= TARGET_SALESFORCE_RATIO)}`,
      ],
      [
        'Salesforce incremental, 1% changed',
        `${incremental.seconds.toFixed(2)} s`,
        `${changed} changed, ${incrementalRecords} read, ${incrementalTally.standard + incrementalTally.other} calls`,
      ],
    );
  } finally {
    served.server.closeAllConnections();
    served.server.close();
  }
}

await queues.close();
redis.disconnect();
await database.close();
await rm(dataDir, { recursive: true, force: true });

const width = [0, 1].map((column) => Math.max(...rows.map((row) => (row[column] ?? '').length)));
process.stdout.write(
  `\n${rows.map((row) => `${row[0].padEnd(width[0]!)}  ${row[1].padStart(width[1]!)}  ${row[2]}`).join('\n')}\n`,
);
await mkdir('bench/results', { recursive: true });
// A diagnostic run does not overwrite the benchmark's figures.
const resultFile = unlimited ? 'bench/results/sync-unlimited.json' : 'bench/results/sync.json';
await writeFile(resultFile, `${JSON.stringify({ ...results, unlimited, maxInlineWaitMs }, null, 2)}\n`);
if (failed) process.exitCode = 1;
