import type { Request } from 'express';
import { z } from 'zod';
import { verifyHubspotRequest } from '../../crm/hubspot/request-signature.ts';
import { AppError } from '../../platform/errors.ts';

/**
 * A card request proxied by `hubspot.fetch`: signature v3 over method, full public URL, raw body and
 * timestamp, within 5 minutes. Only v3 is accepted, because the older versions do not cover the URL
 * and the query names the portal and the record.
 */

export const hubspotCardQuerySchema = z.object({
  portalId: z.string().regex(/^\d{1,20}$/, 'must be a HubSpot portal id (digits)'),
  objectId: z.string().min(1).max(255),
  userId: z.string().regex(/^\d{1,20}$/, 'must be a HubSpot user id (digits)'),
});
export type HubspotCardQuery = z.infer<typeof hubspotCardQuerySchema>;

const REFUSALS = {
  missing: 'SIGNATURE_MISSING',
  stale: 'SIGNATURE_STALE',
  mismatch: 'SIGNATURE_MISMATCH',
  unsupported: 'SIGNATURE_UNSUPPORTED',
} as const;

export function verifyHubspotCardRequest(
  req: Request,
  rawBody: string,
  secret: string | undefined,
  publicUrl: string,
  now: number,
): HubspotCardQuery {
  if (!secret) {
    throw new AppError(503, 'CARDS_NOT_CONFIGURED', 'The HubSpot card is not configured (no HubSpot client secret)');
  }
  if (req.headers['x-hubspot-signature-v3'] === undefined) {
    throw new AppError(401, REFUSALS.missing, 'X-HubSpot-Signature-v3 is missing (card requests must be signed, v3)');
  }
  const verdict = verifyHubspotRequest(
    { method: req.method, url: `${publicUrl}${req.originalUrl}`, rawBody, headers: req.headers },
    secret,
    now,
  );
  if (!verdict.ok) throw new AppError(401, REFUSALS[verdict.reason], verdict.message);
  // Signed, so the query is HubSpot's own; still checked for shape so a bad one says what is wrong.
  return hubspotCardQuerySchema.parse(req.query);
}
