import { createCipheriv, createDecipheriv, createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { chmod, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from './logger.ts';
import { decodeKey } from './env.ts';

/**
 * Secrets at rest (OAuth tokens, client secrets) are sealed with AES-256-GCM.
 * Format: `v1.<keyId>.<iv>.<ciphertext>.<tag>` in base64url, where keyId names the key so
 * that keys can be rotated: the current key seals, previous keys still open.
 * Optional associated data binds a sealed value to its owner (e.g. an installation id),
 * so a value copied onto another row fails to open.
 */

const VERSION = 'v1';
const IV_BYTES = 12;

export class SealError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SealError';
  }
}

export function keyId(key: Buffer): string {
  return createHash('sha256').update(key).digest('base64url').slice(0, 8);
}

export interface Sealer {
  readonly keyId: string;
  seal(plaintext: string, associatedData?: string): string;
  open(sealed: string, associatedData?: string): string;
}

export function createSealer(current: Buffer, previous: readonly Buffer[] = []): Sealer {
  if (current.length !== 32) throw new SealError('the encryption key must be 32 bytes');
  const keys = new Map<string, Buffer>();
  for (const key of [current, ...previous]) keys.set(keyId(key), key);
  const currentId = keyId(current);

  return {
    keyId: currentId,
    seal(plaintext, associatedData) {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', current, iv);
      if (associatedData !== undefined) cipher.setAAD(Buffer.from(associatedData, 'utf8'));
      const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      const tag = cipher.getAuthTag();
      return [VERSION, currentId, iv, body, tag]
        .map((part) => (typeof part === 'string' ? part : part.toString('base64url')))
        .join('.');
    },
    open(sealed, associatedData) {
      const parts = sealed.split('.');
      if (parts.length !== 5 || parts[0] !== VERSION) {
        throw new SealError('not a sealed value (expected v1.<key>.<iv>.<data>.<tag>)');
      }
      const [, id, iv, body, tag] = parts as [string, string, string, string, string];
      const key = keys.get(id);
      if (!key) {
        throw new SealError(`sealed with key ${id}, which is neither ENCRYPTION_KEY nor in ENCRYPTION_KEY_PREVIOUS`);
      }
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
        if (associatedData !== undefined) decipher.setAAD(Buffer.from(associatedData, 'utf8'));
        decipher.setAuthTag(Buffer.from(tag, 'base64url'));
        return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
      } catch {
        throw new SealError('sealed value failed authentication (tampered, or bound to another owner)');
      }
    },
  };
}

/** Compares two secrets in constant time, whatever their lengths. */
export function safeEqual(a: string | Buffer, b: string | Buffer): boolean {
  // HMAC both sides with a random key so that lengths never leak and inputs of any size compare.
  const nonce = randomBytes(32);
  const digest = (value: string | Buffer) => createHmac('sha256', nonce).update(value).digest();
  return timingSafeEqual(digest(a), digest(b));
}

export const LOCAL_KEY_FILE = 'encryption.key';

/**
 * In local mode (no ENCRYPTION_KEY) a key is generated once into the data folder, readable by the
 * owner only, and reused on later starts.
 */
export async function loadOrCreateLocalKey(
  dataDir: string,
  logger: Logger,
): Promise<{ key: Buffer; file: string; created: boolean }> {
  const file = path.join(dataDir, LOCAL_KEY_FILE);
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  try {
    const text = await readFile(file, 'utf8');
    const key = decodeKey(text);
    if (!key) {
      throw new SealError(
        `${file} does not hold a 32-byte key; restore it from a backup, or delete it only if no tokens were sealed with it`,
      );
    }
    const mode = (await stat(file)).mode & 0o777;
    if (mode & 0o077) {
      await chmod(file, 0o600);
      logger.warn(
        { file, mode: mode.toString(8) },
        'local encryption key was readable by others; restricted it to the owner',
      );
    }
    return { key, file, created: false };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const key = randomBytes(32);
  // `wx` refuses to overwrite a key another process wrote a moment ago.
  try {
    await writeFile(file, `${key.toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return loadOrCreateLocalKey(dataDir, logger);
    throw error;
  }
  logger.warn(
    { file },
    'generated a local encryption key for sealing secrets; keep this file (or set ENCRYPTION_KEY) or sealed tokens cannot be read again',
  );
  return { key, file, created: true };
}
