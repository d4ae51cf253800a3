import { and, asc, eq, max, sql } from 'drizzle-orm';
import { AppError } from '../errors.ts';
import type { Database } from './database.ts';
import { healthModels, type MODEL_STATUSES } from './schema.ts';
import { isUniqueViolation } from './unique-violation.ts';

/**
 * Health model versions of a workspace (DESIGN.md §4). The model that ships counts as version 1 and
 * is never stored, so the first draft is version 2. Drafts change freely (even when invalid: they are
 * work in progress); publishing retires the version in use and freezes the new one, in one
 * transaction, and at most one version is published (a partial unique index holds that across
 * processes). Every query names the workspace.
 */

export type ModelStatus = (typeof MODEL_STATUSES)[number];

export interface StoredModel {
  workspaceId: string;
  version: number;
  status: ModelStatus;
  definition: unknown;
  backtest: unknown;
  createdBy: string;
  createdAt: Date;
  updatedAt: Date;
  publishedBy: string | null;
  publishedAt: Date | null;
}

/** The version the shipped model has; stored versions start after it. */
export const SHIPPED_MODEL_VERSION = 1;

const VERSION_ATTEMPTS = 5;

const ofVersion = (workspaceId: string, version: number) =>
  and(eq(healthModels.workspaceId, workspaceId), eq(healthModels.version, version));

/** The definition with its own `version` field naming the row it is stored in (objects only; anything else as is). */
function withVersion(definition: unknown, version: number): unknown {
  return typeof definition === 'object' && definition !== null && !Array.isArray(definition)
    ? { ...definition, version }
    : definition;
}

type Transaction = Parameters<Parameters<Database['transaction']>[0]>[0];

/** Compared as jsonb, where key order and number spelling do not matter. */
async function sameDefinition(tx: Transaction, workspaceId: string, version: number, definition: unknown) {
  const [row] = await tx
    .select({ same: sql<boolean>`${healthModels.definition} = ${JSON.stringify(definition)}::jsonb` })
    .from(healthModels)
    .where(ofVersion(workspaceId, version));
  return row?.same === true;
}

const notFound = (version: number) =>
  new AppError(404, 'MODEL_VERSION_NOT_FOUND', `No health model version ${version} in this workspace`);

const notDraft = (model: StoredModel, doing: string) =>
  new AppError(
    409,
    'MODEL_NOT_DRAFT',
    `Version ${model.version} is ${model.status}; only a draft can be ${doing}. Create a new draft from it instead`,
  );

export function healthModelStore(db: Database) {
  async function get(workspaceId: string, version: number): Promise<StoredModel | null> {
    const [row] = await db.select().from(healthModels).where(ofVersion(workspaceId, version));
    return row ?? null;
  }

  return {
    async published(workspaceId: string): Promise<StoredModel | null> {
      const [row] = await db
        .select()
        .from(healthModels)
        .where(and(eq(healthModels.workspaceId, workspaceId), eq(healthModels.status, 'published')));
      return row ?? null;
    },

    get,

    /** Oldest version first. */
    async list(workspaceId: string): Promise<StoredModel[]> {
      return db
        .select()
        .from(healthModels)
        .where(eq(healthModels.workspaceId, workspaceId))
        .orderBy(asc(healthModels.version));
    },

    /** A new draft with the next version; two drafts made at once get different versions. */
    async createDraft(workspaceId: string, definition: unknown, author: string): Promise<StoredModel> {
      for (let attempt = 1; ; attempt++) {
        const [latest] = await db
          .select({ version: max(healthModels.version) })
          .from(healthModels)
          .where(eq(healthModels.workspaceId, workspaceId));
        const version = (latest?.version ?? SHIPPED_MODEL_VERSION) + 1;
        try {
          const [row] = await db
            .insert(healthModels)
            .values({
              workspaceId,
              version,
              status: 'draft',
              definition: withVersion(definition, version),
              createdBy: author,
            })
            .returning();
          return row as StoredModel;
        } catch (error) {
          // Another draft took this version between the read and the insert: take the next one.
          if (!isUniqueViolation(error) || attempt >= VERSION_ATTEMPTS) throw error;
        }
      }
    },

    /** Replaces a draft's definition; its old backtest no longer describes it and is dropped. */
    async updateDraft(workspaceId: string, version: number, definition: unknown): Promise<StoredModel> {
      const [row] = await db
        .update(healthModels)
        .set({ definition: withVersion(definition, version), backtest: null, updatedAt: new Date() })
        .where(and(ofVersion(workspaceId, version), eq(healthModels.status, 'draft')))
        .returning();
      if (row) return row;
      const existing = await get(workspaceId, version);
      throw existing ? notDraft(existing, 'changed') : notFound(version);
    },

    /** Keeps a backtest report with its version (any status: the published one can be measured too). */
    async saveBacktest(workspaceId: string, version: number, report: unknown): Promise<void> {
      const saved = await db
        .update(healthModels)
        .set({ backtest: report })
        .where(ofVersion(workspaceId, version))
        .returning({ version: healthModels.version });
      if (saved.length === 0) throw notFound(version);
    },

    /**
     * Publishes a draft and retires the version it replaces, in one transaction. Of two publishes at
     * once, the second finds the draft already published, or the unique index refuses its row: 409.
     * The answer also names the version it replaced (null when the shipped model was in use).
     * With `expected`, a draft whose definition is no longer the one the caller read (and checked)
     * is refused with 409, so what was checked is what gets published.
     */
    async publish(
      workspaceId: string,
      version: number,
      author: string,
      expected?: { definition: unknown },
    ): Promise<StoredModel & { previousVersion: number | null }> {
      try {
        return await db.transaction(async (tx) => {
          const [draft] = await tx.select().from(healthModels).where(ofVersion(workspaceId, version)).for('update');
          if (!draft) throw notFound(version);
          if (draft.status !== 'draft') throw notDraft(draft, 'published');
          if (expected && !(await sameDefinition(tx, workspaceId, version, expected.definition))) {
            throw new AppError(
              409,
              'MODEL_CHANGED',
              `Version ${version} changed while it was being published; check it again and publish again`,
            );
          }
          const now = new Date();
          const retired = await tx
            .update(healthModels)
            .set({ status: 'retired', updatedAt: now })
            .where(and(eq(healthModels.workspaceId, workspaceId), eq(healthModels.status, 'published')))
            .returning({ version: healthModels.version });
          const [row] = await tx
            .update(healthModels)
            .set({ status: 'published', publishedBy: author, publishedAt: now, updatedAt: now })
            .where(ofVersion(workspaceId, version))
            .returning();
          return { ...(row as StoredModel), previousVersion: retired[0]?.version ?? null };
        });
      } catch (error) {
        if (!isUniqueViolation(error)) throw error;
        throw new AppError(
          409,
          'PUBLISH_CONFLICT',
          'Another version was published at the same moment; reload the versions and publish again if still wanted',
        );
      }
    },

    /** Deletes a draft; published and retired versions are history and stay. */
    async discardDraft(workspaceId: string, version: number): Promise<void> {
      const deleted = await db
        .delete(healthModels)
        .where(and(ofVersion(workspaceId, version), eq(healthModels.status, 'draft')))
        .returning({ version: healthModels.version });
      if (deleted.length > 0) return;
      const existing = await get(workspaceId, version);
      throw existing ? notDraft(existing, 'discarded') : notFound(version);
    },
  };
}

export type HealthModelStore = ReturnType<typeof healthModelStore>;
