import { and, eq } from 'drizzle-orm';
import { z } from 'zod';
import type { FieldMapping } from '../../core/accounts/mapping.ts';
import { recordAudit } from './audit.ts';
import type { Database } from './database.ts';
import { installationMappings } from './schema.ts';
import type { InstallationKey } from './sync-store.ts';

/** Any stored mapping carries its shape's version; one this code does not know fails loudly. */
const storedShape = z.looseObject({ version: z.literal(1) });

/**
 * Each installation's field mapping. Platform code may use core's types only, so a caller that
 * wants the full check hands in core's `fieldMappingSchema`: a saved mapping is then checked before
 * it is stored and a stored one again when read. Without it only the shape's version is checked.
 */
export function mappingRepository(db: Database, schema?: z.ZodType<FieldMapping>) {
  const check = (value: unknown): z.ZodSafeParseResult<FieldMapping> =>
    schema ? schema.safeParse(value) : (storedShape.safeParse(value) as z.ZodSafeParseResult<FieldMapping>);

  const ofInstallation = (key: InstallationKey) =>
    and(
      eq(installationMappings.workspaceId, key.workspaceId),
      eq(installationMappings.installationId, key.installationId),
    );

  return {
    async get(key: InstallationKey): Promise<FieldMapping | undefined> {
      const [row] = await db
        .select({ mapping: installationMappings.mapping })
        .from(installationMappings)
        .where(ofInstallation(key));
      if (!row) return undefined;
      const parsed = check(row.mapping);
      if (!parsed.success) {
        throw new Error(
          `the stored field mapping of installation ${key.installationId} is not valid: ${z.prettifyError(parsed.error)}`,
        );
      }
      return parsed.data;
    },

    /** Stores the mapping and an audit entry naming who changed it, together. */
    async save(key: InstallationKey, mapping: FieldMapping, actor: string): Promise<void> {
      const parsed = check(mapping);
      if (!parsed.success) throw new Error(`the field mapping is not valid: ${z.prettifyError(parsed.error)}`);
      const valid = parsed.data;
      await db.transaction(async (tx) => {
        const now = new Date();
        await tx
          .insert(installationMappings)
          .values({ ...key, mapping: valid, updatedBy: actor, updatedAt: now })
          .onConflictDoUpdate({
            target: [installationMappings.workspaceId, installationMappings.installationId],
            set: { mapping: valid, updatedBy: actor, updatedAt: now },
          });
        await recordAudit(tx, { ...key, actor, action: 'mapping.updated' });
      });
    },
  };
}

export type MappingRepository = ReturnType<typeof mappingRepository>;
