import { mkdtemp, readFile, stat, writeFile, chmod } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createSealer, keyId, loadOrCreateLocalKey, safeEqual, SealError } from '../../../server/platform/crypto.ts';
import { createLogger } from '../../../server/platform/logger.ts';

const keyA = Buffer.alloc(32, 1);
const keyB = Buffer.alloc(32, 2);

function captureLogger() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      done();
    },
  });
  return { logger: createLogger({ level: 'debug' }, stream), lines };
}

describe('sealer', () => {
  it('round-trips and never repeats a ciphertext', () => {
    const sealer = createSealer(keyA);
    const one = sealer.seal('refresh-token-123');
    const two = sealer.seal('refresh-token-123');
    expect(one).not.toBe(two);
    expect(one).not.toContain('refresh-token-123');
    expect(one.startsWith(`v1.${keyId(keyA)}.`)).toBe(true);
    expect(sealer.open(one)).toBe('refresh-token-123');
  });

  it('binds a value to its owner through associated data', () => {
    const sealer = createSealer(keyA);
    const sealed = sealer.seal('token', 'installation:1');
    expect(sealer.open(sealed, 'installation:1')).toBe('token');
    expect(() => sealer.open(sealed, 'installation:2')).toThrow(SealError);
  });

  it('rejects a tampered value', () => {
    const sealer = createSealer(keyA);
    const parts = sealer.seal('token').split('.');
    const body = Buffer.from(parts[3] as string, 'base64url');
    body[0] = (body[0] as number) ^ 1;
    parts[3] = body.toString('base64url');
    expect(() => sealer.open(parts.join('.'))).toThrow(/failed authentication/);
  });

  it('opens values sealed with a previous key after rotation, and seals with the new one', () => {
    const old = createSealer(keyA).seal('token');
    const rotated = createSealer(keyB, [keyA]);
    expect(rotated.open(old)).toBe('token');
    expect(rotated.seal('x').split('.')[1]).toBe(keyId(keyB));
    expect(() => createSealer(keyB).open(old)).toThrow(/neither ENCRYPTION_KEY nor/);
  });

  it.each(['', 'plain', 'v2.a.b.c.d', 'v1.a.b.c'])('rejects %j as not sealed', (value) => {
    expect(() => createSealer(keyA).open(value)).toThrow(SealError);
  });
});

describe('safeEqual', () => {
  it.each([
    ['abc', 'abc', true],
    ['abc', 'abd', false],
    ['abc', 'abcd', false],
    ['', '', true],
  ])('%j vs %j → %s', (a, b, expected) => {
    expect(safeEqual(a, b)).toBe(expected);
  });
});

describe('local key', () => {
  it('is generated once, owner-only, logged, and reused', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'bw-key-'));
    const { logger, lines } = captureLogger();
    const first = await loadOrCreateLocalKey(path.join(dir, 'data'), logger);
    expect(first.created).toBe(true);
    expect(first.key).toHaveLength(32);
    expect((await stat(first.file)).mode & 0o777).toBe(0o600);
    expect(lines.some((line) => String(line.msg).includes('generated a local encryption key'))).toBe(true);
    expect(JSON.stringify(lines)).not.toContain(first.key.toString('base64'));

    const second = await loadOrCreateLocalKey(path.join(dir, 'data'), logger);
    expect(second.created).toBe(false);
    expect(second.key.equals(first.key)).toBe(true);
  });

  it('tightens a key file that others can read', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'bw-key-'));
    const file = path.join(dir, 'encryption.key');
    await writeFile(file, Buffer.alloc(32, 3).toString('base64'));
    await chmod(file, 0o644);
    const { logger } = captureLogger();
    const loaded = await loadOrCreateLocalKey(dir, logger);
    expect(loaded.key.equals(Buffer.alloc(32, 3))).toBe(true);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
  });

  it('refuses a damaged key file instead of replacing it', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'bw-key-'));
    await writeFile(path.join(dir, 'encryption.key'), 'garbage');
    const { logger } = captureLogger();
    await expect(loadOrCreateLocalKey(dir, logger)).rejects.toThrow(/does not hold a 32-byte key/);
    expect(await readFile(path.join(dir, 'encryption.key'), 'utf8')).toBe('garbage');
  });
});
