import { createHash, randomBytes } from 'node:crypto';

/**
 * Tokens of the customer share links: 32 random bytes as base64url, shown once when the link is
 * made. Only their SHA-256 is stored, so a copy of the database opens no plan. A string that is not
 * a token's shape is refused before anything is read.
 */

const TOKEN_BYTES = 32;
/** 32 bytes in base64url without padding: 43 characters, the last of which carries 4 bits only. */
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{42}[AEIMQUYcgkosw048]$/;

export const isShareToken = (value: unknown): value is string => typeof value === 'string' && TOKEN_SHAPE.test(value);

export const hashShareToken = (token: string): string => createHash('sha256').update(token, 'utf8').digest('hex');

export function newShareToken(): { token: string; hash: string } {
  const token = randomBytes(TOKEN_BYTES).toString('base64url');
  return { token, hash: hashShareToken(token) };
}
