import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SalesforceIdMap } from '../../../sandbox/salesforce/load-book.ts';
import type { CrmTask } from '../../../server/crm/types.ts';
import { syntheticBook } from '../salesforce/synthetic-book.ts';
import { manifest, startHarness, type AdapterHarness } from './harness.ts';

let h: AdapterHarness;
let accounts: string[];

beforeAll(async () => {
  h = await startHarness();
  const ids: SalesforceIdMap = h.run.sandbox.loadBook(h.orgId, syntheticBook(20));
  accounts = [...ids.accounts.values()];
});
afterAll(() => h.close());

const task = (key: string, accountId: string): CrmTask => ({
  key,
  accountId,
  ownerId: null,
  subject: `Usage dropped (${key})`,
  body: 'Usage fell 40% in 30 days.',
  dueAt: Date.parse('2026-03-09T00:00:00Z'),
  priority: 'high',
});

/** How many live Tasks carry each key, counted through the REST API. */
async function tasksPerKey(keys: readonly string[]): Promise<number[]> {
  const rows = await h.run.connect().query<{ Activity_Key__c: string | null }>('SELECT Activity_Key__c FROM Task');
  return keys.map(
    (key) => rows.records.filter((row) => row.Activity_Key__c === key.replace(/-/g, '').toLowerCase()).length,
  );
}

async function grantTaskKeyField() {
  const jsforce = h.run.connect();
  const permissionSet = await jsforce.sobject('PermissionSet').create({ Name: 'Bellwether', Label: 'Bellwether' });
  await jsforce.sobject('FieldPermissions').create({
    ParentId: permissionSet.id,
    SobjectType: 'Task',
    Field: 'Task.Activity_Key__c',
    PermissionsRead: true,
    PermissionsEdit: true,
  });
}

describe('the Task key field', () => {
  it('is required: without it no task is created and each row says to run ensureSchema', async () => {
    const outcomes = await h.adapter.createTasks(h.connection(), [task('bw-nofield-0001', accounts[0] as string)]);
    expect(outcomes).toEqual([
      { id: accounts[0], ok: false, error: expect.objectContaining({ code: 'VALIDATION' }) as unknown },
    ]);
    expect(!outcomes[0]?.ok && outcomes[0]?.error.message).toContain('ensureSchema');
    expect((await h.run.connect().query('SELECT Id FROM Task')).records).toEqual([]);
  });

  it('is created by ensureSchema through Tooling as an Activity field, blocked until access is granted', async () => {
    const mark = h.run.requests.length;
    const report = await h.adapter.ensureSchema(h.connection(), manifest.fields, { createMissing: true });
    expect(report.created).toContain('activity_key');
    expect(report.blocked.find((entry) => entry.key === 'activity_key')?.reason).toContain('field-level security');
    expect(h.run.requests.slice(mark)).toContain('POST /services/data/v66.0/tooling/sobjects/CustomField');
    const fields = await h.run.connect().sobject('Task').describe();
    expect(fields.fields.find((field) => field.name === 'Activity_Key__c')).toMatchObject({ updateable: false });

    await grantTaskKeyField();
    const granted = await h.adapter.ensureSchema(h.connection(), manifest.fields);
    expect(granted.present).toContain('activity_key');
    const described = await h.run.connect().sobject('Task').describe();
    expect(described.fields.find((field) => field.name === 'Activity_Key__c')).toMatchObject({
      type: 'string',
      length: 80,
      externalId: true,
    });
  });
});

describe('tasks by key', () => {
  it('creates each task once: a re-run whose answers were lost finds them by key and creates none', async () => {
    const keys = ['bw-5b1e0c2a-0001', 'bw-5b1e0c2a-0002', 'bw-5b1e0c2a-0003'];
    const tasks = keys.map((key, i) => task(key, accounts[i] as string));
    const first = await h.adapter.createTasks(h.connection(), tasks);
    expect(first.map((outcome) => outcome.ok)).toEqual([true, true, true]);
    expect(h.adapter.activityLookupLagMs).toBe(0);

    const found = await h.adapter.findTasksByKey(h.connection(), [...keys, 'bw-never-created-0001']);
    expect(keys.map((key) => found.get(key))).toEqual(first.map((outcome) => ({ id: outcome.id, completed: false })));
    expect(found.has('bw-never-created-0001')).toBe(false);
    const missing = tasks.filter((entry) => !found.has(entry.key));
    expect(missing).toEqual([]);
    expect(await tasksPerKey(keys)).toEqual([1, 1, 1]);
  });

  it('answers the same task when a create is repeated without a lookup (an upsert on the key)', async () => {
    const tasks = [task('bw-repeat-0001', accounts[3] as string), task('bw-repeat-0002', accounts[4] as string)];
    const first = await h.adapter.createTasks(h.connection(), tasks);
    const second = await h.adapter.createTasks(h.connection(), tasks);
    expect(second).toEqual(first);
    expect(await tasksPerKey(['bw-repeat-0001', 'bw-repeat-0002'])).toEqual([1, 1]);
    const stored = await h.run
      .connect()
      .query<Record<string, unknown>>(
        `SELECT WhatId, ActivityDate, Priority, Status, Subject, Description FROM Task WHERE Id = '${first[0]?.id}'`,
      );
    expect(stored.records[0]).toMatchObject({
      WhatId: accounts[3],
      ActivityDate: '2026-03-09',
      Priority: 'High',
      Status: 'Not Started',
      Subject: 'Usage dropped (bw-repeat-0001)',
      Description: 'Usage fell 40% in 30 days.',
    });
  });

  it('fails only the task of an account that does not exist', async () => {
    const outcomes = await h.adapter.createTasks(h.connection(), [
      task('bw-partial-0001', accounts[5] as string),
      task('bw-partial-0002', '001000000000000AAA'),
      task('bw-partial-0003', accounts[6] as string),
    ]);
    expect(outcomes.map((outcome) => outcome.ok)).toEqual([true, false, true]);
    expect(outcomes[1]).toMatchObject({ id: '001000000000000AAA', ok: false });
    expect(await tasksPerKey(['bw-partial-0001', 'bw-partial-0002', 'bw-partial-0003'])).toEqual([1, 0, 1]);
  });

  it('closes tasks with a comment once, and answers NOT_FOUND for a task the user deleted', async () => {
    const keys = ['bw-close-0001', 'bw-close-0002', 'bw-close-0003'];
    const created = await h.adapter.createTasks(
      h.connection(),
      keys.map((key, i) => task(key, accounts[10 + i] as string)),
    );
    const [open, second, deleted] = created.map((outcome) => outcome.id) as [string, string, string];
    await h.run.connect().sobject('Task').destroy(deleted);
    const comment = 'Warning resolved: usage back to 95% of baseline';

    const outcomes = await h.adapter.closeTasks(h.connection(), [
      { id: open, comment },
      { id: deleted, comment },
      { id: second.slice(0, 15), comment },
      { id: 'not-a-task', comment },
    ]);
    expect(outcomes.map((outcome) => outcome.ok)).toEqual([true, false, true, false]);
    expect(outcomes[1]).toMatchObject({ id: deleted, error: { code: 'NOT_FOUND' } });
    expect(outcomes[3]).toMatchObject({ id: 'not-a-task', error: { code: 'NOT_FOUND' } });

    const read = async () =>
      (
        await h.run
          .connect()
          .query<{ Status: string; Description: string }>(`SELECT Status, Description FROM Task WHERE Id = '${open}'`)
      ).records[0];
    expect(await read()).toMatchObject({
      Status: 'Completed',
      Description: 'Usage fell 40% in 30 days.\n\nWarning resolved: usage back to 95% of baseline',
    });

    // A retried close changes nothing.
    const again = await h.adapter.closeTasks(h.connection(), [{ id: open, comment }]);
    expect(again).toEqual([{ id: open, ok: true }]);
    expect((await read())?.Description).toBe(
      'Usage fell 40% in 30 days.\n\nWarning resolved: usage back to 95% of baseline',
    );

    const found = await h.adapter.findTasksByKey(h.connection(), keys);
    expect(found.get('bw-close-0001')).toEqual({ id: open, completed: true });
    expect(found.get('bw-close-0002')).toEqual({ id: second, completed: true });
    expect(found.has('bw-close-0003')).toBe(false);
  });
});

describe('notes by key', () => {
  it('writes a note once per key: found by key on its account, a new version is a new note', async () => {
    const account = accounts[15] as string;
    const brief = {
      key: 'bw-qbr-2026q1-v1',
      title: `QBR brief: ${'a very long account name '.repeat(4)}`,
      body: 'Health 72, trending up.',
    };
    expect(await h.adapter.findNoteByKey(h.connection(), account, brief.key)).toBeNull();
    const note = await h.adapter.createNote(h.connection(), account, brief);
    expect(await h.adapter.findNoteByKey(h.connection(), account, brief.key)).toEqual({ id: note.id });
    expect(await h.adapter.findNoteByKey(h.connection(), accounts[16] as string, brief.key)).toBeNull();

    const next = await h.adapter.createNote(h.connection(), account, { ...brief, key: 'bw-qbr-2026q1-v2' });
    expect(await h.adapter.findNoteByKey(h.connection(), account, 'bw-qbr-2026q1-v2')).toEqual({ id: next.id });
    expect(await h.adapter.findNoteByKey(h.connection(), account, brief.key)).toEqual({ id: note.id });

    const stored = await h.run
      .connect()
      .query<{ Id: string; Title: string; Body: string }>(
        `SELECT Id, Title, Body FROM Note WHERE ParentId = '${account}'`,
      );
    expect(stored.records).toHaveLength(2);
    const first = stored.records.find((row) => row.Id === note.id);
    expect(first?.Title).toHaveLength(80);
    expect(first?.Body).toBe('Health 72, trending up.\n\nBellwether ref: bwqbr2026q1v1');
  });
});
