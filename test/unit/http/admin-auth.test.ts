import type { Request, Response } from 'express';
import { describe, expect, it } from 'vitest';
import {
  adminAuth,
  checkAdmin,
  isAdmin,
  recogniseAdmin,
  type AdminAuthOptions,
} from '../../../server/http/middleware/admin-auth.ts';
import { AppError } from '../../../server/platform/errors.ts';

const TOKEN = 'correct-horse-battery-staple';

function request(authorization?: string, peer = '203.0.113.9', ip = peer): Request {
  return {
    headers: authorization === undefined ? {} : { authorization },
    socket: { remoteAddress: peer },
    ip,
  } as unknown as Request;
}

const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

function run(options: AdminAuthOptions, req: Request) {
  const headers: Record<string, unknown> = {};
  const res = { setHeader: (name: string, value: unknown) => void (headers[name.toLowerCase()] = value) };
  let passed: unknown = 'not called';
  adminAuth(options)(req, res as unknown as Response, (error?: unknown) => {
    passed = error;
  });
  return { error: passed, headers };
}

describe('admin auth', () => {
  const withToken: AdminAuthOptions = { token: TOKEN, allowLoopbackWithoutToken: true };

  it('admits the token as a Bearer credential or as the Basic password with any user', () => {
    expect(checkAdmin(request(`Bearer ${TOKEN}`), withToken)).toBe(true);
    expect(checkAdmin(request(`bearer ${TOKEN}`), withToken)).toBe(true);
    expect(checkAdmin(request(basic('admin', TOKEN)), withToken)).toBe(true);
    expect(checkAdmin(request(basic('', TOKEN)), withToken)).toBe(true);
  });

  it('refuses a wrong, partial or misplaced token, and loopback alone once a token is set', () => {
    for (const header of [
      undefined,
      `Bearer ${TOKEN}x`,
      `Bearer ${TOKEN.slice(0, -1)}`,
      basic(TOKEN, 'wrong'),
      `Basic ${Buffer.from(TOKEN).toString('base64')}`,
      `Token ${TOKEN}`,
      TOKEN,
      '',
    ]) {
      expect(checkAdmin(request(header), withToken), String(header)).toBe(false);
    }
    expect(checkAdmin(request(undefined, '127.0.0.1'), withToken)).toBe(false);
  });

  it('without a token admits loopback only, and only when allowed', () => {
    const devNoToken: AdminAuthOptions = { token: undefined, allowLoopbackWithoutToken: true };
    expect(checkAdmin(request(undefined, '127.0.0.1'), devNoToken)).toBe(true);
    expect(checkAdmin(request(undefined, '::1'), devNoToken)).toBe(true);
    expect(checkAdmin(request(undefined, '::ffff:127.0.0.1'), devNoToken)).toBe(true);
    expect(checkAdmin(request(undefined, '10.0.0.4'), devNoToken)).toBe(false);
    // A local reverse proxy forwarding a remote client does not count as loopback.
    expect(checkAdmin(request(undefined, '127.0.0.1', '198.51.100.7'), devNoToken)).toBe(false);
    expect(checkAdmin(request(`Bearer ${TOKEN}`, '10.0.0.4'), devNoToken)).toBe(false);
    expect(checkAdmin(request(undefined, '127.0.0.1'), { token: undefined, allowLoopbackWithoutToken: false })).toBe(
      false,
    );
  });

  it('answers a refusal with 401 and a challenge, and marks an admitted request', () => {
    const refused = run(withToken, request('Bearer nope'));
    expect(refused.error).toBeInstanceOf(AppError);
    expect(refused.error).toMatchObject({ status: 401, code: 'ADMIN_AUTH_REQUIRED' });
    expect(String(refused.headers['www-authenticate'])).toContain('Basic realm="Bellwether admin"');

    const req = request(`Bearer ${TOKEN}`);
    expect(run(withToken, req).error).toBeUndefined();
    expect(isAdmin(req)).toBe(true);
  });

  it('recognises an admin without refusing anyone else', () => {
    const admin = request(basic('ops', TOKEN));
    const visitor = request();
    for (const req of [admin, visitor]) {
      let nextCalls = 0;
      recogniseAdmin(withToken)(req, {} as Response, (error?: unknown) => {
        expect(error).toBeUndefined();
        nextCalls += 1;
      });
      expect(nextCalls).toBe(1);
    }
    expect(isAdmin(admin)).toBe(true);
    expect(isAdmin(visitor)).toBe(false);
  });
});
