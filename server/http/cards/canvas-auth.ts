import { createHmac } from 'node:crypto';
import { z } from 'zod';
import { safeEqual } from '../../platform/crypto.ts';
import { AppError } from '../../platform/errors.ts';

/**
 * Salesforce Canvas `signed_request`: base64(HMAC-SHA256(consumer secret, base64 context)) + "." +
 * base64 context. The HMAC is taken over the context exactly as received and compared in constant
 * time before the context is decoded at all.
 */

const canvasRequestSchema = z.object({
  algorithm: z.literal('HMACSHA256'),
  context: z.object({
    user: z.object({ userId: z.string().min(1).max(64) }),
    organization: z.object({ organizationId: z.string().min(15).max(18) }),
    environment: z.object({
      parameters: z.record(z.string(), z.unknown()).nullish(),
      record: z.object({ Id: z.string().optional() }).nullish(),
    }),
  }),
  client: z.object({ targetOrigin: z.string().nullish(), instanceUrl: z.string().nullish() }),
});

export interface CanvasIdentity {
  orgId: string;
  userId: string;
  recordId: string;
  /** The Salesforce origin that frames the card (signed, so it can be allowed as a frame ancestor). */
  origin: string | null;
}

const refuse = (message: string) => new AppError(401, 'SIGNED_REQUEST_INVALID', message);

function originOf(url: string | null | undefined): string | null {
  if (!url) return null;
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'https:' || parsed.protocol === 'http:' ? parsed.origin : null;
  } catch {
    return null;
  }
}

export function verifyCanvasRequest(signedRequest: unknown, consumerSecret: string): CanvasIdentity {
  if (typeof signedRequest !== 'string' || signedRequest.length === 0) {
    throw refuse('signed_request is missing (expected a form field from Salesforce Canvas)');
  }
  const dot = signedRequest.indexOf('.');
  if (dot <= 0 || dot === signedRequest.length - 1) throw refuse('signed_request is not "signature.context"');
  const signature = signedRequest.slice(0, dot);
  const context = signedRequest.slice(dot + 1);
  const expected = createHmac('sha256', consumerSecret).update(context).digest('base64');
  if (!safeEqual(expected, signature)) throw refuse('signed_request signature does not match');

  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(context, 'base64').toString('utf8'));
  } catch {
    throw new AppError(400, 'SIGNED_REQUEST_MALFORMED', 'signed_request context is not base64 JSON');
  }
  const parsed = canvasRequestSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new AppError(
      400,
      'SIGNED_REQUEST_MALFORMED',
      `signed_request context: ${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'invalid'}`,
    );
  }
  const { context: ctx, client } = parsed.data;
  const parameter = ctx.environment.parameters?.recordId;
  const recordId = typeof parameter === 'string' && parameter.length > 0 ? parameter : ctx.environment.record?.Id;
  if (!recordId || recordId.length > 255) {
    throw new AppError(
      400,
      'RECORD_ID_MISSING',
      'signed_request names no record (context.environment.parameters.recordId or record.Id)',
    );
  }
  return {
    orgId: ctx.organization.organizationId,
    userId: ctx.user.userId,
    recordId,
    origin: originOf(client.targetOrigin) ?? originOf(client.instanceUrl),
  };
}
