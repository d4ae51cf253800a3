import type { z } from 'zod';
import { ASSOCIATION_TYPES, type AssociationTypeDef } from './associations.ts';
import type { SandboxContext } from './context.ts';
import type { ObjectType } from './object-types.ts';
import type { CrmRecord, PortalStore } from './portal-store.ts';
import type { createBody } from './request-schemas.ts';

/**
 * Record writes shared by the single and batch object routes; each sends the webhook HubSpot would,
 * so the two forms cannot drift apart.
 */

export interface AssociationLink {
  to: CrmRecord;
  def: AssociationTypeDef;
}

/** The association inputs of a create, resolved; failures are reported like property failures. */
export function resolveAssociations(
  portal: PortalStore,
  type: ObjectType,
  inputs: z.infer<typeof createBody>['associations'],
): { ok: true; links: AssociationLink[] } | { ok: false; message: string } {
  const links: AssociationLink[] = [];
  for (const input of inputs) {
    for (const spec of input.types) {
      const def = ASSOCIATION_TYPES.get(spec.associationTypeId);
      if (!def || def.from !== type) {
        return { ok: false, message: `${spec.associationTypeId} is not a valid association type id from ${type}` };
      }
      const to = portal.live(def.to, input.to.id);
      if (!to) return { ok: false, message: `No ${def.to} with id ${input.to.id} exists to associate with` };
      links.push({ to, def });
    }
  }
  return { ok: true, links };
}

export function createRecord(
  ctx: SandboxContext,
  portal: PortalStore,
  type: ObjectType,
  values: Record<string, string>,
  links: readonly AssociationLink[],
): CrmRecord {
  const record = portal.create(type, values, ctx.clock.now());
  for (const link of links) portal.associate(record, link.to, link.def);
  ctx.webhooks?.created(portal.info.id, record);
  return record;
}

export function updateRecord(
  ctx: SandboxContext,
  portal: PortalStore,
  record: CrmRecord,
  values: Record<string, string>,
): void {
  portal.update(record, values, ctx.clock.now());
  ctx.webhooks?.changed(portal.info.id, record, values);
}

/** Archives the record when it is live; a missing or already archived one is left as it is. */
export function archiveIfLive(ctx: SandboxContext, portal: PortalStore, record: CrmRecord | undefined): void {
  if (!record || record.archived) return;
  portal.archive(record, ctx.clock.now());
  ctx.webhooks?.deleted(portal.info.id, record);
}

/** Merges one live record into another and sends the merge event on the primary. */
export function mergeRecords(ctx: SandboxContext, portal: PortalStore, primary: CrmRecord, merged: CrmRecord): void {
  portal.merge(primary, merged, ctx.clock.now());
  ctx.webhooks?.merged(portal.info.id, primary, merged);
}
