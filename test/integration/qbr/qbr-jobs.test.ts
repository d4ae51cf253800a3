import { randomBytes } from 'node:crypto';
import { Client } from '@hubspot/api-client';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runQbrBriefJob, runQbrDaily, runQbrNoteJob, type QbrServices } from '../../../jobs/qbr/qbr.jobs.ts';
import { createQueues, type Queues } from '../../../jobs/queues.ts';
import { runScore } from '../../../jobs/score/score-run.ts';
import { runSync } from '../../../jobs/sync/run-sync.ts';
import type { Book } from '../../../sandbox/generator/book.ts';
import { crmBook, generateBook } from '../../../sandbox/generator/generate-book.ts';
import { briefQbrDate } from '../../../server/core/qbr/cadence.ts';
import { briefLinks, readBriefLink } from '../../../server/http/qbr/brief-links.ts';
import { createSealer } from '../../../server/platform/crypto.ts';
import type { DatabaseHandle } from '../../../server/platform/db/database.ts';
import { healthModelStore } from '../../../server/platform/db/health-model-store.ts';
import { healthScoreStore } from '../../../server/platform/db/health-score-store.ts';
import { overrideStore } from '../../../server/platform/db/override-store.ts';
import { briefById, listBriefs, markNoteAttempt } from '../../../server/platform/db/qbr-store.ts';
import { accounts, tickets } from '../../../server/platform/db/schema.ts';
import { AppError } from '../../../server/platform/errors.ts';
import { silentLogger, testDatabases } from '../../support/databases.ts';
import { dropPrefix, uniquePrefix } from '../../support/redis.ts';
import { createSyncHarness, type SyncHarness } from '../../support/sync-harness.ts';
import { ingestBookSignals } from '../score/support.ts';
import { fakeJob } from '../write-back/support.ts';

/**
 * The QBR jobs on a synced, scored HubSpot book: a brief is stored as a new version only when its
 * content changed, each version's note reaches the CRM once (also when an earlier attempt's answer
 * was lost), and the card's sealed links open only their own brief, until they expire.
 */

const database = testDatabases()[0]!;
let handle: DatabaseHandle;
let h: SyncHarness;
let prefix: string;
let queues: Queues;
let book: Book;
let now: Date;
let services: QbrServices;
let accountId: string;

const key = () => ({ workspaceId: h.installations.hubspot.workspaceId, installationId: h.installations.hubspot.id });

/** The notes on the portal that carry a Bellwether ref, read through HubSpot's API. */
async function notesInCrm(): Promise<string[]> {
  const crm = new Client({
    basePath: h.hubspot.url,
    accessToken: h.hubspot.sandbox.issueTokens(h.hubspot.portalId).accessToken,
  });
  const refs: string[] = [];
  let after: string | undefined;
  do {
    const page = await crm.crm.objects.notes.basicApi.getPage(100, after, ['hs_note_body']);
    for (const note of page.results) {
      const ref = /Bellwether ref: ([a-z0-9]+)/.exec(note.properties.hs_note_body ?? '')?.[1];
      if (ref) refs.push(ref);
    }
    after = page.paging?.next?.after;
  } while (after !== undefined);
  return refs;
}

beforeAll(async () => {
  handle = await database.open();
  await handle.migrate();
  now = new Date();
  book = generateBook({ seed: 29, accounts: 20, asOf: now.toISOString().slice(0, 10) }).book;
  h = await createSyncHarness({ db: handle, book: crmBook(book) });
  h.clock.set(now.getTime());
  prefix = uniquePrefix();
  queues = createQueues(h.redis, prefix);
  services = {
    db: handle.db,
    manifest: h.manifest,
    installations: h.repository,
    adapters: h.adapters,
    connections: h.deps.connections,
    tokens: h.tokens,
    queues,
    logger: silentLogger,
    now: () => h.clock.now(),
  };
  await runSync(h.deps, { ...key(), mode: 'full' });
  await ingestBookSignals(handle.db, h, book, 'hubspot', now);
  const scoreDeps = {
    db: handle.db,
    store: healthScoreStore(handle.db),
    models: healthModelStore(handle.db),
    overrides: overrideStore(handle.db),
    logger: silentLogger,
    now: () => now,
  };
  await runScore(scoreDeps, key(), { full: true });
  accountId = [...h.hubspot.ids!.companies.values()][0]!;
}, 120_000);

afterAll(async () => {
  await queues?.close();
  await h?.close();
  await handle?.close();
  await database.cleanup();
  if (prefix) await dropPrefix(prefix);
});

describe('QBR briefs and their CRM notes', () => {
  it('stores a version per content and writes each version to the CRM as a note once', async () => {
    const qbrDate = briefQbrDate(null, h.clock.now());
    const data = {
      ...key(),
      accountExternalId: accountId,
      qbrDate,
      trigger: 'card' as const,
      requestedBy: 'hubspot:user:1',
    };
    const first = await runQbrBriefJob(services, data);
    expect(first).toMatchObject({ outcome: 'written', version: 1 });
    const again = await runQbrBriefJob(services, data);
    expect(again).toMatchObject({ outcome: 'unchanged', version: 1 });
    const firstId = first.outcome === 'written' ? first.briefId : '';

    const note = await runQbrNoteJob(services, { ...key(), briefId: firstId }, fakeJob(), undefined);
    expect(note).toMatchObject({ outcome: 'written' });
    expect(await runQbrNoteJob(services, { ...key(), briefId: firstId }, fakeJob(), undefined)).toEqual({
      outcome: 'skipped',
      reason: 'the note is written',
    });
    expect(await notesInCrm()).toHaveLength(1);

    // New content (an urgent ticket opened two days ago): version 2, and its own note.
    await handle.db.insert(tickets).values({
      ...key(),
      externalId: `t-${randomBytes(4).toString('hex')}`,
      accountExternalId: accountId,
      modifiedAt: new Date(h.clock.now()),
      createdAtCrm: new Date(h.clock.now() - 2 * 86_400_000),
      priority: 'high',
      status: 'open',
    });
    const second = await runQbrBriefJob(services, data);
    expect(second).toMatchObject({ outcome: 'written', version: 2 });
    const secondId = second.outcome === 'written' ? second.briefId : '';

    // The note's first attempt was sent but its answer lost: the retry finds it instead of writing twice.
    const stored = (await briefById(handle.db, key(), secondId))!;
    await markNoteAttempt(handle.db, key(), secondId, new Date(h.clock.now()));
    const { noteKeyOf } = await import('../../../jobs/qbr/qbr.jobs.ts');
    const connection = h.deps.connections(h.installations.hubspot);
    const written = await h.adapters.hubspot.createNote(connection, accountId, {
      key: noteKeyOf(secondId),
      title: `QBR brief, version ${stored.version}`,
      body: 'Brief',
    });
    h.clock.advance(h.adapters.hubspot.activityLookupLagMs + 1_000);
    expect(await runQbrNoteJob(services, { ...key(), briefId: secondId }, fakeJob(), undefined)).toEqual({
      outcome: 'found',
      crmNoteId: written.id,
    });
    expect(await notesInCrm()).toHaveLength(2);
    const versions = await listBriefs(handle.db, key(), { accountExternalId: accountId });
    expect(versions.map((version) => [version.version, version.noteState])).toEqual([
      [2, 'written'],
      [1, 'written'],
    ]);
  });

  it('opens a brief only through its own sealed link, until the link expires', async () => {
    const sealer = createSealer(randomBytes(32));
    const [latest] = await listBriefs(handle.db, key(), { accountExternalId: accountId });
    const at = h.clock.now();
    const links = briefLinks(sealer, 'https://bellwether.example', key(), latest!.id, at);
    const token = new URL(links.pdf).searchParams.get('t');
    expect(readBriefLink(sealer, latest!.id, token, at)).toEqual({ key: key(), briefId: latest!.id });
    const refusal = (run: () => unknown) => {
      try {
        run();
      } catch (error) {
        return error instanceof AppError ? [error.status, error.code] : error;
      }
      return 'accepted';
    };
    const other = '00000000-0000-4000-8000-000000000000';
    expect(refusal(() => readBriefLink(sealer, other, token, at))).toEqual([401, 'BRIEF_LINK_INVALID']);
    expect(refusal(() => readBriefLink(createSealer(randomBytes(32)), latest!.id, token, at))).toEqual([
      401,
      'BRIEF_LINK_INVALID',
    ]);
    expect(refusal(() => readBriefLink(sealer, latest!.id, `${token}x`, at))).toEqual([401, 'BRIEF_LINK_INVALID']);
    expect(refusal(() => readBriefLink(sealer, latest!.id, token, at + 8 * 86_400_000))).toEqual([
      410,
      'BRIEF_LINK_EXPIRED',
    ]);
  });

  it('asks daily for the brief of each QBR due within 14 days that has none yet', async () => {
    const inDays = (days: number) => new Date(h.clock.now() + days * 86_400_000).toISOString().slice(0, 10);
    // Every account: no QBR within the lead time; then one account's QBR falls 10 days from today.
    await handle.db
      .update(accounts)
      .set({ renewalDate: inDays(40) })
      .where(and(eq(accounts.workspaceId, key().workspaceId), eq(accounts.installationId, key().installationId)));
    const dueAccount = [...h.hubspot.ids!.companies.values()][1]!;
    await handle.db
      .update(accounts)
      .set({ renewalDate: inDays(100) })
      .where(
        and(
          eq(accounts.workspaceId, key().workspaceId),
          eq(accounts.installationId, key().installationId),
          eq(accounts.externalId, dueAccount),
        ),
      );
    const scheduled = async () =>
      (await queues.get('qbr').getJobs(['waiting', 'delayed', 'prioritized']))
        .filter((job) => job.name === 'brief')
        .map((job) => job.data as { accountExternalId: string; qbrDate: string; trigger: string })
        .filter((data) => data.trigger === 'schedule');
    expect(await runQbrDaily(services, key())).toEqual({ requested: 1 });
    expect(await scheduled()).toEqual([
      expect.objectContaining({ accountExternalId: dueAccount, qbrDate: inDays(10), trigger: 'schedule' }),
    ]);
    // Once written, the same QBR asks for nothing more.
    await runQbrBriefJob(services, {
      ...key(),
      accountExternalId: dueAccount,
      qbrDate: inDays(10),
      trigger: 'schedule',
    });
    expect(await runQbrDaily(services, key())).toEqual({ requested: 0 });
  });
});
