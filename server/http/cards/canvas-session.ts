import { createHash, randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import { AppError } from '../../platform/errors.ts';

/**
 * The Canvas card's short session: a random token handed to the page (never a cookie: the frame is
 * cross-site), kept in Redis for 15 minutes and bound to one installation, user and record. Only the
 * token's hash is stored, so a Redis dump holds no usable session.
 */

export const CANVAS_SESSION_TTL_MS = 15 * 60_000;

const sessionSchema = z.strictObject({
  workspaceId: z.uuid(),
  installationId: z.uuid(),
  userId: z.string(),
  recordId: z.string(),
});
export type CanvasSession = z.infer<typeof sessionSchema>;

export interface CanvasSessions {
  open(session: CanvasSession): Promise<string>;
  /** The session a bearer token names; 401 when missing, unknown or expired. */
  read(authorization: string | undefined): Promise<CanvasSession>;
}

const hashOf = (token: string) => createHash('sha256').update(token).digest('base64url');

export function canvasSessions(redis: Redis, prefix = 'bw:canvas-session'): CanvasSessions {
  const keyOf = (token: string) => `${prefix}:${hashOf(token)}`;
  return {
    async open(session) {
      const token = randomBytes(32).toString('base64url');
      await redis.set(keyOf(token), JSON.stringify(session), 'PX', CANVAS_SESSION_TTL_MS);
      return token;
    },
    async read(authorization) {
      const match = /^Bearer ([A-Za-z0-9_-]{43})$/.exec(authorization ?? '');
      if (!match) {
        throw new AppError(401, 'SESSION_MISSING', 'Authorization: Bearer <canvas session> is missing or malformed');
      }
      const stored = await redis.get(keyOf(match[1] as string));
      if (stored === null) {
        throw new AppError(401, 'SESSION_EXPIRED', 'The canvas session is unknown or expired; reload the card');
      }
      return sessionSchema.parse(JSON.parse(stored));
    },
  };
}
