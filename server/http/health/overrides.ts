import type { Request } from 'express';
import type { OverrideBody } from '../../contracts/health.ts';
import { accountNotFound, type StoredOverride } from '../../platform/db/override-store.ts';

/** The `:accountId` route parameter: a CRM record id; anything else names no account. */
export function accountParam(req: Request): string {
  const raw = req.params.accountId;
  if (typeof raw !== 'string' || raw.length === 0 || raw.length > 255) throw accountNotFound();
  return raw;
}

/** Expiry is judged here, when read: nothing scheduled ever clears or changes an override. */
export function overrideBody(override: StoredOverride, now: number): OverrideBody {
  return {
    id: override.id,
    accountId: override.accountExternalId,
    score: override.score,
    band: override.band,
    reason: override.reason,
    author: override.author,
    setAt: override.setAt.toISOString(),
    expiresAt: override.expiresAt.toISOString(),
    clearedAt: override.clearedAt?.toISOString() ?? null,
    clearedBy: override.clearedBy,
    active: override.clearedAt === null && override.setAt.getTime() <= now && now < override.expiresAt.getTime(),
  };
}
