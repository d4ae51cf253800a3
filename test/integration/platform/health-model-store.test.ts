import { setTimeout } from 'node:timers/promises';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '../../../server/platform/db/database.ts';
import { healthModelStore, type HealthModelStore } from '../../../server/platform/db/health-model-store.ts';
import { healthModels } from '../../../server/platform/db/schema.ts';
import { createWorkspace } from '../../../server/platform/db/installations.ts';
import { AppError } from '../../../server/platform/errors.ts';
import { testDatabases } from '../../support/databases.ts';

const definition = (name: string) => ({ id: 'custom', name, version: 99, groups: [] });

/** The AppError a call fails with, so a test can say which status and code it expects. */
async function refusal(work: Promise<unknown>): Promise<{ status: number; code: string }> {
  const error = await work.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(AppError);
  const { status, code } = error as AppError;
  return { status, code };
}

describe.each(testDatabases())('health model store on $name', (database) => {
  let handle: DatabaseHandle;
  let store: HealthModelStore;

  const workspace = async (name: string) => (await createWorkspace(handle.db, name)).id;

  beforeAll(async () => {
    handle = await database.open();
    await handle.migrate();
    store = healthModelStore(handle.db);
  });
  afterAll(async () => {
    await handle?.close();
    await database.cleanup();
  });

  it('numbers drafts after the shipped version 1 and writes the version into the definition', async () => {
    const ws = await workspace('Numbering');
    const first = await store.createDraft(ws, definition('first'), 'workspace session');
    const second = await store.createDraft(ws, definition('second'), 'operator (admin token)');
    expect([first.version, second.version]).toEqual([2, 3]);
    expect(first).toMatchObject({ workspaceId: ws, status: 'draft', createdBy: 'workspace session', backtest: null });
    expect(first.definition).toEqual({ ...definition('first'), version: 2 });
    expect(await store.published(ws)).toBeNull();
    expect((await store.list(ws)).map((model) => model.version)).toEqual([2, 3]);
    // Another workspace starts its own numbering and sees none of these.
    const other = await workspace('Numbering elsewhere');
    expect((await store.createDraft(other, definition('theirs'), 'workspace session')).version).toBe(2);
    expect(await store.get(other, 3)).toBeNull();
    expect((await store.list(other)).map((model) => model.definition)).toEqual([
      { ...definition('theirs'), version: 2 },
    ]);
  });

  it('gives drafts created at the same moment different versions', async () => {
    const ws = await workspace('Concurrent drafts');
    const drafts = await Promise.all(
      Array.from({ length: 4 }, (_, index) => store.createDraft(ws, definition(`d${index}`), 'workspace session')),
    );
    expect(drafts.map((draft) => draft.version).sort()).toEqual([2, 3, 4, 5]);
  });

  it('updates a draft (dropping its stale backtest) and refuses to change anything else', async () => {
    const ws = await workspace('Updates');
    const draft = await store.createDraft(ws, definition('v2'), 'workspace session');
    await store.saveBacktest(ws, draft.version, { auc: 0.8 });
    expect((await store.get(ws, draft.version))?.backtest).toEqual({ auc: 0.8 });

    const updated = await store.updateDraft(ws, draft.version, { ...definition('v2 edited'), version: 7 });
    expect(updated.definition).toEqual({ ...definition('v2 edited'), version: 2 });
    expect(updated.backtest).toBeNull();
    expect(updated.updatedAt.getTime()).toBeGreaterThanOrEqual(draft.updatedAt.getTime());

    await store.publish(ws, draft.version, 'workspace session');
    expect(await refusal(store.updateDraft(ws, draft.version, definition('late')))).toEqual({
      status: 409,
      code: 'MODEL_NOT_DRAFT',
    });
    expect(await refusal(store.updateDraft(ws, 40, definition('none')))).toEqual({
      status: 404,
      code: 'MODEL_VERSION_NOT_FOUND',
    });
    expect(await refusal(store.saveBacktest(ws, 40, {}))).toEqual({ status: 404, code: 'MODEL_VERSION_NOT_FOUND' });
  });

  it('publishes a draft, retiring the one in use in the same step, and records who and when', async () => {
    const ws = await workspace('Publishing');
    const a = await store.createDraft(ws, definition('a'), 'workspace session');
    const b = await store.createDraft(ws, definition('b'), 'workspace session');

    const before = Date.now();
    const first = await store.publish(ws, a.version, 'operator (admin token)');
    expect(first).toMatchObject({ version: a.version, status: 'published', publishedBy: 'operator (admin token)' });
    expect(first.previousVersion).toBeNull();
    expect(first.publishedAt?.getTime()).toBeGreaterThanOrEqual(before - 1_000);

    const second = await store.publish(ws, b.version, 'workspace session');
    expect(second.previousVersion).toBe(a.version);
    expect((await store.published(ws))?.version).toBe(b.version);
    const statuses = (await store.list(ws)).map((model) => [model.version, model.status]);
    expect(statuses).toEqual([
      [a.version, 'retired'],
      [b.version, 'published'],
    ]);
    // The retired one keeps who published it.
    expect((await store.get(ws, a.version))?.publishedBy).toBe('operator (admin token)');

    expect(await refusal(store.publish(ws, a.version, 'workspace session'))).toEqual({
      status: 409,
      code: 'MODEL_NOT_DRAFT',
    });
    expect(await refusal(store.publish(ws, 77, 'workspace session'))).toEqual({
      status: 404,
      code: 'MODEL_VERSION_NOT_FOUND',
    });
    // Another workspace cannot publish (or see) this workspace's draft.
    const c = await store.createDraft(ws, definition('c'), 'workspace session');
    const other = await workspace('Publishing elsewhere');
    expect(await refusal(store.publish(other, c.version, 'workspace session'))).toEqual({
      status: 404,
      code: 'MODEL_VERSION_NOT_FOUND',
    });
    expect((await store.get(ws, c.version))?.status).toBe('draft');
  });

  it('refuses to publish a draft that changed after the caller checked it', async () => {
    const ws = await workspace('Stale publish');
    const draft = await store.createDraft(ws, definition('checked'), 'workspace session');
    const changed = await store.updateDraft(ws, draft.version, definition('changed meanwhile'));
    expect(
      await refusal(store.publish(ws, draft.version, 'workspace session', { definition: draft.definition })),
    ).toEqual({ status: 409, code: 'MODEL_CHANGED' });
    expect((await store.get(ws, draft.version))?.status).toBe('draft');
    // The same definition with its keys in another order is the same definition.
    const reordered = Object.fromEntries(Object.entries(changed.definition as object).reverse());
    const published = await store.publish(ws, draft.version, 'workspace session', { definition: reordered });
    expect(published.status).toBe('published');
  });

  it.each([
    ['the same draft', true],
    ['two different drafts', false],
  ])('leaves exactly one version published when %s is published twice at once', async (_, same) => {
    const ws = await workspace(`Race ${String(same)}`);
    const old = await store.createDraft(ws, definition('old'), 'workspace session');
    await store.publish(ws, old.version, 'workspace session');
    const x = await store.createDraft(ws, definition('x'), 'workspace session');
    const y = same ? x : await store.createDraft(ws, definition('y'), 'workspace session');

    const outcomes = await Promise.allSettled([
      store.publish(ws, x.version, 'first'),
      store.publish(ws, y.version, 'second'),
    ]);
    const won = outcomes.filter((outcome) => outcome.status === 'fulfilled');
    const lost = outcomes.flatMap((outcome) => (outcome.status === 'rejected' ? [outcome.reason as AppError] : []));
    expect(won.length).toBeGreaterThanOrEqual(1);
    for (const error of lost) {
      expect(error).toBeInstanceOf(AppError);
      expect(error.status).toBe(409);
    }
    // Publishing one draft twice: the second finds it published already.
    if (same) expect(lost).toHaveLength(1);
    const published = (await store.list(ws)).filter((model) => model.status === 'published');
    expect(published).toHaveLength(1);
    expect((await store.get(ws, old.version))?.status).toBe('retired');
  });

  // PGlite runs one transaction at a time, so only a database server can interleave two publishes.
  it.runIf(database.name === 'postgres')(
    'answers 409 to a publish that loses to one committed while it ran (the unique index)',
    async () => {
      const ws = await workspace('Interleaved');
      const old = await store.createDraft(ws, definition('old'), 'workspace session');
      await store.publish(ws, old.version, 'workspace session');
      const x = await store.createDraft(ws, definition('x'), 'workspace session');
      const y = await store.createDraft(ws, definition('y'), 'workspace session');

      let release = () => {};
      const gate = new Promise<void>((resolve) => (release = resolve));
      const holder = handle.db.transaction(async (tx) => {
        const mine = and(eq(healthModels.workspaceId, ws), eq(healthModels.status, 'published'));
        await tx.update(healthModels).set({ status: 'retired' }).where(mine);
        await tx
          .update(healthModels)
          .set({ status: 'published' })
          .where(and(eq(healthModels.workspaceId, ws), eq(healthModels.version, x.version)));
        await gate;
      });
      await setTimeout(100);
      const racing = refusal(store.publish(ws, y.version, 'second'));
      await setTimeout(200);
      release();
      await holder;
      expect(await racing).toEqual({ status: 409, code: 'PUBLISH_CONFLICT' });
      expect((await store.published(ws))?.version).toBe(x.version);
      expect((await store.get(ws, y.version))?.status).toBe('draft');
    },
  );

  it('discards drafts only', async () => {
    const ws = await workspace('Discarding');
    const keep = await store.createDraft(ws, definition('keep'), 'workspace session');
    const drop = await store.createDraft(ws, definition('drop'), 'workspace session');
    await store.publish(ws, keep.version, 'workspace session');

    const other = await workspace('Discarding elsewhere');
    expect(await refusal(store.discardDraft(other, drop.version))).toEqual({
      status: 404,
      code: 'MODEL_VERSION_NOT_FOUND',
    });
    await store.discardDraft(ws, drop.version);
    expect(await store.get(ws, drop.version)).toBeNull();
    expect(await refusal(store.discardDraft(ws, drop.version))).toEqual({
      status: 404,
      code: 'MODEL_VERSION_NOT_FOUND',
    });
    expect(await refusal(store.discardDraft(ws, keep.version))).toEqual({ status: 409, code: 'MODEL_NOT_DRAFT' });
    expect((await store.published(ws))?.version).toBe(keep.version);
  });
});
