import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { once } from 'node:events';
import { Client } from '@hubspot/api-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createQueues, enqueueSync, type Queues } from '../../../jobs/queues.ts';
import type { JobServices } from '../../../jobs/sync/services.ts';
import { startWorkers, type RunningWorkers } from '../../../jobs/worker.ts';
import { crmBook, generateBook } from '../../../sandbox/generator/generate-book.ts';
import { ManualClock } from '../../../sandbox/shared/clock.ts';
import { createApp } from '../../../server/http/app.ts';
import { recordAudit } from '../../../server/platform/db/audit.ts';
import type { DatabaseHandle } from '../../../server/platform/db/database.ts';
import { healthModelStore } from '../../../server/platform/db/health-model-store.ts';
import { healthScoreStore } from '../../../server/platform/db/health-score-store.ts';
import { overrideStore } from '../../../server/platform/db/override-store.ts';
import { createProducerConnection, createWorkerConnection, type Redis } from '../../../server/platform/redis.ts';
import { silentLogger, testDatabases } from '../../support/databases.ts';
import { dropPrefix, TEST_REDIS_URL, uniquePrefix } from '../../support/redis.ts';
import { createSyncHarness, type SyncHarness } from '../../support/sync-harness.ts';
import { writeBackServices } from '../write-back/support.ts';
import { ingestBookSignals } from './support.ts';

/**
 * Issue 6, acceptance 7: a change made in HubSpot reaches the score written back on the company
 * within 60 seconds, through the whole chain on real workers: the stand-in's signed webhook, the
 * app's webhook endpoint, the incremental sync, the score job and the write-back job.
 */

/** The stand-ins' clock following real time, as webhooks and the sync's "changed since" need. */
class RealTimeClock extends ManualClock {
  override now(): number {
    return Date.now();
  }
}

const SECRET = 'webhook-to-crm-secret';
const database = testDatabases()[0]!;
const book = generateBook({ seed: 21, accounts: 30, asOf: new Date().toISOString().slice(0, 10) }).book;
const prefix = uniquePrefix();
let handle: DatabaseHandle;
let h: SyncHarness;
let server: Server;
let producer: Redis;
let workerConnection: Redis;
let queues: Queues;
let workers: RunningWorkers;

const SCORE = 'bellwether_health_score';

function company(id: string) {
  const portal = h.hubspot.sandbox.portals.get(String(h.hubspot.portalId))!;
  return portal.table('companies').order.find((record) => record.id === id)!;
}

beforeAll(async () => {
  handle = await database.open();
  await handle.migrate();
  server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const appUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  h = await createSyncHarness({
    db: handle,
    book: crmBook(book),
    clock: new RealTimeClock(),
    hubspot: { webhooks: { targetUrl: `${appUrl}/webhooks/hubspot`, clientSecret: SECRET, batchWindowMs: 100 } },
  });
  producer = createProducerConnection(TEST_REDIS_URL, silentLogger);
  workerConnection = createWorkerConnection(TEST_REDIS_URL, silentLogger);
  queues = createQueues(producer, prefix);
  const services: JobServices = {
    sync: { sync: h.deps, queues, redis: h.redis, manifest: h.manifest, tokens: h.tokens, busyDelayMs: 200 },
    uninstall: {
      db: handle.db,
      installations: h.repository,
      queues,
      redis: h.redis,
      manifest: h.manifest,
      limiter: h.limiter,
      logger: silentLogger,
      retentionDays: 0,
    },
    score: {
      score: {
        db: handle.db,
        store: healthScoreStore(handle.db),
        models: healthModelStore(handle.db),
        overrides: overrideStore(handle.db),
        logger: silentLogger,
      },
      installations: h.repository,
      queues,
      redis: h.redis,
      busyDelayMs: 200,
    },
    writeBack: { ...writeBackServices(h, handle.db, queues), busyDelayMs: 200 },
  };
  workers = startWorkers({
    db: handle.db,
    connection: workerConnection,
    prefix,
    concurrency: 4,
    logger: silentLogger,
    services,
  });
  server.on(
    'request',
    createApp({
      logger: silentLogger,
      version: '0.0.0-test',
      bodyLimit: '1mb',
      readiness: {},
      hubspotWebhooks: {
        hubspotClientSecret: SECRET,
        publicUrl: appUrl,
        installations: h.repository,
        queues,
        ownProperties: new Set(h.manifest.fields.map((field) => field.hubspot.name)),
        audit: (entry) => recordAudit(handle.db, entry),
      },
    }),
  );
}, 120_000);

afterAll(async () => {
  h?.hubspot.sandbox.webhooks?.close();
  await workers?.close();
  await queues?.close();
  workerConnection?.disconnect();
  producer?.disconnect();
  server?.closeAllConnections();
  server?.close();
  await h?.close();
  await handle?.close();
  await database.cleanup();
  await dropPrefix(prefix);
});

describe('a CRM change reaches the written-back score', () => {
  it('scores and writes every company after the first sync, then follows a champion leaving within 60 s', async () => {
    const installation = h.installations.hubspot;
    await ingestBookSignals(handle.db, h, book, 'hubspot', new Date());
    await enqueueSync(queues, {
      workspaceId: installation.workspaceId,
      installationId: installation.id,
      mode: 'full',
      reason: 'install',
    });
    // Every current customer; former customers are not scored.
    const companyIds = book.accounts
      .filter((account) => account.status === 'active')
      .map((account) => h.hubspot.ids!.companies.get(account.id)!);
    await expect
      .poll(() => companyIds.filter((id) => company(id).properties[SCORE] !== undefined).length, {
        timeout: 60_000,
        interval: 250,
      })
      .toBe(companyIds.length);

    // A company with champions in place: every one of them leaves.
    const portal = h.hubspot.sandbox.portals.get(String(h.hubspot.portalId))!;
    const champions = portal
      .table('contacts')
      .order.filter(
        (contact) => contact.properties.contact_role === 'champion' && contact.properties.contact_status !== 'departed',
      );
    const byCompany = new Map<string, string[]>();
    for (const contact of champions) {
      const bookContact = book.contacts.find((candidate) => h.hubspot.ids!.contacts.get(candidate.id) === contact.id);
      const companyId = bookContact ? h.hubspot.ids!.companies.get(bookContact.accountId) : undefined;
      if (companyId) byCompany.set(companyId, [...(byCompany.get(companyId) ?? []), contact.id]);
    }
    const [companyId, contactIds] = [...byCompany.entries()].find(([id]) =>
      book.accounts.some((account) => h.hubspot.ids!.companies.get(account.id) === id && account.status === 'active'),
    )!;
    const before = Number(company(companyId).properties[SCORE]);

    const client = new Client({
      accessToken: h.hubspot.sandbox.issueTokens(h.hubspot.portalId).accessToken,
      basePath: h.hubspot.url,
    });
    const changedAt = Date.now();
    await client.crm.contacts.batchApi.update({
      inputs: contactIds.map((id) => ({
        id,
        properties: { contact_status: 'departed', left_company_date: new Date().toISOString().slice(0, 10) },
      })),
    });
    await expect
      .poll(() => Number(company(companyId).properties[SCORE]), { timeout: 60_000, interval: 200 })
      .toBeLessThan(before);
    const seconds = (Date.now() - changedAt) / 1000;
    console.log(
      `champion left → written-back score ${before} → ${company(companyId).properties[SCORE]} in ${seconds.toFixed(1)} s`,
    );
    expect(seconds).toBeLessThan(60);
  }, 150_000);
});
