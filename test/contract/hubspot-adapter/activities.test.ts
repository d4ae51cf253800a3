import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '@hubspot/api-client';
import type { PortalStore } from '../../../sandbox/hubspot/index.ts';
import type { CrmConnection, CrmTask } from '../../../server/crm/types.ts';
import { contractProblems } from '../../support/hubspot-harness.ts';
import { HubspotContract } from '../../support/hubspot-openapi.ts';
import { syntheticCrmBook } from '../../support/synthetic-crm-book.ts';
import { startAdapterHarness, type AdapterHarness } from './adapter-harness.ts';

const PORTAL = 1000001;
/** HubSpot's search index trails writes; the adapter is told it trails by at most this much. */
const SEARCH_LAG_MS = 2_000;

describe('HubSpot adapter: tasks and notes created exactly once by key, closed with a comment', () => {
  let h: AdapterHarness;
  let conn: CrmConnection;
  let crm: Client;
  let companyIds: string[];

  beforeAll(async () => {
    h = await startAdapterHarness({ searchIndexLagMs: SEARCH_LAG_MS }, { indexLagMs: SEARCH_LAG_MS });
    h.hub.sandbox.loadBook(PORTAL, syntheticCrmBook(20, 1));
    const store = h.hub.sandbox.portals.get(String(PORTAL)) as PortalStore;
    companyIds = store.table('companies').order.map((record) => record.id);
    conn = h.connect(PORTAL);
    crm = h.hub.client(h.hub.sandbox.issueTokens(PORTAL).accessToken);
  });

  afterAll(async () => {
    await h.close();
  });

  const task = (key: string, accountId: string): CrmTask => ({
    key,
    accountId,
    ownerId: null,
    subject: `Usage dropped (${key})`,
    body: 'Usage fell 40% in 30 days.\nCall the champion.',
    dueAt: Date.parse('2026-07-03T09:00:00Z'),
    priority: 'high',
  });

  /** Every live task through the CRM API, with its body and status. */
  async function allTasks() {
    const tasks: { id: string; body: string; status: string }[] = [];
    let after: string | undefined;
    do {
      const page = await crm.crm.objects.tasks.basicApi.getPage(100, after, ['hs_task_body', 'hs_task_status']);
      for (const result of page.results) {
        tasks.push({
          id: result.id,
          body: result.properties.hs_task_body ?? '',
          status: result.properties.hs_task_status ?? '',
        });
      }
      after = page.paging?.next?.after;
    } while (after !== undefined);
    return tasks;
  }

  /** How many live tasks carry each key's ref line. */
  async function tasksPerKey(keys: readonly string[]) {
    const tasks = await allTasks();
    return keys.map((key) => {
      const ref = key.replace(/-/g, '').toLowerCase();
      return tasks.filter((candidate) => candidate.body.includes(`Bellwether ref: ${ref}<`)).length;
    });
  }

  /** The warning job's step: create only the keys the CRM does not have, once search can be trusted. */
  async function createMissing(tasks: readonly CrmTask[]) {
    h.clock.advance(h.adapter.activityLookupLagMs + 1);
    const found = await h.adapter.findTasksByKey(
      conn,
      tasks.map((entry) => entry.key),
    );
    const missing = tasks.filter((entry) => !found.has(entry.key));
    return { found, created: missing.length === 0 ? [] : await h.adapter.createTasks(conn, missing) };
  }

  it('creates each task once: a re-run whose answers were lost finds them by key and creates none', async () => {
    const keys = ['bw-5b1e0c2a-0001', 'bw-5b1e0c2a-0002', 'bw-5b1e0c2a-0003'];
    const tasks = keys.map((key, i) => task(key, companyIds[i] as string));
    const first = await h.adapter.createTasks(conn, tasks);
    expect(first.map((outcome) => outcome.ok)).toEqual([true, true, true]);

    // The run crashed before storing the ids; the retry asks the CRM, then creates what is missing.
    const rerun = await createMissing(tasks);
    expect(rerun.created).toEqual([]);
    expect(keys.map((key) => rerun.found.get(key))).toEqual(
      first.map((outcome) => ({ id: outcome.id, completed: false })),
    );
    expect(await tasksPerKey(keys)).toEqual([1, 1, 1]);

    // A further task in the same run is created, the others still are not.
    const more = [...tasks, task('bw-5b1e0c2a-0004', companyIds[3] as string)];
    const again = await createMissing(more);
    expect(again.created.map((outcome) => outcome.ok)).toEqual([true]);
    expect(await tasksPerKey([...keys, 'bw-5b1e0c2a-0004'])).toEqual([1, 1, 1, 1]);
  });

  it('writes the key into the body and the task onto its company', async () => {
    const [outcome] = await h.adapter.createTasks(conn, [task('bw-7c9d-body-0001', companyIds[4] as string)]);
    const stored = await crm.crm.objects.tasks.basicApi.getById(
      outcome?.id as string,
      ['hs_task_body', 'hs_task_subject', 'hs_task_status', 'hs_task_priority'],
      undefined,
      ['companies'],
    );
    expect(stored.properties).toMatchObject({
      hs_task_subject: 'Usage dropped (bw-7c9d-body-0001)',
      hs_task_status: 'NOT_STARTED',
      hs_task_priority: 'HIGH',
      hs_task_body: '<p>Usage fell 40% in 30 days.<br>Call the champion.</p><p>Bellwether ref: bw7c9dbody0001</p>',
    });
    expect(stored.associations?.companies?.results.map((link) => link.id)).toEqual([companyIds[4]]);
  });

  it('does not find a task search has not indexed yet; its row stays in doubt for activityLookupLagMs', async () => {
    expect(h.adapter.activityLookupLagMs).toBe(SEARCH_LAG_MS);
    const [outcome] = await h.adapter.createTasks(conn, [task('bw-fresh-task-0001', companyIds[5] as string)]);
    expect((await h.adapter.findTasksByKey(conn, ['bw-fresh-task-0001'])).size).toBe(0);
    h.clock.advance(SEARCH_LAG_MS);
    expect(await h.adapter.findTasksByKey(conn, ['bw-fresh-task-0001'])).toEqual(
      new Map([['bw-fresh-task-0001', { id: outcome?.id, completed: false }]]),
    );
  });

  it('finds many keys in batches of five per search, and only exact keys', async () => {
    const keys = Array.from({ length: 12 }, (_, i) => `bw-batch-key-${String(i).padStart(4, '0')}`);
    const created = await h.adapter.createTasks(
      conn,
      keys.map((key, i) => task(key, companyIds[i % companyIds.length] as string)),
    );
    h.clock.advance(SEARCH_LAG_MS + 1);
    const before = h.hub.exchanges.length;
    const found = await h.adapter.findTasksByKey(conn, [...keys, 'bw-batch-key-9999', 'bw-batch-key']);
    expect(h.hub.exchanges.length - before).toBe(3);
    expect([...found.keys()].sort()).toEqual(keys);
    expect(keys.map((key) => found.get(key)?.id)).toEqual(created.map((outcome) => outcome.id));
  });

  it('fails only the task of a company that does not exist', async () => {
    const outcomes = await h.adapter.createTasks(conn, [
      task('bw-partial-0001', companyIds[6] as string),
      task('bw-partial-0002', '999999999'),
      task('bw-partial-0003', companyIds[7] as string),
    ]);
    expect(outcomes.map((outcome) => outcome.ok)).toEqual([true, false, true]);
    expect(outcomes[1]).toMatchObject({ id: '999999999', error: { code: 'VALIDATION' } });
    expect(await tasksPerKey(['bw-partial-0001', 'bw-partial-0002', 'bw-partial-0003'])).toEqual([1, 0, 1]);
  });

  it('refuses a key that cannot travel with the task, for that row only', async () => {
    const outcomes = await h.adapter.createTasks(conn, [
      task('bw key with spaces', companyIds[8] as string),
      task('bw-valid-key-0001', companyIds[8] as string),
    ]);
    expect(outcomes[0]).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
    expect(outcomes[1]?.ok).toBe(true);
    await expect(h.adapter.findTasksByKey(conn, ['short'])).rejects.toMatchObject({ code: 'VALIDATION' });
  });

  it('closes tasks with a comment once, and answers NOT_FOUND for a task the user deleted', async () => {
    const keys = ['bw-close-0001', 'bw-close-0002', 'bw-close-0003'];
    const created = await h.adapter.createTasks(
      conn,
      keys.map((key, i) => task(key, companyIds[10 + i] as string)),
    );
    const [open, second, deleted] = created.map((outcome) => outcome.id) as [string, string, string];
    await crm.crm.objects.tasks.basicApi.archive(deleted);
    const comment = 'Warning resolved: usage back to 95% of baseline';

    const closures = [
      { id: open, comment },
      { id: deleted, comment },
      { id: second, comment },
      { id: '424242424242', comment },
    ];
    const outcomes = await h.adapter.closeTasks(conn, closures);
    expect(outcomes.map((outcome) => [outcome.id, outcome.ok])).toEqual([
      [open, true],
      [deleted, false],
      [second, true],
      ['424242424242', false],
    ]);
    expect(outcomes[1]).toMatchObject({ error: { code: 'NOT_FOUND' } });
    expect(outcomes[3]).toMatchObject({ error: { code: 'NOT_FOUND' } });

    const stored = await crm.crm.objects.tasks.basicApi.getById(open, ['hs_task_body', 'hs_task_status']);
    expect(stored.properties.hs_task_status).toBe('COMPLETED');
    expect(stored.properties.hs_task_body).toBe(
      '<p>Usage fell 40% in 30 days.<br>Call the champion.</p><p>Bellwether ref: bwclose0001</p>' +
        '<p>Warning resolved: usage back to 95% of baseline</p>',
    );

    // A retried close changes nothing and sends no update.
    const before = h.hub.exchanges.length;
    expect((await h.adapter.closeTasks(conn, [{ id: open, comment }])).map((outcome) => outcome.ok)).toEqual([true]);
    expect(h.hub.exchanges.length - before).toBe(1);
    const after = await crm.crm.objects.tasks.basicApi.getById(open, ['hs_task_body']);
    expect(after.properties.hs_task_body).toBe(stored.properties.hs_task_body);

    h.clock.advance(SEARCH_LAG_MS + 1);
    const found = await h.adapter.findTasksByKey(conn, keys);
    expect(found.get('bw-close-0001')).toEqual({ id: open, completed: true });
    expect(found.has('bw-close-0003')).toBe(false);
  });

  it('writes a note once per key: found by key after the index catches up, a new version is a new note', async () => {
    const company = companyIds[15] as string;
    const brief = {
      key: 'bw-qbr-2026q3-v1',
      title: 'QBR brief: Q3 2026',
      body: 'Health 72, trending up.\nRisks: <none>',
    };
    expect(await h.adapter.findNoteByKey(conn, company, brief.key)).toBeNull();
    const note = await h.adapter.createNote(conn, company, brief);

    h.clock.advance(SEARCH_LAG_MS + 1);
    expect(await h.adapter.findNoteByKey(conn, company, brief.key)).toEqual({ id: note.id });
    const stored = await crm.crm.objects.notes.basicApi.getById(note.id, ['hs_note_body'], undefined, ['companies']);
    expect(stored.properties.hs_note_body).toBe(
      '<p><strong>QBR brief: Q3 2026</strong></p><p>Health 72, trending up.<br>Risks: &lt;none&gt;</p>' +
        '<p>Bellwether ref: bwqbr2026q3v1</p>',
    );
    expect(stored.associations?.companies?.results.map((link) => link.id)).toEqual([company]);

    const next = await h.adapter.createNote(conn, company, { ...brief, key: 'bw-qbr-2026q3-v2' });
    h.clock.advance(SEARCH_LAG_MS + 1);
    expect(await h.adapter.findNoteByKey(conn, company, 'bw-qbr-2026q3-v2')).toEqual({ id: next.id });
    expect(await h.adapter.findNoteByKey(conn, company, brief.key)).toEqual({ id: note.id });
    const notes = await crm.crm.objects.notes.basicApi.getPage(100, undefined, ['hs_note_body']);
    expect(notes.results.filter((entry) => entry.properties.hs_note_body?.includes('bwqbr2026q3v1'))).toHaveLength(1);
  });

  it('needs the contacts write scope, under which HubSpot puts tasks and notes', async () => {
    const readOnly = h.connect(PORTAL, ['oauth', 'crm.objects.companies.read', 'crm.objects.contacts.read']);
    const before = h.hub.exchanges.length;
    const outcomes = await h.adapter.createTasks(
      readOnly,
      Array.from({ length: 150 }, (_, i) =>
        task(`bw-scope-task-${String(i).padStart(4, '0')}`, companyIds[9] as string),
      ),
    );
    expect(outcomes).toHaveLength(150);
    expect(outcomes.every((outcome) => !outcome.ok && outcome.error.code === 'MISSING_SCOPE')).toBe(true);
    // The second batch would fail the same way: it is not sent.
    expect(h.hub.exchanges.length - before).toBe(1);
    await expect(
      h.adapter.createNote(readOnly, companyIds[9] as string, { key: 'bw-scope-note-0001', title: 'QBR', body: 'x' }),
    ).rejects.toMatchObject({ code: 'MISSING_SCOPE' });
    h.clock.advance(SEARCH_LAG_MS + 1);
    expect((await h.adapter.findTasksByKey(readOnly, ['bw-scope-task-0000'])).size).toBe(0);
  });

  it('called only operations the HubSpot OpenAPI files name, and got answers they describe', async () => {
    const contract = await HubspotContract.load();
    expect(contractProblems(contract, h.hub.exchanges)).toEqual([]);
  });
});
