import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../../server/platform/logger.ts';

function logOnce(payload: Record<string, unknown>): string {
  let out = '';
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      out += chunk.toString();
      done();
    },
  });
  createLogger({ level: 'info' }, stream).info(payload, 'event');
  return out;
}

describe('logger', () => {
  it('writes one JSON line with level label and ISO time', () => {
    const line = JSON.parse(logOnce({ installationId: 'i-1' })) as Record<string, unknown>;
    expect(line).toMatchObject({ level: 'info', msg: 'event', installationId: 'i-1', app: 'bellwether' });
    expect(typeof line.time).toBe('string');
  });

  it.each([
    [{ accessToken: 'SECRET1' }],
    [{ token: { refresh_token: 'SECRET1' } }],
    [{ req: { headers: { authorization: 'Bearer SECRET1', cookie: 'sid=SECRET1' } } }],
    [{ installation: { credentials: { client_secret: 'SECRET1' } } }],
    [{ body: { signed_request: 'SECRET1' } }],
    [{ res: { headers: { 'set-cookie': 'SECRET1' } } }],
  ])('redacts secrets by key: %o', (payload) => {
    const out = logOnce(payload);
    expect(out).not.toContain('SECRET1');
    expect(out).toContain('[redacted]');
  });
});
