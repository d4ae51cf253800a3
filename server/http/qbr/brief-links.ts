import { z } from 'zod';
import type { Sealer } from '../../platform/crypto.ts';
import type { InstallationKey } from '../../platform/db/sync-store.ts';
import { AppError } from '../../platform/errors.ts';

/**
 * Links that open one QBR brief without signing in, for a CSM who clicks it on the card or pastes it
 * into an email: the brief, its installation and an expiry, sealed (authenticated and encrypted) with
 * the app's key, so a link names nothing guessable and cannot be stretched to another brief.
 */

export const BRIEF_LINK_TTL_MS = 7 * 24 * 60 * 60_000;
export const BRIEF_FORMATS = ['html', 'md', 'pdf'] as const;
export type BriefFormat = (typeof BRIEF_FORMATS)[number];
const PURPOSE = 'qbr-brief-link';

const linkSchema = z.strictObject({
  w: z.uuid(),
  i: z.uuid(),
  b: z.uuid(),
  /** Expiry, epoch ms. */
  e: z.number().int(),
});

export interface BriefLinks {
  html: string;
  markdown: string;
  pdf: string;
}

export function briefLinks(
  sealer: Sealer,
  publicUrl: string,
  key: InstallationKey,
  briefId: string,
  now: number,
): BriefLinks {
  const token = sealer.seal(
    JSON.stringify({ w: key.workspaceId, i: key.installationId, b: briefId, e: now + BRIEF_LINK_TTL_MS }),
    PURPOSE,
  );
  const at = (format: BriefFormat) => `${publicUrl}/briefs/${briefId}.${format}?t=${encodeURIComponent(token)}`;
  return { html: at('html'), markdown: at('md'), pdf: at('pdf') };
}

/** The installation and brief a link opens; 401 when forged or for another brief, 410 when expired. */
export function readBriefLink(
  sealer: Sealer,
  briefId: string,
  token: unknown,
  now: number,
): { key: InstallationKey; briefId: string } {
  const refused = () => new AppError(401, 'BRIEF_LINK_INVALID', 'This brief link is not valid');
  if (typeof token !== 'string' || token.length === 0 || token.length > 2_000) throw refused();
  let payload: z.infer<typeof linkSchema>;
  try {
    payload = linkSchema.parse(JSON.parse(sealer.open(token, PURPOSE)));
  } catch {
    throw refused();
  }
  if (payload.b !== briefId) throw refused();
  if (payload.e <= now) {
    throw new AppError(410, 'BRIEF_LINK_EXPIRED', 'This brief link has expired; open the brief again from the card');
  }
  return { key: { workspaceId: payload.w, installationId: payload.i }, briefId: payload.b };
}
