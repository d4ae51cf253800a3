/**
 * `npm run bench:cards`: the card API's latency under load. A server process holds N scored accounts
 * (10,000 by default, each with a full explanation and 84 days of history, written straight into the
 * tables) in PGlite or the DATABASE_URL Postgres, and serves the app on loopback; this process sends
 * HubSpot-signed `GET /api/cards/account` requests for random accounts at a fixed rate (200/s for 25 s
 * by default). The load is open: each send is scheduled by the clock, not by the previous answer, and
 * latency counts from the scheduled moment, so a stall shows up in the tail instead of slowing the
 * load. Prints p50/p95/p99/max, errors, the server's RSS and heap; writes bench/results/cards.json.
 *
 * Target: p99 ≤ 25 ms at 200 requests/s.
 *
 * Options: --accounts N, --rate R (requests/s), --seconds S, --history D (days), --warmup S.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { sql } from 'drizzle-orm';
import { createQueues } from '../jobs/queues.ts';
import { nextMessage, openLoop, percentile, timedGet, type Timed } from './open-loop.ts';
import { signV3 } from '../server/crm/hubspot/request-signature.ts';
import { createApp } from '../server/http/app.ts';
import { createSealer } from '../server/platform/crypto.ts';
import { openDatabase } from '../server/platform/db/database.ts';
import { createWorkspace, installationRepository } from '../server/platform/db/installations.ts';
import { createLogger } from '../server/platform/logger.ts';
import { createProducerConnection } from '../server/platform/redis.ts';
import { markSynced, seedScoredAccounts } from '../test/integration/http/cards-seed.ts';

const { values } = parseArgs({
  options: {
    accounts: { type: 'string', default: '10000' },
    rate: { type: 'string', default: '200' },
    seconds: { type: 'string', default: '25' },
    history: { type: 'string', default: '84' },
    warmup: { type: 'string', default: '3' },
    seed: { type: 'boolean', default: false },
    serve: { type: 'string' },
  },
});
const accounts = Number(values.accounts);
const rate = Number(values.rate);
const seconds = Number(values.seconds);
const historyDays = Number(values.history);
const warmup = Number(values.warmup);
if (![accounts, rate, seconds, historyDays].every((value) => Number.isInteger(value) && value >= 1) || !(warmup >= 0)) {
  console.error('usage: npm run bench:cards -- [--accounts N] [--rate R] [--seconds S] [--history D] [--warmup S]');
  process.exit(2);
}
const TARGET_P99_MS = 25;
const SECRET = 'bench-hubspot-client-secret';

type ServerMessage =
  | ({ type: 'seeded' } & Seeded)
  | { type: 'ready'; port: number; portalId: string; seedSeconds: number; database: string }
  | { type: 'memory'; rss: number; heapUsed: number; peakRss: number; peakHeapUsed: number };

interface Seeded {
  dataDir: string;
  portalId: string;
  seedSeconds: number;
}

/**
 * Seeds in a process of its own, so the serving process starts with the heap a server has rather
 * than the seed's garbage (which otherwise shows up as major collections in the tail).
 */
async function seed(): Promise<void> {
  const logger = createLogger({ level: 'silent' });
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'bench-cards-'));
  const handle = await openDatabase({ databaseUrl: process.env.DATABASE_URL, dataDir, logger });
  await handle.migrate();
  const installations = installationRepository(handle.db, createSealer(randomBytes(32)));
  const workspace = await createWorkspace(handle.db, 'Card bench');
  const portalId = String(Math.floor(1e8 + Math.random() * 8e8));
  const installation = await installations.install({
    workspaceId: workspace.id,
    provider: 'hubspot',
    externalId: portalId,
    displayName: 'Card bench',
    baseUrl: null,
    scopes: [],
    tokens: { accessToken: 'access', refreshToken: 'refresh', accessTokenExpiresAt: null },
  });
  const key = { workspaceId: workspace.id, installationId: installation.id };
  const started = performance.now();
  const ids = Array.from({ length: accounts }, (_, index) => String(10_000_000 + index));
  await seedScoredAccounts(handle.db, key, ids, { now: Date.now(), historyDays, batchSize: 100 });
  await markSynced(handle.db, key, new Date());
  // Fresh planner statistics, as autovacuum keeps them on Postgres. Without them (PGlite runs no
  // autovacuum) the history read takes the (workspace, installation, day) index and filters every
  // account's rows: 40 ms a card at 1,000 accounts instead of 0.1 ms.
  await handle.rows(sql`analyze`);
  const seeded: Seeded = { dataDir, portalId, seedSeconds: (performance.now() - started) / 1000 };
  await handle.close();
  process.send?.({ type: 'seeded', ...seeded });
}

/** The server side: listen, answer memory questions until told to stop. */
async function serve(seeded: Seeded): Promise<void> {
  const logger = createLogger({ level: 'silent' });
  const { dataDir, portalId, seedSeconds } = seeded;
  const handle = await openDatabase({ databaseUrl: process.env.DATABASE_URL, dataDir, logger });
  const redis = createProducerConnection(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', logger);
  const queues = createQueues(redis, `bench-cards-${randomUUID()}`);
  const installations = installationRepository(handle.db, createSealer(randomBytes(32)));

  const server = http.createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as AddressInfo).port;
  const app = createApp({
    logger,
    version: 'bench',
    bodyLimit: '1mb',
    readiness: {},
    cards: {
      db: handle.db,
      queues,
      installations,
      sealer: createSealer(randomBytes(32)),
      publicUrl: `http://127.0.0.1:${port}`,
      hubspotClientSecret: SECRET,
      salesforceConsumerSecret: undefined,
    },
  });
  server.on('request', app);

  let peakRss = 0;
  let peakHeapUsed = 0;
  const sampler = setInterval(() => {
    const memory = process.memoryUsage();
    peakRss = Math.max(peakRss, memory.rss);
    peakHeapUsed = Math.max(peakHeapUsed, memory.heapUsed);
  }, 200);
  const send = (message: ServerMessage) => process.send?.(message);
  process.on('message', (message: { type: string }) => {
    if (message.type === 'memory') {
      const memory = process.memoryUsage();
      send({ type: 'memory', rss: memory.rss, heapUsed: memory.heapUsed, peakRss, peakHeapUsed });
    }
    if (message.type === 'stop') {
      clearInterval(sampler);
      server.closeAllConnections();
      server.close();
      void (async () => {
        await queues.close();
        redis.disconnect();
        await handle.close();
        await rm(dataDir, { recursive: true, force: true });
        process.exit(0);
      })();
    }
  });
  send({ type: 'ready', port, portalId, seedSeconds, database: `${handle.driver} ${handle.location}` });
}

/** Open-loop load on the card API for one random account a request. */
async function load(base: string, portalId: string, durationS: number): Promise<Timed[]> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
  const done = await openLoop(rate, durationS, (_index, due) => {
    const objectId = String(10_000_000 + Math.floor(Math.random() * accounts));
    const url = `${base}/api/cards/account?portalId=${portalId}&objectId=${objectId}&userId=42`;
    const stamp = String(Date.now());
    const signature = signV3(SECRET, 'GET', url, '', stamp);
    return timedGet(
      url,
      { agent, headers: { 'x-hubspot-signature-v3': signature, 'x-hubspot-request-timestamp': stamp } },
      due,
    );
  });
  agent.destroy();
  return done;
}

const round2 = (value: number) => Math.round(value * 100) / 100;
const mb = (bytes: number) => Math.round((bytes / 1_048_576) * 10) / 10;

async function main(): Promise<void> {
  const self = fileURLToPath(import.meta.url);
  console.log(`seeding ${accounts.toLocaleString('en')} scored accounts with ${historyDays} days of history…`);
  const seeder = fork(self, ['--seed', ...process.argv.slice(2)], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const { type: _type, ...seeded } = await nextMessage<ServerMessage, 'seeded'>(seeder, 'seeded');
  if (seeder.exitCode === null) await once(seeder, 'exit');
  const child = fork(self, ['--serve', JSON.stringify(seeded), ...process.argv.slice(2)], {
    execArgv: [
      '--import',
      'tsx',
      ...(process.env.BENCH_CPU_PROF ? ['--cpu-prof', '--cpu-prof-dir=' + process.env.BENCH_CPU_PROF] : []),
    ],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  try {
    const ready = await nextMessage<ServerMessage, 'ready'>(child, 'ready');
    console.log(`seeded in ${ready.seedSeconds.toFixed(1)} s on ${ready.database.split(' ')[0]}`);
    const base = `http://127.0.0.1:${ready.port}`;
    if (warmup > 0) await load(base, ready.portalId, warmup);
    const started = performance.now();
    const outcomes = await load(base, ready.portalId, seconds);
    const elapsedS = (performance.now() - started) / 1000;
    child.send({ type: 'memory' });
    const memory = await nextMessage<ServerMessage, 'memory'>(child, 'memory');

    const ok = outcomes.filter((outcome) => outcome.status === 200);
    const latencies = outcomes.map((outcome) => outcome.latencyMs).sort((a, b) => a - b);
    const sizes = ok.map((outcome) => outcome.bytes).sort((a, b) => a - b);
    const result = {
      accounts,
      historyDays,
      database: ready.database.split(' ')[0],
      targetRate: rate,
      achievedRate: round2(outcomes.length / elapsedS),
      requests: outcomes.length,
      errors: outcomes.length - ok.length,
      latencyMs: {
        p50: round2(percentile(latencies, 50)),
        p95: round2(percentile(latencies, 95)),
        p99: round2(percentile(latencies, 99)),
        max: round2(latencies.at(-1) ?? Number.NaN),
      },
      answerBytes: { median: percentile(sizes, 50), max: sizes.at(-1) ?? 0 },
      serverMemoryMb: {
        rss: mb(memory.rss),
        heapUsed: mb(memory.heapUsed),
        peakRss: mb(memory.peakRss),
        peakHeapUsed: mb(memory.peakHeapUsed),
      },
      targetP99Ms: TARGET_P99_MS,
      met: percentile(latencies, 99) <= TARGET_P99_MS && ok.length === outcomes.length,
    };
    console.log(
      [
        `${result.requests} requests at ${result.achievedRate}/s over ${seconds} s: ${result.errors} errors`,
        `latency p50 ${result.latencyMs.p50} ms, p95 ${result.latencyMs.p95} ms, p99 ${result.latencyMs.p99} ms, max ${result.latencyMs.max} ms`,
        `answer size median ${result.answerBytes.median} B, max ${result.answerBytes.max} B`,
        `server RSS ${result.serverMemoryMb.rss} MB (peak ${result.serverMemoryMb.peakRss} MB), heap ${result.serverMemoryMb.heapUsed} MB (peak ${result.serverMemoryMb.peakHeapUsed} MB)`,
        `target p99 ≤ ${TARGET_P99_MS} ms: ${result.met ? 'met' : 'MISSED'}`,
      ].join('\n'),
    );
    const resultsDir = fileURLToPath(new URL('./results/', import.meta.url));
    await mkdir(resultsDir, { recursive: true });
    await writeFile(path.join(resultsDir, 'cards.json'), `${JSON.stringify(result, null, 2)}\n`);
    if (!result.met) process.exitCode = 1;
  } finally {
    child.send({ type: 'stop' });
    await once(child, 'exit');
  }
}

if (values.seed) await seed();
else if (values.serve) await serve(JSON.parse(values.serve) as Seeded);
else await main();
