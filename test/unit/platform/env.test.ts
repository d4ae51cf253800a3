import { describe, expect, it } from 'vitest';
import { decodeKey, EnvError, parseEnv } from '../../../server/platform/env.ts';

const KEY_HEX = 'a'.repeat(64);
const KEY_B64 = Buffer.alloc(32, 7).toString('base64');

function problems(env: Record<string, string>): readonly string[] {
  try {
    parseEnv(env, '/srv/app');
  } catch (error) {
    if (error instanceof EnvError) return error.problems;
    throw error;
  }
  return [];
}

describe('parseEnv', () => {
  it('applies the embedded defaults when nothing is set', () => {
    const env = parseEnv({}, '/srv/app');
    expect(env).toMatchObject({
      PORT: 3000,
      HOST: '127.0.0.1',
      dataDir: '/srv/app/.bellwether',
      redisUrl: 'redis://127.0.0.1:6379',
      redisUrlIsDefault: true,
      publicUrl: 'http://localhost:3000',
      QUEUE_PREFIX: '{bellwether}',
      HTTP_BODY_LIMIT: '1mb',
      isProduction: false,
    });
    expect(env.DATABASE_URL).toBeUndefined();
    expect(env.ENCRYPTION_KEY).toBeUndefined();
  });

  it('treats an empty variable as unset', () => {
    expect(parseEnv({ PORT: '', REDIS_URL: '' }, '/srv').redisUrlIsDefault).toBe(true);
  });

  it.each([
    [{ PORT: '8080' }, { PORT: 8080, publicUrl: 'http://localhost:8080' }],
    [{ REDIS_URL: 'redis://cache:6380' }, { redisUrl: 'redis://cache:6380', redisUrlIsDefault: false }],
    [{ DATABASE_URL: 'postgres://u@db:5432/bw' }, { DATABASE_URL: 'postgres://u@db:5432/bw' }],
    [{ DATA_DIR: '/var/lib/bw' }, { dataDir: '/var/lib/bw' }],
    [{ PUBLIC_URL: 'https://bw.example.com/' }, { publicUrl: 'https://bw.example.com' }],
    [{ NODE_ENV: 'production', ENCRYPTION_KEY: KEY_HEX, ADMIN_TOKEN: 'a'.repeat(24) }, { isProduction: true }],
    [{}, { demoMode: true, DATA_RETENTION_DAYS: 0 }],
    [{ HUBSPOT_CLIENT_ID: 'id', HUBSPOT_CLIENT_SECRET: 'secret' }, { demoMode: false }],
  ])('reads %o', (input, expected) => {
    expect(parseEnv(input, '/srv')).toMatchObject(expected);
  });

  it('decodes the encryption key from hex and base64', () => {
    expect(parseEnv({ ENCRYPTION_KEY: KEY_HEX }, '/').ENCRYPTION_KEY).toEqual(Buffer.alloc(32, 0xaa));
    expect(parseEnv({ ENCRYPTION_KEY: KEY_B64 }, '/').ENCRYPTION_KEY).toEqual(Buffer.alloc(32, 7));
  });

  it('names every bad variable at once', () => {
    const found = problems({ PORT: 'abc', ENCRYPTION_KEY: 'short' });
    expect(found).toHaveLength(2);
    expect(found[0]).toMatch(/^PORT must be a whole number/);
    expect(found[1]).toMatch(/^ENCRYPTION_KEY must be 32 random bytes .* \(got 5 characters\)/);
  });

  it.each([
    [{ PORT: '70000' }, /^PORT /],
    [{ PORT: '-1' }, /^PORT /],
    [{ REDIS_URL: 'http://cache' }, /^REDIS_URL must be a URL starting with redis:\/\/ or rediss:\/\//],
    [{ DATABASE_URL: 'mysql://db' }, /^DATABASE_URL must be a URL starting with postgres:/],
    [{ LOG_LEVEL: 'loud' }, /^LOG_LEVEL /],
    [{ HTTP_BODY_LIMIT: 'huge' }, /^HTTP_BODY_LIMIT must be a size/],
    [{ WORKER_CONCURRENCY: '0' }, /^WORKER_CONCURRENCY /],
    [{ QUEUE_PREFIX: 'a b' }, /^QUEUE_PREFIX /],
    [{ ENCRYPTION_KEY_PREVIOUS: `${KEY_HEX},nope` }, /^ENCRYPTION_KEY_PREVIOUS entry 2 /],
    [{ NODE_ENV: 'production', ADMIN_TOKEN: 'a'.repeat(24) }, /^ENCRYPTION_KEY is required when NODE_ENV=production/],
    [{ NODE_ENV: 'production', ENCRYPTION_KEY: KEY_HEX }, /^ADMIN_TOKEN is required when NODE_ENV=production/],
    [{ HUBSPOT_CLIENT_ID: 'id' }, /^HUBSPOT_CLIENT_ID and HUBSPOT_CLIENT_SECRET must be set together/],
    [{ SALESFORCE_CLIENT_SECRET: 'x' }, /^SALESFORCE_CLIENT_ID and SALESFORCE_CLIENT_SECRET must be set together/],
    [{ ADMIN_TOKEN: 'short' }, /^ADMIN_TOKEN must be at least 16 characters/],
    [{ DATA_RETENTION_DAYS: '400' }, /^DATA_RETENTION_DAYS /],
  ])('rejects %o', (input, message) => {
    const found = problems(input);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(message);
  });

  it('never echoes a rejected key value', () => {
    const secret = 'hunter2-not-a-key';
    expect(problems({ ENCRYPTION_KEY: secret }).join(' ')).not.toContain(secret);
  });
});

describe('decodeKey', () => {
  it.each([
    [KEY_HEX, 32],
    [KEY_B64, 32],
    [Buffer.alloc(32, 1).toString('base64url'), 32],
    ['a'.repeat(63), undefined],
    [Buffer.alloc(31).toString('base64'), undefined],
    ['', undefined],
  ])('%s → %s bytes', (input, bytes) => {
    expect(decodeKey(input)?.length).toBe(bytes);
  });
});
